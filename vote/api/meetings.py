"""Meetings for chairs: a matter's meetings, planning and changing one, opening and ending its
check-in, its minutes, holding a draft ballot at it, who is checked in, the quorum now and the
speakers' queue. Everything a chair may do here the console does too."""

from __future__ import annotations

from typing import Any

from litestar import Request, Router, get, post, put
from litestar.di import Provide
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED
from sqlalchemy.ext.asyncio import AsyncSession

from ballots import matters, units
from ballots.access import Actor, require
from ballots.meetings import meetings, speakers
from ballots.meetings.checkin import attendance_list
from ballots.meetings.quorum import Quorum, count_quorum
from ballots.meetings.speaker_signup import self_signed_ids
from ballots.models import Meeting
from vote.api.meeting_schemas import (
    AttendanceRow,
    HoldBallotIn,
    MeetingIn,
    MeetingOut,
    MinutesIn,
    SpeakerIn,
    SpeakerOut,
    SpeakerStateIn,
    utc,
)
from vote.api.params import IdParam
from vote.live import meeting_changed
from vote.web import provide_actor


async def _out(db: AsyncSession, meeting: Meeting) -> MeetingOut:
    return MeetingOut.of(meeting, list(await meetings.meeting_ballots(db, meeting.id)))


@get("/meetings", summary="Meetings in your units, latest first")
async def all_meetings(db: AsyncSession, actor: Actor) -> list[MeetingOut]:
    return [
        await _out(db, meeting) for meeting in await meetings.meetings_within(db, actor.unit_path)
    ]


@get("/matters/{matter_id:int}/meetings", summary="A matter's meetings, earliest first")
async def list_meetings(db: AsyncSession, actor: Actor, matter_id: IdParam) -> list[MeetingOut]:
    matter = await matters.get_matter(db, matter_id)
    require(actor, "read", (await units.get_unit(db, matter.unit_id)).path)
    return [await _out(db, meeting) for meeting in await meetings.list_meetings(db, matter.id)]


@post(
    "/matters/{matter_id:int}/meetings",
    status_code=HTTP_201_CREATED,
    summary="Plan a meeting on a matter",
)
async def create_meeting(
    db: AsyncSession, actor: Actor, matter_id: IdParam, data: MeetingIn
) -> MeetingOut:
    """Refused (``invalid-input``) when the title is blank or the meeting ends before it
    starts."""
    meeting = await meetings.create_meeting(
        db,
        actor,
        matter_id=matter_id,
        title=data.title,
        kind=data.kind,
        starts_at=data.starts_at,
        ends_at=data.ends_at,
        venue=data.venue,
        agenda=data.agenda,
        proxy_limit=data.proxy_limit,
    )
    await db.commit()
    return await _out(db, meeting)


@get("/meetings/{meeting_id:int}", summary="A meeting: plan, state, minutes, ballots held at it")
async def get_meeting(db: AsyncSession, actor: Actor, meeting_id: IdParam) -> MeetingOut:
    return await _out(db, await meetings.meeting_for(db, actor, meeting_id, "read"))


@put("/meetings/{meeting_id:int}", summary="Change a meeting's plan")
async def update_meeting(
    db: AsyncSession, actor: Actor, meeting_id: IdParam, data: MeetingIn
) -> MeetingOut:
    """The whole plan, as for planning it (``kind`` left out stays as it was)."""
    current = await meetings.meeting_for(db, actor, meeting_id, "read")
    meeting = await meetings.update_meeting(
        db,
        actor,
        current.id,
        title=data.title,
        kind=data.kind or current.kind,
        starts_at=data.starts_at,
        ends_at=data.ends_at,
        venue=data.venue,
        agenda=data.agenda,
        proxy_limit=data.proxy_limit,
    )
    await db.commit()
    return await _out(db, meeting)


def _move(move: str, path: str, summary: str, operation_id: str):  # type: ignore[no-untyped-def]
    @post(
        f"/meetings/{{meeting_id:int}}/{path}",
        status_code=HTTP_200_OK,
        summary=summary,
        name=f"meeting_{move}",
        operation_id=operation_id,
    )
    async def handler(
        request: Request[Any, Any, Any], db: AsyncSession, actor: Actor, meeting_id: IdParam
    ) -> MeetingOut:
        meeting = await meetings.move_meeting(db, actor, meeting_id, move)
        await db.commit()
        meeting_changed(request.app, meeting_id)
        return await _out(db, meeting)

    return handler


start_checkin = _move(
    "start_checkin",
    "start-checkin",
    "Open check-in (also reopens an ended meeting); 409 when already open",
    "StartMeetingCheckin",
)
end_meeting = _move("end", "end", "End the meeting: no more check-ins", "EndMeeting")


@put("/meetings/{meeting_id:int}/minutes", summary="Replace the meeting's minutes")
async def save_minutes(
    db: AsyncSession, actor: Actor, meeting_id: IdParam, data: MinutesIn
) -> MeetingOut:
    meeting = await meetings.save_minutes(db, actor, meeting_id, data.text)
    await db.commit()
    return await _out(db, meeting)


@post(
    "/meetings/{meeting_id:int}/ballots",
    status_code=HTTP_200_OK,
    summary="Hold a draft ballot of the matter at this meeting",
)
async def hold_ballot(
    db: AsyncSession, actor: Actor, meeting_id: IdParam, data: HoldBallotIn
) -> MeetingOut:
    """Refused (``transition-not-allowed``) once the ballot is no longer a draft, and
    (``invalid-input``) for a ballot of another matter."""
    meeting = await meetings.meeting_for(db, actor, meeting_id, "read")
    await meetings.hold_ballot_at(
        db, actor, data.ballot_id, meeting.id, requires_checkin=data.requires_checkin
    )
    await db.commit()
    return await _out(db, meeting)


@get("/meetings/{meeting_id:int}/checked-in", summary="Who is checked in, in the order they came")
async def attendance(db: AsyncSession, actor: Actor, meeting_id: IdParam) -> list[AttendanceRow]:
    meeting = await meetings.meeting_for(db, actor, meeting_id, "read")
    by = await meetings.checked_in_by(db, meeting.id)
    return [
        AttendanceRow(
            resident_id=row.resident_id,
            name=row.name,
            at=utc(row.at),
            method=row.method,
            chair=by.get(row.resident_id),
        )
        for row in await attendance_list(db, meeting.id)
    ]


@get("/meetings/{meeting_id:int}/quorum", summary="Presence now against each ballot's electorate")
async def quorum(db: AsyncSession, actor: Actor, meeting_id: IdParam) -> Quorum:
    return await count_quorum(db, await meetings.meeting_for(db, actor, meeting_id, "read"))


@get("/meetings/{meeting_id:int}/speakers", summary="The speakers' queue, in the order of asking")
async def list_speakers(db: AsyncSession, actor: Actor, meeting_id: IdParam) -> list[SpeakerOut]:
    """Each speaker with ``self_signed`` when the resident signed up by phone."""
    meeting = await meetings.meeting_for(db, actor, meeting_id, "read")
    own = await self_signed_ids(db, meeting)
    return [
        SpeakerOut.of(speaker, self_signed=speaker.id in own)
        for speaker in await speakers.list_speakers(db, meeting.id)
    ]


@post(
    "/meetings/{meeting_id:int}/speakers",
    status_code=HTTP_201_CREATED,
    summary="Add someone to the speakers' queue",
)
async def add_speaker(
    db: AsyncSession, actor: Actor, meeting_id: IdParam, data: SpeakerIn
) -> SpeakerOut:
    """Refused (``invalid-input``) without a name or resident, or for a resident not on the
    meeting's roll."""
    speaker = await speakers.add_speaker(
        db, actor, meeting_id, name=data.name, topic=data.topic, resident_id=data.resident_id
    )
    await db.commit()
    return SpeakerOut.of(speaker)


@put(
    "/meetings/{meeting_id:int}/speakers/{speaker_id:int}",
    summary="Mark a speaker spoken or withdrawn (or waiting again)",
)
async def mark_speaker(
    db: AsyncSession, actor: Actor, meeting_id: IdParam, speaker_id: IdParam, data: SpeakerStateIn
) -> SpeakerOut:
    speaker = await speakers.mark_speaker(db, actor, meeting_id, speaker_id, data.state)
    await db.commit()
    return SpeakerOut.of(speaker)


router = Router(
    path="/api/v1",
    route_handlers=[
        all_meetings,
        list_meetings,
        create_meeting,
        get_meeting,
        update_meeting,
        start_checkin,
        end_meeting,
        save_minutes,
        hold_ballot,
        attendance,
        quorum,
        list_speakers,
        add_speaker,
        mark_speaker,
    ],
    dependencies={"actor": Provide(provide_actor)},
    tags=["chairs"],
)
