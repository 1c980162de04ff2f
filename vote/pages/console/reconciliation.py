"""Console: a ballot's reconciliation — every channel (phone, paper, proxy) against the
electorate, and in words why it does not balance yet (:mod:`ballots.reconciliation`)."""

from __future__ import annotations

from typing import Any

from litestar import Request, get
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from ballots import lifecycle
from ballots.access import Actor, require
from ballots.reconciliation import Reconciliation, reconcile
from vote.api.params import IdParam
from vote.i18n import localise
from vote.pages.console.layout import console_page, console_router
from vote.web import AppContext


def reasons(found: Reconciliation) -> list[str]:
    """Why the count does not balance, in the reader's language."""
    return [localise(item.message, item.params) for item in found.imbalances]


@get("/ballots/{ballot_id:int}/reconciliation", name="console-reconciliation")
async def reconciliation_page(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    actor: Actor,
    ballot_id: IdParam,
) -> Template:
    ballot = await lifecycle.get_ballot(db, ballot_id)
    unit = await lifecycle.ballot_unit(db, ballot)
    require(actor, "read", unit.path)
    found = await reconcile(db, ballot)
    return console_page(
        request,
        ctx,
        actor,
        "console/reconciliation.html",
        section="matters",
        ballot=ballot,
        rec=found,
        reasons=reasons(found),
    )


router = console_router([reconciliation_page])
