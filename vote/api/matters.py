"""Matters (decision records) for chairs: list, create, read with drafts, add notes."""

from __future__ import annotations

from litestar import Router, get, post
from litestar.di import Provide
from litestar.status_codes import HTTP_201_CREATED
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ballots import matter_links, matters, units
from ballots.access import Actor, require
from ballots.models import Ballot
from vote.api.params import IdParam
from vote.api.schemas import EventOut, MatterIn, MatterListItem, MatterOut, NoteIn
from vote.web import provide_actor


@get("/matters")
async def list_matters(db: AsyncSession, actor: Actor) -> list[MatterListItem]:
    return [MatterListItem.of(m) for m in await matters.list_matters(db, actor.unit_path)]


@post("/matters", status_code=HTTP_201_CREATED)
async def create_matter(db: AsyncSession, actor: Actor, data: MatterIn) -> MatterOut:
    matter = await matters.create_matter(
        db,
        actor,
        unit_id=data.unit_id,
        kind=data.kind,
        title=data.title,
        description=data.description,
    )
    await db.commit()
    return await _matter_out(db, actor, matter.id)


async def _matter_out(db: AsyncSession, actor: Actor, matter_id: int) -> MatterOut:
    matter = await matters.get_matter(db, matter_id)
    unit = await units.get_unit(db, matter.unit_id)
    require(actor, "read", unit.path)
    ballots = list(
        (
            await db.scalars(
                select(Ballot).where(Ballot.matter_id == matter.id).order_by(Ballot.id)
            )
        ).all()
    )
    return MatterOut.of(
        matter,
        unit,
        ballots,
        list(await matters.timeline(db, matter.id)),
        links=await matter_links.links_of(db, matter.id),
        referrals=await matter_links.referrals_of(db, matter.id),
    )


@get("/matters/{matter_id:int}/record", summary="A matter with drafts and every event (chairs)")
async def matter_record(db: AsyncSession, actor: Actor, matter_id: IdParam) -> MatterOut:
    return await _matter_out(db, actor, matter_id)


@post("/matters/{matter_id:int}/notes", status_code=HTTP_201_CREATED)
async def add_note(
    db: AsyncSession, actor: Actor, matter_id: IdParam, data: NoteIn
) -> list[EventOut]:
    await matters.add_note(db, actor, matter_id, data.text)
    await db.commit()
    return [EventOut.of(e) for e in await matters.timeline(db, matter_id)]


router = Router(
    path="/api/v1",
    route_handlers=[list_matters, create_matter, matter_record, add_note],
    dependencies={"actor": Provide(provide_actor)},
    tags=["chairs"],
)
