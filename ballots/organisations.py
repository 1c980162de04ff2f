"""Outside organisations a unit deals with (departments, companies, service agencies), kept per
unit and offered to every unit below it: coordination parties, agency forwarding and evaluation
subjects choose from them."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ballots import audit
from ballots.access import Actor, require
from ballots.errors import N_, DuplicateName, InvalidInput, NotFound
from ballots.listings import Window, window_rows
from ballots.models import Organisation, Unit
from ballots.units import get_unit

ORGANISATION_KINDS = ("department", "company", "property", "agency", "other")
NAME_MAX = 200
CONTACT_MAX = 100
PHONE_MAX = 32


def _clean(name: str, kind: str, contact_name: str, contact_phone: str) -> tuple[str, str, str]:
    name, contact_name, contact_phone = name.strip(), contact_name.strip(), contact_phone.strip()
    if not name:
        raise InvalidInput(N_("Please give a name."))
    if len(name) > NAME_MAX:
        raise InvalidInput(N_("The name must be at most {limit} characters."), limit=NAME_MAX)
    if kind not in ORGANISATION_KINDS:
        raise InvalidInput(
            N_("The kind of organisation must be one of: {choices}."),
            choices=", ".join(ORGANISATION_KINDS),
        )
    if len(contact_name) > CONTACT_MAX or len(contact_phone) > PHONE_MAX:
        raise InvalidInput(N_("The contact person or phone number is too long."))
    return name, contact_name, contact_phone


async def get_organisation(session: AsyncSession, organisation_id: int) -> Organisation:
    """The organisation with ``organisation_id``, or :class:`NotFound`."""
    found = await session.get(Organisation, organisation_id)
    if found is None:
        raise NotFound(what="organisation", id=organisation_id)
    return found


async def add_organisation(
    session: AsyncSession,
    actor: Actor,
    *,
    unit_id: int,
    name: str,
    kind: str = "department",
    contact_name: str = "",
    contact_phone: str = "",
) -> Organisation:
    """Add an organisation to a unit's list (names are unique within the unit); audited."""
    unit = await get_unit(session, unit_id)
    require(actor, "manage_ballots", unit.path)
    name, contact_name, contact_phone = _clean(name, kind, contact_name, contact_phone)
    taken = await session.scalar(
        select(Organisation.id).where(Organisation.unit_id == unit.id, Organisation.name == name)
    )
    if taken is not None:
        raise DuplicateName(what="organisation", name=name)
    organisation = Organisation(
        unit_id=unit.id,
        name=name,
        kind=kind,
        contact_name=contact_name,
        contact_phone=contact_phone,
        active=True,
    )
    session.add(organisation)
    await session.flush()
    audit.record(
        session, actor, "organisation.add", f"organisation:{organisation.id}", unit.id, name=name
    )
    return organisation


async def update_organisation(
    session: AsyncSession,
    actor: Actor,
    organisation_id: int,
    *,
    name: str,
    kind: str,
    contact_name: str,
    contact_phone: str,
    active: bool,
) -> Organisation:
    """Change an organisation's name, kind, contact or whether it is still offered; audited."""
    organisation = await get_organisation(session, organisation_id)
    unit = await get_unit(session, organisation.unit_id)
    require(actor, "manage_ballots", unit.path)
    name, contact_name, contact_phone = _clean(name, kind, contact_name, contact_phone)
    if name != organisation.name:
        taken = await session.scalar(
            select(Organisation.id).where(
                Organisation.unit_id == unit.id, Organisation.name == name
            )
        )
        if taken is not None:
            raise DuplicateName(what="organisation", name=name)
    organisation.name, organisation.kind = name, kind
    organisation.contact_name, organisation.contact_phone = contact_name, contact_phone
    organisation.active = active
    audit.record(
        session,
        actor,
        "organisation.update",
        f"organisation:{organisation.id}",
        unit.id,
        name=name,
        active=active,
    )
    await session.flush()
    return organisation


async def organisations_for(
    session: AsyncSession, unit: Unit, *, include_inactive: bool = False
) -> Sequence[Organisation]:
    """The organisations a unit may choose from: its own and its ancestors' (by name)."""
    ancestor_ids = [int(part) for part in unit.path.strip("/").split("/") if part]
    query = select(Organisation).where(Organisation.unit_id.in_(ancestor_ids or [unit.id]))
    if not include_inactive:
        query = query.where(Organisation.active.is_(True))
    return (await session.scalars(query.order_by(Organisation.name, Organisation.id))).all()


async def organisations_window(
    session: AsyncSession, unit: Unit, offset: int, limit: int
) -> Window[Organisation]:
    """A slice of what a unit may choose (its own and its ancestors', no longer offered ones
    included), by name and id; ``total`` counts all of them."""
    ancestor_ids = [int(part) for part in unit.path.strip("/").split("/") if part]
    query = (
        select(Organisation)
        .where(Organisation.unit_id.in_(ancestor_ids or [unit.id]))
        .order_by(Organisation.name, Organisation.id)
    )
    rows, total = await window_rows(session, query, offset, limit)
    return Window([organisation for (organisation,) in rows], total, offset, limit)


async def check_offered(session: AsyncSession, unit: Unit, organisation_id: int) -> Organisation:
    """The organisation, if ``unit`` may choose it (its own or an ancestor's, still offered)."""
    organisation = await get_organisation(session, organisation_id)
    ancestor_ids = {int(part) for part in unit.path.strip("/").split("/") if part}
    if organisation.unit_id not in ancestor_ids or not organisation.active:
        raise NotFound(what="organisation", id=organisation_id)
    return organisation
