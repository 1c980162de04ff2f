"""The parties at a coordination matter: the residents' side (named, e.g. 3号楼居民代表) or an
outside organisation chosen from the unit's list, with a contact for the chair."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from ballots import audit
from ballots.access import Actor
from ballots.coordination.common import clean, coordination_matter
from ballots.errors import N_, DuplicateName, InvalidInput, NotFound
from ballots.matters import add_event
from ballots.models import Party, Position
from ballots.organisations import check_offered

NAME_MAX = 200
CONTACT_MAX = 200


async def get_party(session: AsyncSession, party_id: int) -> Party:
    """The party with ``party_id``, or :class:`NotFound`."""
    found = await session.get(Party, party_id)
    if found is None:
        raise NotFound(what="party", id=party_id)
    return found


async def parties_of(session: AsyncSession, matter_id: int) -> Sequence[Party]:
    """A matter's parties, in the order they were added."""
    query = select(Party).where(Party.matter_id == matter_id).order_by(Party.id)
    return (await session.scalars(query)).all()


async def add_party(
    session: AsyncSession,
    actor: Actor,
    matter_id: int,
    *,
    name: str = "",
    organisation_id: int | None = None,
    contact: str = "",
) -> Party:
    """Add a party: an organisation offered to the matter's unit (named after it, its contact
    person by default) or a side named by ``name``; audited and on the timeline."""
    matter, unit = await coordination_matter(session, actor, matter_id)
    contact = contact.strip()
    if len(contact) > CONTACT_MAX:
        raise InvalidInput(N_("The contact must be at most {limit} characters."), limit=CONTACT_MAX)
    if organisation_id is not None:
        organisation = await check_offered(session, unit, organisation_id)
        name = name.strip() or organisation.name
        contact = contact or organisation.contact_name
    name = clean(name, NAME_MAX, N_("Please name the party."))
    for party in await parties_of(session, matter.id):
        if party.name == name or (
            organisation_id is not None and party.organisation_id == organisation_id
        ):
            raise DuplicateName(what="party", name=name)
    party = Party(matter_id=matter.id, name=name, organisation_id=organisation_id, contact=contact)
    session.add(party)
    await session.flush()
    add_event(session, matter.id, "party.added", actor=actor.name, name=name)
    audit.record(session, actor, "party.add", f"party:{party.id}", unit.id, name=name)
    return party


async def remove_party(session: AsyncSession, actor: Actor, party_id: int) -> None:
    """Remove a party and its positions; audited and on the timeline."""
    party = await get_party(session, party_id)
    matter, unit = await coordination_matter(session, actor, party.matter_id)
    await session.execute(delete(Position).where(Position.party_id == party.id))
    await session.delete(party)
    add_event(session, matter.id, "party.removed", actor=actor.name, name=party.name)
    audit.record(session, actor, "party.remove", f"party:{party.id}", unit.id, name=party.name)
    await session.flush()
