"""Opinions on a hearing's notice: taken only while it is up, identified by an invitation's
voting code of a resident of the area (or anonymously where allowed), names public only when
chosen; chairs group, reply, decide adoption and hide, all audited."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ballots.access import Actor
from ballots.errors import MistypedCredential, OutsideUnit, UnknownCredential
from ballots.matters import create_matter
from ballots.models import AuditEntry, Opinion
from ballots.notices import opinions
from ballots.notices.notices import create_notice, publish_notice
from ballots.notices.opinions import (
    BadChairInput,
    BadOpinion,
    CodeRequired,
    NotCollecting,
    NoticeNotUp,
    NotOnNoticeRoll,
    ResidentLimitReached,
)
from ballots.units import get_unit
from tests.ballots.factories import ADMIN, KEY, World, build_world, open_with_credentials

START = datetime(2026, 12, 1, 0, 0, tzinfo=UTC)
END = START + timedelta(days=7)
DURING = START + timedelta(days=1)


async def hearing(
    session: AsyncSession,
    world: World,
    *,
    collects: str = "opinions",
    anonymous: bool = False,
    publish: bool = True,
) -> int:
    notice = await create_notice(
        session,
        ADMIN,
        matter_id=world.matter_id,
        title="加装电梯方案听证公示",
        starts_at=START,
        ends_at=END,
        collects=collects,
        anonymous=anonymous,
    )
    if publish:
        await publish_notice(session, ADMIN, notice.id, now=START)
    await session.commit()
    return notice.id


async def count(session: AsyncSession) -> int:
    return (await session.scalar(select(func.count(Opinion.id)))) or 0


async def test_an_opinion_is_taken_only_while_the_notice_is_up(session: AsyncSession) -> None:
    world = await build_world(session)
    _, codes = await open_with_credentials(session, world)
    code = codes[world.rid("M04")]
    notice_id = await hearing(session, world)
    for moment in (START - timedelta(seconds=1), END, END + timedelta(days=30)):
        with pytest.raises(NoticeNotUp):
            await opinions.submit(
                session, KEY, notice_id, text="电梯井占了绿地", credential=code, now=moment
            )
        await session.rollback()
    assert await count(session) == 0
    opinion = await opinions.submit(
        session, KEY, notice_id, text="电梯井占了绿地", credential=code, now=DURING
    )
    await session.commit()
    assert opinion.resident_id == world.rid("M04") and opinion.kind == "opinion"
    assert not opinion.show_name


async def test_a_draft_or_reading_only_notice_takes_nothing(session: AsyncSession) -> None:
    world = await build_world(session)
    draft_id = await hearing(session, world, anonymous=True, publish=False)
    with pytest.raises(NoticeNotUp):
        await opinions.submit(session, KEY, draft_id, text="意见", now=DURING)
    reading = await hearing(session, world, collects="none", anonymous=True)
    with pytest.raises(NotCollecting):
        await opinions.submit(session, KEY, reading, text="意见", now=DURING)
    assert await count(session) == 0


async def test_anonymous_only_where_the_chair_allows_it(session: AsyncSession) -> None:
    world = await build_world(session)
    named_only = await hearing(session, world)
    with pytest.raises(CodeRequired):
        await opinions.submit(session, KEY, named_only, text="意见", now=DURING)
    open_to_all = await hearing(session, world, anonymous=True)
    opinion = await opinions.submit(
        session, KEY, open_to_all, text="意见", show_name=True, now=DURING
    )
    await session.commit()
    assert opinion.resident_id is None and not opinion.show_name


async def test_codes_identify_residents_of_the_area_only(session: AsyncSession) -> None:
    world = await build_world(session)
    await open_with_credentials(session, world)
    notice_id = await hearing(session, world, anonymous=True)
    with pytest.raises(MistypedCredential):
        await opinions.submit(session, KEY, notice_id, text="意见", credential="123", now=DURING)
    with pytest.raises(UnknownCredential):
        await opinions.submit(session, KEY, notice_id, text="意见", credential="0" * 25, now=DURING)
    # 孙丽 of 思南居民区 holds a code for her own area's ballot, not for 茂名's hearing.
    elsewhere = await create_matter(
        session, ADMIN, unit_id=world.other_area_id, kind="practical", title="思南实事"
    )
    await session.commit()
    other = World(
        district_id=world.district_id,
        street_id=world.street_id,
        area_id=world.other_area_id,
        other_area_id=world.area_id,
        matter_id=elsewhere.id,
    )
    _, codes = await open_with_credentials(session, other)
    with pytest.raises(NotOnNoticeRoll):
        await opinions.submit(
            session, KEY, notice_id, text="意见", credential=codes[world.rid("S01")], now=DURING
        )
    await session.rollback()
    assert await count(session) == 0


async def test_text_bounds_and_the_per_resident_cap(session: AsyncSession) -> None:
    world = await build_world(session)
    _, codes = await open_with_credentials(session, world)
    code = codes[world.rid("M01")]
    notice_id = await hearing(session, world)
    for text in ("", "   ", "长" * (opinions.OPINION_TEXT_MAX + 1)):
        with pytest.raises(BadOpinion):
            await opinions.submit(session, KEY, notice_id, text=text, credential=code, now=DURING)
    for index in range(opinions.PER_RESIDENT_MAX):
        await opinions.submit(
            session, KEY, notice_id, text=f"意见{index}", credential=code, now=DURING
        )
    await session.commit()
    with pytest.raises(ResidentLimitReached):
        await opinions.submit(session, KEY, notice_id, text="再一条", credential=code, now=DURING)
    # Another resident is not held back by the first one's cap.
    await opinions.submit(
        session, KEY, notice_id, text="我的意见", credential=codes[world.rid("M02")], now=DURING
    )


async def test_names_are_public_only_when_chosen_and_hidden_ones_are_not_listed(
    session: AsyncSession,
) -> None:
    world = await build_world(session)
    _, codes = await open_with_credentials(session, world)
    notice_id = await hearing(session, world)
    shown = await opinions.submit(
        session,
        KEY,
        notice_id,
        text="支持加装",
        credential=codes[world.rid("M01")],
        show_name=True,
        now=DURING,
    )
    await opinions.submit(
        session, KEY, notice_id, text="担心噪音", credential=codes[world.rid("M04")], now=DURING
    )
    abusive = await opinions.submit(
        session, KEY, notice_id, text="骂人的话", credential=codes[world.rid("M05")], now=DURING
    )
    await session.commit()
    await opinions.hide(session, ADMIN, abusive.id, "辱骂他人")
    await session.commit()
    public = await opinions.opinions_of(session, notice_id)
    assert [(o.number, o.name, o.text) for o in public] == [
        (1, "张建国", "支持加装"),
        (2, "", "担心噪音"),
    ]
    everything = await opinions.opinions_of(session, notice_id, public=False)
    assert [o.hidden for o in everything] == [False, False, True]
    assert "王海燕" not in repr(everything) and "赵志强" not in repr(everything)
    assert shown.show_name
    with pytest.raises(BadChairInput):
        await opinions.hide(session, ADMIN, abusive.id, "again")
    actions = list(await session.scalars(select(AuditEntry.action)))
    assert "opinion.hide" in actions


async def test_chairs_group_reply_and_decide_adoption_for_the_report(
    session: AsyncSession,
) -> None:
    world = await build_world(session)
    notice_id = await hearing(session, world, anonymous=True)
    first = await opinions.submit(session, KEY, notice_id, text="噪音", now=DURING)
    second = await opinions.submit(session, KEY, notice_id, text="施工时间", now=DURING)
    third = await opinions.submit(session, KEY, notice_id, text="费用分摊", now=DURING)
    await session.commit()
    group = await opinions.add_group(session, ADMIN, notice_id, "施工影响")
    await opinions.set_group(session, ADMIN, first.id, group.id)
    await opinions.set_group(session, ADMIN, second.id, group.id)
    await opinions.reply_to(session, ADMIN, first.id, "夜间不施工")
    await opinions.set_adoption(session, ADMIN, first.id, "adopted", "已写入施工方案")
    await opinions.set_adoption(session, ADMIN, second.id, "partly", "周末上午施工")
    await opinions.set_adoption(session, ADMIN, third.id, "not_adopted", "按法定比例分摊")
    await session.commit()
    for bad in (
        opinions.set_adoption(session, ADMIN, third.id, "maybe", "x"),
        opinions.set_adoption(session, ADMIN, third.id, "adopted", "  "),
        opinions.reply_to(session, ADMIN, third.id, ""),
        opinions.add_group(session, ADMIN, notice_id, ""),
        opinions.set_group(session, ADMIN, third.id, 999_999),
    ):
        with pytest.raises(BadChairInput):
            await bad
    report = await opinions.hearing_report(session, notice_id)
    assert [(r.title, r.counts) for r in report] == [
        ("施工影响", {"adopted": 1, "partly": 1}),
        ("", {"not_adopted": 1}),
    ]
    assert opinions.adoption_totals(report) == {"adopted": 1, "partly": 1, "not_adopted": 1}
    assert report[0].opinions[0].reply == "夜间不施工"
    actions = set(await session.scalars(select(AuditEntry.action)))
    assert {"opinion.group_add", "opinion.group", "opinion.reply", "opinion.adoption"} <= actions


async def test_a_chair_of_another_area_cannot_act(session: AsyncSession) -> None:
    world = await build_world(session)
    notice_id = await hearing(session, world, anonymous=True)
    opinion = await opinions.submit(session, KEY, notice_id, text="噪音", now=DURING)
    await session.commit()
    other = await get_unit(session, world.other_area_id)
    chair = Actor(name="sinan", role="area_chair", unit_path=other.path)
    with pytest.raises(OutsideUnit):
        await opinions.reply_to(session, chair, opinion.id, "回复")
