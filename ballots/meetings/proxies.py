"""Proxies (委托) at a meeting: recording, revoking and listing them, and the photo of the signed
form.

A grantor and a holder are both on the meeting's roll (:func:`ballots.meetings.checkin.on_roll`),
or the holder is a member of the grantor's household on the unit's roll. Nobody holds their own
proxy, a grantor gives one active proxy per meeting, and a holder holds at most the meeting's
``proxy_limit``: the meeting row is locked first (``FOR UPDATE`` on PostgreSQL; SQLite's
``BEGIN IMMEDIATE`` serialises writers), so two chairs recording at once cannot pass the limit.
A revoked proxy is kept with its time; a used one cannot be revoked. Every change is audited and
noted on the matter's timeline (with no names: the timeline is public).

A vote by proxy is derived, never stored twice: :mod:`ballots.meetings.proxy_votes` (its names
are also importable from here). A proxy is used once such a vote is counted or a paper ballot
was handed to the holder for the grantor.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import msgspec
from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from ballots import audit
from ballots.access import Actor, require
from ballots.errors import (
    N_,
    MeetingStateConflict,
    NotFound,
    ProxyAlreadyGiven,
    ProxyChain,
    ProxyForSelf,
    ProxyGrantorPresent,
    ProxyGrantorVoted,
    ProxyLimitReached,
    ProxyNotOnRoll,
    ProxyRevoked,
    ProxyUsed,
)
from ballots.matters import add_event
from ballots.meetings.checkin import is_present, on_roll
from ballots.meetings.meetings import get_meeting, meeting_unit
from ballots.meetings.proxy_votes import ProxyVote as ProxyVote
from ballots.meetings.proxy_votes import proxy_votes as proxy_votes
from ballots.models import (
    Attendance,
    Ballot,
    Elector,
    Meeting,
    PaperIssue,
    Participation,
    Proxy,
    Resident,
    Unit,
)
from ballots.uploads import IMAGE_TYPES, PDF, UPLOAD_DIR, read_upload, store_upload

FORM_TYPES = IMAGE_TYPES | {PDF}
FORM_MAX_BYTES = 10 * 1024 * 1024
"""The largest photo or scan of a signed proxy form."""
SEARCH_LIMIT = 20


class ProxyView(msgspec.Struct, frozen=True):
    """A proxy as a chair sees it: who gave it to whom (with address, to tell namesakes apart),
    when, whether it is revoked or used, whether a photo of the signed form is kept, and whether
    the holder is checked in."""

    id: int
    meeting_id: int
    grantor_id: int
    grantor_name: str
    grantor_address: str
    holder_id: int
    holder_name: str
    holder_address: str
    recorded_at: datetime
    revoked_at: datetime | None
    has_form: bool
    form_type: str | None
    used: bool
    holder_present: bool = False
    """The holder is checked in at the meeting now (so the grantor counts as represented)."""


class HolderCount(msgspec.Struct, frozen=True):
    """How many active proxies one holder has at the meeting, against the limit."""

    holder_id: int
    name: str
    address: str
    count: int
    limit: int


class Candidate(msgspec.Struct, frozen=True):
    """A resident found by name for the proxy form, with their address and whether they are on
    the meeting's roll."""

    resident_id: int
    name: str
    address: str
    on_roll: bool


def _address(resident: Resident) -> str:
    return f"{resident.building}{resident.room}"


def _now(now: datetime | None) -> datetime:
    return now if now is not None else datetime.now(UTC)


async def _resident(session: AsyncSession, resident_id: int) -> Resident:
    found = await session.get(Resident, resident_id)
    if found is None:
        raise NotFound(what="resident", id=resident_id)
    return found


async def _lock_meeting(
    session: AsyncSession, meeting_id: int, *, with_ballots: bool = False
) -> None:
    """Serialise proxy changes of one meeting (PostgreSQL; SQLite's writer is already alone);
    ``with_ballots`` also waits for casts in progress on the ballots held at it (a cast locks
    its ballot's row first), so that a revocation sees a vote the holder has just cast.

    Their own statements, before any count: under READ COMMITTED the reads after them see what
    the previous lock holders committed."""
    bind = session.get_bind()
    if bind.dialect.name != "sqlite":
        await session.execute(select(Meeting.id).where(Meeting.id == meeting_id).with_for_update())
        if with_ballots:
            await session.execute(
                select(Ballot.id)
                .where(Ballot.meeting_id == meeting_id)
                .order_by(Ballot.id)
                .with_for_update()
            )


async def _in_unit(session: AsyncSession, resident: Resident, unit_path: str) -> bool:
    path = await session.scalar(select(Unit.path).where(Unit.id == resident.unit_id))
    return path is not None and path.startswith(unit_path)


async def _held_vote(session: AsyncSession, meeting_id: int, resident_id: int) -> str | None:
    """The title of a ballot held at the meeting on which the resident's vote (or their
    household's) is already cast, or None."""
    return await session.scalar(
        select(Ballot.title)
        .join(Elector, Elector.ballot_id == Ballot.id)
        .join(
            Participation,
            and_(
                Participation.ballot_id == Ballot.id,
                Participation.count_key == Elector.count_key,
            ),
        )
        .where(Ballot.meeting_id == meeting_id, Elector.resident_id == resident_id)
        .limit(1)
    )


async def _active_given(session: AsyncSession, meeting_id: int, grantor_id: int) -> Proxy | None:
    return await session.scalar(
        select(Proxy).where(
            Proxy.meeting_id == meeting_id,
            Proxy.grantor_id == grantor_id,
            Proxy.revoked_at.is_(None),
        )
    )


async def _holding(session: AsyncSession, meeting_id: int, holder_id: int) -> int:
    count = await session.scalar(
        select(func.count()).where(
            Proxy.meeting_id == meeting_id,
            Proxy.holder_id == holder_id,
            Proxy.revoked_at.is_(None),
        )
    )
    return int(count or 0)


async def record_proxy(
    session: AsyncSession,
    actor: Actor,
    meeting_id: int,
    *,
    grantor_id: int,
    holder_id: int,
    now: datetime | None = None,
) -> Proxy:
    """Record that ``grantor_id`` authorises ``holder_id`` to attend and vote for them.

    Refused, changing nothing, with a reason a chair can read out (see the module docstring).
    Audited and on the matter's timeline. The caller commits.
    """
    now = _now(now)
    meeting = await get_meeting(session, meeting_id)
    unit = await meeting_unit(session, meeting)
    require(actor, "manage_ballots", unit.path)
    await _lock_meeting(session, meeting.id)
    if meeting.state == "ended":
        raise MeetingStateConflict(N_("This meeting has already ended."))
    grantor = await _resident(session, grantor_id)
    holder = await _resident(session, holder_id)
    if grantor.id == holder.id:
        raise ProxyForSelf(name=grantor.name)
    if not await on_roll(session, meeting, grantor.id):
        raise ProxyNotOnRoll(name=grantor.name)
    same_household = grantor.household_id is not None and (
        grantor.household_id == holder.household_id
    )
    if not await on_roll(session, meeting, holder.id) and not (
        same_household and await _in_unit(session, holder, unit.path)
    ):
        raise ProxyNotOnRoll(
            N_(
                "{name} is not on the list of residents for this meeting, nor a member of "
                "{grantor}'s household."
            ),
            name=holder.name,
            grantor=grantor.name,
        )
    given = await _active_given(session, meeting.id, grantor.id)
    if given is not None:
        other = await _resident(session, given.holder_id)
        raise ProxyAlreadyGiven(grantor=grantor.name, holder=other.name)
    if await is_present(session, meeting.id, grantor.id):
        raise ProxyGrantorPresent(name=grantor.name)
    voted_on = await _held_vote(session, meeting.id, grantor.id)
    if voted_on is not None:
        raise ProxyGrantorVoted(name=grantor.name, ballot=voted_on)
    passed_on = await _active_given(session, meeting.id, holder.id)
    if passed_on is not None:
        other = await _resident(session, passed_on.holder_id)
        raise ProxyChain(name=holder.name, other=other.name)
    if await _holding(session, meeting.id, grantor.id):
        raise ProxyChain(
            N_("{name} holds proxies for others, so cannot give their own proxy away."),
            name=grantor.name,
        )
    if meeting.proxy_limit <= 0:
        raise ProxyLimitReached(N_("This meeting does not accept proxies."), limit=0)
    held = await _holding(session, meeting.id, holder.id)
    if held >= meeting.proxy_limit:
        raise ProxyLimitReached(holder=holder.name, count=held, limit=meeting.proxy_limit)
    proxy = await session.scalar(
        select(Proxy).where(Proxy.meeting_id == meeting.id, Proxy.grantor_id == grantor.id)
    )
    if proxy is None:
        proxy = Proxy(meeting_id=meeting.id, grantor_id=grantor.id)
        session.add(proxy)
    else:
        # One row per (meeting, grantor): a new proxy after a revoked one keeps the old one's
        # history in the audit log and on the timeline.
        proxy.form_file, proxy.form_type = None, None
    proxy.holder_id = holder.id
    proxy.chair_id = actor.chair_id
    proxy.recorded_at = now
    proxy.revoked_at = None
    await session.flush()
    add_event(
        session,
        meeting.matter_id,
        "meeting.proxy_recorded",
        actor=actor.name,
        meeting_id=meeting.id,
    )
    audit.record(
        session,
        actor,
        "meeting.proxy_record",
        f"meeting:{meeting.id}",
        unit.id,
        proxy_id=proxy.id,
        grantor_id=grantor.id,
        holder_id=holder.id,
    )
    return proxy


async def _proxy_of(session: AsyncSession, meeting_id: int, proxy_id: int) -> Proxy:
    proxy = await session.get(Proxy, proxy_id)
    if proxy is None or proxy.meeting_id != meeting_id:
        raise NotFound(what="proxy", id=proxy_id)
    return proxy


async def attach_form(
    session: AsyncSession,
    actor: Actor,
    data_dir: Path,
    meeting_id: int,
    proxy_id: int,
    *,
    name: str,
    data: bytes,
    max_bytes: int = FORM_MAX_BYTES,
) -> Proxy:
    """Keep a photo or PDF of the signed proxy form (replacing an earlier one); a file of any
    other kind is refused, keeping nothing. Audited. The caller commits."""
    meeting = await get_meeting(session, meeting_id)
    unit = await meeting_unit(session, meeting)
    require(actor, "manage_ballots", unit.path)
    proxy = await _proxy_of(session, meeting.id, proxy_id)
    if proxy.revoked_at is not None:
        raise ProxyRevoked()
    stored = store_upload(data_dir, name, data, max_bytes=max_bytes, allowed=FORM_TYPES)
    earlier = proxy.form_file
    proxy.form_file, proxy.form_type = stored.stored_as, stored.content_type
    await session.flush()
    audit.record(
        session,
        actor,
        "meeting.proxy_form",
        f"meeting:{meeting.id}",
        unit.id,
        proxy_id=proxy.id,
        content_type=stored.content_type,
        size=stored.size,
    )
    if earlier:
        (data_dir / UPLOAD_DIR / earlier).unlink(missing_ok=True)
    return proxy


async def read_form(
    session: AsyncSession, actor: Actor, data_dir: Path, meeting_id: int, proxy_id: int
) -> tuple[str, bytes]:
    """The signed form's detected type and bytes, for a chair of the meeting's unit."""
    meeting = await get_meeting(session, meeting_id)
    unit = await meeting_unit(session, meeting)
    require(actor, "manage_ballots", unit.path)
    proxy = await _proxy_of(session, meeting.id, proxy_id)
    data = read_upload(data_dir, proxy.form_file) if proxy.form_file else None
    if data is None or proxy.form_type not in FORM_TYPES:
        raise NotFound(what="file", id=proxy_id)
    return str(proxy.form_type), data


async def _used(session: AsyncSession, proxy: Proxy) -> bool:
    """True when the holder has voted for the grantor with this proxy (see :func:`proxy_votes`)."""
    on_paper = await session.scalar(select(exists().where(PaperIssue.proxy_id == proxy.id)))
    if on_paper:
        return True
    if proxy.revoked_at is not None:
        return False
    ballot_ids = list(
        await session.scalars(
            select(Ballot.id).where(
                Ballot.meeting_id == proxy.meeting_id, Ballot.requires_checkin.is_(True)
            )
        )
    )
    for ballot_id in ballot_ids:
        if proxy.grantor_id in {vote.grantor_id for vote in await proxy_votes(session, ballot_id)}:
            return True
    return False


async def revoke_proxy(
    session: AsyncSession,
    actor: Actor,
    meeting_id: int,
    proxy_id: int,
    *,
    now: datetime | None = None,
) -> Proxy:
    """End a proxy (kept, with the time it was revoked); refused once the holder used it to
    vote. Audited and on the matter's timeline. The caller commits."""
    now = _now(now)
    meeting = await get_meeting(session, meeting_id)
    unit = await meeting_unit(session, meeting)
    require(actor, "manage_ballots", unit.path)
    await _lock_meeting(session, meeting.id, with_ballots=True)
    proxy = await _proxy_of(session, meeting.id, proxy_id)
    if proxy.revoked_at is not None:
        raise ProxyRevoked()
    if await _used(session, proxy):
        grantor = await _resident(session, proxy.grantor_id)
        holder = await _resident(session, proxy.holder_id)
        raise ProxyUsed(grantor=grantor.name, holder=holder.name)
    proxy.revoked_at = now
    await session.flush()
    add_event(
        session,
        meeting.matter_id,
        "meeting.proxy_revoked",
        actor=actor.name,
        meeting_id=meeting.id,
    )
    audit.record(
        session,
        actor,
        "meeting.proxy_revoke",
        f"meeting:{meeting.id}",
        unit.id,
        proxy_id=proxy.id,
        grantor_id=proxy.grantor_id,
        holder_id=proxy.holder_id,
    )
    return proxy


async def list_proxies(session: AsyncSession, actor: Actor, meeting_id: int) -> Sequence[ProxyView]:
    """The meeting's proxies, active ones first, each in the order recorded."""
    meeting = await get_meeting(session, meeting_id)
    unit = await meeting_unit(session, meeting)
    require(actor, "read", unit.path)
    grantor, holder = aliased(Resident), aliased(Resident)
    rows = (
        await session.execute(
            select(Proxy, grantor, holder)
            .join(grantor, grantor.id == Proxy.grantor_id)
            .join(holder, holder.id == Proxy.holder_id)
            .where(Proxy.meeting_id == meeting.id)
            .order_by(Proxy.revoked_at.is_not(None), Proxy.recorded_at, Proxy.id)
        )
    ).all()
    used_ids = await _used_ids(session, meeting.id)
    present = set(
        await session.scalars(
            select(Attendance.resident_id).where(Attendance.meeting_id == meeting.id)
        )
    )
    return [
        ProxyView(
            id=proxy.id,
            meeting_id=meeting.id,
            grantor_id=g.id,
            grantor_name=g.name,
            grantor_address=_address(g),
            holder_id=h.id,
            holder_name=h.name,
            holder_address=_address(h),
            recorded_at=proxy.recorded_at,
            revoked_at=proxy.revoked_at,
            has_form=proxy.form_file is not None,
            form_type=proxy.form_type,
            used=proxy.id in used_ids,
            holder_present=h.id in present,
        )
        for proxy, g, h in rows
    ]


async def _used_ids(session: AsyncSession, meeting_id: int) -> set[int]:
    used = set(
        await session.scalars(
            select(PaperIssue.proxy_id)
            .join(Proxy, Proxy.id == PaperIssue.proxy_id)
            .where(Proxy.meeting_id == meeting_id)
        )
    )
    held = await session.scalars(
        select(Ballot.id).where(Ballot.meeting_id == meeting_id, Ballot.requires_checkin.is_(True))
    )
    grantors = {
        vote.grantor_id for ballot_id in held for vote in await proxy_votes(session, ballot_id)
    }
    if grantors:
        used |= set(
            await session.scalars(
                select(Proxy.id).where(
                    Proxy.meeting_id == meeting_id,
                    Proxy.revoked_at.is_(None),
                    Proxy.grantor_id.in_(grantors),
                )
            )
        )
    return {proxy_id for proxy_id in used if proxy_id is not None}


def holder_counts(proxies: Sequence[ProxyView], limit: int) -> list[HolderCount]:
    """Each holder of an active proxy with how many they hold, most first."""
    counts: dict[int, HolderCount] = {}
    for proxy in proxies:
        if proxy.revoked_at is not None:
            continue
        seen = counts.get(proxy.holder_id)
        counts[proxy.holder_id] = HolderCount(
            holder_id=proxy.holder_id,
            name=proxy.holder_name,
            address=proxy.holder_address,
            count=(seen.count if seen else 0) + 1,
            limit=limit,
        )
    return sorted(counts.values(), key=lambda each: (-each.count, each.address, each.name))


async def find_candidates(
    session: AsyncSession, actor: Actor, meeting_id: int, query: str
) -> list[Candidate]:
    """Residents of the meeting's unit whose name (or building and room) contains ``query``,
    with their address and whether they are on the meeting's roll (at most 20)."""
    meeting = await get_meeting(session, meeting_id)
    unit = await meeting_unit(session, meeting)
    require(actor, "read", unit.path)
    query = query.strip()[:100]
    if not query:
        return []
    pattern = f"%{query}%"
    residents = await session.scalars(
        select(Resident)
        .join(Unit, Unit.id == Resident.unit_id)
        .where(Unit.path.startswith(unit.path))
        .where(
            or_(
                Resident.name.like(pattern),
                (Resident.building + Resident.room).like(pattern),
            )
        )
        .order_by(Resident.name != query, Resident.building, Resident.room, Resident.id)
        .limit(SEARCH_LIMIT)
    )
    return [
        Candidate(
            resident_id=r.id,
            name=r.name,
            address=_address(r),
            on_roll=await on_roll(session, meeting, r.id),
        )
        for r in residents.all()
    ]
