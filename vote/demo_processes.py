"""The demo's three meetings and agency: what a street and its residential areas did this year
before and after the demo's ballots, done through the real services as chairs and residents do.

- the street's outside organisations (departments, the property company, the relocation
  company with its contact person);
- the year-end 急难愁 proposal collection on the practical-projects matter, with a hearing
  meeting, merged duplicates and costs, whose shortlist becomes the 2027 budget ballot;
- the relocation's notices: the 九公开 and the bidders' qualifications for the appraisal firm;
- the lift hearing's notice with residents' opinions, replies and adoption decisions;
- the evaluation meeting and the property company's rectification items;
- a QR poster per residential area (one for a building) and demands across categories and
  states, one escalated to a coordination matter with the relocation company (parties,
  issues, positions, an agreement and its follow-up actions), then referred up to the street;
- the decision record: links between matters and the practical matter's milestones.

Times are spread over the past months of this year (never before 1 January, Beijing time, so
this year's statistics count them); everything is deterministic but for random secrets.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from ballots import matter_links, organisations
from ballots.access import Actor
from ballots.agency import categories, demands, posters
from ballots.coordination import agreements, issues, parties
from ballots.evaluations import rectification
from ballots.followup import actions
from ballots.meetings import meetings
from ballots.models import Matter, Organisation, Unit
from ballots.notices import items, notices, opinions, proposals

BEIJING = ZoneInfo("Asia/Shanghai")


@dataclass
class Clock:
    """The demo's notion of time: ``now`` and days ago, kept inside this year (Beijing)."""

    now: datetime

    @property
    def year_start(self) -> datetime:
        here = self.now.astimezone(BEIJING)
        return datetime(here.year, 1, 1, 9, tzinfo=BEIJING).astimezone(UTC)

    def ago(self, days: float, hours: float = 0) -> datetime:
        """``days`` and ``hours`` before now, but not before 1 January 09:00 this year."""
        at = self.now - timedelta(days=days, hours=hours)
        return min(self.now, max(at, self.year_start))

    def raw_ago(self, days: float, hours: float = 0) -> datetime:
        """``days`` and ``hours`` before now, even if that is last year."""
        return self.now - timedelta(days=days, hours=hours)


@dataclass
class Outside:
    """The street's organisations the demo uses."""

    city: Organisation
    housing: Organisation
    police: Organisation
    property: Organisation
    relocation: Organisation


async def held_meeting(
    session: AsyncSession,
    chair: Actor,
    matter: Matter,
    *,
    title: str,
    starts_at: datetime,
    venue: str,
    agenda: list[str],
    minutes: str,
) -> int:
    """A two-hour meeting on the matter, already held, with its minutes; its id."""
    meeting = await meetings.create_meeting(
        session,
        chair,
        matter_id=matter.id,
        title=title,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=2),  # two hours, even on 1 January
        venue=venue,
        agenda=agenda,
    )
    await meetings.move_meeting(session, chair, meeting.id, "end")
    await meetings.save_minutes(session, chair, meeting.id, minutes)
    return meeting.id


async def add_organisations(session: AsyncSession, chair: Actor, street: Unit) -> Outside:
    """The departments and companies the street deals with, offered to every area below it."""

    async def add(name: str, kind: str, contact: str = "", phone: str = "") -> Organisation:
        return await organisations.add_organisation(
            session,
            chair,
            unit_id=street.id,
            name=name,
            kind=kind,
            contact_name=contact,
            contact_phone=phone,
        )

    return Outside(
        city=await add("瑞金二路街道城管中队", "department", "钱队长", "021-64370000"),
        housing=await add("卢湾区房管局第二房管所", "department", "孙科长", "021-64371111"),
        police=await add("瑞金二路派出所", "department", "值班民警", "110"),
        property=await add("上海瑞金物业管理有限公司", "property", "顾经理", "021-64372222"),
        relocation=await add("上海瑞泰动迁服务有限公司", "company", "周经理", "13916000000"),
    )


PROPOSALS: tuple[tuple[str, str], ...] = (
    ("老旧小区平改坡", "顶楼一下雨就漏水，夏天像蒸笼。希望把平屋顶改成坡屋顶，彻底解决渗漏。"),
    ("加装消防设备", "老房子电线老化，楼道里堆满杂物，一旦起火后果不堪设想，请加装烟感和灭火器。"),
    (
        "老虎灶改造为便民热水站",
        "弄堂口的老虎灶关了以后，老人打开水要走很远。能否改造成便民热水站？",
    ),
    ("社区食堂助老餐", "独居老人做饭难，希望社区食堂提供助老餐，行动不便的能送餐上门。"),
    ("加装电梯试点", "楼里住的多是七八十岁的老人，上下六楼太吃力，希望试点加装电梯。"),
    ("弄堂路灯更新", "弄堂里的路灯坏了好几盏，晚上回家黑灯瞎火，老人容易摔跤。"),
    ("楼道路灯不亮", "我们弄堂的灯晚上不亮，走路要打手电筒。"),
    ("顶楼漏水", "602 室顶上漏水好几年了，修了又漏，请街道想想办法。"),
    ("弄堂停车难", "晚上弄堂里乱停车，救护车都开不进来，希望划定车位、错时停车。"),
)
"""The year-end collection, in the order residents sent them: the first six make the shortlist;
the next two are duplicates the chair merges; the last waits for another year."""

PROPOSAL_COSTS = (600_000, 250_000, 150_000, 200_000, 450_000, 80_000)


async def year_end_collection(
    session: AsyncSession,
    key: bytes,
    chair: Actor,
    practical: Matter,
    clock: Clock,
) -> int:
    """The year-end 急难愁 collection on the practical matter and its hearing meeting, the
    shortlist costed; return the notice's id (the caller turns the shortlist into the ballot)."""
    notice = await notices.create_notice(
        session,
        chair,
        matter_id=practical.id,
        title="2027年实事项目征集：说说您身边的急难愁问题",
        body=(
            "街道每年征求居民意见，由居民投票来选择决定当年的实事项目。请写下您身边最急、最难、"
            "最愁的问题和您建议的项目，街道将合并同类意见、测算费用，列入明年的实事项目菜单。"
        ),
        starts_at=clock.raw_ago(40),
        ends_at=clock.raw_ago(12),
        collects="proposals",
        anonymous=True,
    )
    await notices.publish_notice(session, chair, notice.id, now=clock.raw_ago(40))
    sent = []
    for index, (title, text) in enumerate(PROPOSALS):
        sent.append(
            await opinions.submit(
                session,
                key,
                notice.id,
                title=title,
                text=text,
                now=clock.raw_ago(38 - 3 * index, 5),
            )
        )
    await proposals.merge(session, chair, sent[6].id, sent[5].id)
    await proposals.merge(session, chair, sent[7].id, sent[0].id)
    for proposal, cost in zip(sent, PROPOSAL_COSTS, strict=False):
        await proposals.set_cost(session, chair, proposal.id, cost)
        await proposals.shortlist(session, chair, proposal.id, True)
    await opinions.reply_to(
        session,
        chair,
        sent[8].id,
        "停车问题涉及多个居民区，已转交街道管理办统筹研究错时停车方案，暂不列入实事项目菜单。",
        now=clock.raw_ago(11),
    )
    await held_meeting(
        session,
        chair,
        practical,
        title="2027年实事项目年终听证会",
        starts_at=clock.ago(14, 2),
        venue="瑞金二路街道市民中心二楼会议室",
        agenda=["通报征集到的急难愁问题", "逐项听取居民代表意见", "确定实事项目菜单与费用"],
        minutes=(
            "到会居民代表 46 人。合并重复意见后，6 个项目列入 2027 年实事项目菜单，费用共 173 万元，"
            "超出预算 120 万元，由全体居民投票选择；弄堂停车问题转交街道管理办研究。"
        ),
    )
    return notice.id


async def relocation_notices(
    session: AsyncSession, chair: Actor, relocation: Matter, clock: Clock
) -> None:
    """The relocation's 九公开 and the appraisal firms' disclosures, both up now."""
    nine = await notices.create_notice(
        session,
        chair,
        matter_id=relocation.id,
        title="茂名居民区动迁基地“九公开”",
        body="阳光动迁：动迁政策、补偿标准、房源和每户安置结果全部公开，接受居民监督。",
        template="relocation",
        starts_at=clock.ago(20),
        ends_at=clock.now + timedelta(days=60),
    )
    for key, body in (
        ("scope", "茂名北路 210 弄至 248 弄，共 7 幢，居民 312 户。"),
        ("categories", "地段等级：二级旧里；茂名北路沿街为一类地段。"),
        (
            "compensation",
            "按《上海市城市房屋拆迁管理实施细则》及区动迁补偿标准执行，价格补贴每平方米 3500 元。",
        ),
        (
            "housing",
            "配套商品房 420 套，分布于浦东三林、闵行浦江；安置价每平方米 6800 元，市场价每平方米 9500 元。",
        ),
        ("appraiser", "由居民一户一票从三家竞标公司中选定，见“动迁评估公司选定”公示。"),
        ("procedure", "入户调查 → 评估 → 公示评估结果 → 签约 → 搬迁 → 结果公示。"),
        ("results", "每户的安置结果签约后 3 日内在基地公示栏和本页公开。"),
        ("staff", "经办人 8 名，每人负责 40 户左右，照片、工号和职责在基地接待室公示。"),
        ("complaints", "投诉电话 64370000；街道纪工委信箱设在基地接待室门口。"),
    ):
        await items.set_item(session, chair, nine.id, key, body, now=clock.ago(21))
    await notices.publish_notice(session, chair, nine.id, now=clock.ago(20))
    bidders = await notices.create_notice(
        session,
        chair,
        matter_id=relocation.id,
        title="动迁评估公司竞标公示",
        body="公开竞标资质条件，公开有关竞标企业资讯，公开工作程序。公示期满后由居民一户一票选定。",
        template="selection",
        starts_at=clock.ago(3),
        ends_at=clock.ago(3) + timedelta(days=7),
    )
    for key, body in (
        ("qualifications", "具有房地产估价一级资质；近三年在本市承担过旧区改造评估且无违规记录。"),
        (
            "bidders",
            "上海申信房地产估价有限公司：一级资质，估价师 36 人，报价为评估总值的 0.35%；\n"
            "上海城达资产评估有限公司：一级资质，估价师 28 人，报价 0.32%，承诺 20 个工作日完成；\n"
            "上海明诚房地产估价事务所：一级资质，估价师 22 人，报价 0.30%，承诺每户当面解释结果。",
        ),
        ("procedure", "公示 7 日 → 竞标公司现场答辩 → 居民一户一票 → 公布结果 → 签订委托合同。"),
    ):
        await items.set_item(session, chair, bidders.id, key, body, now=clock.ago(4))
    await notices.publish_notice(session, chair, bidders.id, now=clock.ago(3))


HEARING_OPINIONS: tuple[tuple[str, str, str, str, str], ...] = (
    # heading, opinion, reply, adoption, reason
    (
        "费用分摊",
        "一楼住户不用电梯，不应分摊费用。",
        "方案已调整：一楼不分摊，二楼按 2% 分摊，楼层越高比例越高。",
        "adopted",
        "符合“谁受益、谁出资”的原则，已写入修改后的方案。",
    ),
    (
        "费用分摊",
        "低保户出不起钱，希望有补贴。",
        "区里对加装电梯每台补贴 24 万元，低保户的分摊部分由街道帮困基金承担一半。",
        "partly",
        "帮困基金只能承担一半，其余部分可分期支付。",
    ),
    (
        "采光与噪音",
        "电梯井贴着我家窗户，会挡光。",
        "设计单位比较了两个位置，移到楼梯间外侧后对 201 室的采光影响最小。",
        "adopted",
        "电梯井位置已调整到楼梯间外侧。",
    ),
    (
        "采光与噪音",
        "电梯运行有噪音，晚上影响休息，希望晚上停运。",
        "电梯晚上停运会影响老人就医，选用低噪音曳引机，噪音不超过 45 分贝。",
        "not_adopted",
        "夜间停运会影响急病就医，改为选用低噪音设备。",
    ),
    (
        "施工安排",
        "施工期间楼道堵住，老人怎么出门？",
        "",
        "",
        "",
    ),
    (
        "",
        "支持加装电梯，越快越好，我家老母亲已经三年没下楼了。",
        "",
        "",
        "",
    ),
)


async def lift_hearing_notice(
    session: AsyncSession,
    key: bytes,
    chair: Actor,
    hearing: Matter,
    credentials: Sequence[str],
    clock: Clock,
) -> None:
    """The lift hearing's notice: residents' opinions (by their voting codes), the chair's
    headings, replies and adoption decisions; two opinions still wait for a reply."""
    notice = await notices.create_notice(
        session,
        chair,
        matter_id=hearing.id,
        title="3号楼加装电梯方案听证公示",
        body=(
            "加装电梯方案（电梯井位置、费用约 68 万元、分摊比例）公示 10 天，请各楼层居民提出"
            "意见。听证会上逐条答复，然后现场表决。"
        ),
        starts_at=clock.ago(10),
        ends_at=clock.now + timedelta(hours=1),
        collects="opinions",
    )
    await notices.publish_notice(session, chair, notice.id, now=clock.ago(10))
    groups: dict[str, int] = {}
    for index, (heading, text, reply, adoption, reason) in enumerate(HEARING_OPINIONS):
        opinion = await opinions.submit(
            session,
            key,
            notice.id,
            text=text,
            credential=credentials[index],
            show_name=index == 5,
            now=clock.ago(9 - index, 3),
        )
        if heading:
            if heading not in groups:
                groups[heading] = (await opinions.add_group(session, chair, notice.id, heading)).id
            await opinions.set_group(session, chair, opinion.id, groups[heading])
        if reply:
            await opinions.reply_to(session, chair, opinion.id, reply, now=clock.ago(2))
        if adoption:
            await opinions.set_adoption(session, chair, opinion.id, adoption, reason)


async def evaluation_followup(
    session: AsyncSession,
    chair: Actor,
    evaluation: Matter,
    property_subject_id: int,
    outside: Outside,
    clock: Clock,
) -> None:
    """The evaluation meeting held this morning (its ballot was counted and published today)
    and the property company's rectification: one item done at once, one under way, one open."""
    await held_meeting(
        session,
        chair,
        evaluation,
        title="平改坡工程与物业服务评议会",
        starts_at=clock.ago(0, 4),
        venue="瑞金一居民区活动室（瑞金二路 150 弄 3 号）",
        agenda=["施工单位和物业公司汇报", "居民代表评议", "宣布评议结果"],
        minutes=(
            "平改坡工程满意率较高；物业公司服务不满意的居民较多，主要是保洁不到位、报修响应慢。"
            "会议要求物业公司一个月内提交整改方案，整改后重新评议。"
        ),
    )
    today = actions.beijing_today(clock.now)
    done = await rectification.add_rectification(
        session,
        chair,
        subject_id=property_subject_id,
        title="公布报修电话，24 小时内上门",
        owner="",
        organisation_id=outside.property.id,
        due_on=today + timedelta(days=3),
    )
    await actions.set_status(session, chair, done.id, "done", now=clock.now)
    going = await rectification.add_rectification(
        session,
        chair,
        subject_id=property_subject_id,
        title="楼道保洁每天一次，垃圾箱房每天清洗",
        owner="",
        organisation_id=outside.property.id,
        due_on=today + timedelta(days=25),
    )
    await rectification.move_rectification(session, chair, going.id, "in_progress")
    await rectification.add_rectification(
        session,
        chair,
        subject_id=property_subject_id,
        title="更换 3 号楼、5 号楼损坏的单元门禁",
        owner="顾经理",
        organisation_id=outside.property.id,
        due_on=today + timedelta(days=14),
        note="居民多次反映门禁损坏（见群众事务代理），物业公司称配件已订购。",
    )


@dataclass(frozen=True)
class DemandPlan:
    """One demand of the demo and what happened to it."""

    area: int
    category: str
    text: str
    days_ago: float
    steps: tuple[str, ...]
    contact: str = ""
    rating: str = ""
    late: bool = False  # keep its real time even if that is last year (the overdue one)


DEMANDS: tuple[DemandPlan, ...] = (
    DemandPlan(
        0,
        "房屋修缮",
        "3号楼 502 室厨房顶上渗水，楼上说不是他家的问题。",
        150,
        ("accept", "forward:housing", "reply"),
        "王阿姨 1381234xxxx",
        "satisfied",
    ),
    DemandPlan(
        0,
        "环境卫生",
        "3号楼楼道里堆满了旧家具，有人还在楼道里养鸡。",
        120,
        ("accept", "reply"),
        rating="satisfied",
    ),
    DemandPlan(
        0,
        "治安消防",
        "3号楼一楼电瓶车在楼道里充电，太危险了。",
        95,
        ("accept", "forward:city", "reply"),
        rating="basic",
    ),
    DemandPlan(
        0,
        "邻里纠纷",
        "楼上每天夜里 12 点还在剁肉，跟他说了不听。",
        80,
        ("accept", "reply"),
        rating="unsatisfied",
    ),
    DemandPlan(
        0,
        "政策咨询",
        "加装电梯的补贴怎么申请？需要全楼同意吗？",
        60,
        ("accept", "reply"),
        rating="satisfied",
    ),
    DemandPlan(
        0,
        "房屋修缮",
        "3号楼单元门禁坏了一个月，外人随便进出。",
        45,
        ("late_accept", "forward:property", "reply_unresolved"),
        rating="unsatisfied",
    ),
    DemandPlan(
        0,
        "环境卫生",
        "垃圾箱房好几天没清洗，夏天臭得开不了窗。",
        30,
        ("accept", "forward:property", "reply"),
        rating="basic",
    ),
    DemandPlan(
        0,
        "房屋修缮",
        "3号楼屋顶平改坡以后天沟堵了，下雨水往墙里渗。",
        12,
        ("accept", "forward:housing", "remind"),
        late=True,
    ),
    DemandPlan(
        0, "治安消防", "弄堂口消防通道被汽车堵住了。", 4, ("accept", "forward:police", "reply")
    ),
    DemandPlan(0, "环境卫生", "3号楼门口的窨井盖松了，踩上去会翘起来。", 0.2, ()),
    DemandPlan(
        1,
        "政策咨询",
        "动迁补偿里的价格补贴是按建筑面积还是使用面积算？",
        70,
        ("accept", "reply"),
        rating="satisfied",
    ),
    DemandPlan(
        1,
        "其他",
        "动迁公司的人晚上九点还上门催签约，老人吓得睡不着。",
        25,
        ("accept", "forward:relocation", "escalate"),
        "李先生 1390000xxxx",
    ),
    DemandPlan(
        1,
        "房屋修缮",
        "隔壁已经搬空的房子被拆了一半，我家墙上裂了缝。",
        8,
        ("accept", "forward:relocation"),
    ),
    DemandPlan(1, "环境卫生", "搬空的房子里垃圾没人清，老鼠多了。", 1, ("accept",)),
    DemandPlan(
        2,
        "邻里纠纷",
        "楼下饭店油烟直冲我家窗户。",
        100,
        ("accept", "forward:city", "reply"),
        rating="basic",
    ),
    DemandPlan(
        2,
        "其他",
        "思南路上的共享单车堆在弄堂口，进出不便。",
        50,
        ("accept", "forward:city", "reply", "close"),
    ),
)
"""The demo's demands: received N days ago in an area (0 瑞金一 via the 3号楼 poster, 1 茂名,
2 思南), with the steps chairs took; some rated by the resident from their private link."""

REPLIES = {
    "房屋修缮": "房管所已派人查看并完成修理，请您留意，如再有问题请再扫码反映。",
    "环境卫生": "已通知保洁人员清理，并在楼道张贴了告示，居委会将每周检查。",
    "治安消防": "已会同派出所和城管上门劝导，隐患已消除，楼道内不再允许充电。",
    "邻里纠纷": "居委会调解干部已上门与双方沟通，对方承诺晚上十点后不再发出噪音。",
    "政策咨询": "已电话答复：具体政策和申请表在居委会领取，我们可以上门帮您填写。",
    "其他": "已转交有关部门处理，并已电话告知处理结果。",
}


async def agency(
    session: AsyncSession,
    key: bytes,
    chair: Actor,
    areas: Sequence[Unit],
    outside: Outside,
    clock: Clock,
    rng: random.Random,
) -> Matter:
    """Posters and this year's demands; return the coordination matter one demand led to."""
    tokens = [
        (await posters.create_poster(session, chair, unit_id=areas[0].id, building="3号楼")).token,
        (await posters.create_poster(session, chair, unit_id=areas[1].id)).token,
        (await posters.create_poster(session, chair, unit_id=areas[2].id)).token,
    ]
    await posters.create_poster(session, chair, unit_id=areas[0].id)
    category_ids = [
        {c.name: c.id for c in await categories.categories_of(session, area.id)} for area in areas
    ]
    organisation = {
        "housing": outside.housing,
        "city": outside.city,
        "police": outside.police,
        "property": outside.property,
        "relocation": outside.relocation,
    }
    escalated: Matter | None = None
    for plan in DEMANDS:
        when = clock.raw_ago if plan.late else clock.ago
        at = when(plan.days_ago)
        demand, secret = await demands.submit_demand(
            session,
            key,
            token=tokens[plan.area],
            category_id=category_ids[plan.area][plan.category],
            text=plan.text,
            contact=plan.contact,
            now=at,
        )
        step_at = at
        for step in plan.steps:
            step_at = min(clock.now, step_at + timedelta(hours=rng.randint(2, 20)))
            if step in ("accept", "late_accept"):
                if step == "late_accept":
                    step_at = min(clock.now, step_at + timedelta(days=2))
                await demands.accept_demand(session, chair, demand.id, now=step_at)
            elif step.startswith("forward:"):
                await demands.forward_demand(
                    session,
                    chair,
                    demand.id,
                    organisation_id=organisation[step.split(":")[1]].id,
                    note="请尽快处理并回复居委会。",
                    now=step_at,
                )
            elif step in ("reply", "reply_unresolved"):
                step_at = min(clock.now, step_at + timedelta(days=1))
                text = (
                    REPLIES[plan.category]
                    if step == "reply"
                    else "物业公司称门禁配件缺货，已订购，预计两周内更换；居委会将跟踪。"
                )
                await demands.reply_demand(
                    session, chair, demand.id, text=text, resolved=step == "reply", now=step_at
                )
            elif step == "remind":
                step_at = clock.now - timedelta(days=1)
                await demands.remind_demand(
                    session, chair, demand.id, note="已超期，请房管所加快处理。", now=step_at
                )
            elif step == "close":
                await demands.close_demand(
                    session, chair, demand.id, note="居民电话表示满意，不再评价。", now=step_at
                )
            elif step == "escalate":
                _, escalated = await demands.escalate_demand(
                    session, chair, demand.id, title="茂名居民区动迁协调会", now=step_at
                )
        if plan.rating:
            await demands.rate_demand(
                session, key, secret, plan.rating, now=min(clock.now, step_at + timedelta(days=1))
            )
    assert escalated is not None
    return escalated


async def coordination(
    session: AsyncSession,
    chair: Actor,
    matter: Matter,
    outside: Outside,
    clock: Clock,
) -> None:
    """The coordination meeting with the relocation company: parties, issues and positions,
    an agreement and its actions (one done, one open, one overdue)."""
    company = await parties.add_party(
        session, chair, matter.id, organisation_id=outside.relocation.id
    )
    residents = await parties.add_party(
        session, chair, matter.id, name="茂名居民区居民代表", contact="居民区书记 徐书记"
    )
    office = await parties.add_party(
        session, chair, matter.id, name="瑞金二路街道动迁办", contact="陈主任"
    )
    meeting_id = await held_meeting(
        session,
        chair,
        matter,
        title="动迁公司与居民面对面协调会",
        starts_at=clock.ago(18, 2),
        venue="茂名居民区动迁基地接待室",
        agenda=["居民代表反映问题", "动迁公司说明", "形成协调意见"],
        minutes=(
            "居民代表 12 人、动迁公司 3 人、街道动迁办 2 人到会。双方就上门时间和搬迁期间的房屋"
            "安全当面协商，形成协调意见三条，由街道动迁办跟踪落实。"
        ),
    )
    visits = await issues.add_issue(session, chair, matter.id, "动迁公司上门催签约的时间")
    safety = await issues.add_issue(session, chair, matter.id, "拆除空房对相邻住户房屋的影响")
    for issue, party, text in (
        (visits, residents, "晚上和周末不要上门，老人受惊吓。"),
        (visits, company, "白天很多居民上班，只能晚上上门；可以提前电话预约。"),
        (visits, office, "上门时间限定在 8:30 至 19:30，上门前一天电话预约。"),
        (safety, residents, "拆除前先检查相邻房屋，墙体开裂要由动迁公司修好。"),
        (safety, company, "同意拆除前检查，开裂的由施工单位负责修复。"),
    ):
        await issues.set_position(session, chair, issue.id, party.id, text)
    agreed = await agreements.add_agreement(
        session,
        chair,
        matter.id,
        "上门时间限定为 8:30 至 19:30 并提前预约；拆除空房前检查相邻房屋，开裂的由动迁公司"
        "负责修复；街道动迁办每月召开一次居民接待日。",
        issue_id=safety.id,
        meeting_id=meeting_id,
    )
    today = actions.beijing_today(clock.now)
    done = await actions.create_action(
        session,
        chair,
        kind="agreement",
        agreement_id=agreed.id,
        title="在基地公示栏公布上门时间和预约电话",
        organisation_id=outside.relocation.id,
        due_on=today - timedelta(days=14),
    )
    await actions.set_status(session, chair, done.id, "done", now=clock.ago(15))
    await actions.create_action(
        session,
        chair,
        kind="agreement",
        agreement_id=agreed.id,
        title="修复茂名北路 226 弄 5 号墙体裂缝",
        organisation_id=outside.relocation.id,
        owner="周经理",
        due_on=today - timedelta(days=4),
        note="施工单位尚未进场，居民已两次反映。",
    )
    await actions.create_action(
        session,
        chair,
        kind="agreement",
        agreement_id=agreed.id,
        title="召开本月居民接待日",
        owner="街道动迁办 陈主任",
        due_on=today + timedelta(days=10),
    )


async def decision_record(
    session: AsyncSession,
    chair: Actor,
    *,
    street: Unit,
    practical: Matter,
    hearing: Matter,
    relocation: Matter,
    evaluation: Matter,
    coordination_matter: Matter,
    clock: Clock,
) -> None:
    """Links between the matters, the practical matter's milestones and a referral up."""
    await matter_links.link_matters(session, chair, hearing.id, practical.id, "proposed")
    await matter_links.link_matters(session, chair, evaluation.id, practical.id, "related")
    await matter_links.link_matters(
        session, chair, relocation.id, coordination_matter.id, "coordination"
    )
    today = actions.beijing_today(clock.now)
    for title, due, progress, done in (
        ("征集居民急难愁问题", -12, 100, True),
        ("年终听证会确定项目菜单与费用", -13, 100, True),
        ("居民投票选定 2027 年实事项目", 20, 40, False),
        ("施工招标与开工", 120, 0, False),
    ):
        milestone = await actions.create_action(
            session,
            chair,
            kind="milestone",
            matter_id=practical.id,
            title=title,
            owner="街道实事项目办公室",
            due_on=today + timedelta(days=due),
        )
        if done:
            await actions.set_status(session, chair, milestone.id, "done", now=clock.ago(-due))
        elif progress:
            await actions.set_progress(session, chair, milestone.id, progress)
    await matter_links.refer_matter(
        session,
        chair,
        coordination_matter.id,
        street.id,
        "墙体开裂的修复涉及整个动迁基地和施工单位，居民区协调不了，提请街道协调。",
    )
