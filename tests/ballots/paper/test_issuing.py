"""Issuing paper ballots: to a voter found by name or by their code, only on an open ballot, to
someone in the electorate who has not voted by phone and holds no sheet, of a printed and free
number, in person where the ballot asks it; a phone vote after it is refused; and a phone cast
racing an issue for the same voter — exactly one wins, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ballots.casting import Receipt, cast_ballot
from ballots.db import create_engine, create_sessionmaker, dispose, is_sqlite
from ballots.errors import BallotNotOpen, DomainError, MistypedCredential, VotedOnPaper
from ballots.lifecycle import close_ballot
from ballots.meetings.checkin import check_in_at_door
from ballots.models import AuditEntry, PaperIssue, Participation, Proxy
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
from ballots.paper.issuing import IssuedPaper, find_voters, issue_paper, issued_papers
from ballots.paper.printing import print_paper
from tests.ballots.factories import ADMIN, KEY
from tests.ballots.meetings.world import meeting_world
from tests.ballots.paper.world import paper_world

ANSWER = {"q1": ["a"]}


async def issues(session: AsyncSession) -> int:
    return int(await session.scalar(select(func.count()).select_from(PaperIssue)) or 0)


async def test_a_sheet_goes_to_a_voter_found_by_name_or_by_code(session: AsyncSession) -> None:
    w = await paper_world(session)
    found = await find_voters(session, w.ballot_id, "张建")
    assert [voter.name for voter in found] == ["张建国"]
    by_name = await issue_paper(
        session, w.first, KEY, w.ballot_id, serial=3, resident_id=found[0].resident_id
    )
    await session.commit()
    by_code = await issue_paper(
        session, w.first, KEY, w.ballot_id, serial=1, credential=w.credentials[w.rid("M04")]
    )
    await session.commit()
    assert (by_name.serial, by_name.name, by_name.address) == (3, "张建国", "3101")
    assert by_code.name == "王海燕"
    listed = await issued_papers(session, w.ballot_id)
    assert [(sheet.serial, sheet.name) for sheet in listed] == [(1, "王海燕"), (3, "张建国")]
    row = await session.get(PaperIssue, (w.ballot_id, 3))
    assert row is not None and row.chair_id == w.first.chair_id
    audited = list(
        await session.scalars(select(AuditEntry.details).where(AuditEntry.action == "paper.issue"))
    )
    assert [entry["serial"] for entry in audited] == [3, 1]
    assert (await find_voters(session, w.ballot_id, "张建"))[0].paper_serial == 3


async def test_every_refusal_says_why_and_records_nothing(session: AsyncSession) -> None:
    w = await paper_world(session)
    await cast_ballot(session, KEY, w.ballot_id, w.credentials[w.rid("M05")], ANSWER)
    await issue_paper(session, w.first, KEY, w.ballot_id, serial=1, resident_id=w.rid("M01"))
    await session.commit()
    cases: list[tuple[dict[str, object], type[DomainError]]] = [
        ({"serial": 2, "resident_id": w.rid("M03")}, NotInElectorate),  # a child
        ({"serial": 2, "resident_id": w.rid("S01")}, NotInElectorate),  # another area
        ({"serial": 2, "resident_id": w.rid("M05")}, AlreadyVotedByPhone),
        ({"serial": 2, "resident_id": w.rid("M01")}, AlreadyHoldsPaper),
        ({"serial": 11, "resident_id": w.rid("M02")}, SerialNotPrinted),
        ({"serial": 0, "resident_id": w.rid("M02")}, SerialNotPrinted),
        ({"serial": 1, "resident_id": w.rid("M02")}, SerialTaken),
        ({"serial": 2, "credential": "1234 5678 9012 3456 7890 1"}, DomainError),
        ({"serial": 2}, NoVoterGiven),
    ]
    for params, refusal in cases:
        with pytest.raises(refusal) as raised:
            await issue_paper(session, w.first, KEY, w.ballot_id, **params)  # type: ignore[arg-type]
        await session.rollback()
        assert raised.value.detail, params
    assert await issues(session) == 1
    with pytest.raises(AlreadyHoldsPaper) as held:
        await issue_paper(session, w.first, KEY, w.ballot_id, serial=2, resident_id=w.rid("M01"))
    assert held.value.params == {"serial": 1, "name": "张建国"}
    await session.rollback()
    await close_ballot(session, ADMIN, w.ballot_id)
    await session.commit()
    with pytest.raises(BallotNotOpen):
        await issue_paper(session, w.first, KEY, w.ballot_id, serial=2, resident_id=w.rid("M02"))
    await session.rollback()
    assert await issues(session) == 1


async def test_a_mistyped_code_is_refused(session: AsyncSession) -> None:
    w = await paper_world(session)
    with pytest.raises(MistypedCredential):
        await issue_paper(session, w.first, KEY, w.ballot_id, serial=2, credential="12")
    await session.rollback()
    assert await issues(session) == 0


async def test_a_voter_holding_a_sheet_cannot_vote_by_phone(session: AsyncSession) -> None:
    w = await paper_world(session)
    await issue_paper(session, w.first, KEY, w.ballot_id, serial=7, resident_id=w.rid("M02"))
    await session.commit()
    with pytest.raises(VotedOnPaper) as refused:
        await cast_ballot(session, KEY, w.ballot_id, w.credentials[w.rid("M02")], ANSWER)
    assert refused.value.params == {"serial": 7}
    assert await session.scalar(select(func.count()).select_from(Participation)) == 0


async def test_printing_more_continues_the_numbers(session: AsyncSession) -> None:
    w = await paper_world(session, printed=10)
    run = await print_paper(session, w.first, w.ballot_id, 5)
    await session.commit()
    assert (run.first, run.last) == (11, 15)
    done = await issue_paper(
        session, w.first, KEY, w.ballot_id, serial=15, resident_id=w.rid("M06")
    )
    assert done.serial == 15


async def test_an_in_person_ballot_issues_only_to_someone_present_or_represented(
    session: AsyncSession,
) -> None:
    m = await meeting_world(session)
    await print_paper(session, ADMIN, m.ballot_id, 5)
    await session.commit()
    with pytest.raises(NotPresent):
        await issue_paper(
            session, ADMIN, KEY, m.ballot_id, serial=1, resident_id=m.world.rid("M01")
        )
    await session.rollback()
    proxy = Proxy(
        meeting_id=m.meeting_id, grantor_id=m.world.rid("M01"), holder_id=m.world.rid("M04")
    )
    session.add(proxy)
    await session.commit()
    proxy_id = proxy.id
    with pytest.raises(ProxyNotValid):  # the holder is not here yet
        await issue_paper(
            session,
            ADMIN,
            KEY,
            m.ballot_id,
            serial=1,
            resident_id=m.world.rid("M01"),
            proxy_id=proxy_id,
        )
    await session.rollback()
    await check_in_at_door(session, ADMIN, KEY, m.meeting_id, resident_id=m.world.rid("M04"))
    await session.commit()
    given = await issue_paper(
        session, ADMIN, KEY, m.ballot_id, serial=1, resident_id=m.world.rid("M01")
    )
    await session.commit()
    assert given.proxy_holder == "王海燕"
    row = await session.get(PaperIssue, (m.ballot_id, 1))
    assert row is not None and row.proxy_id == proxy_id
    present = await issue_paper(
        session, ADMIN, KEY, m.ballot_id, serial=2, resident_id=m.world.rid("M04")
    )
    assert present.proxy_holder is None


@pytest.mark.parametrize("voter", ["M01", "M04", "M06"])
async def test_a_phone_cast_and_a_paper_issue_at_once_exactly_one_wins(
    session: AsyncSession, db_url: str, voter: str
) -> None:
    w = await paper_world(session)
    resident = w.rid(voter)
    credential = w.credentials[resident]
    engines = [create_engine(db_url) for _ in range(2 if is_sqlite(db_url) else 1)]
    makers = [create_sessionmaker(engine) for engine in engines]
    phone, desk = makers[0](), makers[-1]()

    async def cast() -> Receipt:
        return await cast_ballot(phone, KEY, w.ballot_id, credential, ANSWER)

    async def issue() -> IssuedPaper:
        done = await issue_paper(desk, w.first, KEY, w.ballot_id, serial=4, resident_id=resident)
        await desk.commit()
        return done

    try:
        outcomes = await asyncio.gather(cast(), issue(), return_exceptions=True)
    finally:
        await phone.close()
        await desk.close()
        for engine in engines:
            await dispose(engine)
    won = [o for o in outcomes if isinstance(o, Receipt | IssuedPaper)]
    lost = [o for o in outcomes if not isinstance(o, Receipt | IssuedPaper)]
    assert len(won) == 1, outcomes
    assert all(isinstance(o, VotedOnPaper | AlreadyVotedByPhone) for o in lost), lost
    participations = await session.scalar(select(func.count()).select_from(Participation))
    assert (participations or 0) + await issues(session) == 1
