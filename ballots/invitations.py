"""Issuing credentials as invitations, and revoking or reissuing a lost one.

A credential exists in clear only in the :class:`Invitation` returned here, to be printed at
once; the database keeps its keyed hash. Issuing prints only voters who have no credential yet,
so printing twice never silently invalidates invitations already handed out.
"""

from __future__ import annotations

from datetime import UTC, datetime

import msgspec
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ballots import audit
from ballots.access import Actor, require
from ballots.credentials import credential_hash, new_credential
from ballots.errors import NotFound, TransitionNotAllowed
from ballots.lifecycle import ballot_unit, get_ballot, sync_electorate
from ballots.models import Ballot, Elector, Household, Matter, Resident, Unit


class Invitation(msgspec.Struct):
    """One printable invitation: who it is for, what ballot, and the credential with its URL."""

    ballot_id: int
    ballot_title: str
    matter_title: str
    unit_name: str
    resident_id: int
    name: str
    building: str
    room: str
    household: str
    credential: str
    url: str


def invitation_url(base_url: str, ballot_id: int, credential: str) -> str:
    """The link in the QR code; the credential sits after ``#`` so it never reaches a server log."""
    return f"{base_url.rstrip('/')}/v/{ballot_id}#{credential}"


async def _issuable(session: AsyncSession, actor: Actor, ballot_id: int) -> tuple[Ballot, Unit]:
    ballot = await get_ballot(session, ballot_id)
    unit = await ballot_unit(session, ballot)
    require(actor, "manage_ballots", unit.path)
    if ballot.state not in ("draft", "open"):
        raise TransitionNotAllowed(state=ballot.state, action="given new invitations")
    if ballot.state == "draft":
        await sync_electorate(session, ballot, datetime.now(UTC))
    return ballot, unit


async def _issue(
    session: AsyncSession,
    key: bytes,
    base_url: str,
    ballot: Ballot,
    rows: list[tuple[Elector, Resident, Household | None]],
) -> list[Invitation]:
    matter = await session.get(Matter, ballot.matter_id)
    assert matter is not None
    unit_names = dict((await session.execute(select(Unit.id, Unit.name))).all())
    now = datetime.now(UTC)
    invitations = []
    for elector, resident, household in rows:
        credential = new_credential()
        elector.credential_hash = credential_hash(key, credential)
        elector.issued_at = now
        elector.issue_count += 1
        invitations.append(
            Invitation(
                ballot_id=ballot.id,
                ballot_title=ballot.title,
                matter_title=matter.title,
                unit_name=unit_names.get(resident.unit_id, ""),
                resident_id=resident.id,
                name=resident.name,
                building=resident.building,
                room=resident.room,
                household=household.external_id if household else "",
                credential=credential,
                url=invitation_url(base_url, ballot.id, credential),
            )
        )
    await session.flush()
    return invitations


def _elector_rows(ballot_id: int):  # type: ignore[no-untyped-def]
    return (
        select(Elector, Resident, Household)
        .join(Resident, Resident.id == Elector.resident_id)
        .outerjoin(Household, Household.id == Resident.household_id)
        .where(Elector.ballot_id == ballot_id)
        .order_by(Resident.building, Resident.room, Resident.id)
    )


async def issue_invitations(
    session: AsyncSession, actor: Actor, key: bytes, base_url: str, ballot_id: int
) -> list[Invitation]:
    """Give a credential to every eligible voter who has none yet; return their invitations."""
    ballot, unit = await _issuable(session, actor, ballot_id)
    result = await session.execute(
        _elector_rows(ballot.id).where(Elector.credential_hash.is_(None))
    )
    invitations = await _issue(session, key, base_url, ballot, list(result.all()))
    audit.record(
        session, actor, "invitations.issue", f"ballot:{ballot.id}", unit.id, count=len(invitations)
    )
    return invitations


async def reissue_credential(
    session: AsyncSession, actor: Actor, key: bytes, base_url: str, ballot_id: int, resident_id: int
) -> Invitation:
    """Replace one voter's credential: the old one stops working at once."""
    ballot, unit = await _issuable(session, actor, ballot_id)
    result = await session.execute(
        _elector_rows(ballot.id).where(Elector.resident_id == resident_id)
    )
    row = result.first()
    if row is None:
        raise NotFound(
            "Resident {id} is not eligible for this ballot.", what="elector", id=resident_id
        )
    (invitation,) = await _issue(session, key, base_url, ballot, [row])
    audit.record(
        session,
        actor,
        "credential.reissue",
        f"ballot:{ballot.id}",
        unit.id,
        resident_id=resident_id,
    )
    return invitation


async def revoke_credential(
    session: AsyncSession, actor: Actor, ballot_id: int, resident_id: int
) -> None:
    """Stop a voter's credential from working, without issuing a new one."""
    ballot = await get_ballot(session, ballot_id)
    unit = await ballot_unit(session, ballot)
    require(actor, "manage_ballots", unit.path)
    elector = await session.scalar(
        select(Elector).where(Elector.ballot_id == ballot.id, Elector.resident_id == resident_id)
    )
    if elector is None:
        raise NotFound(
            "Resident {id} is not eligible for this ballot.", what="elector", id=resident_id
        )
    elector.credential_hash = None
    audit.record(
        session, actor, "credential.revoke", f"ballot:{ballot.id}", unit.id, resident_id=resident_id
    )


class ElectorView(msgspec.Struct):
    """One eligible resident as a chair looks them up to replace a lost invitation."""

    resident_id: int
    name: str
    building: str
    room: str
    issued: bool


async def find_electors(
    session: AsyncSession, actor: Actor, ballot_id: int, search: str, limit: int = 50
) -> list[ElectorView]:
    """Eligible residents whose name, building or room contains ``search`` (all when empty)."""
    ballot = await get_ballot(session, ballot_id)
    unit = await ballot_unit(session, ballot)
    require(actor, "read", unit.path)
    query = (
        select(
            Resident.id, Resident.name, Resident.building, Resident.room, Elector.credential_hash
        )
        .join(Elector, Elector.resident_id == Resident.id)
        .where(Elector.ballot_id == ballot_id)
        .order_by(Resident.building, Resident.room, Resident.name)
        .limit(limit)
    )
    search = search.strip()
    if search:
        pattern = f"%{search}%"
        query = query.where(
            Resident.name.like(pattern)
            | Resident.building.like(pattern)
            | Resident.room.like(pattern)
            | (Resident.building + Resident.room).like(pattern)
        )
    rows = await session.execute(query)
    return [
        ElectorView(
            resident_id=rid, name=name, building=building, room=room, issued=hashed is not None
        )
        for rid, name, building, room, hashed in rows
    ]
