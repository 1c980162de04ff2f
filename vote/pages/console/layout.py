"""What every console page shares: the router settings, the page renderer, forms and errors."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from litestar import Request, Response, Router
from litestar.di import Provide
from litestar.response import Redirect, Template
from litestar.types import ControllerRouterHandler

from ballots.access import Actor
from ballots.errors import N_, DomainError, NotAuthenticated
from vote.i18n import gettext_, localise
from vote.pages.errors import page
from vote.web import SESSION_COOKIE, AppContext, csrf_token, provide_actor

LOGIN_PATH = "/chair/login"
LEVEL_LABELS = {
    "district": N_("District"),
    "street": N_("Street"),
    "area": N_("Residential area"),
}

Form = dict[str, str]
Errors = dict[str, str]


def level_label(level: str) -> str:
    return gettext_(LEVEL_LABELS[level]) if level in LEVEL_LABELS else level


def message_of(error: DomainError) -> str:
    """A domain error's detail in the reader's language."""
    return (
        localise(error.detail_msgid, error.params) if error.detail_msgid else gettext_(error.title)
    )


async def read_form(request: Request[Any, Any, Any], *names: str) -> Form:
    """The named fields of the posted form, as typed (missing ones empty)."""
    form = await request.form()
    values: Form = {}
    for name in names:
        value = form.get(name, "")
        values[name] = value if isinstance(value, str) else ""
    return values


def safe_text(value: str) -> bool:
    """True when ``value`` can be stored: no NUL, no lone surrogate."""
    return "\x00" not in value and not any("\ud800" <= ch <= "\udfff" for ch in value)


def check_text(
    errors: Errors, name: str, value: str, *, maximum: int, required: bool = True
) -> str:
    """Note in ``errors`` why ``value`` cannot be used for field ``name``; return it stripped."""
    stripped = value.strip()
    if required and not stripped:
        errors[name] = gettext_("Please fill this in.")
    elif len(stripped) > maximum:
        errors[name] = gettext_("At most %(n)s characters, please.") % {"n": maximum}
    elif not safe_text(stripped):
        errors[name] = gettext_("This contains characters that cannot be stored.")
    return stripped


def console_page(
    request: Request[Any, Any, Any],
    ctx: AppContext,
    actor: Actor,
    template_name: str,
    *,
    section: str,
    status_code: int = 200,
    no_store: bool = False,
    **context: Any,
) -> Template:
    """A console page: the navigation, the actor, the CSRF token for its forms."""
    response = page(
        template_name,
        status_code=status_code,
        section=section,
        actor=actor,
        csrf=csrf_token(ctx.secret_key, request.cookies.get(SESSION_COOKIE, "")),
        level_label=level_label,
        errors=context.pop("errors", {}),
        form=context.pop("form", {}),
        **context,
    )
    if no_store:  # a secret shown once must not stay in a cache
        response.headers["cache-control"] = "no-store"
    return response


def _to_login(_request: Request[Any, Any, Any], _error: NotAuthenticated) -> Response[Any]:
    return Redirect(path=LOGIN_PATH)


def console_router(handlers: Sequence[ControllerRouterHandler]) -> Router:
    """A router for console pages: a chair's login is needed (otherwise the login page)."""
    return Router(
        path="/chair",
        route_handlers=list(handlers),
        dependencies={"actor": Provide(provide_actor)},
        exception_handlers={NotAuthenticated: _to_login},
        include_in_schema=False,
    )
