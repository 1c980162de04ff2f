"""HTML error pages for the page routes (the API answers problem details instead)."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response
from litestar.response import Template

from ballots.errors import N_
from vote.i18n import current_locale, gettext_, localise

STATUS_TITLES = {
    400: N_("The request is malformed"),
    403: N_("Not allowed"),
    404: N_("Page not found"),
    405: N_("Method not allowed"),
    413: N_("The request body is too large"),
    429: N_("Too many requests"),
    500: N_("Something went wrong on our side"),
}


def page_error_response(
    request: Request[Any, Any, Any], status: int, title: str, detail: str, params: dict[str, Any]
) -> Response[Any]:
    """Render ``error.html`` with a translated title and detail."""
    title_text = gettext_(title or STATUS_TITLES.get(status, N_("The request failed")))
    detail_text = localise(detail, params) if detail else ""
    return page("error.html", status_code=status, title=title_text, detail=detail_text)


def page(template_name: str, *, status_code: int = 200, **context: Any) -> Template:
    """A rendered page; every template gets the request's ``locale``."""
    context.setdefault("locale", current_locale.get())
    return Template(template_name=template_name, context=context, status_code=status_code)
