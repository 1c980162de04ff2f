"""Second rounds and the publishing safeguard: a result without a majority drafts a runoff between
the options tally named, for the same frozen electorate; publishing a result with warnings needs
the chair's confirmation. On SQLite and PostgreSQL."""

from __future__ import annotations

import msgspec
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

import tally
from ballots.access import Actor
from ballots.casting import cast_ballot
from ballots.errors import RoleNotAllowed
from ballots.lifecycle import close_ballot, get_ballot, move_ballot, open_ballot
from ballots.models import Elector
from ballots.runoff import NoRunoff, create_runoff
from ballots.warnings import PublishNeedsConfirmation, publish_warnings
from tests.ballots.factories import (
    ADMIN,
    HEADER,
    KEY,
    World,
    build_world,
    draft,
    import_roster,
    issue,
    open_with_credentials,
)

MAJORITY = tally.Validity(majority="valid")
OBSERVER = Actor(name="observer", role="observer", unit_path="/")


def with_validity(validity: tally.Validity) -> object:
    return msgspec.structs.replace(draft(), validity=validity)


async def counted(
    session: AsyncSession, world: World, choices: list[str], validity: tally.Validity
) -> int:
    ballot_id, credentials = await open_with_credentials(session, world, with_validity(validity))  # type: ignore[arg-type]
    for credential, choice in zip(credentials.values(), choices, strict=False):
        await cast_ballot(session, KEY, ballot_id, credential, {"q1": [choice]})
    await close_ballot(session, ADMIN, ballot_id)
    await session.commit()
    return ballot_id


async def electorate(session: AsyncSession, ballot_id: int) -> set[tuple[int, str]]:
    rows = await session.execute(
        select(Elector.resident_id, Elector.count_key).where(Elector.ballot_id == ballot_id)
    )
    return {(resident, key) for resident, key in rows}


async def test_no_majority_drafts_a_runoff_for_the_same_frozen_electorate(
    session: AsyncSession,
) -> None:
    world = await build_world(session)
    first = await counted(session, world, ["a", "a", "b", "b", "c"], MAJORITY)
    result = msgspec.json.decode(
        (await get_ballot(session, first)).result or "", type=tally.BallotResult
    )
    assert result.questions[0].outcome == "runoff"
    assert sorted(result.questions[0].runoff) == ["a", "b"]

    # Someone moves in after the first round: the second round's electorate stays the first's.
    await import_roster(session, world.area_id, HEADER + "M07,孙新,5,302,5-302,业主,1980,50,\n")
    second = await create_runoff(session, ADMIN, first)
    await session.commit()
    assert second.state == "draft"
    assert second.title.endswith("（第二轮）")
    spec = msgspec.json.decode(second.spec)
    assert [o["id"] for o in spec["questions"][0]["options"]] == ["a", "b"]
    assert "majority" not in (spec.get("validity") or {})
    await open_ballot(session, ADMIN, second.id)
    await session.commit()
    assert await electorate(session, second.id) == await electorate(session, first)
    assert (await get_ballot(session, second.id)).electorate_size == 6
    # Its codes work like any ballot's.
    credentials = await issue(session, second.id)
    assert len(credentials) == 6


async def test_a_decided_ballot_has_no_runoff(session: AsyncSession) -> None:
    world = await build_world(session)
    ballot_id = await counted(session, world, ["a", "a", "a", "b"], MAJORITY)
    with pytest.raises(NoRunoff):
        await create_runoff(session, ADMIN, ballot_id)


async def test_only_a_ballot_manager_drafts_a_runoff(session: AsyncSession) -> None:
    world = await build_world(session)
    ballot_id = await counted(session, world, ["a", "b"], MAJORITY)
    with pytest.raises(RoleNotAllowed):
        await create_runoff(session, OBSERVER, ballot_id)


async def test_publishing_a_result_with_warnings_needs_confirmation(session: AsyncSession) -> None:
    world = await build_world(session)
    ballot_id = await counted(
        session, world, ["a"], tally.Validity(quorum="simple", majority="valid")
    )
    warnings = publish_warnings(await get_ballot(session, ballot_id))
    assert "no-quorum" in {w["code"] for w in warnings}
    with pytest.raises(PublishNeedsConfirmation) as refused:
        await move_ballot(session, ADMIN, ballot_id, "publish")
    assert refused.value.status == 409
    assert {w["code"] for w in refused.value.errors} >= {"no-quorum"}
    await session.rollback()
    assert (await get_ballot(session, ballot_id)).state == "closed"
    published = await move_ballot(session, ADMIN, ballot_id, "publish", confirmed=True)
    await session.commit()
    assert published.state == "published"


async def test_a_clean_result_publishes_without_confirmation(session: AsyncSession) -> None:
    world = await build_world(session)
    ballot_id = await counted(session, world, ["a"] * 6, tally.Validity(quorum="simple"))
    assert publish_warnings(await get_ballot(session, ballot_id)) == []
    published = await move_ballot(session, ADMIN, ballot_id, "publish")
    assert published.state == "published"


async def test_no_runoff_is_drafted_before_the_paper_ballots_are_counted(
    session: AsyncSession,
) -> None:
    """With a paper ballot handed out, the stored result counts phone votes only: a second
    round drafted from it could be wrong, so it waits (PaperNotReady, in words)."""
    from ballots.paper.errors import PaperNotReady
    from ballots.paper.issuing import issue_paper
    from ballots.paper.printing import print_paper

    world = await build_world(session)
    ballot_id, credentials = await open_with_credentials(session, world, with_validity(MAJORITY))  # type: ignore[arg-type]
    voters = list(credentials.items())
    for (_, credential), choice in zip(voters[:4], ["a", "a", "b", "b"], strict=True):
        await cast_ballot(session, KEY, ballot_id, credential, {"q1": [choice]})
    await print_paper(session, ADMIN, ballot_id, 1)
    await issue_paper(session, ADMIN, KEY, ballot_id, serial=1, resident_id=voters[4][0])
    await session.commit()
    await close_ballot(session, ADMIN, ballot_id)
    await session.commit()
    with pytest.raises(PaperNotReady):
        await create_runoff(session, ADMIN, ballot_id)
