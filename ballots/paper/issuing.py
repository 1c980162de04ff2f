"""Handing paper ballot number S to a voter, and the list of sheets handed out.

A sheet goes to one voting unit (person or household) of an open ballot's electorate, found by
resident or by their invitation code, that has not voted by phone and holds no sheet yet. For a
ballot held at a meeting with check-in, the voter is present or represented by a present proxy
holder. The ballot row is locked first (``SELECT … FOR UPDATE`` on PostgreSQL; SQLite's
``BEGIN IMMEDIATE`` serialises writers anyway), as the cast path locks it, so a paper issue and a
phone cast for the same unit never both succeed. The caller commits.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import msgspec
from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from ballots import audit
from ballots.access import Actor, require
from ballots.credentials import credential_hash
from ballots.errors import BallotNotOpen, MistypedCredential, NotFound, UnknownCredential
from ballots.lifecycle import ballot_unit, lock_ballot
from ballots.models import (
    Attendance,
    Ballot,
    Elector,
    PaperIssue,
    Participation,
    Proxy,
    Resident,
)
from ballots.paper.errors import (
    AlreadyHoldsPaper,
    AlreadyVotedByPhone,
    NotInElectorate,
    NotPresent,
    NoVoterGiven,
    ProxyNotValid,
    SerialNotPrinted,
    SerialTaken,
)


class IssuedPaper(msgspec.Struct, frozen=True):
    """One sheet handed out: its number, to whom (for the chairs' console, never a public page),
    when, and through which proxy holder, if any."""

    serial: int
    resident_id: int
    name: str
    address: str
    issued_at: datetime
    proxy_holder: str | None = None


class Voter(msgspec.Struct, frozen=True):
    """A resident of the electorate as the issuing search shows them."""

    resident_id: int
    name: str
    address: str
    paper_serial: int | None
    voted_by_phone: bool


def _past(deadline: datetime | None) -> bool:
    if deadline is None:
        return False
    if deadline.tzinfo is None:
        deadline = deadline.replace(tzinfo=UTC)
    return datetime.now(UTC) >= deadline


async def _elector(
    session: AsyncSession,
    key: bytes,
    ballot_id: int,
    resident_id: int | None,
    credential: str,
) -> tuple[Elector, Resident]:
    if resident_id is not None:
        resident = await session.get(Resident, resident_id)
        if resident is None:
            raise NotFound(what="resident", id=resident_id)
        elector = await session.scalar(
            select(Elector).where(
                Elector.ballot_id == ballot_id, Elector.resident_id == resident_id
            )
        )
        if elector is None:
            raise NotInElectorate(name=resident.name)
        return elector, resident
    if not credential.strip():
        raise NoVoterGiven()
    hashed = credential_hash(key, credential)
    if hashed is None:
        raise MistypedCredential()
    elector = await session.scalar(
        select(Elector).where(Elector.ballot_id == ballot_id, Elector.credential_hash == hashed)
    )
    if elector is None:
        raise UnknownCredential()
    found = await session.get(Resident, elector.resident_id)
    assert found is not None
    return elector, found


async def _present(session: AsyncSession, meeting_id: int, resident_id: int) -> bool:
    return bool(
        await session.scalar(
            select(
                exists().where(
                    Attendance.meeting_id == meeting_id, Attendance.resident_id == resident_id
                )
            )
        )
    )


async def _proxy_for(
    session: AsyncSession, ballot: Ballot, resident: Resident, proxy_id: int | None
) -> int | None:
    """The proxy a sheet goes through; :class:`NotPresent` or :class:`ProxyNotValid` when the
    in-person rule is not met. Without a meeting any named proxy must still be the voter's."""
    meeting_id = ballot.meeting_id
    if proxy_id is not None:
        proxy = await session.get(Proxy, proxy_id)
        if (
            proxy is None
            or meeting_id is None
            or proxy.meeting_id != meeting_id
            or proxy.grantor_id != resident.id
            or proxy.revoked_at is not None
            or not await _present(session, meeting_id, proxy.holder_id)
        ):
            raise ProxyNotValid(name=resident.name)
        return proxy.id
    if not ballot.requires_checkin or meeting_id is None:
        return None
    if await _present(session, meeting_id, resident.id):
        return None
    holders = await session.scalars(
        select(Proxy).where(
            Proxy.meeting_id == meeting_id,
            Proxy.grantor_id == resident.id,
            Proxy.revoked_at.is_(None),
        )
    )
    for proxy in holders:
        if await _present(session, meeting_id, proxy.holder_id):
            return proxy.id
    raise NotPresent(name=resident.name)


async def issue_paper(
    session: AsyncSession,
    actor: Actor,
    key: bytes,
    ballot_id: int,
    *,
    serial: int,
    resident_id: int | None = None,
    credential: str = "",
    proxy_id: int | None = None,
) -> IssuedPaper:
    """Hand paper ballot number ``serial`` to a voter (by ``resident_id`` or ``credential``).

    Recorded with the chair and audited; the caller commits (which releases the ballot's lock).
    Nothing is recorded on a refusal.
    """
    ballot = await lock_ballot(session, ballot_id)
    unit = await ballot_unit(session, ballot)
    require(actor, "manage_ballots", unit.path)
    if ballot.state != "open":
        raise BallotNotOpen(state=ballot.state)
    if _past(ballot.closes_at):
        raise BallotNotOpen(state="closed")
    elector, resident = await _elector(session, key, ballot.id, resident_id, credential)
    if not 1 <= serial <= ballot.paper_printed:
        raise SerialNotPrinted(serial=serial, printed=ballot.paper_printed)
    held = await session.scalar(
        select(PaperIssue.serial).where(
            PaperIssue.ballot_id == ballot.id, PaperIssue.count_key == elector.count_key
        )
    )
    if held is not None:
        raise AlreadyHoldsPaper(serial=held, name=resident.name)
    voted = await session.scalar(
        select(Participation.elector_id).where(
            Participation.ballot_id == ballot.id, Participation.count_key == elector.count_key
        )
    )
    if voted is not None:
        raise AlreadyVotedByPhone(name=resident.name)
    if await session.get(PaperIssue, (ballot.id, serial)) is not None:
        raise SerialTaken(serial=serial)
    through = await _proxy_for(session, ballot, resident, proxy_id)
    now = datetime.now(UTC)
    session.add(
        PaperIssue(
            ballot_id=ballot.id,
            serial=serial,
            count_key=elector.count_key,
            elector_id=elector.id,
            issued_at=now,
            chair_id=actor.chair_id,
            proxy_id=through,
        )
    )
    await session.flush()
    audit.record(
        session,
        actor,
        "paper.issue",
        f"ballot:{ballot.id}",
        unit.id,
        serial=serial,
        resident_id=resident.id,
        proxy_id=through,
    )
    holder = None
    if through is not None:
        proxy = await session.get(Proxy, through)
        holder_row = await session.get(Resident, proxy.holder_id) if proxy else None
        holder = holder_row.name if holder_row else None
    return IssuedPaper(
        serial=serial,
        resident_id=resident.id,
        name=resident.name,
        address=f"{resident.building}{resident.room}",
        issued_at=now,
        proxy_holder=holder,
    )


async def issued_papers(session: AsyncSession, ballot_id: int) -> Sequence[IssuedPaper]:
    """Every sheet handed out on the ballot, by number (for the console)."""
    holder = aliased(Resident)
    rows = await session.execute(
        select(PaperIssue, Resident, holder.name)
        .join(Elector, Elector.id == PaperIssue.elector_id)
        .join(Resident, Resident.id == Elector.resident_id)
        .outerjoin(Proxy, Proxy.id == PaperIssue.proxy_id)
        .outerjoin(holder, holder.id == Proxy.holder_id)
        .where(PaperIssue.ballot_id == ballot_id)
        .order_by(PaperIssue.serial)
    )
    return [
        IssuedPaper(
            serial=issue.serial,
            resident_id=resident.id,
            name=resident.name,
            address=f"{resident.building}{resident.room}",
            issued_at=issue.issued_at,
            proxy_holder=holder_name,
        )
        for issue, resident, holder_name in rows.all()
    ]


async def find_voters(
    session: AsyncSession, ballot_id: int, name: str, limit: int = 20
) -> Sequence[Voter]:
    """Residents of the ballot's electorate whose name contains ``name`` (for issuing by name)."""
    text = name.strip()
    if not text:
        return []
    pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    rows = await session.execute(
        select(Resident, PaperIssue.serial, Participation.elector_id)
        .join(Elector, Elector.resident_id == Resident.id)
        .outerjoin(
            PaperIssue,
            (PaperIssue.ballot_id == Elector.ballot_id)
            & (PaperIssue.count_key == Elector.count_key),
        )
        .outerjoin(
            Participation,
            (Participation.ballot_id == Elector.ballot_id)
            & (Participation.count_key == Elector.count_key),
        )
        .where(Elector.ballot_id == ballot_id, Resident.name.like(pattern, escape="\\"))
        .order_by(Resident.building, Resident.room, Resident.name)
        .limit(limit)
    )
    return [
        Voter(
            resident_id=resident.id,
            name=resident.name,
            address=f"{resident.building}{resident.room}",
            paper_serial=serial,
            voted_by_phone=voted is not None,
        )
        for resident, serial, voted in rows.all()
    ]
