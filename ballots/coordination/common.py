"""What the coordination services share: finding a coordination matter the actor may manage."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from ballots.access import Actor, require
from ballots.errors import N_, InvalidInput
from ballots.matters import get_matter
from ballots.models import Matter, Unit
from ballots.units import get_unit


async def coordination_matter(
    session: AsyncSession, actor: Actor, matter_id: int
) -> tuple[Matter, Unit]:
    """The coordination matter ``matter_id`` and its unit, if ``actor`` may manage it."""
    matter = await get_matter(session, matter_id)
    unit = await get_unit(session, matter.unit_id)
    require(actor, "manage_ballots", unit.path)
    if matter.kind != "coordination":
        raise InvalidInput(N_("Parties, issues and agreements belong to a coordination matter."))
    return matter, unit


def clean(text: str, limit: int, empty: str) -> str:
    """``text`` stripped; refused when empty (with the message ``empty``) or too long."""
    text = text.strip()
    if not text:
        raise InvalidInput(empty)
    if len(text) > limit:
        raise InvalidInput(N_("The text must be at most {limit} characters."), limit=limit)
    return text
