"""Realistic demo data: one district, one street, three residential areas, ~300 residents.

Ballots: the street's 2027 practical projects (budget), an appraisal-firm selection with one
vote per household, a service evaluation on a three-level scale that is already closed and
published with simulated votes, and a lift hearing whose in-person ballot is open at a meeting
with check-in under way. Around them, :mod:`vote.demo_processes` adds this year's three
meetings and agency: the year-end proposal collection whose shortlist becomes the practical
ballot, notices and opinions, the evaluation's rectification, demands, a coordination matter,
links and a referral. Everything goes through the real services (roster import, invitations,
casting, closing), so the demo exercises the product as a chair would.
"""

from __future__ import annotations

import csv
import io
import random
from datetime import UTC, datetime, timedelta

import msgspec
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

import tally
from ballots import chairs, invitations, lifecycle, matters, units
from ballots.access import Actor, operator
from ballots.casting import cast_ballot
from ballots.eligibility import Eligibility
from ballots.evaluations import evaluation_ballots, subjects
from ballots.meetings import checkin, meetings
from ballots.models import Chair, Unit
from ballots.notices import proposals
from ballots.roll import import_roll, parse_roster
from ballots.signing import Signer
from tally import Option, Question
from vote import demo_processes

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国玉兰志强红梅海燕文杰德明凤英国华金凤春梅淑珍宝根阿毛根娣美华"
AREAS = (("瑞金一居民区", "ruijin1"), ("茂名居民区", "maoming"), ("思南居民区", "sinan"))
DEMO_PASSWORD = "demo-chair-2026"  # noqa: S105 - printed by `vote demo` on purpose


class DemoInfo(msgspec.Struct):
    """What the demo prints: how to log in and where to vote."""

    chair_username: str
    chair_password: str
    totp_secret: str
    admin_username: str
    invitation_urls: dict[str, list[str]]
    published_ballot_id: int
    recovery_codes: list[str] = msgspec.field(default_factory=list)


def roster_csv(rng: random.Random, households: int) -> bytes:
    """A roster CSV (Chinese headers, UTF-8 with BOM, as Excel writes it)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(
        ["编号", "姓名", "楼栋", "门牌/室", "户号", "手机", "出生年份", "身份", "专有面积", "标签"]
    )
    number = 0
    for index in range(households):
        building = f"{index // 12 + 1}号楼"
        room = f"{(index % 12) // 2 + 1}0{index % 2 + 1}"
        household = f"{building[:-2]}-{room}"
        area = round(rng.uniform(38, 125), 1)
        role = rng.choices(["业主", "租户", "来沪人员"], weights=[8, 1, 1])[0]
        surname = rng.choice(SURNAMES)
        for member in range(rng.choice([1, 2, 2, 2, 3])):
            number += 1
            name_surname = surname if member != 1 else rng.choice(SURNAMES)
            name = name_surname + "".join(rng.sample(GIVEN, rng.choice([1, 2])))
            born = rng.randint(1932, 2012) if member < 2 else rng.randint(1990, 2016)
            tags = "低保" if rng.random() < 0.05 else ("党员" if rng.random() < 0.1 else "")
            phone = f"1{rng.choice('3589')}{rng.randint(0, 999999999):09d}"
            writer.writerow(
                [
                    f"R{number:04d}",
                    name,
                    building,
                    room,
                    household,
                    phone,
                    born,
                    role,
                    area if role == "业主" else "",
                    tags,
                ]
            )
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _options(labels: list[str]) -> list[Option]:
    return [Option(id=f"o{i + 1}", label=label) for i, label in enumerate(labels)]


async def _evaluated_subjects(
    session: AsyncSession, op: Actor, unit_id: int, ballot_id: int
) -> dict[str, int]:
    """The service evaluation's two subjects in the evaluations register, each linked to its
    rating question, so the public evaluation page shows this year's rates; their ids by
    question."""
    year = evaluation_ballots.this_year()
    found: dict[str, int] = {}
    for kind, name, question_id in (
        ("project", "平改坡工程", "roof"),
        ("agency", "物业公司", "property"),
    ):
        subject = await subjects.add_subject(session, op, unit_id=unit_id, kind=kind, name=name)
        await evaluation_ballots.link_rating(
            session,
            op,
            ballot_id=ballot_id,
            question_id=question_id,
            subject_id=subject.id,
            year=year,
        )
        found[question_id] = subject.id
    return found


async def is_seeded(session: AsyncSession) -> bool:
    """True when the database already holds units (the demo refuses to seed twice)."""
    return bool(await session.scalar(select(func.count()).select_from(Unit)))


async def seed(
    session: AsyncSession,
    secret_key: bytes,
    base_url: str,
    *,
    seed_value: int = 1999,
    signer: Signer | None = None,
) -> DemoInfo:
    """Fill an empty database with the demo; return logins and a few invitation URLs."""
    rng = random.Random(seed_value)
    op = operator("demo")
    district = await units.create_unit(session, op, name="卢湾区", code="luwan", level="district")
    street = await units.create_unit(
        session, op, name="瑞金二路街道", code="ruijin2", level="street", parent_id=district.id
    )
    areas = []
    for name, code in AREAS:
        area = await units.create_unit(
            session, op, name=name, code=code, level="area", parent_id=street.id
        )
        areas.append(area)
        rows = parse_roster(roster_csv(rng, 50), f"{code}.csv")
        await import_roll(session, op, area.id, rows, dry_run=False)
    chair = await chairs.create_chair(
        session,
        op,
        secret_key,
        username="chair",
        password=DEMO_PASSWORD,
        role="street_chair",
        unit_id=street.id,
        display_name="瑞金二路街道 议事会主持人",
        must_change_password=False,  # the demo prints its password for anyone to use
    )
    await chairs.create_chair(
        session,
        op,
        secret_key,
        username="admin",
        password=DEMO_PASSWORD + "-admin",
        role="district_admin",
        unit_id=district.id,
        display_name="卢湾区管理员",
        must_change_password=False,
    )

    clock = demo_processes.Clock(datetime.now(UTC))
    chair_row = await session.get_one(Chair, chair.chair_id)
    chair_actor = chairs.actor_for(chair_row, street)
    outside = await demo_processes.add_organisations(session, chair_actor, street)

    practical = await matters.create_matter(
        session,
        op,
        unit_id=street.id,
        kind="practical",
        title="2027年瑞金二路街道实事项目",
        description="每年由居民投票从项目菜单中选定当年的实事项目。预算共 120 万元。",
    )
    projects = [
        ("老旧小区平改坡", 600_000),
        ("加装消防设备", 250_000),
        ("老虎灶改造为便民热水站", 150_000),
        ("社区食堂助老餐", 200_000),
        ("加装电梯试点", 450_000),
        ("弄堂路灯更新", 80_000),
    ]
    budget = Question(
        id="projects",
        kind="budget",
        prompt="请选择您支持的2027年实事项目（总预算120万元）",
        options=[
            Option(id=f"p{i + 1}", label=label, cost=cost)
            for i, (label, cost) in enumerate(projects)
        ],
        min_choices=1,
        budget_limit=1_200_000,
    )
    # The year-end collection's shortlist becomes the ballot in one action; the chair then
    # finishes it in the editor (the year in the prompt, the options' long texts left out).
    collection = await demo_processes.year_end_collection(
        session, secret_key, chair_actor, practical, clock
    )
    practical_ballot = await proposals.generate_budget_ballot(
        session, chair_actor, collection, budget_limit=1_200_000, title="2027年实事项目投票"
    )
    await lifecycle.update_ballot(
        session,
        chair_actor,
        practical_ballot.id,
        lifecycle.BallotDraft(
            title="2027年实事项目投票", questions=[budget], eligibility=Eligibility(min_age=18)
        ),
    )

    relocation = await matters.create_matter(
        session,
        op,
        unit_id=areas[1].id,
        kind="selection",
        title="茂名居民区动迁评估公司选定",
        description="九公开：参与竞标的评估公司资质、报价与承诺全部公示。一户一票。",
    )
    firm_ballot = await lifecycle.create_ballot(
        session,
        op,
        relocation.id,
        lifecycle.BallotDraft(
            title="选定动迁评估公司",
            questions=[
                Question(
                    id="firm",
                    kind="single",
                    prompt="请选择您信任的评估公司",
                    options=_options(
                        [
                            "上海申信房地产估价有限公司",
                            "上海城达资产评估有限公司",
                            "上海明诚房地产估价事务所",
                        ]
                    ),
                )
            ],
            voting_unit="household",
            eligibility=Eligibility(roles=["owner"]),
            # As docs/examples/appraisal-firm.json: more than half the households take part,
            # and a firm needs more than half the valid votes (else a second round).
            validity=tally.Validity(quorum="simple", majority="valid"),
        ),
    )

    await demo_processes.relocation_notices(session, chair_actor, relocation, clock)

    evaluation = await matters.create_matter(
        session,
        op,
        unit_id=areas[0].id,
        kind="evaluation",
        title="平改坡工程与物业服务评议",
        description="工程做得好不好，由居民说了算。",
    )
    levels = [
        Option(id="good", label="满意", score=3),
        Option(id="fair", label="基本满意", score=2),
        Option(id="poor", label="不满意", score=1),
    ]
    evaluation_ballot = await lifecycle.create_ballot(
        session,
        op,
        evaluation.id,
        lifecycle.BallotDraft(
            title="2026年服务评议",
            questions=[
                Question(id="roof", kind="rating", prompt="平改坡工程质量", options=levels),
                Question(id="property", kind="rating", prompt="物业公司服务", options=levels),
            ],
            eligibility=Eligibility(min_age=18),
            publish_participation=True,
        ),
    )
    hearing = await matters.create_matter(
        session,
        op,
        unit_id=areas[0].id,
        kind="hearing",
        title="瑞金一居民区3号楼加装电梯听证会",
        description="听取各楼层居民意见后现场表决：只有到场签到（或委托到场邻居）的居民才能投票。",
    )
    hall = await meetings.create_meeting(
        session,
        op,
        matter_id=hearing.id,
        title="加装电梯听证会",
        starts_at=datetime.now(UTC).replace(second=0, microsecond=0) + timedelta(minutes=30),
        venue="瑞金一居民区活动室（瑞金二路 150 弄 3 号）",
        agenda=["介绍加装电梯方案与费用分摊", "居民发言", "现场表决"],
    )
    lift_ballot = await lifecycle.create_ballot(
        session,
        op,
        hearing.id,
        lifecycle.BallotDraft(
            title="是否同意3号楼加装电梯方案",
            questions=[
                Question(
                    id="lift",
                    kind="single",
                    prompt="您是否同意按公示方案加装电梯？",
                    options=_options(["同意", "不同意", "弃权"]),
                )
            ],
            eligibility=Eligibility(min_age=18),
        ),
    )
    await meetings.hold_ballot_at(session, op, lift_ballot.id, hall.id, requires_checkin=True)
    await session.commit()

    urls: dict[str, list[str]] = {}
    for draft in (practical_ballot, firm_ballot, evaluation_ballot, lift_ballot):
        await lifecycle.open_ballot(session, op, draft.id, signer)
        issued = await invitations.issue_invitations(session, op, secret_key, base_url, draft.id)
        await session.commit()
        urls[draft.title] = [inv.url for inv in issued]
        if draft is evaluation_ballot:
            for inv in issued:
                if rng.random() < 0.65:
                    answers = {
                        "roof": [rng.choices(["good", "fair", "poor"], weights=[6, 3, 1])[0]],
                        "property": [rng.choices(["good", "fair", "poor"], weights=[3, 4, 3])[0]],
                    }
                    await cast_ballot(session, secret_key, draft.id, inv.credential, answers)
            await lifecycle.close_ballot(session, op, draft.id, signer)
            await lifecycle.publish_ballot(session, op, draft.id)
            rated = await _evaluated_subjects(session, op, areas[0].id, draft.id)
            await demo_processes.evaluation_followup(
                session, chair_actor, evaluation, rated["property"], outside, clock
            )
            await session.commit()
        if draft is lift_ballot:
            # The hearing has begun: check-in is open and the first residents are in the room.
            await meetings.move_meeting(session, op, hall.id, "start_checkin")
            for inv in issued[:12]:
                await checkin.check_in_at_door(
                    session, op, secret_key, hall.id, credential=inv.credential, method="scan"
                )
            await demo_processes.lift_hearing_notice(
                session,
                secret_key,
                chair_actor,
                hearing,
                [inv.credential for inv in issued[20:26]],
                clock,
            )
            await session.commit()
    coordination = await demo_processes.agency(
        session, secret_key, chair_actor, areas, outside, clock, rng
    )
    await demo_processes.coordination(session, chair_actor, coordination, outside, clock)
    await demo_processes.decision_record(
        session,
        chair_actor,
        street=street,
        practical=practical,
        hearing=hearing,
        relocation=relocation,
        evaluation=evaluation,
        coordination_matter=coordination,
        clock=clock,
    )
    await session.commit()
    return DemoInfo(
        chair_username="chair",
        chair_password=DEMO_PASSWORD,
        totp_secret=chair.totp_secret,
        admin_username="admin",
        invitation_urls={
            title: found[:3] for title, found in urls.items() if title != evaluation_ballot.title
        },
        published_ballot_id=evaluation_ballot.id,
        recovery_codes=chair.recovery_codes,
    )
