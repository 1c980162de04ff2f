"""The chair's pages: log in with password and TOTP, see ballots, open/close/publish, print invitations.

Opening, closing and publishing ask first, each on a page saying what it will do (who is
eligible, the turnout, the result with its warnings); only the form there, with ``confirm=1``,
makes the move (:mod:`vote.pages.confirm`). Cancelling sits apart from the everyday moves and
asks first, on a page of its own, for the reason (it ends an open ballot's public board).

Invitations print for everyone without a code, a building or a household; a reprint (after a
page saying how many codes it will replace) gives new codes that replace the old ones, and so
does replacing one resident's code (after a page naming them). The electors list pages through
everyone eligible, with who has a code and who has voted.

Forms carry a CSRF token bound to the login session; every action goes through the same
``ballots`` services (and so the same unit checks and audit log) as the API.
"""

from __future__ import annotations

import hmac
import secrets
from typing import Any
from urllib.parse import quote, urlencode

import msgspec
from litestar import Request, Response, Router, get, post
from litestar.di import Provide
from litestar.response import Redirect, Template
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ballots import invitations, lifecycle
from ballots.access import Actor, can, require
from ballots.chairs import SESSION_LIFETIME, log_out
from ballots.errors import N_, DomainError, InvalidReason, NotFound, TransitionNotAllowed
from ballots.meetings.proxies import proxy_votes
from ballots.models import Participation
from ballots.paper.status import issued_count
from ballots.reconciliation import reconcile
from ballots.runoff import create_runoff
from ballots.warnings import counted_result, publish_warnings
from vote.api.auth import login_chair
from vote.api.params import CountParam, IdParam, SearchParam
from vote.i18n import current_locale, gettext_, localise
from vote.pages import confirm
from vote.pages.account import landing_path
from vote.pages.console.reconciliation import reasons as reconciliation_reasons
from vote.pages.errors import page
from vote.pages.warnings import option_labels, warning_text
from vote.printing import qr_svg, render_invitations_pdf
from vote.printing.pdf import code_line, format_address, format_deadline
from vote.web import (
    SESSION_COOKIE,
    AppContext,
    CsrfFailed,
    client_ip,
    csrf_token,
    provide_account_actor,
    provide_actor,
    provide_optional_actor,
)

ACTIONS = {
    "draft": [("open", N_("Open voting…"))],
    "open": [("close", N_("Close voting…"))],
    "closed": [("publish", N_("Check the result and publish"))],
}
"""The everyday moves beside each ballot, each asking first; cancelling sits apart, below them."""
ASK_FIRST = {"open": confirm.open_page, "close": confirm.close_page}
"""Moves that show what they will do, on a page of their own, before making it."""


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
        token, signed_in = await login_chair(
            db,
            ctx,
            client_ip(request, ctx.settings),
            username,
            str(form.get("password", "")),
            str(form.get("totp", "")),
        )
    except DomainError as error:
        return _login_page(ctx, status_code=error.status, error=_message(error), username=username)
    response = Redirect(path=landing_path(signed_in))
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


@post("/chair/logout", dependencies={"actor": Provide(provide_account_actor)})
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


ELECTOR_STATUS = {"voted": True, "not-voted": False}
PLACES = ("building", "household")


def _place(value: str) -> str | None:
    """A building or household form value: ``None`` (everyone) when left empty."""
    value = value.strip()[:64]
    return value or None


@get("/chair/ballots/{ballot_id:int}/electors", name="chair-electors")
async def electors_page(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    ballot_id: IdParam,
    q: SearchParam = "",
    building: SearchParam = "",
    household: SearchParam = "",
    status: SearchParam = "",
    start: CountParam = 0,
) -> Response[Any]:
    """Electors page by page (who has a code, who has voted), printing by building or
    household, and replacing a lost invitation."""
    actor = await provide_optional_actor(request, db, ctx)
    if actor is None:
        return Redirect(path="/chair/login")
    ballot = await lifecycle.get_ballot(db, ballot_id)
    if ballot.state == "draft" and can(actor, "manage_ballots"):
        await invitations.prepare_electorate(db, actor, ballot_id)
        await db.commit()
    found = await invitations.find_electors(
        db,
        actor,
        ballot_id,
        q,
        building=_place(building),
        household=_place(household),
        voted=ELECTOR_STATUS.get(status),
        offset=start,
    )
    filters = {"q": q, "building": building, "household": household, "status": status}
    return page(
        "chair/electors.html",
        ballot=ballot,
        found=found,
        by_proxy={vote.grantor_id: vote.holder_name for vote in await proxy_votes(db, ballot_id)},
        buildings=await invitations.count_by_building(db, actor, ballot_id),
        filters=filters,
        page_link=lambda offset: "?" + urlencode({**filters, "start": offset}),
        csrf=csrf_token(ctx.secret_key, request.cookies.get(SESSION_COOKIE, "")),
    )


@get("/chair/ballots/{ballot_id:int}/reprint-preview", name="chair-reprint")
async def reprint_form(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    ballot_id: IdParam,
    building: SearchParam = "",
    household: SearchParam = "",
) -> Response[Any]:
    """Before reprinting: how many new invitations, how many old codes will stop working."""
    actor = await provide_optional_actor(request, db, ctx)
    if actor is None:
        return Redirect(path="/chair/login")
    return await _reprint_page(
        request, db, ctx, actor, ballot_id, _place(building), _place(household)
    )


async def _reprint_page(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    actor: Actor,
    ballot_id: int,
    building: str | None,
    household: str | None,
) -> Template:
    ballot = await lifecycle.get_ballot(db, ballot_id)
    counts = await invitations.count_selection(
        db, actor, ballot_id, building=building, household=household
    )
    return page(
        "chair/reprint.html",
        ballot=ballot,
        counts=counts,
        building=building or "",
        household=household or "",
        csrf=csrf_token(ctx.secret_key, request.cookies.get(SESSION_COOKIE, "")),
    )


@post(
    "/chair/ballots/{ballot_id:int}/electors/{resident_id:int}/reissue",
    dependencies={"actor": Provide(provide_actor)},
)
async def reissue_page(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    actor: Actor,
    ballot_id: IdParam,
    resident_id: IdParam,
) -> Template:
    """Replace one resident's code (the old one stops working) and show the new invitation;
    without the confirmation, a page naming the resident asks first."""
    if not confirm.confirmed(await request.form()):
        return await confirm.reissue_page(request, db, ctx, actor, ballot_id, resident_id)
    invitation = await invitations.reissue_credential(
        db, actor, ctx.secret_key, ctx.settings.base_url, ballot_id, resident_id
    )
    await db.commit()
    return _invitations_page(ctx, [invitation])


@post("/chair/ballots/{ballot_id:int}/{action:str}", dependencies={"actor": Provide(provide_actor)})
async def ballot_action(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    actor: Actor,
    ballot_id: IdParam,
    action: str,
) -> Response[Any]:
    if action in ("invitations", "invitations.pdf", "reprint", "reprint.pdf"):
        form = await request.form()
        if action.startswith("reprint") and not confirm.confirmed(form):
            building, household = (_place(str(form.get(name, ""))) for name in PLACES)
            return await _reprint_page(request, db, ctx, actor, ballot_id, building, household)
        return await _print_invitations(
            db,
            ctx,
            actor,
            ballot_id,
            pdf=action.endswith(".pdf"),
            reprint=action.startswith("reprint"),
            building=_place(str(form.get("building", ""))),
            household=_place(str(form.get("household", ""))),
        )
    if action == "runoff":
        return await _draft_runoff(request, db, ctx, actor, ballot_id)
    if action not in lifecycle.TRANSITIONS:
        raise NotFound(what="action", id=action)
    if action == "cancel":
        return await _cancel(request, db, ctx, actor, ballot_id)
    confirmed = confirm.confirmed(await request.form())
    if action == "publish" and not confirmed:
        return await _publish_preview(request, db, ctx, actor, ballot_id)
    if action in ASK_FIRST and not confirmed:
        try:
            return await ASK_FIRST[action](request, db, ctx, actor, ballot_id)
        except DomainError as error:
            return await _dashboard(
                request, db, ctx, actor, error=_message(error), status_code=error.status
            )
    try:
        await lifecycle.move_ballot(
            db, actor, ballot_id, action, signer=ctx.signer, confirmed=confirmed
        )
        await db.commit()
    except DomainError as error:
        await db.rollback()
        return await _dashboard(
            request, db, ctx, actor, error=_message(error), status_code=error.status
        )
    done = lifecycle.TRANSITIONS[action].done
    if action == "close" and await issued_count(db, ballot_id):
        done = N_(
            "Voting is closed. The result waits for the paper ballots: two chairs enter each "
            "returned one, then count them on the paper ballots page."
        )
    return await _dashboard(request, db, ctx, actor, message=gettext_(done))


async def _cancel(
    request: Request[Any, Any, Any], db: AsyncSession, ctx: AppContext, actor: Actor, ballot_id: int
) -> Response[Any]:
    """Cancelling asks first: a page that says it cannot be undone and asks for the reason (kept,
    with its error beside it, when it is refused); the confirmed form cancels the ballot."""
    form = await request.form()
    reason = str(form.get("reason", ""))
    ballot = await lifecycle.get_ballot(db, ballot_id)
    require(actor, "manage_ballots", (await lifecycle.ballot_unit(db, ballot)).path)
    # Read now: a refused move rolls back, expiring the loaded row.
    shown = {"id": ballot.id, "title": ballot.title, "state": ballot.state}
    if str(form.get("confirm", "")) != "1":
        if ballot.state not in lifecycle.ALLOWED_MOVES["cancel"]:
            error = TransitionNotAllowed(state=ballot.state, action="cancelled")
            return await _dashboard(
                request, db, ctx, actor, error=_message(error), status_code=error.status
            )
        return _cancel_page(request, ctx, actor, shown, reason="")
    try:
        await lifecycle.move_ballot(
            db, actor, ballot_id, "cancel", signer=ctx.signer, reason=reason
        )
        await db.commit()
    except InvalidReason as error:
        await db.rollback()
        return _cancel_page(
            request, ctx, actor, shown, reason=reason, error=_message(error), status_code=422
        )
    except DomainError as error:
        await db.rollback()
        return await _dashboard(
            request, db, ctx, actor, error=_message(error), status_code=error.status
        )
    done = lifecycle.TRANSITIONS["cancel"].done
    return await _dashboard(request, db, ctx, actor, message=gettext_(done))


def _cancel_page(
    request: Request[Any, Any, Any],
    ctx: AppContext,
    actor: Actor,
    ballot: dict[str, Any],
    *,
    reason: str,
    error: str = "",
    status_code: int = 200,
) -> Response[Any]:
    return page(
        "chair/cancel_confirm.html",
        status_code=status_code,
        ballot=ballot,
        form={"reason": reason},
        errors={"reason": error} if error else {},
        reason_max=lifecycle.MAX_REASON,
        actor=actor,
        csrf=csrf_token(ctx.secret_key, request.cookies.get(SESSION_COOKIE, "")),
    )


async def _publish_preview(
    request: Request[Any, Any, Any], db: AsyncSession, ctx: AppContext, actor: Actor, ballot_id: int
) -> Response[Any]:
    """The counted result as only the chair sees it, its warnings in plain words, and the
    buttons to publish it (confirming them) or to draft the second round it calls for."""
    ballot = await lifecycle.get_ballot(db, ballot_id)
    require(actor, "manage_ballots", (await lifecycle.ballot_unit(db, ballot)).path)
    result = counted_result(ballot)
    if ballot.state != "closed" or result is None:
        error = TransitionNotAllowed(state=ballot.state, action="published")
        return await _dashboard(
            request, db, ctx, actor, error=_message(error), status_code=error.status
        )
    spec = lifecycle.ballot_spec(ballot)
    labels = option_labels(spec)
    builtins = msgspec.to_builtins(result)
    found = await reconcile(db, ballot)
    return page(
        "chair/publish_confirm.html",
        ballot=ballot,
        result=builtins,
        result_pairs=list(zip(spec.questions, builtins["questions"], strict=False)),
        rec=found,
        reasons=reconciliation_reasons(found),
        warnings=[warning_text(item, labels) for item in publish_warnings(ballot)],
        runoff=any(question.outcome == "runoff" for question in result.questions),
        actor=actor,
        csrf=csrf_token(ctx.secret_key, request.cookies.get(SESSION_COOKIE, "")),
    )


async def _draft_runoff(
    request: Request[Any, Any, Any], db: AsyncSession, ctx: AppContext, actor: Actor, ballot_id: int
) -> Response[Any]:
    try:
        created = await create_runoff(db, actor, ballot_id)
        await db.commit()
    except DomainError as error:
        await db.rollback()
        return await _dashboard(
            request, db, ctx, actor, error=_message(error), status_code=error.status
        )
    message = localise(
        N_("The second round is drafted: {title}. Check it, then open it."),
        {"title": created.title},
    )
    return await _dashboard(request, db, ctx, actor, message=message)


def _address(invitation: invitations.Invitation) -> str:
    return format_address(invitation.building, invitation.room, "", current_locale.get())


def _invitations_page(
    ctx: AppContext, issued: list[invitations.Invitation], **summary: Any
) -> Template:
    return page(
        "chair/invitations.html",
        invitations=issued,
        qr=qr_svg,
        address=_address,
        code_line=code_line,
        deadline=lambda at: format_deadline(at, current_locale.get()),
        office_phone=ctx.settings.office_phone,
        **summary,
    )


async def _print_invitations(
    db: AsyncSession,
    ctx: AppContext,
    actor: Actor,
    ballot_id: int,
    *,
    pdf: bool,
    reprint: bool,
    building: str | None,
    household: str | None,
) -> Response[Any]:
    """Issue (or reprint: new codes replace the old) for everyone, a building or a household."""
    key, base = ctx.secret_key, ctx.settings.base_url
    replaced: int | None = None
    if reprint:
        done = await invitations.reprint_invitations(
            db, actor, key, base, ballot_id, building=building, household=household
        )
        issued, replaced = done.invitations, done.replaced
    else:
        issued = await invitations.issue_invitations(
            db, actor, key, base, ballot_id, building=building, household=household
        )
    await db.commit()
    if pdf and issued:
        suffix = "-".join(["reprint"] * reprint + [part for part in (building, household) if part])
        name = quote(f"invitations-{ballot_id}{'-' + suffix if suffix else ''}.pdf")
        return Response(
            render_invitations_pdf(
                issued, locale=current_locale.get(), office_phone=ctx.settings.office_phone
            ),
            media_type="application/pdf",
            headers={"content-disposition": f"attachment; filename*=UTF-8''{name}"},
        )
    return _invitations_page(
        ctx, issued, ballot_id=ballot_id, replaced=replaced, building=building, household=household
    )


router = Router(
    path="/",
    route_handlers=[
        login_form,
        login_submit,
        logout,
        dashboard,
        electors_page,
        reprint_form,
        reissue_page,
        ballot_action,
    ],
    include_in_schema=False,
)
