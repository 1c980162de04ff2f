"""Paper ballots of a ballot, for chairs: print more, issue one, enter one, count them.

``GET /api/v1/ballots/{id}/paper`` is the reconciliation (:func:`ballots.paper.status.paper_status`)
with each mismatch also in words; the console page ``/chair/ballots/{id}/paper`` does the same.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec
from litestar import Router, get, post
from litestar.di import Provide
from litestar.params import Parameter
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED
from sqlalchemy.ext.asyncio import AsyncSession

import tally
from ballots import lifecycle
from ballots.access import Actor, require
from ballots.models import Ballot
from ballots.models.bounds import SAFE_TEXT, Id, ShortText
from ballots.paper import counting, entry, issuing, printing, status
from vote.api.params import IdParam
from vote.i18n import gettext_
from vote.web import AppContext, provide_actor

Serial = Annotated[int, msgspec.Meta(ge=1, le=printing.MAX_TOTAL)]
Answers = Annotated[
    dict[ShortText, Annotated[list[ShortText], msgspec.Meta(max_length=1000)]],
    msgspec.Meta(max_length=100),
]


class PrintIn(msgspec.Struct, forbid_unknown_fields=True):
    """How many more sheets to print (their numbers continue after those printed)."""

    count: Annotated[int, msgspec.Meta(ge=1, le=printing.MAX_AT_ONCE)]


class IssueIn(msgspec.Struct, forbid_unknown_fields=True):
    """Sheet ``serial`` for a voter: ``resident_id`` (found by name) or their ``credential``
    (the invitation's code); ``proxy_id`` when handed to a proxy holder."""

    serial: Serial
    resident_id: Id | None = None
    credential: Annotated[str, msgspec.Meta(max_length=100, pattern=SAFE_TEXT)] = ""
    proxy_id: Id | None = None


class EntryIn(msgspec.Struct, forbid_unknown_fields=True):
    """One chair's reading of sheet ``serial``: its ``answers``, or ``invalid`` (无效票);
    ``correct`` replaces the chair's own earlier entry."""

    serial: Serial
    answers: Answers = msgspec.field(default_factory=dict)
    invalid: bool = False
    correct: bool = False


class MismatchOut(msgspec.Struct):
    serial: int
    kind: str
    text: str
    entries: list[status.EntryView]


class PaperOut(msgspec.Struct):
    """Where the ballot's paper ballots stand (see :class:`ballots.paper.status.PaperStatus`);
    ``publish_block`` says in words why the result cannot be published yet, if so."""

    ballot_id: int
    printed: int
    issued: int
    returned: int
    valid: int
    invalid: int
    agreed: bool
    counted_at: datetime | None
    mismatches: list[MismatchOut]
    sheets: list[status.Sheet]
    publish_block: str | None


async def _ballot(db: AsyncSession, actor: Actor, ballot_id: int, action: str) -> Ballot:
    ballot = await lifecycle.get_ballot(db, ballot_id)
    unit = await lifecycle.ballot_unit(db, ballot)
    require(actor, "manage_ballots" if action == "manage_ballots" else "read", unit.path)
    return ballot


async def paper_out(db: AsyncSession, ballot: Ballot) -> PaperOut:
    """The status with its words in the request's language."""
    found = await status.paper_status(db, ballot)
    block = status.publish_block(found)
    return PaperOut(
        ballot_id=ballot.id,
        printed=found.printed,
        issued=found.issued,
        returned=found.returned,
        valid=found.valid,
        invalid=found.invalid,
        agreed=found.agreed,
        counted_at=found.counted_at,
        mismatches=[
            MismatchOut(
                serial=m.serial,
                kind=m.kind,
                text=status.mismatch_words(ballot, m, gettext_),
                entries=m.entries,
            )
            for m in found.mismatches
        ],
        sheets=found.sheets,
        publish_block=None if block is None else _words(*block),
    )


def _words(message: str, params: dict[str, object]) -> str:
    return gettext_(message).format(**params)


@get("/ballots/{ballot_id:int}/paper", summary="A ballot's paper ballots: issued, entered, agreed")
async def show_paper(db: AsyncSession, actor: Actor, ballot_id: IdParam) -> PaperOut:
    """Printed, issued, returned (entered by two chairs), valid and invalid sheets, whether the
    two entries agree, each mismatch in words, and why publishing waits, if it does."""
    return await paper_out(db, await _ballot(db, actor, ballot_id, "read"))


@post(
    "/ballots/{ballot_id:int}/paper/print",
    status_code=HTTP_201_CREATED,
    summary="Print more paper ballots",
)
async def print_more(
    db: AsyncSession, actor: Actor, ballot_id: IdParam, data: PrintIn
) -> printing.PrintRun:
    """Reserve the next ``count`` sheet numbers (a draft or open ballot); the console renders
    them as a PDF at ``/chair/ballots/{ballot_id}/paper/sheets.pdf?first=&last=``."""
    run = await printing.print_paper(db, actor, ballot_id, data.count)
    await db.commit()
    return run


@get("/ballots/{ballot_id:int}/paper/issues", summary="The paper ballots handed out")
async def list_issues(
    db: AsyncSession, actor: Actor, ballot_id: IdParam
) -> list[issuing.IssuedPaper]:
    ballot = await _ballot(db, actor, ballot_id, "manage_ballots")
    return list(await issuing.issued_papers(db, ballot.id))


@get("/ballots/{ballot_id:int}/paper/voters", summary="Find voters by name to hand a sheet to")
async def find_voters(
    db: AsyncSession,
    actor: Actor,
    ballot_id: IdParam,
    name: Annotated[str, Parameter(min_length=1, max_length=100, pattern=SAFE_TEXT)],
) -> list[issuing.Voter]:
    """Residents of the electorate whose name contains ``name``, with any sheet they hold and
    whether they voted by phone."""
    ballot = await _ballot(db, actor, ballot_id, "manage_ballots")
    return list(await issuing.find_voters(db, ballot.id, name))


@post(
    "/ballots/{ballot_id:int}/paper/issues",
    status_code=HTTP_201_CREATED,
    summary="Hand a paper ballot to a voter",
)
async def issue(
    db: AsyncSession,
    ctx: AppContext,
    actor: Actor,
    ballot_id: IdParam,
    data: IssueIn,
) -> issuing.IssuedPaper:
    """Refused (and nothing recorded) when the ballot is not open, the voter is not in the
    electorate, voted by phone or holds a sheet, the number was not printed or is taken, or
    (in-person ballots) the voter is neither present nor represented by a present proxy holder."""
    issued = await issuing.issue_paper(
        db,
        actor,
        ctx.secret_key,
        ballot_id,
        serial=data.serial,
        resident_id=data.resident_id,
        credential=data.credential,
        proxy_id=data.proxy_id,
    )
    await db.commit()
    return issued


@post(
    "/ballots/{ballot_id:int}/paper/entries",
    status_code=HTTP_201_CREATED,
    summary="Enter (or correct) one returned paper ballot",
)
async def enter(db: AsyncSession, actor: Actor, ballot_id: IdParam, data: EntryIn) -> entry.Entered:
    """After the close, before the count: the signed-in chair's reading of one sheet. A second
    entry of the same sheet by the same chair, a sheet not issued, or answers that break the
    question's rules are refused with the reason."""
    answers: tally.Answers = {key: list(value) for key, value in data.answers.items()}
    entered = await entry.enter_paper(
        db,
        actor,
        ballot_id,
        data.serial,
        answers=answers,
        invalid=data.invalid,
        correct=data.correct,
    )
    await db.commit()
    return entered


@post(
    "/ballots/{ballot_id:int}/paper/count",
    status_code=HTTP_200_OK,
    summary="Count the paper ballots into the result",
)
async def count(db: AsyncSession, ctx: AppContext, actor: Actor, ballot_id: IdParam) -> PaperOut:
    """Once both entries agree for every returned sheet: the valid sheets join the count and the
    batch goes onto the board as one event, then the result."""
    await counting.count_paper(db, actor, ctx.secret_key, ballot_id, ctx.signer)
    await db.commit()
    return await paper_out(db, await lifecycle.get_ballot(db, ballot_id))


router = Router(
    path="/api/v1",
    route_handlers=[show_paper, print_more, list_issues, find_voters, issue, enter, count],
    dependencies={"actor": Provide(provide_actor)},
    tags=["paper ballots"],
)
