"""A ballot's life: only the allowed moves, each recorded; frozen questions and electorate;
closing counts the votes and records the result."""

from __future__ import annotations

import json

import msgspec
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

import tally
from ballots.casting import cast_ballot
from ballots.eligibility import Eligibility
from ballots.errors import (
    BallotNotDraft,
    BallotNotOpen,
    EmptyElectorate,
    InvalidReason,
    InvalidSpec,
    TransitionNotAllowed,
)
from ballots.invitations import issue_invitations
from ballots.lifecycle import (
    cancel_ballot,
    close_ballot,
    get_ballot,
    move_ballot,
    open_ballot,
    publish_ballot,
    update_ballot,
)
from ballots.matters import timeline
from ballots.models import AuditEntry, Elector
from tests.ballots.factories import (
    ADMIN,
    BASE_URL,
    KEY,
    MAOMING_ROSTER,
    World,
    build_world,
    draft,
    import_roster,
    issue,
    new_ballot,
    open_with_credentials,
    refresh_ids,
    single,
)


async def ballot_events(session: AsyncSession, world: World, ballot_id: int) -> list[str]:
    return [e.kind for e in await timeline(session, world.matter_id) if e.ballot_id == ballot_id]


async def audit_actions(session: AsyncSession, ballot_id: int) -> list[str]:
    rows = await session.scalars(
        select(AuditEntry.action)
        .where(AuditEntry.target == f"ballot:{ballot_id}")
        .order_by(AuditEntry.id)
    )
    return list(rows.all())


async def test_draft_open_closed_published_each_recorded(session: AsyncSession) -> None:
    world = await build_world(session)
    ballot_id = await new_ballot(session, world)
    assert (await get_ballot(session, ballot_id)).state == "draft"
    for move, state in (
        (open_ballot, "open"),
        (close_ballot, "closed"),
        (publish_ballot, "published"),
    ):
        ballot = await move(session, ADMIN, ballot_id)
        await session.commit()
        assert ballot.state == state
    ballot = await get_ballot(session, ballot_id)
    assert ballot.opened_at and ballot.closed_at and ballot.published_at
    assert await ballot_events(session, world, ballot_id) == [
        "ballot_created",
        "ballot_opened",
        "ballot_closed",
        "ballot_result",
        "ballot_published",
    ]
    assert await audit_actions(session, ballot_id) == [
        "ballot.create",
        "ballot.open",
        "ballot.close",
        "ballot.publish",
    ]


@pytest.mark.parametrize("open_first", [False, True], ids=["from-draft", "from-open"])
async def test_draft_or_open_ballot_can_be_cancelled(
    session: AsyncSession, open_first: bool
) -> None:
    world = await build_world(session)
    ballot_id = await new_ballot(session, world)
    if open_first:
        await open_ballot(session, ADMIN, ballot_id)
    await cancel_ballot(session, ADMIN, ballot_id, reason="方案撤回")
    await session.commit()
    assert (await get_ballot(session, ballot_id)).state == "cancelled"
    events = [e for e in await timeline(session, world.matter_id) if e.ballot_id == ballot_id]
    assert events[-1].kind == "ballot_cancelled" and events[-1].payload["reason"] == "方案撤回"
    assert (await audit_actions(session, ballot_id))[-1] == "ballot.cancel"


@pytest.mark.parametrize(
    "reason",
    [None, "", "   \n", "x" * 501, "a\x00b"],
    ids=["none", "empty", "blank", "long", "nul"],
)
async def test_cancelling_without_a_valid_reason_is_refused_and_changes_nothing(
    session: AsyncSession, reason: str | None
) -> None:
    world = await build_world(session)
    ballot_id = await new_ballot(session, world)
    await open_ballot(session, ADMIN, ballot_id)
    await session.commit()
    before = (await get_ballot(session, ballot_id)).log_size
    with pytest.raises(InvalidReason) as caught:
        await move_ballot(session, ADMIN, ballot_id, "cancel", reason=reason)
    assert caught.value.status == 422 and caught.value.type == "invalid-reason"
    await session.rollback()
    ballot = await get_ballot(session, ballot_id)
    assert (ballot.state, ballot.log_size) == ("open", before)
    assert await ballot_events(session, world, ballot_id) == ["ballot_created", "ballot_opened"]
    assert await audit_actions(session, ballot_id) == ["ballot.create", "ballot.open"]


async def test_publishing_a_draft_is_refused(session: AsyncSession) -> None:
    world = await build_world(session)
    ballot_id = await new_ballot(session, world)
    with pytest.raises(TransitionNotAllowed) as caught:
        await publish_ballot(session, ADMIN, ballot_id)
    assert caught.value.params == {"state": "draft", "action": "published"}
    with pytest.raises(TransitionNotAllowed):
        await close_ballot(session, ADMIN, ballot_id)
    await session.rollback()
    assert (await get_ballot(session, ballot_id)).state == "draft"
    assert await ballot_events(session, world, ballot_id) == ["ballot_created"]


async def test_a_closed_ballot_cannot_reopen_or_be_cancelled(session: AsyncSession) -> None:
    world = await build_world(session)
    ballot_id = await new_ballot(session, world)
    await open_ballot(session, ADMIN, ballot_id)
    await close_ballot(session, ADMIN, ballot_id)
    await session.commit()
    with pytest.raises(TransitionNotAllowed):
        await open_ballot(session, ADMIN, ballot_id)
    with pytest.raises(TransitionNotAllowed):
        await cancel_ballot(session, ADMIN, ballot_id, reason="重新听证")
    await session.rollback()
    await publish_ballot(session, ADMIN, ballot_id)
    await session.commit()
    for move in (open_ballot, close_ballot, publish_ballot):
        with pytest.raises(TransitionNotAllowed):
            await move(session, ADMIN, ballot_id)
        await session.rollback()
    with pytest.raises(TransitionNotAllowed):
        await cancel_ballot(session, ADMIN, ballot_id, reason="重新听证")
    await session.rollback()
    assert (await get_ballot(session, ballot_id)).state == "published"


async def test_a_cancelled_ballot_cannot_open(session: AsyncSession) -> None:
    world = await build_world(session)
    ballot_id = await new_ballot(session, world)
    await cancel_ballot(session, ADMIN, ballot_id, reason="重新听证")
    await session.commit()
    assert (await get_ballot(session, ballot_id)).log_size == 0  # a draft gets no board
    with pytest.raises(TransitionNotAllowed):
        await open_ballot(session, ADMIN, ballot_id)


async def test_questions_can_change_in_draft_but_not_once_open(session: AsyncSession) -> None:
    world = await build_world(session)
    ballot_id = await new_ballot(session, world)
    await update_ballot(session, ADMIN, ballot_id, draft(single("q1", ("x", "y")), title="改"))
    await session.commit()
    ballot = await get_ballot(session, ballot_id)
    assert ballot.title == "改"
    assert [o["id"] for o in json.loads(ballot.spec)["questions"][0]["options"]] == ["x", "y"]
    await open_ballot(session, ADMIN, ballot_id)
    await session.commit()
    with pytest.raises(BallotNotDraft):
        await update_ballot(session, ADMIN, ballot_id, draft(single("q1", ("p", "q"))))
    await session.rollback()
    ballot = await get_ballot(session, ballot_id)
    assert [o["id"] for o in json.loads(ballot.spec)["questions"][0]["options"]] == ["x", "y"]


def question(**fields: object) -> tally.Question:
    return msgspec.convert({"id": "q1", "prompt": "问题", **fields}, tally.Question)


@pytest.mark.parametrize(
    ("bad", "field"),
    [
        (
            question(kind="single", options=[{"id": "a", "label": "A"}, {"id": "a", "label": "B"}]),
            "questions[0].options",
        ),
        (
            question(
                kind="budget",
                options=[
                    {"id": "a", "label": "A", "cost": 5},
                    {"id": "b", "label": "B", "cost": 7},
                ],
            ),
            "questions[0].budget_limit",
        ),
        (
            question(
                kind="rating",
                options=[{"id": "good", "label": "满意"}, {"id": "bad", "label": "不满意"}],
            ),
            "questions[0].options[0].score",
        ),
    ],
    ids=["duplicate-option-ids", "budget-without-limit", "rating-without-scores"],
)
async def test_invalid_specs_are_refused_naming_the_field(
    session: AsyncSession, bad: tally.Question, field: str
) -> None:
    world = await build_world(session)
    with pytest.raises(InvalidSpec) as caught:
        await new_ballot(session, world, draft(bad))
    assert caught.value.params["field"] == field
    assert caught.value.detail.startswith(field + ":")
    ballot_id = await new_ballot(session, world)
    with pytest.raises(InvalidSpec):
        await update_ballot(session, ADMIN, ballot_id, draft(bad))


async def test_opening_with_nobody_eligible_is_refused(session: AsyncSession) -> None:
    world = await build_world(session)
    ballot_id = await new_ballot(session, world, draft(eligibility=Eligibility(buildings=["99"])))
    with pytest.raises(EmptyElectorate):
        await open_ballot(session, ADMIN, ballot_id)
    await session.rollback()
    assert (await get_ballot(session, ballot_id)).state == "draft"


async def test_opening_records_electorate_size_and_area(session: AsyncSession) -> None:
    world = await build_world(session)
    ballot_id = await new_ballot(session, world, draft(voting_unit="household"))
    await open_ballot(session, ADMIN, ballot_id)
    await session.commit()
    ballot = await get_ballot(session, ballot_id)
    assert ballot.electorate_size == 3
    assert ballot.electorate_area == pytest.approx(85.5 + 60 + 62)
    opened = [e for e in await timeline(session, world.matter_id) if e.kind == "ballot_opened"]
    assert opened[0].payload["electorate_size"] == 3


async def test_resident_added_after_opening_cannot_vote(session: AsyncSession) -> None:
    world = await build_world(session)
    ballot_id, credentials = await open_with_credentials(session, world)
    assert len(credentials) == 6
    await import_roster(
        session, world.area_id, MAOMING_ROSTER + "M07,周新,5,302,5-302,业主,1980,50,\n"
    )
    await refresh_ids(session, world)
    assert await issue(session, ballot_id) == {}  # nothing new to issue: the electorate is frozen
    electors = await session.scalars(
        select(Elector.resident_id).where(Elector.ballot_id == ballot_id)
    )
    assert world.rid("M07") not in set(electors.all())
    assert (await get_ballot(session, ballot_id)).electorate_size == 6


async def test_resident_whose_role_changes_after_opening_still_votes(session: AsyncSession) -> None:
    world = await build_world(session)
    tenants_only = draft(eligibility=Eligibility(roles=["tenant"]))
    ballot_id, credentials = await open_with_credentials(session, world, tenants_only)
    assert set(credentials) == {world.rid("M04")}
    changed = MAOMING_ROSTER.replace("M04,王海燕,3,202,3-202,租户", "M04,王海燕,3,202,3-202,业主")
    await import_roster(session, world.area_id, changed)
    receipt = await cast_ballot(
        session, KEY, ballot_id, credentials[world.rid("M04")], {"q1": ["a"]}
    )
    assert receipt.ballot_id == ballot_id


async def test_close_stores_a_result_matching_the_votes(session: AsyncSession) -> None:
    world = await build_world(session)
    ballot_id, credentials = await open_with_credentials(session, world)
    choices = ["a", "a", "b", "a", "c"]  # five of the six vote
    for credential, choice in zip(credentials.values(), choices, strict=False):
        await cast_ballot(session, KEY, ballot_id, credential, {"q1": [choice]})
    await close_ballot(session, ADMIN, ballot_id)
    await session.commit()
    ballot = await get_ballot(session, ballot_id)
    assert ballot.result is not None
    result = json.loads(ballot.result)
    assert result["ballots"] == 5
    assert result["electorate"]["size"] == 6
    (q1,) = result["questions"]
    assert {o["id"]: o["ballots"] for o in q1["options"]} == {"a": 3, "b": 1, "c": 1}
    assert q1["winners"] == ["a"]
    events = [e for e in await timeline(session, world.matter_id) if e.ballot_id == ballot_id]
    closed = next(e for e in events if e.kind == "ballot_closed")
    assert closed.payload["ballots_counted"] == 5
    result_event = next(e for e in events if e.kind == "ballot_result")
    assert result_event.payload["summary"][0]["question"] == "q1"
    assert result_event.payload["summary"][0]["winners"] == ["a"]


async def test_a_closed_ballot_gets_no_new_invitations(session: AsyncSession) -> None:
    world = await build_world(session)
    ballot_id = await new_ballot(session, world)
    await open_ballot(session, ADMIN, ballot_id)
    await close_ballot(session, ADMIN, ballot_id)
    await session.commit()
    with pytest.raises(TransitionNotAllowed):
        await issue_invitations(session, ADMIN, KEY, BASE_URL, ballot_id)


async def test_votes_of_a_cancelled_ballot_are_refused(session: AsyncSession) -> None:
    world = await build_world(session)
    ballot_id, credentials = await open_with_credentials(session, world)
    await cancel_ballot(session, ADMIN, ballot_id, reason="重新听证")
    await session.commit()
    with pytest.raises(BallotNotOpen):
        await cast_ballot(session, KEY, ballot_id, next(iter(credentials.values())), {"q1": ["a"]})
