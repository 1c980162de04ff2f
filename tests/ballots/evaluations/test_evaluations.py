"""Evaluations: the subjects register, evaluation ballots, satisfaction rates from published
results only (checked against a count done here), threshold flagging, rectification moves and
other units refused."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ballots.access import Actor
from ballots.casting import cast_ballot
from ballots.eligibility import Eligibility
from ballots.errors import InvalidInput, NotFound, OutsideUnit
from ballots.evaluations.evaluation_ballots import create_evaluation_ballot, link_rating
from ballots.evaluations.rates import evaluations, latest, yearly_rates
from ballots.evaluations.rectification import (
    add_rectification,
    is_overdue,
    move_rectification,
    rectifications_of,
)
from ballots.evaluations.subjects import add_subject, subjects_of, update_subject
from ballots.lifecycle import close_ballot, get_ballot, open_ballot, publish_ballot
from ballots.matters import create_matter, timeline
from ballots.models import AuditEntry, MatterEvent, SubjectRating
from ballots.units import get_unit
from tests.ballots.factories import ADMIN, build_world, issue

LEVEL = {"满意": "good", "基本满意": "fair", "不满意": "poor"}


async def _evaluation_matter(session: AsyncSession, unit_id: int) -> int:
    matter = await create_matter(
        session, ADMIN, unit_id=unit_id, kind="evaluation", title="2026年服务评议"
    )
    await session.commit()
    return matter.id


async def _run(
    session: AsyncSession,
    matter_id: int,
    subject_ids: list[int],
    votes: dict[int, list[str]],
    *,
    year: int = 2026,
    publish: bool = True,
) -> int:
    """Draft, open, cast ``votes`` (subject id → one level per voter), close and publish."""
    ballot = await create_evaluation_ballot(
        session,
        ADMIN,
        matter_id=matter_id,
        subject_ids=subject_ids,
        title="服务评议",
        year=year,
        eligibility=Eligibility(),
    )
    await session.commit()
    ballot_id = ballot.id
    await open_ballot(session, ADMIN, ballot_id)
    await session.commit()
    credentials = list((await issue(session, ballot_id)).values())
    voters = len(next(iter(votes.values())))  # every voter rates every subject
    for index in range(voters):
        answers = {f"s{subject_id}": [LEVEL[levels[index]]] for subject_id, levels in votes.items()}
        await cast_ballot(
            session, b"test-service-secret-key-0123456789", ballot_id, credentials[index], answers
        )
    await close_ballot(session, ADMIN, ballot_id)
    await session.commit()
    if publish:
        await publish_ballot(session, ADMIN, ballot_id)
        await session.commit()
    return ballot_id


async def test_rates_equal_an_independent_count_and_poor_ratings_are_flagged(
    session: AsyncSession,
) -> None:
    world = await build_world(session)
    agency = await add_subject(
        session, ADMIN, unit_id=world.area_id, kind="agency", name="物业服务中心"
    )
    project = await add_subject(
        session,
        ADMIN,
        unit_id=world.area_id,
        kind="project",
        name="平改坡工程",
        matter_id=world.matter_id,
    )
    await session.commit()
    matter_id = await _evaluation_matter(session, world.area_id)
    votes = {
        agency.id: ["满意", "满意", "基本满意", "不满意", "满意"],
        project.id: ["不满意", "不满意", "基本满意", "满意", "不满意"],
    }
    ballot_id = await _run(session, matter_id, [agency.id, project.id], votes)
    rates = (await yearly_rates(session, [agency, project]))[2026]
    for subject_id, levels in votes.items():
        tally_here = Counter(levels)
        valid = len(levels)
        counts = rates[subject_id]
        assert counts.valid == valid
        assert counts.satisfaction == pytest.approx(
            (tally_here["满意"] + tally_here["基本满意"]) / valid
        )
        assert counts.very_satisfied == pytest.approx(tally_here["满意"] / valid)
        assert counts.dissatisfied == pytest.approx(tally_here["不满意"] / valid)
    # 80% satisfied and 20% 不满意 sit on the thresholds: not flagged; 40% / 60% is.
    assert not rates[agency.id].flagged
    assert rates[project.id].flagged
    # tally's own satisfaction rate agrees with ours
    ballot = await get_ballot(session, ballot_id)
    stored = {q["question"]: q for q in json.loads(ballot.result or "{}")["questions"]}
    assert stored[f"s{project.id}"]["satisfaction_rate"] == pytest.approx(0.4)


async def test_unpublished_results_are_left_out_and_a_year_adds_its_evaluations(
    session: AsyncSession,
) -> None:
    world = await build_world(session)
    agency = await add_subject(session, ADMIN, unit_id=world.area_id, kind="team", name="志愿者队")
    await session.commit()
    matter_id = await _evaluation_matter(session, world.area_id)
    first = await _run(session, matter_id, [agency.id], {agency.id: ["不满意", "不满意", "满意"]})
    second = await _run(
        session, matter_id, [agency.id], {agency.id: ["满意", "满意", "基本满意"]}, publish=False
    )
    assert [e.ballot_id for e in await evaluations(session, [agency.id])] == [first]
    assert (await yearly_rates(session, [agency]))[2026][agency.id].valid == 3
    await publish_ballot(session, ADMIN, second)
    await session.commit()
    year = (await yearly_rates(session, [agency]))[2026][agency.id]
    assert (year.very, year.fair, year.poor, year.valid) == (3, 1, 2, 6)
    found = await latest(session, agency.id)
    assert found is not None and found.ballot_id == second
    assert found.counts.satisfaction == 1.0  # the re-evaluation after the poor first one


async def test_register_edits_deactivates_and_refuses_bad_input(session: AsyncSession) -> None:
    world = await build_world(session)
    staff = await add_subject(
        session,
        ADMIN,
        unit_id=world.area_id,
        kind="staff",
        name="居委会王主任",
        description="分管物业",
    )
    await session.commit()
    with pytest.raises(InvalidInput):
        await add_subject(session, ADMIN, unit_id=world.area_id, kind="gang", name="某")
    with pytest.raises(InvalidInput):
        await add_subject(session, ADMIN, unit_id=world.area_id, kind="staff", name="  ")
    with pytest.raises(NotFound):
        await add_subject(
            session, ADMIN, unit_id=world.area_id, kind="agency", name="某", organisation_id=999
        )
    await update_subject(
        session,
        ADMIN,
        staff.id,
        kind="staff",
        name="王主任",
        description="",
        organisation_id=None,
        matter_id=world.matter_id,
        active=False,
    )
    await session.commit()
    area = await get_unit(session, world.area_id)
    assert [(s.name, s.active) for s in await subjects_of(session, area)] == [("王主任", False)]
    matter_id = await _evaluation_matter(session, world.area_id)
    with pytest.raises(NotFound):  # a deactivated subject is not offered for new evaluations
        await create_evaluation_ballot(
            session, ADMIN, matter_id=matter_id, subject_ids=[staff.id], title="评议"
        )
    with pytest.raises(InvalidInput):  # only evaluation matters
        await create_evaluation_ballot(
            session, ADMIN, matter_id=world.matter_id, subject_ids=[staff.id], title="评议"
        )
    actions = list(await session.scalars(select(AuditEntry.action)))
    assert "evaluation_subject.add" in actions and "evaluation_subject.update" in actions


async def test_rectification_moves_and_other_units_are_refused(session: AsyncSession) -> None:
    world = await build_world(session)
    agency = await add_subject(
        session, ADMIN, unit_id=world.area_id, kind="agency", name="物业服务中心"
    )
    await session.commit()
    item = await add_rectification(
        session,
        ADMIN,
        subject_id=agency.id,
        title="电梯维修及时率",
        owner="物业经理",
        due_on=date(2026, 1, 31),
    )
    await session.commit()
    assert is_overdue(item, date(2026, 2, 1)) and not is_overdue(item, date(2026, 1, 31))
    await move_rectification(session, ADMIN, item.id, "in_progress")
    with pytest.raises(InvalidInput):
        await move_rectification(session, ADMIN, item.id, "in_progress")
    with pytest.raises(InvalidInput):
        await move_rectification(session, ADMIN, item.id, "finished")
    await move_rectification(session, ADMIN, item.id, "done")
    await session.commit()
    [done] = await rectifications_of(session, agency.id)
    assert done.status == "done" and done.done_at is not None and not is_overdue(done)
    with pytest.raises(InvalidInput):
        await add_rectification(
            session, ADMIN, subject_id=agency.id, title="x", owner=" ", due_on=None
        )
    sinan = await get_unit(session, world.other_area_id)
    stranger = Actor(name="思南主任", role="area_chair", unit_path=sinan.path)
    with pytest.raises(OutsideUnit):
        await add_rectification(
            session, stranger, subject_id=agency.id, title="x", owner="y", due_on=None
        )
    with pytest.raises(OutsideUnit):
        await move_rectification(session, stranger, item.id, "open")
    with pytest.raises(OutsideUnit):
        await add_subject(session, stranger, unit_id=world.area_id, kind="team", name="x")
    other_matter = await _evaluation_matter(session, world.other_area_id)
    with pytest.raises(NotFound):  # 茂名's subject is not offered to 思南's evaluation
        await create_evaluation_ballot(
            session, ADMIN, matter_id=other_matter, subject_ids=[agency.id], title="评议"
        )
    actions = list(await session.scalars(select(AuditEntry.action)))
    assert actions.count("action.status") == 2 and "action.create" in actions


async def test_a_project_subjects_rectification_is_on_the_projects_timeline(
    session: AsyncSession,
) -> None:
    """A rectification of a subject standing for a practical project's matter is noted on that
    matter's timeline (set and moved), so the project's record shows it; a subject without a
    matter notes nothing anywhere."""
    world = await build_world(session)
    project = await create_matter(
        session, ADMIN, unit_id=world.area_id, kind="practical", title="外墙修缮工程"
    )
    subject = await add_subject(
        session, ADMIN, unit_id=world.area_id, kind="project", name="外墙修缮", matter_id=project.id
    )
    loose = await add_subject(session, ADMIN, unit_id=world.area_id, kind="team", name="志愿者队")
    await session.commit()
    item = await add_rectification(
        session, ADMIN, subject_id=subject.id, title="重做防水", owner="施工单位", due_on=None
    )
    await move_rectification(session, ADMIN, item.id, "done")
    await add_rectification(
        session, ADMIN, subject_id=loose.id, title="排班公开", owner="队长", due_on=None
    )
    await session.commit()
    noted = [
        (event.kind, (event.payload or {}).get("title"))
        for event in await timeline(session, project.id)
        if event.kind.startswith("action.")
    ]
    assert noted == [("action.created", "重做防水"), ("action.status", "重做防水")]
    everywhere = await session.scalars(
        select(MatterEvent.kind).where(MatterEvent.kind.like("action.%"))
    )
    assert len(everywhere.all()) == 2


async def test_linking_an_existing_rating_question(session: AsyncSession) -> None:
    world = await build_world(session)
    agency = await add_subject(session, ADMIN, unit_id=world.street_id, kind="agency", name="物业")
    other = await add_subject(session, ADMIN, unit_id=world.area_id, kind="team", name="保洁队")
    await session.commit()
    matter_id = await _evaluation_matter(session, world.area_id)
    ballot = await create_evaluation_ballot(
        session, ADMIN, matter_id=matter_id, subject_ids=[other.id], title="评议", year=2025
    )
    await session.commit()
    with pytest.raises(InvalidInput):  # the question already rates 保洁队
        await link_rating(
            session,
            ADMIN,
            ballot_id=ballot.id,
            question_id=f"s{other.id}",
            subject_id=agency.id,
            year=2025,
        )
    with pytest.raises(InvalidInput):
        await link_rating(
            session,
            ADMIN,
            ballot_id=ballot.id,
            question_id="nope",
            subject_id=agency.id,
            year=2025,
        )
    ratings = list(await session.scalars(select(SubjectRating)))
    assert [(r.subject_id, r.year) for r in ratings] == [(other.id, 2025)]
