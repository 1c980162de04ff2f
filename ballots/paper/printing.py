"""How many paper ballots a ballot has printed: printing more continues the serial numbers."""

from __future__ import annotations

import msgspec
from sqlalchemy.ext.asyncio import AsyncSession

from ballots import audit
from ballots.access import Actor, require
from ballots.lifecycle import ballot_unit, lock_ballot
from ballots.paper.errors import PaperNotPrintable, TooManySheets

MAX_AT_ONCE = 500
MAX_TOTAL = 9999


class PrintRun(msgspec.Struct, frozen=True):
    """Sheets numbered ``first`` to ``last`` of a ballot, printed now."""

    ballot_id: int
    first: int
    last: int


async def print_paper(session: AsyncSession, actor: Actor, ballot_id: int, count: int) -> PrintRun:
    """Reserve ``count`` more serial numbers for paper ballots (draft or open ballot); audited.

    The caller commits, then renders the sheets ``first``–``last``.
    """
    ballot = await lock_ballot(session, ballot_id)
    unit = await ballot_unit(session, ballot)
    require(actor, "manage_ballots", unit.path)
    if ballot.state not in ("draft", "open"):
        raise PaperNotPrintable(state=ballot.state)
    if not 1 <= count <= MAX_AT_ONCE or ballot.paper_printed + count > MAX_TOTAL:
        raise TooManySheets(max=MAX_AT_ONCE, total=MAX_TOTAL)
    first = ballot.paper_printed + 1
    ballot.paper_printed += count
    audit.record(
        session,
        actor,
        "paper.print",
        f"ballot:{ballot.id}",
        unit.id,
        first=first,
        last=ballot.paper_printed,
    )
    return PrintRun(ballot_id=ballot.id, first=first, last=ballot.paper_printed)
