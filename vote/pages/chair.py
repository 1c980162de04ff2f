"""The chair's pages: log in with password and TOTP, see ballots, open/close/publish, print invitations.

Forms carry a CSRF token bound to the login session; every action goes through the same
``ballots`` services (and so the same unit checks and audit log) as the API.
"""

from __future__ import annotations

import hmac
import secrets
from typing import Any

from litestar import Request, Response, Router, get, post
from litestar.di import Provide
from litestar.response import Redirect, Template
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ballots import invitations, lifecycle
from ballots.access import Actor
from ballots.chairs import SESSION_LIFETIME, log_out
from ballots.errors import N_, DomainError, NotFound
from ballots.models import Participation
from vote.api.auth import login_chair
from vote.api.params import IdParam, SearchParam
from vote.i18n import current_locale, gettext_, localise
from vote.pages.errors import page
from vote.printing import qr_svg, render_invitations_pdf
from vote.printing.pdf import format_address
from vote.web import (
    SESSION_COOKIE,
    AppContext,
    CsrfFailed,
    client_ip,
    csrf_token,
    provide_actor,
    provide_optional_actor,
)

ACTIONS = {
    "draft": [("open", N_("Open voting")), ("cancel", N_("Cancel ballot"))],
    "open": [("close", N_("Close voting")), ("cancel", N_("Cancel ballot"))],
    "closed": [("publish", N_("Publish result"))],
}


def _message(error: DomainError) -> str:
    return (
        localise(error.detail_msgid, error.params) if error.detail_msgid else gettext_(error.title)
    )


def actions_for(state: str) -> list[tuple[str, str]]:
    return [(action, gettext_(label)) for action, label in ACTIONS.get(state, [])]


LOGIN_COOKIE = "vote_login"


def _login_page(
    ctx: AppContext, *, status_code: int = 200, error: str = "", username: str = ""
) -> Template:
    """The login form with a fresh CSRF pair: a random cookie and a token bound to it, so a
    page elsewhere cannot log this browser in to an account of its choosing."""
    nonce = secrets.token_urlsafe(16)
    response = page(
        "chair/login.html",
        status_code=status_code,
        error=error,
        username=username,
        csrf=csrf_token(ctx.secret_key, "login:" + nonce),
    )
    response.set_cookie(
        LOGIN_COOKIE,
        nonce,
        httponly=True,
        samesite="strict",
        path="/chair/login",
        max_age=3600,
        secure=ctx.settings.base_url.startswith("https://"),
    )
    return response


@get("/chair/login", name="chair-login")
async def login_form(ctx: AppContext) -> Template:
    return _login_page(ctx)


@post("/chair/login")
async def login_submit(
    request: Request[Any, Any, Any], db: AsyncSession, ctx: AppContext
) -> Response[Any]:
    form = await request.form()
    username = str(form.get("username", ""))
    nonce = request.cookies.get(LOGIN_COOKIE, "")
    sent = str(form.get("csrf_token", ""))
    if not nonce or not hmac.compare_digest(sent, csrf_token(ctx.secret_key, "login:" + nonce)):
        return _login_page(ctx, status_code=403, error=_message(CsrfFailed()), username=username)
    try:
        token, _chair = await login_chair(
            db,
            ctx,
            client_ip(request, ctx.settings),
            username,
            str(form.get("password", "")),
            str(form.get("totp", "")),
        )
    except DomainError as error:
        return _login_page(ctx, status_code=error.status, error=_message(error), username=username)
    response = Redirect(path="/chair/")
    response.set_cookie(
        SESSION_COOKIE,
        token,
        httponly=True,
        samesite="strict",
        path="/",
        max_age=int(SESSION_LIFETIME.total_seconds()),
        secure=ctx.settings.base_url.startswith("https://"),
    )
    return response


@post("/chair/logout", dependencies={"actor": Provide(provide_actor)})
async def logout(request: Request[Any, Any, Any], db: AsyncSession, actor: Actor) -> Redirect:
    await log_out(db, request.cookies.get(SESSION_COOKIE, ""), actor.source)
    await db.commit()
    response = Redirect(path="/chair/login")
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


async def _dashboard(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    actor: Actor,
    *,
    message: str = "",
    error: str = "",
    status_code: int = 200,
) -> Template:
    rows = await lifecycle.list_ballots(db, actor.unit_path)
    ids = [ballot.id for ballot, _ in rows]
    turnout = (
        dict(
            (
                await db.execute(
                    select(Participation.ballot_id, func.count())
                    .where(Participation.ballot_id.in_(ids))
                    .group_by(Participation.ballot_id)
                )
            ).all()
        )
        if ids
        else {}
    )
    return page(
        "chair/dashboard.html",
        status_code=status_code,
        actor=actor,
        ballots=rows,
        turnout=turnout,
        csrf=csrf_token(ctx.secret_key, request.cookies.get(SESSION_COOKIE, "")),
        actions_for=actions_for,
        message=message,
        error=error,
    )


@get("/chair/", name="chair-dashboard")
async def dashboard(
    request: Request[Any, Any, Any], db: AsyncSession, ctx: AppContext
) -> Response[Any]:
    actor = await provide_optional_actor(request, db, ctx)
    if actor is None:
        return Redirect(path="/chair/login")
    return await _dashboard(request, db, ctx, actor)


@get("/chair/ballots/{ballot_id:int}/electors", name="chair-electors")
async def electors_page(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    ballot_id: IdParam,
    q: SearchParam = "",
) -> Response[Any]:
    """Find a resident to replace a lost invitation (by name, building or room)."""
    actor = await provide_optional_actor(request, db, ctx)
    if actor is None:
        return Redirect(path="/chair/login")
    ballot = await lifecycle.get_ballot(db, ballot_id)
    found = await invitations.find_electors(db, actor, ballot_id, q[:50])
    return page(
        "chair/electors.html",
        ballot=ballot,
        electors=found,
        search=q[:50],
        csrf=csrf_token(ctx.secret_key, request.cookies.get(SESSION_COOKIE, "")),
    )


@post(
    "/chair/ballots/{ballot_id:int}/electors/{resident_id:int}/reissue",
    dependencies={"actor": Provide(provide_actor)},
)
async def reissue_page(
    db: AsyncSession, ctx: AppContext, actor: Actor, ballot_id: IdParam, resident_id: IdParam
) -> Template:
    """Replace one resident's code (the old one stops working) and show the new invitation."""
    invitation = await invitations.reissue_credential(
        db, actor, ctx.secret_key, ctx.settings.base_url, ballot_id, resident_id
    )
    await db.commit()
    return page("chair/invitations.html", invitations=[invitation], qr=qr_svg, address=_address)


@post("/chair/ballots/{ballot_id:int}/{action:str}", dependencies={"actor": Provide(provide_actor)})
async def ballot_action(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    actor: Actor,
    ballot_id: IdParam,
    action: str,
) -> Response[Any]:
    if action in ("invitations", "invitations.pdf"):
        return await _print_invitations(db, ctx, actor, ballot_id, pdf=action.endswith(".pdf"))
    if action not in lifecycle.TRANSITIONS:
        raise NotFound(what="action", id=action)
    try:
        await lifecycle.move_ballot(db, actor, ballot_id, action, signer=ctx.signer)
        await db.commit()
    except DomainError as error:
        await db.rollback()
        return await _dashboard(
            request, db, ctx, actor, error=_message(error), status_code=error.status
        )
    done = lifecycle.TRANSITIONS[action].done
    return await _dashboard(request, db, ctx, actor, message=gettext_(done))


def _address(invitation: invitations.Invitation) -> str:
    return format_address(invitation.building, invitation.room, "", current_locale.get())


async def _print_invitations(
    db: AsyncSession, ctx: AppContext, actor: Actor, ballot_id: int, *, pdf: bool
) -> Response[Any]:
    issued = await invitations.issue_invitations(
        db, actor, ctx.secret_key, ctx.settings.base_url, ballot_id
    )
    await db.commit()
    if pdf and issued:
        return Response(
            render_invitations_pdf(issued, locale=current_locale.get()),
            media_type="application/pdf",
            headers={"content-disposition": f'attachment; filename="invitations-{ballot_id}.pdf"'},
        )
    return page("chair/invitations.html", invitations=issued, qr=qr_svg, address=_address)


router = Router(
    path="/",
    route_handlers=[
        login_form,
        login_submit,
        logout,
        dashboard,
        electors_page,
        reissue_page,
        ballot_action,
    ],
    include_in_schema=False,
)
