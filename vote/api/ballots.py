"""Ballots for chairs: drafts, the lifecycle (open, close, publish, cancel), invitations."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import msgspec
from litestar import Response, Router, get, post, put
from litestar.di import Provide
from litestar.params import Parameter
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED, HTTP_204_NO_CONTENT
from sqlalchemy.ext.asyncio import AsyncSession

import tally
from ballots import invitations, lifecycle, schedule
from ballots.access import Actor, require
from ballots.copying import copy_ballot
from ballots.eligibility import Eligibility
from ballots.invitations import Invitation
from ballots.models import Ballot
from ballots.models.bounds import SAFE_TEXT
from ballots.runoff import create_runoff
from vote.api.params import CountParam, IdParam, SearchParam
from vote.api.schemas import (
    BallotCopyOut,
    BallotOut,
    BallotSummary,
    CancelIn,
    CopyIn,
    ScheduleIn,
)
from vote.printing import render_invitations_pdf
from vote.web import AppContext, provide_actor


async def _ballot_out(db: AsyncSession, ballot: Ballot) -> BallotOut:
    result = msgspec.json.decode(ballot.result, type=tally.BallotResult) if ballot.result else None
    return BallotOut(
        ballot=BallotSummary.of(ballot),
        spec=lifecycle.ballot_spec(ballot),
        eligibility=msgspec.convert(ballot.eligibility, Eligibility),
        result=result,
    )


@get("/ballots")
async def list_ballots(db: AsyncSession, actor: Actor) -> list[BallotSummary]:
    return [
        BallotSummary.of(ballot) for ballot, _ in await lifecycle.list_ballots(db, actor.unit_path)
    ]


@post(
    "/matters/{matter_id:int}/ballots",
    status_code=HTTP_201_CREATED,
    summary="Create a draft ballot",
)
async def create_ballot(
    db: AsyncSession, actor: Actor, matter_id: IdParam, data: lifecycle.BallotDraft
) -> BallotOut:
    ballot = await lifecycle.create_ballot(db, actor, matter_id, data)
    await db.commit()
    return await _ballot_out(db, ballot)


@get("/ballots/{ballot_id:int}/manage", summary="A ballot with its eligibility and result (chairs)")
async def manage_ballot(db: AsyncSession, actor: Actor, ballot_id: IdParam) -> BallotOut:
    ballot = await lifecycle.get_ballot(db, ballot_id)
    require(actor, "read", (await lifecycle.ballot_unit(db, ballot)).path)
    return await _ballot_out(db, ballot)


@put("/ballots/{ballot_id:int}/draft", summary="Edit a draft ballot")
async def update_ballot(
    db: AsyncSession, actor: Actor, ballot_id: IdParam, data: lifecycle.BallotDraft
) -> BallotOut:
    ballot = await lifecycle.update_ballot(db, actor, ballot_id, data)
    await db.commit()
    return await _ballot_out(db, ballot)


@put("/ballots/{ballot_id:int}/schedule", summary="Schedule when a ballot opens and closes")
async def schedule_ballot(
    db: AsyncSession, actor: Actor, ballot_id: IdParam, data: ScheduleIn
) -> BallotOut:
    """Set or clear the times the service opens and closes the ballot by itself; refused
    (``invalid-schedule``, naming the field) when a time is past, more than a year ahead or the
    opening is not before the closing, and (``schedule-fixed``) once the ballot has closed."""
    ballot = await schedule.schedule_ballot(db, actor, ballot_id, data.opens_at, data.closes_at)
    await db.commit()
    return await _ballot_out(db, ballot)


def _transition(action: str):  # type: ignore[no-untyped-def]
    if action == "cancel":
        return cancel_ballot

    @post(
        f"/ballots/{{ballot_id:int}}/{action}",
        status_code=HTTP_200_OK,
        summary=f"{action.title()} a ballot",
        name=f"{action}_ballot",
        operation_id=f"{action.title()}Ballot",
    )
    async def handler(
        db: AsyncSession,
        ctx: AppContext,
        actor: Actor,
        ballot_id: IdParam,
        confirm: bool = Parameter(
            default=False,
            description="Publishing: the chair has read the result's warnings (no quorum, "
            "runoff, low turnout, a draw, a close margin). Without it such a result answers 409 "
            "publish-needs-confirmation listing them.",
        ),
    ) -> BallotOut:
        ballot = await lifecycle.move_ballot(
            db, actor, ballot_id, action, signer=ctx.signer, confirmed=confirm
        )
        await db.commit()
        return await _ballot_out(db, ballot)

    return handler


@post(
    "/ballots/{ballot_id:int}/cancel",
    status_code=HTTP_200_OK,
    summary="Cancel a ballot",
    name="cancel_ballot",
    operation_id="CancelBallot",
)
async def cancel_ballot(
    db: AsyncSession, ctx: AppContext, actor: Actor, ballot_id: IdParam, data: CancelIn
) -> BallotOut:
    """Cancel a draft or open ballot for a reason; an open ballot's board ends with it (the
    ``cancel`` event, signed). A blank reason answers 422 ``invalid-reason``."""
    ballot = await lifecycle.move_ballot(
        db, actor, ballot_id, "cancel", signer=ctx.signer, reason=data.reason
    )
    await db.commit()
    return await _ballot_out(db, ballot)


@post(
    "/ballots/{ballot_id:int}/runoff",
    status_code=HTTP_201_CREATED,
    summary="Draft the second round of a ballot whose result is a runoff",
)
async def draft_runoff(db: AsyncSession, actor: Actor, ballot_id: IdParam) -> BallotOut:
    """A draft between the options the result named, for the same frozen electorate."""
    created = await create_runoff(db, actor, ballot_id)
    await db.commit()
    return await _ballot_out(db, created)


@post(
    "/ballots/{ballot_id:int}/copy",
    status_code=HTTP_201_CREATED,
    summary="Copy a ballot to another unit as a new draft",
)
async def copy_to_unit(
    db: AsyncSession, actor: Actor, ballot_id: IdParam, data: CopyIn
) -> BallotCopyOut:
    """A new draft in ``unit_id`` (a unit within your units; the ballot's own unit too) from a
    ballot in any state, on ``matter_id`` (one of that unit's matters, else 422
    ``matter-not-in-unit``) or, without one, a new matter with the source matter's kind and
    title. The copy keeps the questions and rules; ``dropped`` lists what it left out:
    eligibility units outside the target unit, building names (kept only within the same unit),
    a runoff's frozen electorate, and the opening and closing times (schedule the copy again).
    You must manage ballots both where the source is and in the target unit (else 403)."""
    done = await copy_ballot(db, actor, ballot_id, unit_id=data.unit_id, matter_id=data.matter_id)
    await db.commit()
    out = await _ballot_out(db, done.ballot)
    return BallotCopyOut(
        ballot=out.ballot,
        spec=out.spec,
        eligibility=out.eligibility,
        result=out.result,
        dropped=done.dropped,
    )


PlaceParam = Annotated[str | None, Parameter(max_length=64, pattern=SAFE_TEXT)]
"""A building or household number (户号) choosing whose invitations to print."""


@post(
    "/ballots/{ballot_id:int}/invitations",
    status_code=HTTP_201_CREATED,
    summary="Issue invitations",
)
async def issue_invitations(
    db: AsyncSession,
    ctx: AppContext,
    actor: Actor,
    ballot_id: IdParam,
    format: Literal["json", "pdf"] = "json",
    building: PlaceParam = None,
    household: PlaceParam = None,
) -> Response[Any]:
    """Give a credential to every eligible voter without one (of ``building`` or ``household``
    when given); answer JSON or (``?format=pdf``) a PDF.

    Credentials are shown only in this response, so save or print it.
    """
    issued = await invitations.issue_invitations(
        db,
        actor,
        ctx.secret_key,
        ctx.settings.base_url,
        ballot_id,
        building=building,
        household=household,
    )
    await db.commit()
    return _invitations_response(issued, format, ctx.settings.office_phone)


@post(
    "/ballots/{ballot_id:int}/invitations/reprint",
    status_code=HTTP_201_CREATED,
    summary="Reprint invitations with new codes",
)
async def reprint_invitations(
    db: AsyncSession,
    ctx: AppContext,
    actor: Actor,
    ballot_id: IdParam,
    format: Literal["json", "pdf"] = "json",
    building: PlaceParam = None,
    household: PlaceParam = None,
) -> Response[Any]:
    """New codes for every elector (of ``building`` or ``household``) who has not voted; the old
    codes stop working. JSON gives the invitations with ``replaced`` and ``already_voted``; the
    PDF carries the same counts in ``Codes-Replaced`` and ``Already-Voted`` headers."""
    done = await invitations.reprint_invitations(
        db,
        actor,
        ctx.secret_key,
        ctx.settings.base_url,
        ballot_id,
        building=building,
        household=household,
    )
    await db.commit()
    if format == "pdf":
        response = _invitations_response(done.invitations, format, ctx.settings.office_phone)
        response.headers["Codes-Replaced"] = str(done.replaced)
        response.headers["Already-Voted"] = str(done.already_voted)
        return response
    return Response(
        msgspec.json.encode(done), media_type="application/json", status_code=HTTP_201_CREATED
    )


@get("/ballots/{ballot_id:int}/electors", summary="Eligible residents, a page at a time")
async def list_electors(
    db: AsyncSession,
    actor: Actor,
    ballot_id: IdParam,
    q: SearchParam = "",
    building: PlaceParam = None,
    household: PlaceParam = None,
    voted: bool | None = None,
    offset: CountParam = 0,
    limit: Annotated[int, Parameter(ge=1, le=invitations.MAX_PAGE_SIZE)] = invitations.PAGE_SIZE,
) -> invitations.ElectorPage:
    """Who is eligible, by address, with whether each has a code and has voted (for one vote
    per household: their household); ``total`` counts every match, page on with ``offset``."""
    return await invitations.find_electors(
        db,
        actor,
        ballot_id,
        q,
        building=building,
        household=household,
        voted=voted,
        offset=offset,
        limit=limit,
    )


def _invitations_response(
    issued: list[Invitation], format: str, office_phone: str = ""
) -> Response[Any]:
    if format == "pdf":
        if not issued:
            return Response(b"", status_code=HTTP_204_NO_CONTENT)
        return Response(
            render_invitations_pdf(issued, office_phone=office_phone),
            media_type="application/pdf",
            status_code=HTTP_201_CREATED,
            headers={"content-disposition": 'attachment; filename="invitations.pdf"'},
        )
    return Response(
        msgspec.json.encode(issued), media_type="application/json", status_code=HTTP_201_CREATED
    )


@post("/ballots/{ballot_id:int}/electors/{resident_id:int}/reissue", status_code=HTTP_201_CREATED)
async def reissue(
    db: AsyncSession,
    ctx: AppContext,
    actor: Actor,
    ballot_id: IdParam,
    resident_id: IdParam,
    format: Literal["json", "pdf"] = "json",
) -> Response[Any]:
    """Replace a lost credential: the old one stops working at once."""
    invitation = await invitations.reissue_credential(
        db, actor, ctx.secret_key, ctx.settings.base_url, ballot_id, resident_id
    )
    await db.commit()
    return _invitations_response([invitation], format, ctx.settings.office_phone)


@post("/ballots/{ballot_id:int}/electors/{resident_id:int}/revoke", status_code=HTTP_204_NO_CONTENT)
async def revoke(db: AsyncSession, actor: Actor, ballot_id: IdParam, resident_id: IdParam) -> None:
    await invitations.revoke_credential(db, actor, ballot_id, resident_id)
    await db.commit()


router = Router(
    path="/api/v1",
    route_handlers=[
        list_ballots,
        create_ballot,
        manage_ballot,
        update_ballot,
        schedule_ballot,
        *[_transition(action) for action in lifecycle.TRANSITIONS],
        draft_runoff,
        copy_to_unit,
        issue_invitations,
        reprint_invitations,
        list_electors,
        reissue,
        revoke,
    ],
    dependencies={"actor": Provide(provide_actor)},
    tags=["chairs"],
)
