"""Public API: ballot questions, casting a vote, a voter's status, results and matters."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Request, Router, get, post
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

import tally
from ballots.casting import Receipt, VoterStatus, cast_vote, voter_status
from ballots.errors import N_, DomainError, NotFound
from ballots.lifecycle import ballot_spec, get_ballot
from ballots.matter_links import links_of, referrals_of
from ballots.matters import get_matter, timeline
from ballots.models import Ballot, Matter, MatterEvent, Unit
from vote.api.params import IdParam
from vote.api.schemas import BallotOut, BallotSummary, CastIn, CredentialIn, MatterOut
from vote.guards import code_attempt
from vote.live import ballot_changed
from vote.web import AppContext, client_ip, ctx_of


class ResultNotPublished(DomainError):
    type = "result-not-published"
    status = 409
    title = N_("The result is not published yet")
    detail_template = N_("This ballot's result becomes public when the chair publishes it.")


async def public_ballot(db: AsyncSession, ballot_id: int) -> Ballot:
    """A ballot the public may see (anything but a draft)."""
    ballot = await get_ballot(db, ballot_id)
    if ballot.state == "draft":
        raise NotFound(what="ballot", id=ballot_id)
    return ballot


def published_result(ballot: Ballot) -> dict[str, Any] | None:
    """The stored result, only once the ballot is published."""
    if ballot.state != "published" or ballot.result is None:
        return None
    result: dict[str, Any] = msgspec.json.decode(ballot.result)
    return result


def typed_result(ballot: Ballot) -> tally.BallotResult | None:
    """The published result as its type (what the API documents and answers)."""
    if ballot.state != "published" or ballot.result is None:
        return None
    return msgspec.json.decode(ballot.result, type=tally.BallotResult)


@get("/ballots/{ballot_id:int}", summary="A ballot's questions and state (public)")
async def show_ballot(db: AsyncSession, ballot_id: IdParam) -> BallotOut:
    ballot = await public_ballot(db, ballot_id)
    return BallotOut(
        ballot=BallotSummary.of(ballot), spec=ballot_spec(ballot), result=typed_result(ballot)
    )


@get("/ballots/{ballot_id:int}/result", summary="A published ballot's result")
async def show_result(db: AsyncSession, ballot_id: IdParam) -> tally.BallotResult:
    ballot = await public_ballot(db, ballot_id)
    result = typed_result(ballot)
    if result is None:
        raise ResultNotPublished()
    return result


MAX_VOTE_BODY_BYTES = 64 * 1024


@post(
    "/ballots/{ballot_id:int}/casts",
    status_code=HTTP_201_CREATED,
    summary="Cast a vote",
    request_max_body_size=MAX_VOTE_BODY_BYTES,
)
async def cast(request: Request[Any, Any, Any], ballot_id: IdParam, data: CastIn) -> Receipt:
    """Cast a vote with the credential from an invitation.

    Retrying the same submission (same ``submission_id``, or the same answers) returns the
    first receipt. Errors: ``unknown-credential``, ``ballot-not-open``, ``already-voted``,
    ``household-already-voted``, ``invalid-answer``, ``too-many-failed-codes``.
    """
    ctx = ctx_of(request.app.state)  # not a dependency: the hot path skips its resolution
    ip = client_ip(request, ctx.settings)
    async with code_attempt(ctx, ip, data.credential):
        receipt = await cast_vote(
            ctx.engine,
            ctx.secret_key,
            ballot_id,
            data.credential,
            data.answers,
            submission_id=data.submission_id[:100],
            signer=ctx.signer,
        )
    ballot_changed(request.app, ballot_id)
    return receipt


@post(
    "/ballots/{ballot_id:int}/voter-status", status_code=HTTP_200_OK, summary="Check a voting code"
)
async def status(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    ballot_id: IdParam,
    data: CredentialIn,
) -> VoterStatus:
    """Tell the holder of a credential whether they or their household have already voted."""
    async with code_attempt(ctx, client_ip(request, ctx.settings), data.credential):
        return await voter_status(db, ctx.secret_key, ballot_id, data.credential)


@get("/matters/{matter_id:int}", summary="A matter's decision record (public)")
async def show_matter(db: AsyncSession, matter_id: IdParam) -> MatterOut:
    """With the matter's links to other matters and its referrals up or down a level."""
    return MatterOut.of(
        *await public_matter(db, matter_id),
        links=await links_of(db, matter_id),
        referrals=await referrals_of(db, matter_id),
    )


async def public_matter(
    db: AsyncSession, matter_id: int
) -> tuple[Matter, Unit, list[Ballot], list[MatterEvent]]:
    """A matter as the public sees it: no drafts, and results only once published."""
    matter = await get_matter(db, matter_id)
    unit = await db.get(Unit, matter.unit_id)
    assert unit is not None
    ballots = list(
        (
            await db.scalars(
                select(Ballot)
                .where(Ballot.matter_id == matter.id, Ballot.state != "draft")
                .order_by(Ballot.id)
            )
        ).all()
    )
    events = [
        event
        for event in await timeline(db, matter.id)
        if _public_event(event.kind, ballots, event.ballot_id)
    ]
    return matter, unit, ballots, events


def _public_event(kind: str, ballots: list[Ballot], ballot_id: int | None) -> bool:
    """Results appear on the public timeline only once published; drafts not at all."""
    if ballot_id is None:
        return True
    ballot = next((b for b in ballots if b.id == ballot_id), None)
    if ballot is None:
        return False
    return kind != "ballot_result" or ballot.state == "published"


router = Router(
    path="/api/v1",
    route_handlers=[show_ballot, show_result, cast, status, show_matter],
    tags=["public"],
)
