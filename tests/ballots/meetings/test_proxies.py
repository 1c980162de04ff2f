"""Proxies at a meeting: who may give one to whom, the holder's limit (also when two chairs
record at once), revoking, the photo of the signed form, and a vote by proxy in the
participation list. Every refusal changes nothing."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import msgspec
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ballots.access import Actor
from ballots.board import participation_list
from ballots.casting import cast_ballot
from ballots.db import create_engine, create_sessionmaker, dispose, is_sqlite
from ballots.eligibility import Eligibility
from ballots.errors import (
    NotFound,
    OutsideUnit,
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
from ballots.lifecycle import close_ballot, open_ballot
from ballots.meetings.checkin import check_in_at_door
from ballots.meetings.meetings import get_meeting, hold_ballot_at, update_meeting
from ballots.meetings.proxies import (
    attach_form,
    find_candidates,
    holder_counts,
    list_proxies,
    proxy_votes,
    read_form,
    record_proxy,
    revoke_proxy,
)
from ballots.models import AuditEntry, Ballot, MatterEvent, Proxy
from ballots.paper.issuing import issue_paper
from ballots.paper.printing import print_paper
from ballots.uploads import UploadRefused
from tests.ballots.factories import ADMIN, KEY, draft, issue, new_ballot
from tests.ballots.meetings.world import START, MeetingWorld, meeting_world

NOW = START + timedelta(minutes=5)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


async def proxies(session: AsyncSession) -> int:
    return int(await session.scalar(select(func.count()).select_from(Proxy)) or 0)


async def give(w: MeetingWorld, session: AsyncSession, grantor: str, holder: str) -> Proxy:
    proxy = await record_proxy(
        session,
        ADMIN,
        w.meeting_id,
        grantor_id=w.world.rid(grantor),
        holder_id=w.world.rid(holder),
        now=NOW,
    )
    await session.commit()
    return proxy


async def set_limit(session: AsyncSession, meeting_id: int, limit: int) -> None:
    meeting = await get_meeting(session, meeting_id)
    await update_meeting(
        session,
        ADMIN,
        meeting_id,
        title=meeting.title,
        kind=meeting.kind,
        starts_at=meeting.starts_at,
        ends_at=meeting.ends_at,
        venue=meeting.venue,
        agenda=meeting.agenda,
        proxy_limit=limit,
    )
    await session.commit()


async def test_a_proxy_is_recorded_audited_and_listed(session: AsyncSession) -> None:
    w = await meeting_world(session)
    proxy = await give(w, session, "M02", "M04")
    [view] = await list_proxies(session, ADMIN, w.meeting_id)
    assert (view.grantor_name, view.grantor_address) == ("李秀英", "3101")
    assert (view.holder_name, view.holder_address) == ("王海燕", "3202")
    assert view.revoked_at is None and not view.used and not view.has_form
    assert not view.holder_present
    [count] = holder_counts([view], 1)
    assert (count.name, count.count, count.limit) == ("王海燕", 1, 1)
    audit = await session.scalar(
        select(AuditEntry).where(AuditEntry.action == "meeting.proxy_record")
    )
    assert audit is not None and audit.details["proxy_id"] == proxy.id
    event = await session.scalar(
        select(MatterEvent).where(MatterEvent.kind == "meeting.proxy_recorded")
    )
    assert event is not None and event.payload == {"meeting_id": w.meeting_id}  # no names


async def test_a_holder_holds_at_most_the_meetings_limit(session: AsyncSession) -> None:
    w = await meeting_world(session)
    await give(w, session, "M02", "M04")
    with pytest.raises(ProxyLimitReached) as refused:
        await give(w, session, "M05", "M04")
    assert refused.value.detail == (
        "王海燕 already holds 1 proxies; at this meeting each person may hold at most 1."
    )
    assert refused.value.params == {"holder": "王海燕", "count": 1, "limit": 1}
    assert await proxies(session) == 1
    await set_limit(session, w.meeting_id, 2)
    await give(w, session, "M05", "M04")
    assert await proxies(session) == 2


async def test_a_meeting_with_limit_zero_takes_no_proxies(session: AsyncSession) -> None:
    w = await meeting_world(session)
    await set_limit(session, w.meeting_id, 0)
    with pytest.raises(ProxyLimitReached) as refused:
        await give(w, session, "M02", "M04")
    assert refused.value.detail == "This meeting does not accept proxies."
    assert await proxies(session) == 0


async def test_two_chairs_recording_for_one_holder_at_once_stay_within_the_limit(
    session: AsyncSession, db_url: str
) -> None:
    w = await meeting_world(session)
    await set_limit(session, w.meeting_id, 2)
    holder = w.world.rid("M04")
    grantors = [w.world.rid(x) for x in ("M01", "M02", "M05", "M06")]
    engines = [create_engine(db_url) for _ in range(4 if is_sqlite(db_url) else 1)]
    sessions = [create_sessionmaker(engines[i % len(engines)])() for i in range(4)]

    async def attempt(each: AsyncSession, grantor: int) -> int:
        try:
            proxy = await record_proxy(
                each, ADMIN, w.meeting_id, grantor_id=grantor, holder_id=holder, now=NOW
            )
            await each.commit()
        except BaseException:
            await each.rollback()  # as the web layer's session does when a request is refused
            raise
        return proxy.id

    try:
        outcomes = await asyncio.gather(
            *(attempt(s, g) for s, g in zip(sessions, grantors, strict=True)),
            return_exceptions=True,
        )
    finally:
        for each in sessions:
            await each.close()
        for engine in engines:
            await dispose(engine)
    done = [o for o in outcomes if isinstance(o, int)]
    refused = [o for o in outcomes if not isinstance(o, int)]
    assert len(done) == 2, outcomes
    assert all(isinstance(o, ProxyLimitReached) for o in refused), refused
    active = await session.scalar(
        select(func.count()).where(Proxy.holder_id == holder, Proxy.revoked_at.is_(None))
    )
    assert active == 2


async def test_nobody_is_their_own_proxy(session: AsyncSession) -> None:
    w = await meeting_world(session)
    with pytest.raises(ProxyForSelf) as refused:
        await give(w, session, "M04", "M04")
    assert refused.value.detail == "王海燕 cannot be their own proxy: please choose someone else."
    assert await proxies(session) == 0


async def test_a_grantor_gives_one_active_proxy(session: AsyncSession) -> None:
    w = await meeting_world(session)
    await set_limit(session, w.meeting_id, 3)
    await give(w, session, "M02", "M04")
    with pytest.raises(ProxyAlreadyGiven) as refused:
        await give(w, session, "M02", "M05")
    assert refused.value.params == {"grantor": "李秀英", "holder": "王海燕"}
    assert await proxies(session) == 1


async def test_grantor_and_holder_must_be_on_the_meetings_roll(session: AsyncSession) -> None:
    w = await meeting_world(session)
    with pytest.raises(ProxyNotOnRoll) as refused:
        await give(w, session, "M04", "S01")  # 孙丽 lives in 思南
    assert refused.value.params["name"] == "孙丽"
    with pytest.raises(ProxyNotOnRoll):
        await give(w, session, "S01", "M04")
    with pytest.raises(ProxyNotOnRoll):
        await give(w, session, "M04", "M03")  # under 18, not a member of 王海燕's household
    assert await proxies(session) == 0


async def test_a_member_of_the_grantors_household_may_hold_it(session: AsyncSession) -> None:
    w = await meeting_world(session)
    await give(w, session, "M02", "M03")  # 张小明 is of 李秀英's household, not on the ballot
    [view] = await list_proxies(session, ADMIN, w.meeting_id)
    assert view.holder_name == "张小明"


async def test_a_grantor_checked_in_cannot_give_a_proxy(session: AsyncSession) -> None:
    w = await meeting_world(session)
    await check_in_at_door(
        session, ADMIN, KEY, w.meeting_id, resident_id=w.world.rid("M01"), now=NOW
    )
    await session.commit()
    with pytest.raises(ProxyGrantorPresent) as present:
        await give(w, session, "M01", "M04")
    assert present.value.detail == (
        "张建国 is checked in at this meeting and votes in person, so no proxy is needed."
    )
    assert await proxies(session) == 0


async def test_a_grantor_who_already_voted_cannot_give_a_proxy(session: AsyncSession) -> None:
    w = await meeting_world(session, requires_checkin=False)
    await cast_ballot(session, KEY, w.ballot_id, w.credentials[w.world.rid("M05")], {"q1": ["a"]})
    with pytest.raises(ProxyGrantorVoted) as voted:
        await give(w, session, "M05", "M04")
    assert voted.value.params == {"name": "赵志强", "ballot": "加装电梯方案"}
    assert await proxies(session) == 0


async def test_a_proxy_is_not_passed_on(session: AsyncSession) -> None:
    w = await meeting_world(session)
    await set_limit(session, w.meeting_id, 2)
    await give(w, session, "M02", "M04")
    with pytest.raises(ProxyChain) as chain:
        await give(w, session, "M05", "M02")  # 李秀英 gave her own proxy away
    assert chain.value.params == {"name": "李秀英", "other": "王海燕"}
    with pytest.raises(ProxyChain):
        await give(w, session, "M04", "M05")  # 王海燕 holds one, so keeps her own
    assert await proxies(session) == 1


async def test_a_revoked_proxy_is_kept_and_frees_the_holder(session: AsyncSession) -> None:
    w = await meeting_world(session)
    proxy = await give(w, session, "M02", "M04")
    proxy_id = proxy.id
    await revoke_proxy(session, ADMIN, w.meeting_id, proxy_id, now=NOW)
    await session.commit()
    [view] = await list_proxies(session, ADMIN, w.meeting_id)
    assert view.revoked_at is not None and holder_counts([view], 1) == []
    with pytest.raises(ProxyRevoked):
        await revoke_proxy(session, ADMIN, w.meeting_id, proxy_id, now=NOW)
    await give(w, session, "M05", "M04")  # the holder's place is free again
    assert await proxies(session) == 2
    actions = list(await session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))
    assert actions.count("meeting.proxy_revoke") == 1
    kinds = list(await session.scalars(select(MatterEvent.kind)))
    assert "meeting.proxy_revoked" in kinds


async def test_a_used_proxy_cannot_be_revoked_and_the_vote_shows_as_by_proxy(
    session: AsyncSession,
) -> None:
    w = await meeting_world(session)
    proxy = await give(w, session, "M02", "M04")
    proxy_id = proxy.id
    await check_in_at_door(
        session, ADMIN, KEY, w.meeting_id, resident_id=w.world.rid("M04"), now=NOW
    )
    await check_in_at_door(
        session, ADMIN, KEY, w.meeting_id, resident_id=w.world.rid("M01"), now=NOW
    )
    await session.commit()
    for who in ("M02", "M01"):
        await cast_ballot(session, KEY, w.ballot_id, w.credentials[w.world.rid(who)], {"q1": ["a"]})
    [vote] = await proxy_votes(session, w.ballot_id)
    assert (vote.grantor_id, vote.holder_name) == (w.world.rid("M02"), "王海燕")
    assert (await list_proxies(session, ADMIN, w.meeting_id))[0].holder_present
    with pytest.raises(ProxyUsed) as used:
        await revoke_proxy(session, ADMIN, w.meeting_id, proxy_id, now=NOW)
    assert used.value.detail == (
        "王海燕 has already voted for 李秀英 with this proxy, so it can no longer be revoked."
    )
    [view] = await list_proxies(session, ADMIN, w.meeting_id)
    assert view.used and view.revoked_at is None


async def test_the_signed_form_is_kept_and_a_wrong_kind_refused(
    session: AsyncSession, tmp_path: Path
) -> None:
    w = await meeting_world(session)
    proxy_id = (await give(w, session, "M02", "M04")).id
    with pytest.raises(UploadRefused) as refused:
        await attach_form(
            session,
            ADMIN,
            tmp_path,
            w.meeting_id,
            proxy_id,
            name="form.html",
            data=b"<html><script>alert(1)</script></html>",
        )
    assert "PDF" in refused.value.detail or "photo" in refused.value.detail
    await session.rollback()
    assert not (tmp_path / "uploads").exists() or not any((tmp_path / "uploads").iterdir())
    with pytest.raises(NotFound):
        await read_form(session, ADMIN, tmp_path, w.meeting_id, proxy_id)
    await attach_form(session, ADMIN, tmp_path, w.meeting_id, proxy_id, name="委托书.png", data=PNG)
    await session.commit()
    assert await read_form(session, ADMIN, tmp_path, w.meeting_id, proxy_id) == ("image/png", PNG)
    [view] = await list_proxies(session, ADMIN, w.meeting_id)
    assert view.has_form and view.form_type == "image/png"


async def test_another_units_chair_is_refused(session: AsyncSession, tmp_path: Path) -> None:
    w = await meeting_world(session)
    proxy_id = (await give(w, session, "M02", "M04")).id
    stranger = Actor(name="思南主任", role="area_chair", unit_path="/1/2/4/", chair_id=None)
    attempts = [
        record_proxy(
            session,
            stranger,
            w.meeting_id,
            grantor_id=w.world.rid("M05"),
            holder_id=w.world.rid("M06"),
        ),
        revoke_proxy(session, stranger, w.meeting_id, proxy_id),
        list_proxies(session, stranger, w.meeting_id),
        read_form(session, stranger, tmp_path, w.meeting_id, proxy_id),
        find_candidates(session, stranger, w.meeting_id, "王"),
    ]
    for attempt in attempts:
        with pytest.raises(OutsideUnit):
            await attempt
    await session.rollback()
    assert await proxies(session) == 1
    assert (await list_proxies(session, ADMIN, w.meeting_id))[0].revoked_at is None


async def test_candidates_are_found_by_name_with_their_address(session: AsyncSession) -> None:
    w = await meeting_world(session)
    found = await find_candidates(session, ADMIN, w.meeting_id, "张")
    assert [(c.name, c.address, c.on_roll) for c in found] == [
        ("张建国", "3101", True),
        ("张小明", "3101", False),
    ]
    assert await find_candidates(session, ADMIN, w.meeting_id, "  ") == []


async def test_unknown_residents_and_proxies_are_not_found(session: AsyncSession) -> None:
    w = await meeting_world(session)
    with pytest.raises(NotFound):
        await record_proxy(
            session, ADMIN, w.meeting_id, grantor_id=999_999, holder_id=w.world.rid("M04")
        )
    with pytest.raises(NotFound):
        await revoke_proxy(session, ADMIN, w.meeting_id, 999_999)
    assert await proxies(session) == 0


async def test_the_published_participation_list_marks_a_vote_by_proxy(
    session: AsyncSession,
) -> None:
    w = await meeting_world(session)
    rules = Eligibility(units=[w.world.area_id], min_age=18)
    listed = msgspec.structs.replace(
        draft(eligibility=rules, title="公示名单的表决"), publish_participation=True
    )
    ballot_id = await new_ballot(session, w.world, listed)
    await hold_ballot_at(session, ADMIN, ballot_id, w.meeting_id, requires_checkin=True)
    await open_ballot(session, ADMIN, ballot_id)
    await session.commit()
    credentials = await issue(session, ballot_id)
    await give(w, session, "M02", "M04")
    for who in ("M04", "M01"):
        await check_in_at_door(
            session, ADMIN, KEY, w.meeting_id, resident_id=w.world.rid(who), now=NOW
        )
    await session.commit()
    for who in ("M02", "M01"):
        await cast_ballot(session, KEY, ballot_id, credentials[w.world.rid(who)], {"q1": ["a"]})
    await close_ballot(session, ADMIN, ballot_id)
    await session.commit()
    entries = await participation_list(session, ballot_id)
    assert entries is not None
    assert [(e.name, e.address, e.proxy) for e in entries] == [
        ("张*国", "3101", False),
        ("李*英", "3101", True),
    ]


async def test_a_paper_ballot_handed_to_the_holder_uses_the_proxy(session: AsyncSession) -> None:
    w = await meeting_world(session)
    proxy_id = (await give(w, session, "M02", "M04")).id
    await check_in_at_door(
        session, ADMIN, KEY, w.meeting_id, resident_id=w.world.rid("M04"), now=NOW
    )
    await print_paper(session, ADMIN, w.ballot_id, 5)
    await session.commit()
    issued = await issue_paper(
        session, ADMIN, KEY, w.ballot_id, serial=1, resident_id=w.world.rid("M02")
    )
    await session.commit()
    assert issued.proxy_holder == "王海燕"
    with pytest.raises(ProxyUsed):
        await revoke_proxy(session, ADMIN, w.meeting_id, proxy_id, now=NOW)
    await session.rollback()
    [view] = await list_proxies(session, ADMIN, w.meeting_id)
    assert view.used and view.revoked_at is None
    assert await proxy_votes(session, w.ballot_id) == []  # not a counted vote until entered


async def test_a_grantor_may_give_a_new_proxy_after_revoking_one(session: AsyncSession) -> None:
    w = await meeting_world(session)
    first = (await give(w, session, "M02", "M04")).id
    await revoke_proxy(session, ADMIN, w.meeting_id, first, now=NOW)
    await session.commit()
    again = await give(w, session, "M02", "M05")
    # One row per grantor and meeting (the schema's unique key): the new proxy takes the revoked
    # one's place; the audit log keeps both.
    assert again.id == first
    [view] = await list_proxies(session, ADMIN, w.meeting_id)
    assert (view.holder_name, view.revoked_at) == ("赵志强", None)
    records = await session.scalars(
        select(AuditEntry.details)
        .where(AuditEntry.action == "meeting.proxy_record")
        .order_by(AuditEntry.id)
    )
    assert [d["holder_id"] for d in records] == [w.world.rid("M04"), w.world.rid("M05")]


async def test_a_revocation_waits_for_the_holders_vote_in_progress(
    session: AsyncSession, db_url: str
) -> None:
    """PostgreSQL: a cast holds its ballot's row; a revocation waits for it, then sees the vote
    (on SQLite one writer at a time already orders them)."""
    if is_sqlite(db_url):
        pytest.skip("SQLite's single writer orders the two already")
    w = await meeting_world(session)
    proxy_id = (await give(w, session, "M02", "M04")).id
    await check_in_at_door(
        session, ADMIN, KEY, w.meeting_id, resident_id=w.world.rid("M04"), now=NOW
    )
    await session.commit()
    engine = create_engine(db_url)
    maker = create_sessionmaker(engine)
    blocker, caster, revoker = maker(), maker(), maker()
    try:
        await blocker.execute(select(Ballot.id).where(Ballot.id == w.ballot_id).with_for_update())
        cast = asyncio.create_task(
            cast_ballot(caster, KEY, w.ballot_id, w.credentials[w.world.rid("M02")], {"q1": ["a"]})
        )
        await asyncio.sleep(0.3)  # the cast waits for the ballot's row
        revoke = asyncio.create_task(revoke_proxy(revoker, ADMIN, w.meeting_id, proxy_id, now=NOW))
        await asyncio.sleep(0.3)  # so does the revocation, behind the cast
        assert not cast.done() and not revoke.done()
        await blocker.rollback()
        assert (await cast).tracker
        with pytest.raises(ProxyUsed):
            await revoke
    finally:
        for each in (blocker, caster, revoker):
            await each.close()
        await dispose(engine)
    [view] = await list_proxies(session, ADMIN, w.meeting_id)
    assert view.used and view.revoked_at is None
