"""Casting: only open ballots and current credentials; every answer rule; idempotent retries;
one counted ballot per person or household, also under concurrency; no voter identity stored."""

from __future__ import annotations

import asyncio
import base64
import json
import sqlite3
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager, closing
from datetime import UTC, datetime, timedelta
from pathlib import Path

import msgspec
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import func, inspect, select
from sqlalchemy.ext.asyncio import AsyncSession

import tally
from ballots import board
from ballots.casting import _LOOKUP_MANY, Receipt, cast_ballot, voter_status
from ballots.credentials import new_credential
from ballots.db import create_engine, create_sessionmaker, dispose, is_sqlite
from ballots.eligibility import Eligibility
from ballots.errors import (
    AlreadyVoted,
    BallotNotOpen,
    HouseholdAlreadyVoted,
    InvalidAnswer,
    MistypedCredential,
    NotFound,
    UnknownCredential,
)
from ballots.lifecycle import close_ballot, get_ballot
from ballots.migrate import upgrade
from ballots.models import Cast, Participation
from ballots.signing import signer_from_seed
from tally import board as tally_board
from tally.merkle import verify_inclusion
from tests.ballots.factories import (
    ADMIN,
    HEADER,
    KEY,
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

A, B = {"q1": ["a"]}, {"q1": ["b"]}


async def count_rows(session: AsyncSession, model: type[Cast] | type[Participation]) -> int:
    return (await session.scalar(select(func.count()).select_from(model))) or 0


async def closed_result(session: AsyncSession, ballot_id: int) -> dict[str, object]:
    await close_ballot(session, ADMIN, ballot_id)
    await session.commit()
    ballot = await get_ballot(session, ballot_id)
    assert ballot.result is not None
    result: dict[str, object] = json.loads(ballot.result)
    return result


def option_ballots(result: dict[str, object], question: int = 0) -> dict[str, int]:
    questions = result["questions"]
    assert isinstance(questions, list)
    return {o["id"]: o["ballots"] for o in questions[question]["options"]}


# --- who may cast ----------------------------------------------------------------------------


async def test_an_unopened_ballot_refuses_votes(session: AsyncSession) -> None:
    world = await build_world(session)
    ballot_id = await new_ballot(session, world)
    credentials = await issue(session, ballot_id)  # printed before the meeting
    with pytest.raises(BallotNotOpen) as caught:
        await cast_ballot(session, KEY, ballot_id, credentials[world.rid("M01")], A)
    assert caught.value.params["state"] == "draft"
    assert await count_rows(session, Cast) == 0


async def test_a_closed_ballot_refuses_votes(session: AsyncSession) -> None:
    world = await build_world(session)
    ballot_id, credentials = await open_with_credentials(session, world)
    await close_ballot(session, ADMIN, ballot_id)
    await session.commit()
    with pytest.raises(BallotNotOpen) as caught:
        await cast_ballot(session, KEY, ballot_id, credentials[world.rid("M01")], A)
    assert caught.value.params["state"] == "closed"
    assert await count_rows(session, Cast) == 0


async def test_an_open_ballot_past_its_deadline_refuses_votes(session: AsyncSession) -> None:
    # The scheduler closes it within seconds; until then the deadline residents saw holds.
    world = await build_world(session)
    ballot_id, credentials = await open_with_credentials(session, world)
    await cast_ballot(session, KEY, ballot_id, credentials[world.rid("M01")], A)
    ballot = await get_ballot(session, ballot_id)
    ballot.closes_at = datetime.now(UTC) - timedelta(seconds=1)
    await session.commit()
    with pytest.raises(BallotNotOpen) as caught:
        await cast_ballot(session, KEY, ballot_id, credentials[world.rid("M02")], B)
    assert caught.value.params["state"] == "closed"
    assert await count_rows(session, Cast) == 1
    # A retry of a vote acknowledged before the deadline still gets its receipt.
    again = await cast_ballot(session, KEY, ballot_id, credentials[world.rid("M01")], A)
    assert again.tracker
    ballot = await get_ballot(session, ballot_id)
    ballot.closes_at = datetime.now(UTC) + timedelta(hours=1)
    await session.commit()
    await cast_ballot(session, KEY, ballot_id, credentials[world.rid("M02")], B)
    assert await count_rows(session, Cast) == 2


async def test_unknown_or_malformed_credentials_are_refused(session: AsyncSession) -> None:
    world = await build_world(session)
    ballot_id, _ = await open_with_credentials(session, world)
    with pytest.raises(UnknownCredential):
        await cast_ballot(session, KEY, ballot_id, new_credential(), A)
    typo = new_credential().replace("-", "")
    typo = typo[:4] + str((int(typo[4]) + 1) % 10) + typo[5:]
    for credential in (typo, "12345", ""):
        with pytest.raises(MistypedCredential):
            await cast_ballot(session, KEY, ballot_id, credential, A)
    assert await count_rows(session, Cast) == 0


async def test_a_valid_credential_only_works_on_its_own_ballot(session: AsyncSession) -> None:
    world = await build_world(session)
    first, credentials = await open_with_credentials(session, world)
    second, _ = await open_with_credentials(session, world)
    with pytest.raises(UnknownCredential):
        await cast_ballot(session, KEY, second, credentials[world.rid("M01")], A)
    with pytest.raises(NotFound):
        await cast_ballot(session, KEY, 999_999, credentials[world.rid("M01")], A)
    await cast_ballot(session, KEY, first, credentials[world.rid("M01")], A)


async def test_the_wrong_service_key_finds_no_credential(session: AsyncSession) -> None:
    world = await build_world(session)
    ballot_id, credentials = await open_with_credentials(session, world)
    with pytest.raises(UnknownCredential):
        await cast_ballot(session, b"another key", ballot_id, credentials[world.rid("M01")], A)


async def test_a_credential_typed_with_spaces_or_full_width_digits_works(
    session: AsyncSession,
) -> None:
    world = await build_world(session)
    ballot_id, credentials = await open_with_credentials(session, world)
    typed = credentials[world.rid("M01")].replace("-", " ")
    typed = typed.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    receipt = await cast_ballot(session, KEY, ballot_id, typed, A)
    assert receipt.ballot_id == ballot_id


# --- answer rules ----------------------------------------------------------------------------


def three_questions() -> list[tally.Question]:
    multiple = msgspec.convert(
        {
            "id": "q2",
            "kind": "multiple",
            "prompt": "选两项以内",
            "min_choices": 1,
            "max_choices": 2,
            "options": [{"id": x, "label": x} for x in ("x", "y", "z")],
        },
        tally.Question,
    )
    budget = msgspec.convert(
        {
            "id": "q3",
            "kind": "budget",
            "prompt": "实事项目（预算100万）",
            "budget_limit": 100,
            "options": [
                {"id": "roof", "label": "平改坡", "cost": 60},
                {"id": "fire", "label": "消防设备", "cost": 50},
                {"id": "water", "label": "老虎灶", "cost": 30},
            ],
        },
        tally.Question,
    )
    return [single(), multiple, budget]


GOOD = {"q1": ["a"], "q2": ["x", "y"], "q3": ["roof", "water"]}


@pytest.mark.parametrize(
    ("change", "code", "params"),
    [
        ({"q1": ["d"]}, "unknown-option", {"question": "q1", "option": "d"}),
        ({"q2": ["x", "y", "z"]}, "too-many-choices", {"maximum": 2, "given": 3}),
        ({"q2": []}, "too-few-choices", {"minimum": 1, "given": 0}),
        ({"q1": ["a", "b"]}, "too-many-choices", {"question": "q1", "maximum": 1}),
        ({"q2": ["x", "x"]}, "duplicate-choice", {"question": "q2"}),
        ({"q3": ["roof", "fire"]}, "over-budget", {"total": 110, "limit": 100}),
        ({"q3": None}, "missing-answer", {"question": "q3"}),
        ({"q9": ["a"]}, "unknown-question", {"question": "q9"}),
    ],
)
async def test_each_answer_rule_is_enforced_with_a_code(
    session: AsyncSession, change: dict[str, list[str] | None], code: str, params: dict[str, object]
) -> None:
    world = await build_world(session)
    ballot_id, credentials = await open_with_credentials(session, world, draft(*three_questions()))
    answers = {**GOOD, **change}
    answers = {k: v for k, v in answers.items() if v is not None}
    credential = credentials[world.rid("M01")]
    with pytest.raises(InvalidAnswer) as caught:
        await cast_ballot(session, KEY, ballot_id, credential, answers)  # type: ignore[arg-type]
    assert caught.value.params["code"] == code
    assert params.items() <= caught.value.params.items()
    assert "{" not in caught.value.detail  # the message is filled in
    assert await count_rows(session, Cast) == 0
    # The refused attempt used nothing up: a valid ballot is still accepted.
    await cast_ballot(session, KEY, ballot_id, credential, GOOD)


# --- one counted ballot per person -----------------------------------------------------------


async def test_a_retry_with_the_same_submission_id_returns_the_same_receipt(
    session: AsyncSession,
) -> None:
    world = await build_world(session)
    ballot_id, credentials = await open_with_credentials(session, world)
    credential = credentials[world.rid("M01")]
    first = await cast_ballot(session, KEY, ballot_id, credential, A, submission_id="s-1")
    again = await cast_ballot(session, KEY, ballot_id, credential, A, submission_id="s-1")
    assert again.tracker == first.tracker and again.cast_hour == first.cast_hour
    assert await count_rows(session, Cast) == 1
    assert await count_rows(session, Participation) == 1


async def test_same_answers_without_submission_id_return_the_same_receipt(
    session: AsyncSession,
) -> None:
    world = await build_world(session)
    ballot_id, credentials = await open_with_credentials(session, world)
    credential = credentials[world.rid("M01")]
    first = await cast_ballot(session, KEY, ballot_id, credential, A)
    again = await cast_ballot(session, KEY, ballot_id, credential, {"q1": ["a"]})
    assert again == first
    assert await count_rows(session, Cast) == 1


async def test_a_second_different_vote_is_refused_without_revoting(session: AsyncSession) -> None:
    world = await build_world(session)
    ballot_id, credentials = await open_with_credentials(session, world)
    credential = credentials[world.rid("M01")]
    await cast_ballot(session, KEY, ballot_id, credential, A)
    with pytest.raises(AlreadyVoted):
        await cast_ballot(session, KEY, ballot_id, credential, B)
    with pytest.raises(AlreadyVoted):
        await cast_ballot(session, KEY, ballot_id, credential, A, submission_id="new-phone")
    result = await closed_result(session, ballot_id)
    assert result["ballots"] == 1
    assert option_ballots(result) == {"a": 1, "b": 0, "c": 0}


async def test_with_revoting_the_last_ballot_counts(session: AsyncSession) -> None:
    world = await build_world(session)
    ballot_id, credentials = await open_with_credentials(session, world, draft(revoting=True))
    credential = credentials[world.rid("M01")]
    first = await cast_ballot(session, KEY, ballot_id, credential, A)
    second = await cast_ballot(session, KEY, ballot_id, credential, B)
    assert not first.replaced_earlier and second.replaced_earlier
    assert second.tracker != first.tracker
    assert await count_rows(session, Participation) == 1
    result = await closed_result(session, ballot_id)
    assert result["ballots"] == 1
    assert option_ballots(result) == {"a": 0, "b": 1, "c": 0}


async def test_with_revoting_changing_back_to_the_first_answer_counts(
    session: AsyncSession,
) -> None:
    world = await build_world(session)
    ballot_id, credentials = await open_with_credentials(session, world, draft(revoting=True))
    credential = credentials[world.rid("M01")]
    await cast_ballot(session, KEY, ballot_id, credential, A)
    await cast_ballot(session, KEY, ballot_id, credential, B)
    await cast_ballot(session, KEY, ballot_id, credential, A)  # changed their mind back
    result = await closed_result(session, ballot_id)
    assert result["ballots"] == 1
    assert option_ballots(result) == {"a": 1, "b": 0, "c": 0}


async def test_one_vote_per_household(session: AsyncSession) -> None:
    world = await build_world(session)
    ballot_id, credentials = await open_with_credentials(
        session, world, draft(voting_unit="household", revoting=True)
    )
    await cast_ballot(session, KEY, ballot_id, credentials[world.rid("M01")], A)
    for member in ("M02", "M03"):
        with pytest.raises(HouseholdAlreadyVoted):
            await cast_ballot(session, KEY, ballot_id, credentials[world.rid(member)], B)
    await cast_ballot(session, KEY, ballot_id, credentials[world.rid("M05")], B)
    result = await closed_result(session, ballot_id)
    assert result["ballots"] == 2
    assert option_ballots(result) == {"a": 1, "b": 1, "c": 0}


async def test_voter_status_tells_who_has_voted(session: AsyncSession) -> None:
    world = await build_world(session)
    ballot_id, credentials = await open_with_credentials(
        session, world, draft(voting_unit="household")
    )
    voter, housemate = credentials[world.rid("M05")], credentials[world.rid("M06")]
    before = await voter_status(session, KEY, ballot_id, voter)
    assert (before.ballot_state, before.has_voted, before.household_has_voted) == (
        "open",
        False,
        False,
    )
    await cast_ballot(session, KEY, ballot_id, voter, A)
    mine = await voter_status(session, KEY, ballot_id, voter)
    assert mine.has_voted and not mine.household_has_voted
    theirs = await voter_status(session, KEY, ballot_id, housemate)
    assert not theirs.has_voted and theirs.household_has_voted
    other = await voter_status(session, KEY, ballot_id, credentials[world.rid("M04")])
    assert not other.has_voted and not other.household_has_voted


async def test_casts_hold_no_voter_identity_and_only_the_hour(session: AsyncSession) -> None:
    world = await build_world(session)
    ballot_id, credentials = await open_with_credentials(session, world)
    receipt = await cast_ballot(session, KEY, ballot_id, credentials[world.rid("M01")], A)
    columns = set(inspect(Cast).columns.keys())
    assert columns == {
        "id",
        "ballot_id",
        "tracker",
        "answers",
        "channel",
        "cast_hour",
        "submission_key",
        "leaf_index",
    }
    cast = (await session.scalars(select(Cast))).one()
    assert (cast.cast_hour.minute, cast.cast_hour.second, cast.cast_hour.microsecond) == (0, 0, 0)
    assert receipt.cast_hour == cast.cast_hour and receipt.tracker == cast.tracker
    assert json.loads(cast.answers) == A


# --- concurrency -----------------------------------------------------------------------------

SINAN_BIG = HEADER + "".join(
    ["S01,孙丽,1,101,1-101,业主,1960,70,\n"]
    + [f"H{i},何{i}号,9,901,9-901,业主,1970,90,\n" for i in range(1, 6)]
    + [f"P{i:02d},潘{i}号,8,{800 + i},8-{800 + i},业主,1980,40,\n" for i in range(1, 25)]
)


@asynccontextmanager
async def separate_sessions(db_url: str, count: int) -> AsyncIterator[list[AsyncSession]]:
    """``count`` sessions that do not share a connection, as separate workers would have."""
    engines = [create_engine(db_url) for _ in range(count if is_sqlite(db_url) else 1)]
    makers = [create_sessionmaker(engine) for engine in engines]
    sessions = [makers[i % len(makers)]() for i in range(count)]
    try:
        yield sessions
    finally:
        for each in sessions:
            await each.close()
        for engine in engines:
            await dispose(engine)


async def cast_concurrently(
    db_url: str, ballot_id: int, attempts: Sequence[tuple[str, dict[str, list[str]], str]]
) -> list[Receipt | BaseException]:
    async with separate_sessions(db_url, len(attempts)) as sessions:
        return await asyncio.gather(
            *(
                cast_ballot(s, KEY, ballot_id, credential, answers, submission_id=submission)
                for s, (credential, answers, submission) in zip(sessions, attempts, strict=True)
            ),
            return_exceptions=True,
        )


async def sinan_world(session: AsyncSession) -> World:
    world = await build_world(session)
    await import_roster(session, world.other_area_id, SINAN_BIG)
    await refresh_ids(session, world)
    return world


async def open_sinan(
    session: AsyncSession, world: World, voting_unit: str = "person"
) -> tuple[int, dict[int, str]]:
    rules = Eligibility(units=[world.other_area_id])
    return await open_with_credentials(
        session, world, draft(voting_unit=voting_unit, eligibility=rules)
    )


async def test_twenty_phones_one_credential_one_counted(session: AsyncSession, db_url: str) -> None:
    world = await sinan_world(session)
    ballot_id, credentials = await open_sinan(session, world)
    credential = credentials[world.rid("S01")]
    attempts = [(credential, {"q1": ["abc"[i % 3]]}, f"phone-{i}") for i in range(20)]
    outcomes = await cast_concurrently(db_url, ballot_id, attempts)
    receipts = [o for o in outcomes if isinstance(o, Receipt)]
    errors = [o for o in outcomes if not isinstance(o, Receipt)]
    assert len(receipts) == 1, outcomes
    assert all(isinstance(e, AlreadyVoted) for e in errors), errors
    assert await count_rows(session, Participation) == 1
    assert await count_rows(session, Cast) == 1
    result = await closed_result(session, ballot_id)
    assert result["ballots"] == 1


async def test_twenty_identical_retries_all_get_the_same_receipt(
    session: AsyncSession, db_url: str
) -> None:
    world = await sinan_world(session)
    ballot_id, credentials = await open_sinan(session, world)
    credential = credentials[world.rid("S01")]
    outcomes = await cast_concurrently(db_url, ballot_id, [(credential, A, "same-request")] * 20)
    assert all(isinstance(o, Receipt) for o in outcomes), [type(o) for o in outcomes]
    assert len({o.tracker for o in outcomes if isinstance(o, Receipt)}) == 1
    assert await count_rows(session, Participation) == 1
    assert await count_rows(session, Cast) == 1


async def test_five_household_members_at_once_one_counted(
    session: AsyncSession, db_url: str
) -> None:
    world = await sinan_world(session)
    ballot_id, credentials = await open_sinan(session, world, "household")
    members = [credentials[world.rid(f"H{i}")] for i in range(1, 6)]
    attempts = [(members[i % 5], {"q1": ["abc"[i % 3]]}, f"phone-{i}") for i in range(20)]
    outcomes = await cast_concurrently(db_url, ballot_id, attempts)
    receipts = [o for o in outcomes if isinstance(o, Receipt)]
    errors = [o for o in outcomes if not isinstance(o, Receipt)]
    assert len(receipts) == 1, outcomes
    assert all(isinstance(e, AlreadyVoted | HouseholdAlreadyVoted) for e in errors), errors
    assert any(isinstance(e, HouseholdAlreadyVoted) for e in errors)
    assert await count_rows(session, Participation) == 1
    result = await closed_result(session, ballot_id)
    assert result["ballots"] == 1


async def test_many_voters_at_once_are_all_counted(session: AsyncSession, db_url: str) -> None:
    world = await sinan_world(session)
    ballot_id, credentials = await open_sinan(session, world)
    singles = [credentials[world.rid(f"P{i:02d}")] for i in range(1, 25)]
    attempts = [(c, {"q1": ["abc"[i % 3]]}, "") for i, c in enumerate(singles)]
    outcomes = await cast_concurrently(db_url, ballot_id, attempts)
    assert all(isinstance(o, Receipt) for o in outcomes), outcomes
    assert len({o.tracker for o in outcomes if isinstance(o, Receipt)}) == 24
    result = await closed_result(session, ballot_id)
    assert result["ballots"] == 24
    assert option_ballots(result) == {"a": 8, "b": 8, "c": 8}


# --- revoting races: the board stays verifiable ------------------------------------------------

BOARD_SIGNER = signer_from_seed(bytes(range(32)))


async def verified_board_after_close(session: AsyncSession, ballot_id: int) -> list[str]:
    """Close the ballot, export its board and run the outside verifier; return failed checks."""
    await close_ballot(session, ADMIN, ballot_id, BOARD_SIGNER)
    await session.commit()
    parsed = tally_board.read_board(await board.board_file(session, BOARD_SIGNER, ballot_id))
    report = tally_board.verify_board(parsed, key=BOARD_SIGNER.public_key)
    return [f"{c.name}: {c.detail}" for c in report.checks if c.status == "fail"]


async def open_revoting(
    session: AsyncSession, world: World, voting_unit: str = "person"
) -> tuple[int, dict[int, str]]:
    rules = Eligibility(units=[world.other_area_id])
    return await open_with_credentials(
        session, world, draft(voting_unit=voting_unit, eligibility=rules, revoting=True)
    )


@pytest.mark.parametrize("phones", [2, 50])
async def test_racing_revotes_for_one_voter_leave_a_board_that_verifies(
    session: AsyncSession, db_url: str, phones: int
) -> None:
    world = await sinan_world(session)
    ballot_id, credentials = await open_revoting(session, world)
    credential = credentials[world.rid("S01")]
    await cast_ballot(session, KEY, ballot_id, credential, A)
    attempts = [(credential, {"q1": ["abc"[i % 3]]}, f"phone-{i}") for i in range(phones)]
    outcomes = await cast_concurrently(db_url, ballot_id, attempts)
    assert all(isinstance(o, Receipt) for o in outcomes), outcomes
    assert await count_rows(session, Participation) == 1
    assert await verified_board_after_close(session, ballot_id) == []
    result = await closed_result_of(session, ballot_id)
    assert result["ballots"] == 1


@pytest.mark.parametrize("phones", [2, 50])
async def test_racing_revotes_in_one_household_leave_a_board_that_verifies(
    session: AsyncSession, db_url: str, phones: int
) -> None:
    world = await sinan_world(session)
    ballot_id, credentials = await open_revoting(session, world, "household")
    first = credentials[world.rid("H1")]
    await cast_ballot(session, KEY, ballot_id, first, A)
    members = [credentials[world.rid(f"H{i}")] for i in range(1, 6)]
    attempts = [(members[i % 5], {"q1": ["abc"[i % 3]]}, f"phone-{i}") for i in range(phones)]
    outcomes = await cast_concurrently(db_url, ballot_id, attempts)
    # Only the member who voted may change the household's vote; the others are refused.
    assert all(isinstance(o, Receipt | HouseholdAlreadyVoted) for o in outcomes), outcomes
    assert await count_rows(session, Participation) == 1
    assert await verified_board_after_close(session, ballot_id) == []
    result = await closed_result_of(session, ballot_id)
    assert result["ballots"] == 1


async def closed_result_of(session: AsyncSession, ballot_id: int) -> dict[str, object]:
    ballot = await get_ballot(session, ballot_id)
    assert ballot.result is not None
    result: dict[str, object] = json.loads(ballot.result)
    return result


async def test_receipts_carry_signed_heads_that_include_their_votes(
    session: AsyncSession, db_url: str
) -> None:
    """Many voters at once on one server process: every receipt's head is validly signed, of a
    size that includes the vote, and of the tree the board really holds at that size; on
    both databases, votes committed together share one signature instead of one each."""
    world = await sinan_world(session)
    ballot_id, credentials = await open_sinan(session, world)
    singles = [credentials[world.rid(f"P{i:02d}")] for i in range(1, 25)]
    engine = create_engine(db_url)
    maker = create_sessionmaker(engine)

    async def vote(credential: str) -> Receipt:
        async with maker() as own:
            return await cast_ballot(own, KEY, ballot_id, credential, A, signer=BOARD_SIGNER)

    try:
        receipts = await asyncio.gather(*(vote(credential) for credential in singles))
    finally:
        await dispose(engine)
    checker = Ed25519PublicKey.from_public_bytes(BOARD_SIGNER.public_key)
    for receipt in receipts:
        head = receipt.tree_head
        assert head is not None and receipt.leaf_index is not None
        assert head.tree_size > receipt.leaf_index
        message = tally_board.tree_head_message(
            ballot_id=str(ballot_id),
            tree_size=head.tree_size,
            root_hash=head.root_hash,
            timestamp=head.timestamp,
        )
        checker.verify(base64.b64decode(head.signature), message)  # raises if forged
        proof = await board.inclusion_proof(
            session, BOARD_SIGNER, ballot_id, receipt.tracker, head.tree_size
        )
        assert verify_inclusion(
            receipt.leaf_index,
            head.tree_size,
            bytes.fromhex(proof.leaf_hash or ""),
            [bytes.fromhex(h) for h in proof.hashes],
            bytes.fromhex(head.root_hash),
        )
    signatures = {receipt.tree_head.signature for receipt in receipts if receipt.tree_head}
    assert len(signatures) < len(receipts)


@pytest.mark.parametrize("revoting", [False, True])
async def test_one_server_many_phones_per_unit_at_once(
    session: AsyncSession, db_url: str, revoting: bool
) -> None:
    """On one server process, votes arriving together are decided together (one batch), as if
    one after the other: per person or household exactly one ballot counts, a retry gets its
    first receipt, and the board verifies."""
    world = await sinan_world(session)
    rules = Eligibility(units=[world.other_area_id])
    ballot_id, credentials = await open_with_credentials(
        session, world, draft(voting_unit="household", eligibility=rules, revoting=revoting)
    )
    household = [credentials[world.rid(f"H{i}")] for i in range(1, 6)]
    singles = [credentials[world.rid(f"P{i:02d}")] for i in range(1, 25)]
    attempts = [(household[i % 5], {"q1": ["abc"[i % 3]]}, f"phone-{i}") for i in range(15)]
    attempts += [(c, {"q1": ["abc"[i % 3]]}, "") for i, c in enumerate(singles)]
    attempts += [(singles[0], {"q1": ["a"]}, "")] * 3  # retries of the first single's vote
    engine = create_engine(db_url)
    maker = create_sessionmaker(engine)

    async def vote(credential: str, answers: dict[str, list[str]], submission: str) -> Receipt:
        async with maker() as own:
            return await cast_ballot(
                own, KEY, ballot_id, credential, answers, submission_id=submission
            )

    try:
        outcomes = await asyncio.gather(*(vote(*a) for a in attempts), return_exceptions=True)
    finally:
        await dispose(engine)
    receipts = [o for o in outcomes if isinstance(o, Receipt)]
    refusals = [o for o in outcomes if not isinstance(o, Receipt)]
    assert all(isinstance(r, AlreadyVoted | HouseholdAlreadyVoted) for r in refusals), refusals
    household_receipts = [o for o in outcomes[:15] if isinstance(o, Receipt)]
    voter = {
        a[0] for a, o in zip(attempts[:15], outcomes[:15], strict=True) if isinstance(o, Receipt)
    }
    assert len(voter) == 1  # only one member of the household got through
    if not revoting:
        assert len(household_receipts) == 1
    retried = outcomes[15]
    assert isinstance(retried, Receipt)
    assert all(o == retried for o in outcomes[-3:])
    assert await count_rows(session, Participation) == 1 + 24
    assert len(receipts) == len({r.tracker for r in receipts}) + 3
    assert await verified_board_after_close(session, ballot_id) == []
    result = await closed_result_of(session, ballot_id)
    assert result["ballots"] == 25


def test_a_batch_looks_each_credential_up_by_its_hash(tmp_path: Path) -> None:
    """SQLite plans the batch lookup with the credential index, not a walk of the whole roll
    (without statistics its planner would pick the ballot's index for an IN list)."""
    path = tmp_path / "plan.sqlite3"
    upgrade(f"sqlite+aiosqlite:///{path}")
    sql = _LOOKUP_MANY.sql.replace("__[POSTCOMPILE_hashes]", "?, ?, ?")
    with closing(sqlite3.connect(path)) as database:
        plan = [
            row[3] for row in database.execute(f"EXPLAIN QUERY PLAN {sql}", [b"a", b"b", b"c", 1])
        ]
    electors = [step for step in plan if " electors " in f" {step} "]
    assert electors and "(credential_hash=?)" in electors[0], plan
