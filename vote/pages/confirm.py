"""The chair's confirmation pages for opening, closing and replacing a code.

Each page says what the move will do, in plain words, and carries a form that repeats the move
with ``confirm=1``; only that form runs the service. Building a page reads and never writes, so
a move posted without the confirmation changes nothing. (Publishing asks on its own preview
page, cancelling on its own reason page, reprinting on the reprint preview.)
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import msgspec
from litestar import Request
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from ballots import invitations, lifecycle
from ballots.access import Actor, require
from ballots.eligibility import Eligibility, compute_electorate, electorate_totals
from ballots.errors import TransitionNotAllowed
from ballots.matters import get_matter
from ballots.models import Ballot
from ballots.turnout import count_turnout
from vote.pages.errors import page
from vote.web import SESSION_COOKIE, AppContext, csrf_token

CONFIRMED = "1"
"""The value of the ``confirm`` field that lets a move through."""


def confirmed(form: Any) -> bool:
    """True when the posted form carries the confirmation."""
    return str(form.get("confirm", "")) == CONFIRMED


async def _managed(db: AsyncSession, actor: Actor, ballot_id: int, action: str) -> Ballot:
    """The ballot, when the actor may manage it and ``action`` is possible in its state."""
    ballot = await lifecycle.get_ballot(db, ballot_id)
    require(actor, "manage_ballots", (await lifecycle.ballot_unit(db, ballot)).path)
    if ballot.state not in lifecycle.ALLOWED_MOVES[action]:
        past = {"open": "opened", "close": "closed"}[action]
        raise TransitionNotAllowed(state=ballot.state, action=past)
    return ballot


def _page(
    request: Request[Any, Any, Any],
    ctx: AppContext,
    actor: Actor,
    template_name: str,
    **context: Any,
) -> Template:
    return page(
        template_name,
        section="dashboard",
        actor=actor,
        csrf=csrf_token(ctx.secret_key, request.cookies.get(SESSION_COOKIE, "")),
        **context,
    )


async def open_page(
    request: Request[Any, Any, Any], db: AsyncSession, ctx: AppContext, actor: Actor, ballot_id: int
) -> Template:
    """Before opening: who is eligible now, how they vote, when the result is valid, when voting
    closes, and that the questions are fixed from then on."""
    ballot = await _managed(db, actor, ballot_id, "open")
    matter = await get_matter(db, ballot.matter_id)
    spec = lifecycle.ballot_spec(ballot)
    now = datetime.now(UTC)
    voters = await compute_electorate(
        db,
        msgspec.convert(ballot.eligibility, Eligibility),
        await lifecycle.ballot_unit(db, ballot),
        ballot.voting_unit,
        now.date(),
        weighting=spec.weighting,
    )
    units, area = electorate_totals(voters)
    return _page(
        request,
        ctx,
        actor,
        "chair/open_confirm.html",
        ballot=ballot,
        matter=matter,
        spec=spec,
        people=len(voters),
        units=units,
        area=area if spec.weighting == "area" else None,
        opens_early=ballot.opens_at is not None and _utc(ballot.opens_at) > now,
        close_passed=ballot.closes_at is not None and _utc(ballot.closes_at) <= now,
    )


async def close_page(
    request: Request[Any, Any, Any], db: AsyncSession, ctx: AppContext, actor: Actor, ballot_id: int
) -> Template:
    """Before closing: the turnout now, the closing time it was given, and that residents can
    no longer vote afterwards."""
    ballot = await _managed(db, actor, ballot_id, "close")
    return _page(
        request,
        ctx,
        actor,
        "chair/close_confirm.html",
        ballot=ballot,
        matter=await get_matter(db, ballot.matter_id),
        turnout=await count_turnout(db, ballot),
        closes_early=ballot.closes_at is not None and _utc(ballot.closes_at) > datetime.now(UTC),
    )


async def reissue_page(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    actor: Actor,
    ballot_id: int,
    resident_id: int,
) -> Template:
    """Before replacing one resident's code: who they are (name, address, household) and that
    the code they hold stops working."""
    ballot, elector = await invitations.find_elector(db, actor, ballot_id, resident_id)
    return _page(request, ctx, actor, "chair/reissue_confirm.html", ballot=ballot, elector=elector)


def _utc(at: datetime) -> datetime:
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)
