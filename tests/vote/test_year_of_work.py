"""A year of a residential area's work, end to end, through HTTP only.

A new residential area (瑞金三居民区) under the demo street runs the source's year: a year-end
hearing collects 急难愁 problems and turns the shortlist into a practical-projects vote; an
appraisal firm is chosen after a public notice with its disclosures; a coordination meeting with
a relocation company agrees follow-up actions; the finished project is evaluated, rectified and
evaluated again; residents send demands from a corridor QR poster; and the district reads every
matter's decision record and the year's statistics, which equal what this test counted itself.

Everything goes through the app (the JSON API under /api/v1, the console's forms where the API
has no route, the residents' pages); the test database is only used to make the chairs, as the
other web tests do. Deadlines are set in the past instead of faking the clock.
"""

from __future__ import annotations

import csv
import html
import io
import random
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.vote.helpers import (
    Client,
    World,
    assert_problem,
    bearer,
    csrf_of,
    login,
    page_login,
    zh,
)
from vote.demo import roster_csv

BEIJING = ZoneInfo("Asia/Shanghai")
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64  # judged by its bytes
AREA_NAME, AREA_CODE = "瑞金三居民区", "ruijin3"
API = "/api/v1"
NOT_UP = (
    "Opinions are taken only while the notice is up. Nothing was saved; please contact "
    "your residents' committee."
)


@dataclass
class Year:
    """What the story made, and what the test counts itself as it goes."""

    client: Client
    street: dict[str, str]  # the street chair's API headers
    chair: dict[str, str] = field(default_factory=dict)  # the area chair's
    area_id: int = 0
    street_id: int = 0
    matters: dict[str, int] = field(default_factory=dict)
    hearings: int = 0
    coordination_meetings: int = 0
    evaluation_meetings: int = 0
    demands_received: int = 0
    demands_replied: int = 0
    ratings: list[str] = field(default_factory=list)
    turnouts: list[float] = field(default_factory=list)
    projects_chosen: int = 0
    projects_cost: int = 0
    codes: dict[int, list[str]] = field(default_factory=dict)  # invitation codes per ballot
    names: set[str] = field(default_factory=set)  # residents' names (never public)

    async def get(self, path: str, headers: dict[str, str] | None = None) -> Any:
        response = await self.client.get(API + path, headers=headers or self.chair)
        assert response.status_code == 200, response.text
        return response.json()

    async def post(
        self, path: str, body: Any = None, status: int = 200, headers: dict[str, str] | None = None
    ) -> Any:
        response = await self.client.post(
            API + path, json=body if body is not None else {}, headers=headers or self.chair
        )
        assert response.status_code == status, response.text
        return response.json() if response.content else None

    async def put(self, path: str, body: Any) -> Any:
        response = await self.client.put(API + path, json=body, headers=self.chair)
        assert response.status_code == 200, response.text
        return response.json()

    async def matter(self, key: str, kind: str, title: str) -> int:
        made = await self.post(
            "/matters", {"unit_id": self.area_id, "kind": kind, "title": title}, status=201
        )
        self.matters[key] = int(made["id"])
        return self.matters[key]

    async def meeting(self, matter_id: int, title: str) -> dict[str, Any]:
        """A meeting of the matter's kind, starting now (so within this year)."""
        made: dict[str, Any] = await self.post(
            f"/matters/{matter_id}/meetings",
            {"title": title, "starts_at": _iso(datetime.now(UTC)), "venue": "居委会议室"},
            status=201,
        )
        if made["kind"] == "hearing":
            self.hearings += 1
        elif made["kind"] == "coordination":
            self.coordination_meetings += 1
        elif made["kind"] == "evaluation":
            self.evaluation_meetings += 1
        return made

    async def run_ballot(self, ballot_id: int, votes: list[dict[str, list[str]]]) -> Any:
        """Invite every elector, open, cast ``votes`` with the first credentials, close and
        publish; answer the published result. Counts the turnout for the statistics."""
        invited = await self.post(f"/ballots/{ballot_id}/invitations", status=201)
        credentials = [invitation["credential"] for invitation in invited]
        self.names.update(invitation["name"] for invitation in invited)
        self.codes[ballot_id] = credentials
        assert len(credentials) >= len(votes)
        await self.post(f"/ballots/{ballot_id}/open")
        for credential, answers in zip(credentials, votes, strict=False):
            await self.post(
                f"/ballots/{ballot_id}/casts",
                {"credential": credential, "answers": answers},
                status=201,
                headers={},
            )
        await self.post(f"/ballots/{ballot_id}/close")
        await self.post(f"/ballots/{ballot_id}/publish?confirm=true")
        self.turnouts.append(len(votes) / len(credentials))
        return await self.get(f"/ballots/{ballot_id}/result", headers={})


def _iso(at: datetime) -> str:
    return at.isoformat()


async def _console(year: Year, username: str, secret: str) -> str:
    """Log the chair in to the console (the next TOTP step: the API login used this one)."""
    response = await page_login(year.client, username, secret, ahead=1)
    assert response.status_code in (302, 303), response.text
    return csrf_of((await year.client.get("/chair/matters")).text)


# --- the area and its chair ------------------------------------------------------------------


async def _set_up_the_area(year: Year, world: World) -> str:
    """The street chair opens the area and imports its roll; the area's chair logs in with
    password and TOTP. Answers the area chair's TOTP secret."""
    year.street_id = world.units["ruijin2"]
    unit = await year.post(
        "/units",
        {"name": AREA_NAME, "code": AREA_CODE, "level": "area", "parent_id": year.street_id},
        status=201,
        headers=year.street,
    )
    year.area_id = int(unit["id"])
    roster = roster_csv(random.Random(2026), 14)
    imported = await year.client.post(
        f"{API}/units/{year.area_id}/roll?filename=ruijin3.csv",
        content=roster,
        headers={**year.street, "Content-Type": "text/csv"},
    )
    assert imported.status_code == 200, imported.text
    world.units[AREA_CODE] = year.area_id
    secret = await world.add_chair("ruijin3_chair", "area_chair", AREA_CODE)
    year.chair = bearer(await login(year.client, "ruijin3_chair", secret))
    return secret


# --- 1. the year-end hearing -----------------------------------------------------------------

PROPOSALS = {
    "wall": ("5号楼外墙渗水", "5号楼北面外墙一下雨就渗水，墙皮脱落，请修缮。", "3"),
    "lights": ("弄堂路灯太暗", "弄堂里晚上太暗，老人走路不方便，希望更换路灯。", "4"),
    "charging": ("非机动车充电棚", "电瓶车在楼道里充电很危险，希望建一个充电棚。", "6"),
}


async def _year_end_hearing(year: Year) -> None:
    """Residents propose from the notice's QR page, the chair merges, costs and shortlists, one
    action makes the budget ballot, residents vote, the chosen projects are the tally's."""
    hearing = await year.matter("hearing", "hearing", "2027年急难愁问题征集听证")
    now = datetime.now(UTC)
    notice = await year.post(
        f"/matters/{hearing}/notices",
        {
            "title": "征集2027年急难愁问题和实事项目建议",
            "body": "请居民提出身边的急难愁问题和项目建议，经费8万元。",
            "starts_at": _iso(now - timedelta(minutes=5)),
            "ends_at": _iso(now + timedelta(days=14)),
            "collects": "proposals",
            "anonymous": True,
        },
        status=201,
    )
    notice_id = notice["id"]
    await year.post(f"/notices/{notice_id}/publish")
    meeting = await year.meeting(hearing, "2026年年终听证会")
    assert meeting["kind"] == "hearing"

    # The printed sheet's QR opens the online notice, which links to the proposal form.
    sheet = await year.client.get(f"/notices/{notice_id}/print")
    assert sheet.status_code == 200
    online = await year.client.get(f"/notices/{notice_id}")
    assert online.status_code == 200 and f"/notices/{notice_id}/opinions" in online.text
    numbers: dict[str, int] = {}
    for key, (title, text, _cost) in PROPOSALS.items():
        sent = await year.client.post(
            f"/notices/{notice_id}/opinions", data={"title": title, "text": text, "credential": ""}
        )
        assert sent.status_code == 200, sent.text
        numbers[key] = len(numbers) + 1
    duplicate = await year.post(
        f"/notices/{notice_id}/opinions",
        {"title": "5号楼外墙漏水", "text": "外墙漏水严重，家里墙面发霉。"},
        status=201,
        headers={},
    )
    assert duplicate["number"] == 4

    everything = await year.get(f"/notices/{notice_id}/opinions/all")
    by_number = {opinion["number"]: opinion["id"] for opinion in everything["opinions"]}
    assert sorted(by_number) == [1, 2, 3, 4]
    ids = {key: by_number[number] for key, number in numbers.items()}
    await year.post(f"/opinions/{by_number[4]}/merge", {"into_id": ids["wall"]})
    for key, (_title, _text, cost) in PROPOSALS.items():
        await year.post(f"/opinions/{ids[key]}/cost", {"cost_wan": cost})
        await year.post(f"/opinions/{ids[key]}/shortlist", {"on": True})
        await year.post(
            f"/opinions/{ids[key]}/adoption",
            {"adoption": "adopted", "reason": "列入2027年实事项目候选清单"},
        )
    public_list = (await year.client.get(f"/notices/{notice_id}/opinions")).text
    assert "并入第1条" in public_list

    made = await year.post(
        f"/notices/{notice_id}/budget-ballot",
        {"budget_wan": "8", "title": "2027年瑞金三居民区实事项目投票"},
        status=201,
    )
    ballot_id = made["ballot_id"]
    manage = await year.get(f"/ballots/{ballot_id}/manage")
    (question,) = manage["spec"]["questions"]
    option_of = {
        next(k for k, v in PROPOSALS.items() if v[0] == option["label"]): option["id"]
        for option in question["options"]
    }
    assert {option["cost"] for option in question["options"]} == {30_000, 40_000, 60_000}
    wall, lights, charging = option_of["wall"], option_of["lights"], option_of["charging"]
    votes = (
        [{question["id"]: [wall, lights]}] * 6
        + [{question["id"]: [wall]}] * 3
        + [{question["id"]: [charging]}] * 2
    )
    result = await year.run_ballot(ballot_id, votes)
    (counted,) = result["questions"]
    # Most support for the wall (9), then the lights (6): together 7万 of 8万; the charging shed
    # (2 votes, 6万) no longer fits.
    assert set(counted["winners"]) == {wall, lights}
    tallies = {option["id"]: option["votes"] for option in counted["options"]}
    assert tallies == {wall: 9, lights: 6, charging: 2}
    year.projects_chosen += 2
    year.projects_cost += 70_000
    record = (await year.client.get(f"/matters/{hearing}")).text
    assert "5号楼外墙渗水" in record and "弄堂路灯太暗" in record
    ballot_page = (await year.client.get(f"/ballots/{ballot_id}")).text
    assert f'href="/notices/{notice_id}/opinions"' in ballot_page


# --- 2. the appraisal firm's selection, after a public notice -------------------------------


async def _selection(year: Year) -> None:
    """The selection's notice with the bidders' disclosures, an opinion in the period and one
    refused after it, then the selection ballot."""
    selection = await year.matter("selection", "selection", "5号楼外墙修缮评估公司选定")
    now = datetime.now(UTC)
    notice = await year.post(
        f"/matters/{selection}/notices",
        {
            "title": "5号楼外墙修缮评估公司选定公示",
            "body": "公开竞标资质条件，公开有关竞标企业资讯，公开工作程序。",
            "template": "selection",
            "starts_at": _iso(now - timedelta(minutes=5)),
            "ends_at": _iso(now + timedelta(days=7)),
            "collects": "opinions",
        },
        status=201,
    )
    notice_id = notice["id"]
    assert [item["key"] for item in notice["items"]] == ["qualifications", "bidders", "procedure"]
    disclosures = {
        "qualifications": "具有房地产估价二级以上资质，近三年无违规记录。",
        "bidders": "甲评估公司（二级资质）；乙评估公司（一级资质）。",
        "procedure": "公示7天→居民投票→公布结果→签约。",
    }
    for key, body in disclosures.items():
        await year.put(f"/notices/{notice_id}/items/{key}", {"body": body})
    published = await year.post(f"/notices/{notice_id}/publish")
    assert published["state"] == "up"
    public = await year.get(f"/notices/{notice_id}", headers={})
    assert {item["key"]: item["body"] for item in public["items"]} == disclosures

    # A resident identifies with the code of their practical-projects invitation.
    practical = next(
        b["id"] for b in (await year.get(f"/matters/{year.matters['hearing']}"))["ballots"]
    )
    credential = year.codes[practical][-1]
    accepted = await year.post(
        f"/notices/{notice_id}/opinions",
        {"text": "建议公开两家公司以往的评估案例。", "credential": credential},
        status=201,
        headers={},
    )
    assert accepted["number"] == 1
    (opinion,) = (await year.get(f"/notices/{notice_id}/opinions/all"))["opinions"]
    await year.post(f"/opinions/{opinion['id']}/reply", {"reply": "两家公司的案例已补充公示。"})
    await year.post(
        f"/opinions/{opinion['id']}/adoption",
        {"adoption": "adopted", "reason": "案例有助于居民比较"},
    )

    # The notice period ends: the chair sets its end in the past.
    await year.put(
        f"/notices/{notice_id}",
        {
            "title": notice["title"],
            "body": notice["body"],
            "starts_at": notice["starts_at"],
            "ends_at": _iso(datetime.now(UTC) - timedelta(minutes=1)),
            "collects": "opinions",
            "anonymous": False,
        },
    )
    before = await year.get(f"/notices/{notice_id}/opinions", headers={})
    late = await year.client.post(
        f"{API}/notices/{notice_id}/opinions",
        json={"text": "公示结束后才看到，补充一条意见。", "credential": credential},
    )
    assert_problem(late, 409, "notice-not-up")
    page = await year.client.post(
        f"/notices/{notice_id}/opinions",
        data={"text": "公示结束后才看到，补充一条意见。", "credential": credential},
    )
    assert page.status_code == 409
    assert html.escape(zh(NOT_UP), quote=False) in page.text
    after = await year.get(f"/notices/{notice_id}/opinions", headers={})
    assert after == before and len(after["opinions"]) == 1

    draft = {
        "title": "选定5号楼外墙修缮评估公司",
        "questions": [
            {
                "id": "firm",
                "kind": "single",
                "prompt": "请选择评估公司",
                "options": [{"id": "a", "label": "甲评估公司"}, {"id": "b", "label": "乙评估公司"}],
            }
        ],
        "eligibility": {"min_age": 18},
    }
    made = await year.post(f"/matters/{selection}/ballots", draft, status=201)
    result = await year.run_ballot(
        made["ballot"]["id"], [{"firm": ["b"]}] * 5 + [{"firm": ["a"]}] * 2
    )
    assert result["questions"][0]["winners"] == ["b"]
    report = (await year.client.get(f"/notices/{notice_id}/report")).text
    assert "两家公司的案例已补充公示。" in report and "案例有助于居民比较" in report
    opinions_page = (await year.client.get(f"/notices/{notice_id}/opinions")).text
    for name in year.names:  # the opinion was sent with a code, without choosing to show a name
        assert name not in report and name not in opinions_page
    ballot_page = (await year.client.get(f"/ballots/{made['ballot']['id']}")).text
    assert f'href="/notices/{notice_id}/report"' in ballot_page


# --- 3. coordination with the relocation company, and the implementation ---------------------


async def _implementation_and_coordination(year: Year) -> None:
    """The project's milestones; a coordination meeting with the relocation company (an outside
    organisation with a contact person); an agreed action past its deadline is overdue until it
    is marked done."""
    project = await year.matter("project", "practical", "5号楼外墙修缮工程")
    milestone = await year.post(
        f"/matters/{project}/actions",
        {"kind": "milestone", "title": "脚手架搭设", "owner": "施工单位", "due_on": None},
        status=201,
    )
    await year.post(f"/actions/{milestone['id']}/progress", {"progress": 60})

    company = await year.post(
        f"/units/{year.area_id}/organisations",
        {
            "name": "卢湾动迁有限公司",
            "kind": "company",
            "contact_name": "周经理",
            "contact_phone": "13800001111",
        },
        status=201,
    )
    coordination = await year.matter("coordination", "coordination", "外墙修缮期间临时安置协调会")
    meeting = await year.meeting(coordination, "临时安置协调会")
    assert meeting["kind"] == "coordination"
    await _relocation_notice(year, coordination)
    residents = await year.post(
        f"/matters/{coordination}/parties", {"name": "5号楼居民代表"}, status=201
    )
    firm = await year.post(
        f"/matters/{coordination}/parties",
        {"organisation_id": company["id"], "contact": "周经理"},
        status=201,
    )
    issue = await year.post(
        f"/matters/{coordination}/issues", {"title": "施工期间临时安置费标准"}, status=201
    )
    await year.put(
        f"/issues/{issue['id']}/positions/{residents['id']}", {"text": "每户每月不少于3000元"}
    )
    await year.put(f"/issues/{issue['id']}/positions/{firm['id']}", {"text": "按市场价每月2500元"})
    agreement = await year.post(
        f"/matters/{coordination}/agreements",
        {"text": "临时安置费每户每月2800元，施工结束后一周内结清。", "issue_id": issue["id"]}
        | {"meeting_id": meeting["id"]},
        status=201,
    )
    beijing_today = datetime.now(BEIJING).date()
    late = await year.post(
        f"/agreements/{agreement['id']}/actions",
        {
            "title": "发放第一个月临时安置费",
            "organisation_id": company["id"],
            "due_on": (beijing_today - timedelta(days=3)).isoformat(),
        },
        status=201,
    )
    on_time = await year.post(
        f"/agreements/{agreement['id']}/actions",
        {
            "title": "公布施工进度表",
            "owner": "居委会",
            "due_on": (beijing_today + timedelta(days=10)).isoformat(),
        },
        status=201,
    )
    overdue = {row["action"]["id"]: row for row in (await year.get("/actions/overdue"))["actions"]}
    assert late["id"] in overdue and on_time["id"] not in overdue
    row = overdue[late["id"]]
    assert row["days"] == 3 and row["matter_id"] == coordination and row["unit_name"] == AREA_NAME
    assert row["action"]["owner"] == "卢湾动迁有限公司"
    public = (await year.client.get(f"/matters/{coordination}")).text
    assert "卢湾动迁有限公司" in public and "每户每月不少于3000元" in public
    assert "13800001111" not in public and "周经理" not in public
    console = await year.client.get("/chair/overdue")
    assert console.status_code == 200 and "发放第一个月临时安置费" in console.text
    await year.post(f"/actions/{late['id']}/status", {"status": "done"})
    console = await year.client.get("/chair/overdue")
    assert "发放第一个月临时安置费" not in console.text
    assert late["id"] not in {
        row["action"]["id"] for row in (await year.get("/actions/overdue"))["actions"]
    }
    await year.post(f"/actions/{milestone['id']}/status", {"status": "done"})


NINE = {
    "scope": "5号楼北侧临时安置12户",
    "categories": "二级旧里地段",
    "compensation": "临时安置费按月发放，标准经协调会商定",
    "housing": "周转房8套，安置价与市场价见附表",
    "appraiser": "评估公司经居民投票选定（乙评估公司）",
    "procedure": "公示→签约→搬离→施工→回搬",
    "results": "各户安置结果签约后公示",
    "staff": "动迁公司经办人2名，负责签约和费用发放",
    "complaints": "居委会意见箱、街道信访接待",
}


async def _relocation_notice(year: Year, matter_id: int) -> None:
    """The temporary relocation's 九公开 from the template, published; a standard changed after
    publication is kept as a new version beside the old text."""
    now = datetime.now(UTC)
    notice = await year.post(
        f"/matters/{matter_id}/notices",
        {
            "title": "5号楼临时安置九公开",
            "template": "relocation",
            "starts_at": _iso(now - timedelta(minutes=5)),
            "ends_at": _iso(now + timedelta(days=30)),
        },
        status=201,
    )
    assert [item["key"] for item in notice["items"]] == list(NINE)
    for key, body in NINE.items():
        await year.put(f"/notices/{notice['id']}/items/{key}", {"body": body})
    await year.post(f"/notices/{notice['id']}/publish")
    await year.put(
        f"/notices/{notice['id']}/items/compensation", {"body": "临时安置费每户每月2800元"}
    )
    public = await year.get(f"/notices/{notice['id']}", headers={})
    items = {item["key"]: item for item in public["items"]}
    assert items["compensation"]["body"] == "临时安置费每户每月2800元"
    assert [v["body"] for v in items["compensation"]["earlier"]] == [NINE["compensation"]]
    page = (await year.client.get(f"/notices/{notice['id']}")).text
    assert NINE["compensation"] in page and "临时安置费每户每月2800元" in page


# --- 4. evaluation, rectification, re-evaluation ---------------------------------------------


async def _evaluation(year: Year) -> None:
    """A poor rating flags the project; a rectification item is followed by a re-evaluation
    whose rate is better; the subject's history shows both."""
    project = year.matters["project"]
    subject = await year.post(
        "/evaluation-subjects",
        {
            "unit_id": year.area_id,
            "kind": "project",
            "name": "5号楼外墙修缮工程",
            "matter_id": project,
        },
        status=201,
    )
    first = await year.matter("evaluation", "evaluation", "5号楼外墙修缮工程评议会")
    meeting = await year.meeting(first, "外墙修缮评议会")
    assert meeting["kind"] == "evaluation"
    made = await year.post(
        f"/matters/{first}/evaluation-ballots",
        {"title": "5号楼外墙修缮工程评议", "subject_ids": [subject["id"]]},
        status=201,
    )
    (rating,) = made["ratings"]
    question = rating["question_id"]
    await year.run_ballot(
        made["ballot_id"],
        [{question: ["poor"]}] * 4 + [{question: ["fair"]}] * 2 + [{question: ["good"]}] * 2,
    )
    history = await year.get(f"/evaluation-subjects/{subject['id']}")
    (evaluated,) = history["evaluations"]
    assert evaluated["rates"]["satisfaction"] == pytest.approx(4 / 8)
    assert evaluated["rates"]["flagged"] is True

    item = await year.post(
        f"/evaluation-subjects/{subject['id']}/rectifications",
        {
            "title": "北面外墙重新做防水",
            "owner": "施工单位",
            "due_on": (datetime.now(BEIJING).date() + timedelta(days=30)).isoformat(),
        },
        status=201,
    )
    await year.post(f"/rectifications/{item['id']}/status", {"status": "done"})

    second = await year.matter("reevaluation", "evaluation", "5号楼外墙整改后复评")
    await year.meeting(second, "整改后复评会")
    made = await year.post(
        f"/matters/{second}/evaluation-ballots",
        {"title": "5号楼外墙整改后复评", "subject_ids": [subject["id"]]},
        status=201,
    )
    await year.run_ballot(
        made["ballot_id"],
        [{question: ["good"]}] * 5 + [{question: ["fair"]}] * 2 + [{question: ["poor"]}],
    )
    history = await year.get(f"/evaluation-subjects/{subject['id']}")
    rates = [evaluation["rates"]["satisfaction"] for evaluation in history["evaluations"]]
    assert sorted(rates) == pytest.approx([4 / 8, 7 / 8])
    assert [r["status"] for r in history["rectifications"]] == ["done"]
    public = await year.client.get(f"/evaluations/subjects/{subject['id']}")
    assert public.status_code == 200
    assert "北面外墙重新做防水" in public.text
    assert "50.0%" in public.text and "87.5%" in public.text
    yearly = (await year.client.get("/evaluations")).text
    assert "5号楼外墙修缮工程" in yearly


# --- 5. demands from a corridor QR poster ----------------------------------------------------


async def _demands(year: Year) -> None:
    """A resident sends a demand without an account; the first receiver stays responsible
    across forwarding; the reply; the rating from the same private link; another resident
    cannot rate it; one demand escalates to a coordination meeting."""
    poster = await year.post(
        f"/agency/units/{year.area_id}/posters", {"building": "5号楼"}, status=201
    )
    categories = await year.get(f"/agency/units/{year.area_id}/categories")
    repairs = next(c for c in categories if c["name"] == "房屋修缮")
    disputes = next(c for c in categories if c["name"] == "邻里纠纷")
    token = poster["token"]
    form = await year.client.get(f"/d/{token}")
    assert form.status_code == 200
    sent = await year.client.post(
        f"/d/{token}",
        data={"category": str(repairs["id"]), "text": "5号楼3楼楼道窗户玻璃碎了", "contact": ""},
        files={"photo": ("window.png", PNG, "image/png")},
    )
    assert sent.status_code == 200, sent.text
    link = re.search(r"/d/r/([A-Za-z0-9_-]+)", sent.text)
    assert link is not None
    secret = link.group(1)
    other = await year.post(
        "/agency/public/demands",
        {"token": token, "category_id": disputes["id"], "text": "楼上装修噪音扰民，协商无果"},
        status=201,
        headers={},
    )
    third = await year.post(
        "/agency/public/demands",
        {"token": token, "category_id": repairs["id"], "text": "楼道灯不亮"},
        status=201,
        headers={},
    )
    year.demands_received += 3

    inbox = await year.get(f"/agency/demands?unit_id={year.area_id}")
    by_text = {demand["text"]: demand for demand in inbox["demands"]}
    window = by_text["5号楼3楼楼道窗户玻璃碎了"]
    noise = by_text["楼上装修噪音扰民，协商无果"]
    lamp = by_text["楼道灯不亮"]
    assert noise["number"] == other["number"] and lamp["number"] == third["number"]
    assert window["building"] == "5号楼" and window["first_receiver"] == ""
    assert window["has_photo"] and not noise["has_photo"]

    accepted = await year.post(f"/agency/demands/{window['id']}/accept")
    receiver = accepted["first_receiver"]
    assert receiver
    department = await year.post(
        f"/units/{year.street_id}/organisations",
        {"name": "区房屋管理局", "kind": "department", "contact_name": "房管科"},
        status=201,
        headers=year.street,
    )
    forwarded = await year.post(
        f"/agency/demands/{window['id']}/forward",
        {"organisation_id": department["id"], "note": "请房管局维修"},
        headers=year.street,
    )
    assert forwarded["first_receiver"] == receiver
    assert forwarded["organisation_id"] == department["id"]
    replied = await year.post(
        f"/agency/demands/{window['id']}/reply",
        {"text": "房管局已更换玻璃。", "resolved": True},
        headers=year.street,
    )
    assert replied["first_receiver"] == receiver and replied["state"] == "replied"
    year.demands_replied += 1

    # Another resident holds only their own link: it rates nothing of this demand, and a link
    # that is nobody's is refused.
    stranger = await year.client.post(
        f"{API}/agency/public/rating", json={"secret": third["secret"], "rating": "unsatisfied"}
    )
    assert_problem(stranger, 409, "demand-not-replied")
    guessed = await year.client.post(
        f"{API}/agency/public/rating",
        json={"secret": secret[:-4] + "AAAA", "rating": "unsatisfied"},
    )
    assert guessed.status_code == 404
    unchanged = await year.get(f"/agency/demands/{window['id']}")
    assert unchanged["rating"] is None

    status = await year.client.get(f"/d/r/{secret}")
    assert status.status_code == 200 and "房管局已更换玻璃。" in status.text
    assert receiver not in status.text
    rated = await year.client.post(f"/d/r/{secret}", data={"rating": "satisfied"})
    assert rated.status_code == 200 and zh("Thank you for your rating.") in rated.text
    year.ratings.append("satisfied")
    again = await year.client.post(
        f"{API}/agency/public/rating", json={"secret": secret, "rating": "unsatisfied"}
    )
    assert_problem(again, 409, "demand-already-rated")
    assert (await year.get(f"/agency/demands/{window['id']}"))["rating"] == "satisfied"

    await year.post(f"/agency/demands/{lamp['id']}/accept")
    await year.post(
        f"/agency/demands/{lamp['id']}/reply", {"text": "已更换灯泡。", "resolved": True}
    )
    year.demands_replied += 1
    await year.post(
        "/agency/public/rating", {"secret": third["secret"], "rating": "basic"}, headers={}
    )
    year.ratings.append("basic")

    escalated = await year.post(
        f"/agency/demands/{noise['id']}/escalate", {"title": "装修噪音协调会"}
    )
    matter = escalated["escalated_matter_id"]
    assert matter is not None
    opened = (await year.client.get(f"/matters/{matter}")).text
    assert "装修噪音协调会" in opened
    assert "楼上装修噪音扰民" not in opened  # the resident's own words stay private
    year.matters["noise"] = matter
    meeting = await year.meeting(matter, "装修噪音协调会")
    assert meeting["kind"] == "coordination"

    # 三率: every demand taken on at once (escalating takes it on too), both replies resolved,
    # both ratings satisfied or basically satisfied.
    this_year = datetime.now(BEIJING).year
    rates = await year.get(f"/agency/stats?unit_id={year.area_id}&kind=year&year={this_year}")
    (area,) = rates["units"]
    assert {k: area[k] for k in ("received", "responded", "replied", "resolved", "rated")} == {
        "received": 3,
        "responded": 3,
        "replied": 2,
        "resolved": 2,
        "rated": 2,
    }
    assert (area["response_rate"], area["resolution_rate"], area["satisfaction_rate"]) == (
        1.0,
        1.0,
        1.0,
    )


# --- 6. links, referral, what the district sees ----------------------------------------------


async def _link_and_refer(year: Year, csrf: str) -> int:
    """The chair links the year's matters in the console and refers the noise matter up to the
    street. Answers the street's new matter."""
    m = year.matters
    for source, target, kind in (
        ("hearing", "selection", "proposed"),
        ("selection", "project", "selected"),
        ("project", "coordination", "coordination"),
        ("project", "evaluation", "evaluation"),
        ("evaluation", "reevaluation", "rectification"),
    ):
        linked = await year.client.post(
            f"/chair/matters/{m[source]}/links",
            data={"csrf_token": csrf, "other": str(m[target]), "kind": kind},
        )
        assert linked.status_code == 200, linked.text
        assert zh("Linked.") in linked.text
    referred = await year.client.post(
        f"/chair/matters/{m['noise']}/refer",
        data={
            "csrf_token": csrf,
            "to_unit": str(year.street_id),
            "reason": "涉及违章装修，需街道城管协调",
        },
    )
    assert referred.status_code == 200, referred.text
    found = re.search(r'<a href="/chair/matters/(\d+)">装修噪音协调会</a>', referred.text)
    assert found is not None
    return int(found.group(1))


async def _district_reads_the_records(year: Year, street_matter: int) -> None:
    m = year.matters
    neighbours = {
        "hearing": ["selection"],
        "selection": ["hearing", "project"],
        "project": ["selection", "coordination", "evaluation"],
        "coordination": ["project"],
        "evaluation": ["project", "reevaluation"],
        "reevaluation": ["evaluation"],
    }
    reached = {"hearing"}
    frontier = ["hearing"]
    while frontier:
        key = frontier.pop()
        record = await year.client.get(f"/matters/{m[key]}/record")
        assert record.status_code == 200
        for other in neighbours[key]:
            assert f'href="/matters/{m[other]}"' in record.text, (key, other)
            if other not in reached:
                reached.add(other)
                frontier.append(other)
    assert reached == set(neighbours)
    # Whichever matter it is opened from, one timeline tells the whole chain.
    whole = (await year.client.get(f"/matters/{m['hearing']}/record")).text
    for key in neighbours:
        assert f'<a href="/matters/{m[key]}">' in whole, key
    for step in ("弄堂路灯太暗", "北面外墙重新做防水", "5号楼外墙整改后复评"):
        assert step in whole, step
    project = (await year.client.get(f"/matters/{m['project']}/record")).text
    for step in (
        "乙评估公司",  # the selection's result
        "脚手架搭设",  # a milestone
        "发放第一个月临时安置费",  # the coordination's agreed action
        "5号楼外墙修缮工程评议",  # the evaluation
        "北面外墙重新做防水",  # the subject's rectification, on the project's own timeline
    ):
        assert step in project
    for name in ("13800001111", "周经理"):
        assert name not in project
    # Each link's step says how the matters relate and names the other one.
    assert "本事项为此召开了协调会：外墙修缮期间临时安置协调会" in project
    assert "关联自：5号楼外墙修缮评估公司选定" in project
    area_side = (await year.client.get(f"/matters/{m['noise']}")).text
    street_side = (await year.client.get(f"/matters/{street_matter}")).text
    for side in (area_side, street_side):
        assert "转交原因：涉及违章装修，需街道城管协调" in side
        assert "瑞金二路街道" in side and AREA_NAME in side
    assert f'href="/matters/{street_matter}"' in area_side
    assert "转交 瑞金二路街道" in area_side and f"由 {AREA_NAME} 转来" in street_side
    assert f'href="/matters/{m["noise"]}"' in street_side


def _expected_row(year: Year) -> dict[str, Any]:
    good = sum(1 for rating in year.ratings if rating in ("satisfied", "basic"))
    return {
        "hearings": year.hearings,
        "coordination_meetings": year.coordination_meetings,
        "evaluation_meetings": year.evaluation_meetings,
        "demands_received": year.demands_received,
        "demands_replied": year.demands_replied,
        "demands_replied_on_time": year.demands_replied,  # replied within minutes
        "satisfaction_rate": good / len(year.ratings),
        "ballots_opened": len(year.turnouts),
        "average_turnout": sum(year.turnouts) / len(year.turnouts),
        "projects_chosen": year.projects_chosen,
        "projects_cost": year.projects_cost,
    }


async def _district_reads_the_statistics(year: Year, world: World) -> None:
    secret = await world.add_chair("luwan_observer", "observer", "luwan")
    district = bearer(await login(year.client, "luwan_observer", secret))
    this_year = datetime.now(BEIJING).year
    expected = _expected_row(year)
    assert expected == {
        "hearings": 1,
        "coordination_meetings": 2,
        "evaluation_meetings": 2,
        "demands_received": 3,
        "demands_replied": 2,
        "demands_replied_on_time": 2,
        "satisfaction_rate": 1.0,
        "ballots_opened": 4,
        "average_turnout": pytest.approx(expected["average_turnout"]),
        "projects_chosen": 2,
        "projects_cost": 70_000,
    }
    figures = await year.get(
        f"/statistics?unit_id={year.street_id}&year={this_year}", headers=district
    )
    rows = {row["unit_name"]: row for row in figures["rows"] if not row["total"]}
    row = rows[AREA_NAME]
    for name, value in expected.items():
        assert row[name] == pytest.approx(value, abs=0.00005), name  # rates to four places
    own = await year.get(f"/statistics?unit_id={year.area_id}&year={this_year}", headers=district)
    (total,) = own["rows"]
    assert {k: total[k] for k in expected} == {k: row[k] for k in expected}

    await _console(year, "luwan_observer", secret)
    page = await year.client.get(f"/chair/statistics?unit_id={year.street_id}&year={this_year}")
    assert page.status_code == 200 and AREA_NAME in page.text
    exported = await year.client.get(
        f"/chair/statistics/export.csv?unit_id={year.street_id}&year={this_year}"
    )
    assert exported.status_code == 200
    table = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    (line,) = [cells for cells in table if cells[0] == AREA_NAME]
    assert [float(cell) if cell else None for cell in line[1:]] == pytest.approx(
        [
            expected["hearings"],
            expected["coordination_meetings"],
            expected["evaluation_meetings"],
            expected["demands_received"],
            expected["demands_replied"],
            expected["demands_replied_on_time"],
            round(expected["satisfaction_rate"] * 100, 1),
            expected["ballots_opened"],
            round(expected["average_turnout"] * 100, 1),
            expected["projects_chosen"],
            expected["projects_cost"],
        ]
    )


async def test_a_residential_area_runs_a_year_of_work(
    client: Client, world: World, chair_headers: dict[str, str]
) -> None:
    year = Year(client=client, street=chair_headers)
    area_secret = await _set_up_the_area(year, world)
    csrf = await _console(year, "ruijin3_chair", area_secret)  # for the console's forms
    await _year_end_hearing(year)
    await _selection(year)
    await _implementation_and_coordination(year)
    await _evaluation(year)
    await _demands(year)
    street_matter = await _link_and_refer(year, csrf)
    await _district_reads_the_records(year, street_matter)
    await _district_reads_the_statistics(year, world)
