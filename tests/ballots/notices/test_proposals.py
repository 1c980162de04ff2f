"""The 急难愁 collection: proposals merged, costed in 万元, shortlisted and turned into one draft
budget ballot whose options and costs are the shortlist's; refusals change nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import msgspec
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ballots.lifecycle import ballot_spec
from ballots.models import AuditEntry, Ballot, MatterEvent
from ballots.notices import opinions, proposals
from ballots.notices.notices import create_notice, publish_notice
from ballots.notices.opinions import BadChairInput
from ballots.notices.proposals import NothingShortlisted, ShortlistWithoutCost, parse_wan
from tests.ballots.factories import ADMIN, KEY, build_world

START = datetime(2026, 12, 1, 0, 0, tzinfo=UTC)
DURING = START + timedelta(days=1)


async def collection(session: AsyncSession) -> tuple[int, list[int]]:
    world = await build_world(session)
    notice = await create_notice(
        session,
        ADMIN,
        matter_id=world.matter_id,
        title="2027年实事项目征集",
        starts_at=START,
        ends_at=START + timedelta(days=30),
        collects="proposals",
        anonymous=True,
    )
    await publish_notice(session, ADMIN, notice.id, now=START)
    ids = []
    for title, text in (
        ("加装楼道照明", "3号楼楼道太暗，老人晚上看不清台阶"),
        ("楼道灯", "楼道灯坏了很久"),
        ("非机动车棚", "电瓶车乱停，需要车棚和充电桩"),
        ("健身点翻新", "健身器材生锈"),
    ):
        proposal = await opinions.submit(
            session, KEY, notice.id, title=title, text=text, now=DURING
        )
        assert proposal.kind == "proposal"
        ids.append(proposal.id)
    await session.commit()
    return notice.id, ids


async def ballots(session: AsyncSession) -> int:
    return (await session.scalar(select(func.count(Ballot.id)))) or 0


def test_amounts_in_wan_become_yuan() -> None:
    assert parse_wan("8") == 80_000
    assert parse_wan(" 9.5 万元") == 95_000
    assert parse_wan("0.35") == 3_500
    assert parse_wan("1,2") == 120_000
    for bad in ("", "abc", "-1", "0", "0.00001", "nan", "inf", "1e9"):
        with pytest.raises(BadChairInput):
            parse_wan(bad)


async def test_a_proposal_needs_a_title(session: AsyncSession) -> None:
    notice_id, _ = await collection(session)
    with pytest.raises(opinions.BadOpinion):
        await opinions.submit(session, KEY, notice_id, title=" ", text="内容", now=DURING)


async def test_merge_cost_shortlist_and_generate_the_budget_ballot(
    session: AsyncSession,
) -> None:
    notice_id, (light, lamp, sheds, gym) = await collection(session)
    await proposals.merge(session, ADMIN, lamp, light)
    await session.commit()
    listed = {o.number: o for o in await opinions.opinions_of(session, notice_id)}
    assert listed[2].merged_into == 1
    with pytest.raises(BadChairInput):
        await proposals.shortlist(session, ADMIN, lamp, True)
    with pytest.raises(BadChairInput):
        await proposals.merge(session, ADMIN, light, lamp)  # into a merged one
    with pytest.raises(BadChairInput):
        await proposals.merge(session, ADMIN, gym, gym)
    # Nothing shortlisted yet: refused, nothing made.
    with pytest.raises(NothingShortlisted):
        await proposals.generate_budget_ballot(session, ADMIN, notice_id, budget_limit=90_000)
    await proposals.shortlist(session, ADMIN, light, True)
    await proposals.shortlist(session, ADMIN, sheds, True)
    await proposals.set_cost(session, ADMIN, light, parse_wan("2.5"))
    await session.commit()
    with pytest.raises(ShortlistWithoutCost) as refused:
        await proposals.generate_budget_ballot(session, ADMIN, notice_id, budget_limit=90_000)
    assert refused.value.params == {"number": 3}
    assert await ballots(session) == 0
    await proposals.set_cost(session, ADMIN, sheds, parse_wan("6"))
    await proposals.set_cost(session, ADMIN, gym, parse_wan("1.2"))  # costed, not shortlisted
    await session.commit()
    ballot = await proposals.generate_budget_ballot(
        session, ADMIN, notice_id, budget_limit=parse_wan("8")
    )
    await session.commit()
    assert ballot.state == "draft"
    spec = ballot_spec(ballot)
    (question,) = spec.questions
    assert question.kind == "budget" and question.budget_limit == 80_000
    assert [(o.id, o.label, o.cost) for o in question.options] == [
        ("p1", "加装楼道照明", 25_000),
        ("p3", "非机动车棚", 60_000),
    ]
    assert ballot.eligibility == msgspec.to_builtins({"min_age": 18})
    kinds = set(await session.scalars(select(MatterEvent.kind)))
    assert "proposals.ballot" in kinds
    actions = set(await session.scalars(select(AuditEntry.action)))
    assert {
        "proposal.merge",
        "proposal.cost",
        "proposal.shortlist",
        "proposal.generate_ballot",
    } <= actions


async def test_opinions_cannot_be_costed_and_limits_are_checked(session: AsyncSession) -> None:
    notice_id, (light, *_rest) = await collection(session)
    with pytest.raises(BadChairInput):
        await proposals.set_cost(session, ADMIN, light, 0)
    with pytest.raises(BadChairInput):
        await proposals.generate_budget_ballot(session, ADMIN, notice_id, budget_limit=0)
