"""Console: the chair's own API tokens — list, create (the token shown once), revoke."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from litestar import Request, get, post
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from ballots import chairs
from ballots.access import Actor
from ballots.errors import DomainError, NotAuthenticated
from ballots.models import Chair
from ballots.models.bounds import TOKEN_NAME_LENGTH
from vote.api.params import IdParam
from vote.i18n import gettext_
from vote.pages.console.layout import (
    Errors,
    Form,
    check_text,
    console_page,
    console_router,
    message_of,
    read_form,
)
from vote.web import AppContext

MAX_DAYS = chairs.API_TOKEN_MAX_LIFETIME.days
DEFAULT_DAYS = chairs.API_TOKEN_LIFETIME.days


async def _page(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    actor: Actor,
    *,
    form: Form | None = None,
    errors: Errors | None = None,
    message: str = "",
    error: str = "",
    issued: chairs.IssuedToken | None = None,
    status_code: int = 200,
) -> Template:
    if actor.chair_id is None:
        raise NotAuthenticated()
    tokens = await chairs.list_tokens(db, actor, chair_id=actor.chair_id)
    return console_page(
        request,
        ctx,
        actor,
        "console/tokens.html",
        section="tokens",
        status_code=status_code,
        no_store=issued is not None,
        tokens=tokens,
        now=datetime.now(UTC),
        form=form or {"days": str(DEFAULT_DAYS)},
        errors=errors or {},
        message=message,
        error=error,
        issued=issued,
        name_max=TOKEN_NAME_LENGTH,
        max_days=MAX_DAYS,
    )


@get("/tokens", name="console-tokens")
async def token_list(
    request: Request[Any, Any, Any], db: AsyncSession, ctx: AppContext, actor: Actor
) -> Template:
    return await _page(request, db, ctx, actor)


@post("/tokens")
async def create_token(
    request: Request[Any, Any, Any], db: AsyncSession, ctx: AppContext, actor: Actor
) -> Template:
    form = await read_form(request, "name", "days", "read_only")
    errors: Errors = {}
    name = check_text(errors, "name", form["name"], maximum=TOKEN_NAME_LENGTH)
    days_text = form["days"].strip()
    days = (
        int(days_text) if days_text.isascii() and days_text.isdigit() and len(days_text) < 5 else 0
    )
    if not 1 <= days <= MAX_DAYS:
        errors["days"] = gettext_("A whole number of days from 1 to %(n)s, please.") % {
            "n": MAX_DAYS
        }
    chair = await db.get(Chair, actor.chair_id) if actor.chair_id else None
    if chair is None:
        raise NotAuthenticated()
    if errors:
        return await _page(request, db, ctx, actor, form=form, errors=errors, status_code=422)
    try:
        issued = await chairs.issue_token(
            db,
            chair,
            kind="api",
            name=name,
            source=actor.source,
            scope="read" if form["read_only"] else "full",
            lifetime=timedelta(days=days),
            created_by_session=actor.session_id,
        )
        await db.commit()
    except DomainError as refused:
        await db.rollback()
        return await _page(
            request, db, ctx, actor, form=form, error=message_of(refused), status_code=422
        )
    return await _page(request, db, ctx, actor, issued=issued)


@post("/tokens/{token_id:int}/revoke")
async def revoke_token(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    actor: Actor,
    token_id: IdParam,
) -> Template:
    revoked = await chairs.revoke_token(db, actor, token_id)
    await db.commit()
    message = gettext_("The token %(name)s is revoked: it no longer works.") % {
        "name": revoked.name
    }
    return await _page(request, db, ctx, actor, message=message)


router = console_router([token_list, create_token, revoke_token])
