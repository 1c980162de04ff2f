"""QR posters: one per building or for the whole residential area, each with a random token
that is the public address of its demand form (``/d/{token}``)."""

from __future__ import annotations

import secrets
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ballots import audit
from ballots.access import Actor, require
from ballots.agency.categories import categories_of
from ballots.agency.errors import PosterUnknown
from ballots.errors import N_, InvalidInput, NotFound
from ballots.models import Poster, Unit
from ballots.units import get_unit

BUILDING_MAX = 64
TOKEN_BYTES = 12  # 16 URL-safe characters


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


async def create_poster(
    session: AsyncSession, actor: Actor, *, unit_id: int, building: str = ""
) -> Poster:
    """A new poster for ``building`` (empty: the whole area); audited. The unit's demand
    categories are set up if it has none yet."""
    unit = await get_unit(session, unit_id)
    require(actor, "manage_ballots", unit.path)
    building = building.strip()
    if len(building) > BUILDING_MAX:
        raise InvalidInput(
            N_("The building must be at most {limit} characters."), limit=BUILDING_MAX
        )
    await categories_of(session, unit.id)
    poster = Poster(unit_id=unit.id, building=building, token=new_token(), active=True)
    session.add(poster)
    await session.flush()
    audit.record(
        session, actor, "agency.poster.create", f"poster:{poster.id}", unit.id, building=building
    )
    return poster


async def posters_of(session: AsyncSession, actor: Actor, unit_id: int) -> Sequence[Poster]:
    """The unit's posters, active first, then by building."""
    unit = await get_unit(session, unit_id)
    require(actor, "read", unit.path)
    query = select(Poster).where(Poster.unit_id == unit.id)
    found = (await session.scalars(query)).all()
    return sorted(found, key=lambda p: (not p.active, p.building, p.id))


async def deactivate_poster(session: AsyncSession, actor: Actor, poster_id: int) -> Poster:
    """Stop a poster: its QR code no longer opens the form; audited."""
    poster = await session.get(Poster, poster_id)
    if poster is None:
        raise NotFound(what="ID", id=poster_id)
    unit = await get_unit(session, poster.unit_id)
    require(actor, "manage_ballots", unit.path)
    poster.active = False
    audit.record(session, actor, "agency.poster.deactivate", f"poster:{poster.id}", unit.id)
    await session.flush()
    return poster


async def poster_by_token(session: AsyncSession, token: str) -> tuple[Poster, Unit]:
    """The active poster with ``token`` and its unit, or :class:`PosterUnknown`."""
    if not token or len(token) > 32:
        raise PosterUnknown()
    poster = await session.scalar(select(Poster).where(Poster.token == token))
    if poster is None or not poster.active:
        raise PosterUnknown()
    return poster, await get_unit(session, poster.unit_id)
