"""Meetings: creating, editing and listing them, moving them through check-in, and holding a
ballot at one. Every change is audited and noted on the matter's timeline."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ballots import audit
from ballots.access import Actor, require
from ballots.errors import N_, InvalidInput, MeetingStateConflict, NotFound, TransitionNotAllowed
from ballots.matters import add_event, get_matter
from ballots.meetings.venue_code import new_secret
from ballots.models import Attendance, Ballot, Chair, Matter, Meeting, Unit
from ballots.models.bounds import LONG_TEXT_LENGTH
from ballots.models.meetings import MEETING_KINDS
from ballots.units import get_unit

TITLE_MAX = 300
VENUE_MAX = 300
AGENDA_ITEMS_MAX = 50
AGENDA_ITEM_MAX = 300
PROXY_LIMIT_MAX = 10

# kind of matter -> the kind of meeting it usually holds
MEETING_KIND_OF_MATTER = {
    "hearing": "hearing",
    "practical": "hearing",
    "selection": "hearing",
    "coordination": "coordination",
    "evaluation": "evaluation",
}


async def get_meeting(session: AsyncSession, meeting_id: int) -> Meeting:
    """The meeting with ``meeting_id``, or :class:`NotFound`."""
    meeting = await session.get(Meeting, meeting_id)
    if meeting is None:
        raise NotFound(what="meeting", id=meeting_id)
    return meeting


async def meeting_unit(session: AsyncSession, meeting: Meeting) -> Unit:
    """The unit whose matter the meeting is on."""
    matter = await get_matter(session, meeting.matter_id)
    return await get_unit(session, matter.unit_id)


async def meeting_for(session: AsyncSession, actor: Actor, meeting_id: int, action: str) -> Meeting:
    """The meeting, once ``actor`` may ``action`` ("read" or "manage_ballots") in its unit."""
    meeting = await get_meeting(session, meeting_id)
    unit = await meeting_unit(session, meeting)
    require(actor, "manage_ballots" if action == "manage_ballots" else "read", unit.path)
    return meeting


def _clean(
    *,
    title: str,
    kind: str,
    starts_at: datetime,
    ends_at: datetime | None,
    venue: str,
    agenda: Sequence[str],
    proxy_limit: int,
) -> tuple[str, str, list[str]]:
    title, venue = title.strip(), venue.strip()
    if not title:
        raise InvalidInput(N_("Please give a title."))
    if len(title) > TITLE_MAX:
        raise InvalidInput(N_("The title must be at most {limit} characters."), limit=TITLE_MAX)
    if kind not in MEETING_KINDS:
        raise InvalidInput(
            N_("The kind of meeting must be one of: {choices}."), choices=", ".join(MEETING_KINDS)
        )
    if len(venue) > VENUE_MAX:
        raise InvalidInput(N_("The venue must be at most {limit} characters."), limit=VENUE_MAX)
    if starts_at.tzinfo is None or (ends_at is not None and ends_at.tzinfo is None):
        raise InvalidInput(N_("Give the time with its time zone."))
    if ends_at is not None and ends_at <= starts_at:
        raise InvalidInput(N_("The meeting must end after it starts."))
    items = [item.strip() for item in agenda if item.strip()]
    if len(items) > AGENDA_ITEMS_MAX:
        raise InvalidInput(
            N_("A meeting has at most {limit} agenda items."), limit=AGENDA_ITEMS_MAX
        )
    if any(len(item) > AGENDA_ITEM_MAX for item in items):
        raise InvalidInput(
            N_("Each agenda item must be at most {limit} characters."), limit=AGENDA_ITEM_MAX
        )
    if not 0 <= proxy_limit <= PROXY_LIMIT_MAX:
        raise InvalidInput(
            N_("The proxy limit must be a whole number from 0 to {limit}."), limit=PROXY_LIMIT_MAX
        )
    return title, venue, items


async def create_meeting(
    session: AsyncSession,
    actor: Actor,
    *,
    matter_id: int,
    title: str,
    starts_at: datetime,
    kind: str | None = None,
    ends_at: datetime | None = None,
    venue: str = "",
    agenda: Sequence[str] = (),
    proxy_limit: int = 1,
) -> Meeting:
    """Plan a meeting on a matter (its kind follows the matter's unless given)."""
    matter = await get_matter(session, matter_id)
    unit = await get_unit(session, matter.unit_id)
    require(actor, "manage_ballots", unit.path)
    kind = kind or MEETING_KIND_OF_MATTER.get(matter.kind, "general")
    title, venue, items = _clean(
        title=title,
        kind=kind,
        starts_at=starts_at,
        ends_at=ends_at,
        venue=venue,
        agenda=agenda,
        proxy_limit=proxy_limit,
    )
    meeting = Meeting(
        matter_id=matter.id,
        kind=kind,
        title=title,
        starts_at=starts_at,
        ends_at=ends_at,
        venue=venue,
        agenda=items,
        minutes="",
        state="planned",
        checkin_secret=new_secret(),
        proxy_limit=proxy_limit,
    )
    session.add(meeting)
    await session.flush()
    add_event(session, matter.id, "meeting.planned", actor=actor.name, meeting_id=meeting.id)
    audit.record(session, actor, "meeting.create", f"meeting:{meeting.id}", unit.id, title=title)
    return meeting


async def update_meeting(
    session: AsyncSession,
    actor: Actor,
    meeting_id: int,
    *,
    title: str,
    kind: str,
    starts_at: datetime,
    ends_at: datetime | None,
    venue: str,
    agenda: Sequence[str],
    proxy_limit: int,
) -> Meeting:
    """Change a meeting's plan (any time: a venue may move at the last minute)."""
    meeting = await get_meeting(session, meeting_id)
    unit = await meeting_unit(session, meeting)
    require(actor, "manage_ballots", unit.path)
    title, venue, items = _clean(
        title=title,
        kind=kind,
        starts_at=starts_at,
        ends_at=ends_at,
        venue=venue,
        agenda=agenda,
        proxy_limit=proxy_limit,
    )
    new = {
        "title": title,
        "kind": kind,
        "starts_at": starts_at,
        "ends_at": ends_at,
        "venue": venue,
        "agenda": items,
        "proxy_limit": proxy_limit,
    }
    changed = sorted(field for field, value in new.items() if getattr(meeting, field) != value)
    if changed:
        for field in changed:
            setattr(meeting, field, new[field])
        add_event(
            session,
            meeting.matter_id,
            "meeting.edited",
            actor=actor.name,
            meeting_id=meeting.id,
            fields=changed,
        )
        audit.record(
            session, actor, "meeting.update", f"meeting:{meeting.id}", unit.id, fields=changed
        )
        await session.flush()
    return meeting


async def save_minutes(session: AsyncSession, actor: Actor, meeting_id: int, text: str) -> Meeting:
    """Replace the meeting's minutes (the audit log keeps each version's length and time)."""
    meeting = await get_meeting(session, meeting_id)
    unit = await meeting_unit(session, meeting)
    require(actor, "manage_ballots", unit.path)
    text = text.strip()
    if len(text) > LONG_TEXT_LENGTH:
        raise InvalidInput(
            N_("The minutes must be at most {limit} characters."), limit=LONG_TEXT_LENGTH
        )
    if text != meeting.minutes:
        meeting.minutes = text
        add_event(
            session, meeting.matter_id, "meeting.minutes", actor=actor.name, meeting_id=meeting.id
        )
        audit.record(
            session, actor, "meeting.minutes", f"meeting:{meeting.id}", unit.id, length=len(text)
        )
        await session.flush()
    return meeting


_MOVES = {
    "start_checkin": (
        {"planned", "ended"},
        "checking_in",
        "meeting.checkin_opened",
        N_("Check-in for this meeting is already open."),
    ),
    "end": (
        {"planned", "checking_in"},
        "ended",
        "meeting.ended",
        N_("This meeting has already ended."),
    ),
}


async def move_meeting(session: AsyncSession, actor: Actor, meeting_id: int, move: str) -> Meeting:
    """``start_checkin`` (shows the venue code, accepts check-ins; also reopens an ended
    meeting) or ``end`` (no more check-ins)."""
    meeting = await get_meeting(session, meeting_id)
    unit = await meeting_unit(session, meeting)
    require(actor, "manage_ballots", unit.path)
    if move not in _MOVES:
        raise InvalidInput(N_("The step must be one of: {choices}."), choices=", ".join(_MOVES))
    allowed, target, event, refusal = _MOVES[move]
    if meeting.state not in allowed:
        raise MeetingStateConflict(refusal)
    meeting.state = target
    add_event(session, meeting.matter_id, event, actor=actor.name, meeting_id=meeting.id)
    audit.record(session, actor, event, f"meeting:{meeting.id}", unit.id)
    await session.flush()
    return meeting


async def hold_ballot_at(
    session: AsyncSession,
    actor: Actor,
    ballot_id: int,
    meeting_id: int | None,
    *,
    requires_checkin: bool = False,
) -> Ballot:
    """Hold a ballot at a meeting of its matter (or at none), optionally only for those present.

    Only a draft ballot changes how it is held: who may vote must not change once voting began.
    """
    ballot = await session.get(Ballot, ballot_id)
    if ballot is None:
        raise NotFound(what="ballot", id=ballot_id)
    matter = await get_matter(session, ballot.matter_id)
    unit = await get_unit(session, matter.unit_id)
    require(actor, "manage_ballots", unit.path)
    if ballot.state != "draft":
        raise TransitionNotAllowed(state=ballot.state, action="moved to a meeting")
    if meeting_id is not None:
        meeting = await get_meeting(session, meeting_id)
        if meeting.matter_id != ballot.matter_id:
            raise InvalidInput(N_("The meeting must belong to the ballot's own matter."))
    elif requires_checkin:
        raise InvalidInput(N_("Only a ballot held at a meeting can require check-in."))
    ballot.meeting_id = meeting_id
    ballot.requires_checkin = requires_checkin
    add_event(
        session,
        ballot.matter_id,
        "meeting.ballot_held",
        ballot_id=ballot.id,
        actor=actor.name,
        meeting_id=meeting_id,
        requires_checkin=requires_checkin,
    )
    audit.record(
        session,
        actor,
        "ballot.meeting",
        f"ballot:{ballot.id}",
        unit.id,
        meeting_id=meeting_id,
        requires_checkin=requires_checkin,
    )
    await session.flush()
    return ballot


async def list_meetings(session: AsyncSession, matter_id: int) -> Sequence[Meeting]:
    """A matter's meetings, earliest first."""
    result = await session.scalars(
        select(Meeting).where(Meeting.matter_id == matter_id).order_by(Meeting.starts_at)
    )
    return result.all()


async def meetings_within(session: AsyncSession, within_path: str = "/") -> Sequence[Meeting]:
    """Meetings in a unit subtree, latest first (for the console's list)."""
    result = await session.scalars(
        select(Meeting)
        .join(Matter, Matter.id == Meeting.matter_id)
        .join(Unit, Unit.id == Matter.unit_id)
        .where(Unit.path.startswith(within_path))
        .order_by(Meeting.starts_at.desc(), Meeting.id.desc())
    )
    return result.all()


async def meeting_ballots(session: AsyncSession, meeting_id: int) -> Sequence[Ballot]:
    """The ballots held at a meeting, in the order they were made."""
    result = await session.scalars(
        select(Ballot).where(Ballot.meeting_id == meeting_id).order_by(Ballot.id)
    )
    return result.all()


async def checked_in_by(session: AsyncSession, meeting_id: int) -> dict[int, str]:
    """resident id → the name of the chair who checked them in, for those a chair checked in."""
    rows = await session.execute(
        select(Attendance.resident_id, Chair.display_name, Chair.username)
        .join(Chair, Chair.id == Attendance.chair_id)
        .where(Attendance.meeting_id == meeting_id)
    )
    return {resident_id: shown or username for resident_id, shown, username in rows.all()}
