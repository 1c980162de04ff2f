"""A ballot's reconciliation for chairs: phone, paper and proxy votes against the electorate."""

from __future__ import annotations

import msgspec
from litestar import Router, get
from litestar.di import Provide
from sqlalchemy.ext.asyncio import AsyncSession

from ballots import lifecycle
from ballots.access import Actor, require
from ballots.reconciliation import reconcile
from vote.api.params import IdParam
from vote.i18n import localise
from vote.web import provide_actor


class ReconciliationOut(msgspec.Struct):
    """Every channel side by side (see :class:`ballots.reconciliation.Reconciliation`); the
    ``reasons`` (in the request's language) say why the count does not balance; while any
    stands, publishing is refused."""

    ballot_id: int
    state: str
    electorate: int
    present: int | None
    represented: int | None
    phone: int
    paper_printed: int
    paper_issued: int
    paper_returned: int
    paper_valid: int
    paper_invalid: int
    paper_counted: int
    paper_agreed: bool
    proxy: int
    counted: int
    not_voted: int
    balanced: bool
    reasons: list[str]


@get(
    "/ballots/{ballot_id:int}/reconciliation",
    summary="Whether a ballot's count balances across phone, paper and proxy votes",
)
async def show_reconciliation(
    db: AsyncSession, actor: Actor, ballot_id: IdParam
) -> ReconciliationOut:
    """The electorate, voters present at the meeting, phone ballots, paper ballots printed /
    handed out / returned / valid / invalid / counted, votes by proxy and ballots counted, with
    the reasons the count does not balance. For chairs of the ballot's unit."""
    ballot = await lifecycle.get_ballot(db, ballot_id)
    require(actor, "read", (await lifecycle.ballot_unit(db, ballot)).path)
    found = await reconcile(db, ballot)
    fields = msgspec.structs.asdict(found)
    fields.pop("imbalances")
    return ReconciliationOut(
        **fields, reasons=[localise(item.message, item.params) for item in found.imbalances]
    )


router = Router(
    path="/api/v1",
    route_handlers=[show_reconciliation],
    dependencies={"actor": Provide(provide_actor)},
    tags=["ballots"],
)
