"""Roll API: import a roster file (CSV or XLSX, with a dry run) and list residents, phones masked."""

from __future__ import annotations

from typing import Annotated, Any

import anyio.to_thread
from litestar import Request, Router, get, post
from litestar.di import Provide
from litestar.params import Parameter
from litestar.status_codes import HTTP_200_OK
from sqlalchemy.ext.asyncio import AsyncSession

from ballots.access import Actor
from ballots.errors import InvalidInput
from ballots.models.bounds import ID_MAX
from ballots.roll import (
    MAX_BYTES,
    ImportReport,
    ResidentView,
    import_roll,
    list_residents,
    parse_roster,
)
from vote.api.params import IdParam, SearchParam
from vote.web import provide_actor


@post(
    "/units/{unit_id:int}/roll",
    status_code=HTTP_200_OK,
    request_max_body_size=MAX_BYTES,
    summary="Import a roster file into a residential area's roll",
)
async def import_roster(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    actor: Actor,
    unit_id: IdParam,
    filename: SearchParam = "roster.csv",
    dry_run: bool = False,
) -> ImportReport:
    """Send the file as the raw body (``Content-Type: text/csv`` or the XLSX type).

    ``?dry_run=true`` reports what would change and writes nothing. A file with errors answers
    ``roster-invalid`` with every problem (row, column, message) in ``errors`` and imports nothing.
    """
    data = await request.body()
    if not data:
        raise InvalidInput("The request body is empty: send the roster file as the body.")
    # Reading a large workbook takes a while: off the event loop, so votes keep flowing.
    rows = await anyio.to_thread.run_sync(parse_roster, data, filename)
    report = await import_roll(db, actor, unit_id, rows, dry_run=dry_run)
    if dry_run:
        await db.rollback()
    else:
        await db.commit()
    return report


@get("/units/{unit_id:int}/residents", summary="Residents of a unit (phones masked)")
async def residents(
    db: AsyncSession,
    actor: Actor,
    unit_id: IdParam,
    offset: Annotated[int, Parameter(ge=0, le=ID_MAX)] = 0,
    limit: int = Parameter(default=100, ge=1, le=1000),
) -> list[ResidentView]:
    return await list_residents(db, actor, unit_id, offset=offset, limit=limit)


router = Router(
    path="/api/v1",
    route_handlers=[import_roster, residents],
    dependencies={"actor": Provide(provide_actor)},
    tags=["roll"],
)
