"""Matter links and referrals for chairs (:mod:`ballots.matter_links`): a matter's links to other
matters and its referrals, linking two matters, removing a link, and referring a matter to the
unit directly above or below its own. The same services as the console's
``/chair/matters/{id}/links``, so the same unit scope and audit entries."""

from __future__ import annotations

from litestar import Router, delete, get, post
from litestar.di import Provide
from litestar.status_codes import HTTP_201_CREATED, HTTP_204_NO_CONTENT
from sqlalchemy.ext.asyncio import AsyncSession

from ballots import matter_links, matters, units
from ballots.access import Actor, require
from ballots.errors import NotFound
from ballots.models import MatterLink
from vote.api.matter_link_schemas import LinkIn, LinkOut, LinksOut, ReferralIn, ReferralOut
from vote.api.params import IdParam
from vote.api.schemas import MatterOut
from vote.web import provide_actor


async def _readable(db: AsyncSession, actor: Actor, matter_id: int) -> int:
    matter = await matters.get_matter(db, matter_id)
    require(actor, "read", (await units.get_unit(db, matter.unit_id)).path)
    return matter.id


async def _links(db: AsyncSession, matter_id: int) -> LinksOut:
    return LinksOut(
        links=[LinkOut.of(view) for view in await matter_links.links_of(db, matter_id)],
        referrals=[ReferralOut.of(view) for view in await matter_links.referrals_of(db, matter_id)],
    )


@get("/matters/{matter_id:int}/links", summary="A matter's links and referrals, both ways")
async def list_links(db: AsyncSession, actor: Actor, matter_id: IdParam) -> LinksOut:
    """Links to and from other matters, the referrals this matter made and the one that opened
    it, oldest first."""
    return await _links(db, await _readable(db, actor, matter_id))


@post(
    "/matters/{matter_id:int}/links",
    status_code=HTTP_201_CREATED,
    summary="Record that a matter led to another one",
)
async def add_link(db: AsyncSession, actor: Actor, matter_id: IdParam, data: LinkIn) -> LinkOut:
    """Both matters must be in your units. Refused: ``invalid-input`` (a matter linked to
    itself), ``not-found`` (no such other matter), ``already-linked`` (the two are linked
    already, either way). Audited (``matter.link``) and noted on both timelines."""
    link = await matter_links.link_matters(db, actor, matter_id, data.to_matter_id, data.kind)
    await db.commit()
    views = await matter_links.links_of(db, matter_id)
    return LinkOut.of(next(view for view in views if view.link_id == link.id))


@delete(
    "/matters/{matter_id:int}/links/{link_id:int}",
    status_code=HTTP_204_NO_CONTENT,
    summary="Remove a link made by mistake",
)
async def remove_link(db: AsyncSession, actor: Actor, matter_id: IdParam, link_id: IdParam) -> None:
    """``not-found`` unless the link is one of this matter's (either way); both matters must be
    in your units. Audited (``matter.unlink``): the audit log keeps the link."""
    matter_id = await _readable(db, actor, matter_id)
    link = await db.get(MatterLink, link_id)
    if link is None or matter_id not in (link.from_matter_id, link.to_matter_id):
        raise NotFound(what="link", id=link_id)
    await matter_links.unlink_matters(db, actor, link.id)
    await db.commit()


@post(
    "/matters/{matter_id:int}/referrals",
    status_code=HTTP_201_CREATED,
    summary="Refer a matter to the unit directly above or below its own",
)
async def refer(db: AsyncSession, actor: Actor, matter_id: IdParam, data: ReferralIn) -> MatterOut:
    """Opens a new matter (same kind and title, the reason as its description) in the receiving
    unit and answers it (its public record). Refused: ``not-a-level-away`` (not the unit
    directly above nor one directly below), ``not-found`` (no such unit), ``invalid-input`` (a
    blank reason). Audited (``matter.refer``) and noted on both timelines."""
    opened = await matter_links.refer_matter(db, actor, matter_id, data.to_unit_id, data.reason)
    await db.commit()
    unit = await units.get_unit(db, opened.unit_id)
    return MatterOut.of(
        opened,
        unit,
        [],
        list(await matters.timeline(db, opened.id)),
        links=await matter_links.links_of(db, opened.id),
        referrals=await matter_links.referrals_of(db, opened.id),
    )


router = Router(
    path="/api/v1",
    route_handlers=[list_links, add_link, remove_link, refer],
    dependencies={"actor": Provide(provide_actor)},
    tags=["chairs"],
)
