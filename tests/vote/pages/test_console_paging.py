"""Long console lists a page at a time: the evaluation register, the overdue actions, the
organisations and a notice's opinions (console and public) show ``PAGE_SIZE`` rows, a heading
with the whole count, "第 n 页，共 m 页" with links that keep the filters; a page past the last
shows the last, a malformed page number is a 400 page that says so. The matching API lists
page by ``offset`` and ``limit`` (at most 200) and answer ``total``."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ballots.evaluations.subjects import add_subject
from ballots.followup.actions import beijing_today, create_action
from ballots.matters import create_matter
from ballots.models import Action, EvaluationSubject, Opinion, Organisation
from ballots.notices import opinions
from ballots.notices.notices import create_notice, publish_notice
from ballots.organisations import add_organisation
from tests.ballots.factories import ADMIN, KEY
from tests.vote.helpers import Client, World, page_login, zh
from vote.pages.paging import PAGE_SIZE

MORE = 2 * PAGE_SIZE + 5


def _pages(total: int) -> int:
    return -(-total // PAGE_SIZE)


def _page_text(page: int, last: int) -> str:
    return zh("Page %(page)s of %(last)s") % {"page": page, "last": last}


async def _fill(world: World) -> dict[str, Any]:
    """Many subjects, overdue actions and organisations in 茂名, and a notice with opinions."""
    area = world.units["maoming"]

    async def work(session: AsyncSession) -> dict[str, Any]:
        for n in range(MORE):
            await add_subject(session, ADMIN, unit_id=area, kind="staff", name=f"工作人员{n:02d}")
            await add_organisation(session, ADMIN, unit_id=area, name=f"单位{n:02d}")
        matter = await create_matter(
            session, ADMIN, unit_id=area, kind="coordination", title="楼道整治协调"
        )
        today = beijing_today()
        for n in range(MORE):
            await create_action(
                session,
                ADMIN,
                kind="milestone",
                matter_id=matter.id,
                title=f"逾期事项{n:02d}",
                owner="物业",
                due_on=today - timedelta(days=1 + n),
            )
        hearing = await create_matter(session, ADMIN, unit_id=area, kind="hearing", title="听证")
        now = datetime.now(UTC)
        notice = await create_notice(
            session,
            ADMIN,
            matter_id=hearing.id,
            title="听证公示",
            starts_at=now - timedelta(days=1),
            ends_at=now + timedelta(days=7),
            collects="opinions",
            anonymous=True,
        )
        await publish_notice(session, ADMIN, notice.id, now=now - timedelta(days=1))
        for n in range(MORE):
            await opinions.submit(session, KEY, notice.id, text=f"意见{n:02d}", now=now)
        await session.commit()
        return {"notice": notice.id}

    made: dict[str, Any] = await world.db.run(work)
    return made


async def test_console_lists_come_a_page_at_a_time(
    client: Client, world: World, chair_headers: dict[str, str]
) -> None:
    made = await _fill(world)
    area = world.units["maoming"]
    subjects = await world.db.count(EvaluationSubject)  # the chair's street holds them all
    overdue = await world.db.count(Action, Action.status != "done", Action.due_on < beijing_today())

    async def organisation_names(session: AsyncSession) -> list[str]:
        found = await session.scalars(
            select(Organisation.name)
            .where(Organisation.unit_id.in_([area, world.units["ruijin2"]]))
            .order_by(Organisation.name, Organisation.id)
        )
        return list(found)

    organisations = await world.db.run(organisation_names)
    await page_login(client, "chair", world.info.totp_secret, ahead=1)

    register = await client.get("/chair/evaluations")
    assert register.status_code == 200
    assert zh("Register (%(n)s)") % {"n": subjects} in register.text
    assert register.text.count('href="/chair/evaluations/subjects/') >= PAGE_SIZE
    assert _page_text(1, _pages(subjects)) in register.text
    assert 'href="/chair/evaluations?page=2"' in register.text
    last = await client.get(f"/chair/evaluations?page={_pages(subjects)}")
    beyond = await client.get("/chair/evaluations?page=9999")
    assert _page_text(_pages(subjects), _pages(subjects)) in beyond.text
    assert beyond.text.count("工作人员") == last.text.count("工作人员")

    late = await client.get("/chair/overdue?page=2")
    assert zh("Overdue (%(n)s)") % {"n": overdue} in late.text
    assert _page_text(2, _pages(overdue)) in late.text
    assert late.text.count('name="status" value="done"') == PAGE_SIZE
    first = await client.get("/chair/overdue")
    assert f"逾期事项{MORE - 1:02d}" in first.text  # the most overdue first
    assert f"逾期事项{MORE - 1 - PAGE_SIZE:02d}" in late.text

    chosen = await client.get(f"/chair/organisations?unit={area}&page=3")
    assert chosen.status_code == 200
    heading = zh("Organisations of %(unit)s (%(n)s)")
    assert heading % {"unit": "茂名居民区", "n": len(organisations)} in chosen.text
    assert _page_text(3, _pages(len(organisations))) in chosen.text
    assert f'href="/chair/organisations?unit={area}&amp;page=2"' in chosen.text  # keeps the unit
    for name in organisations[2 * PAGE_SIZE :]:
        assert f"<strong>{name}</strong>" in chosen.text

    notice = made["notice"]
    sent = await world.db.count(Opinion, Opinion.notice_id == notice)
    console = await client.get(f"/chair/notices/{notice}/opinions?page=2")
    assert zh("Opinions (%(n)s)") % {"n": sent} in console.text
    assert f'id="opinion-{PAGE_SIZE + 1}"' in console.text
    assert f'id="opinion-{PAGE_SIZE}"' not in console.text
    assert _page_text(2, _pages(sent)) in console.text

    for path in ("/chair/evaluations", "/chair/overdue", f"/chair/notices/{notice}/opinions"):
        for bad in ("0", "abc", "-1", "100001"):
            refused = await client.get(f"{path}?page={bad}")
            assert refused.status_code == 400, (path, bad)
            assert zh("The request is malformed") in refused.text


async def test_public_opinions_and_api_lists_page_by_offset(
    client: Client, world: World, chair_headers: dict[str, str]
) -> None:
    made = await _fill(world)
    notice, area = made["notice"], world.units["maoming"]
    public = await client.get(f"/notices/{notice}/opinions?page=2")
    assert public.status_code == 200
    assert zh("Opinions so far (%(n)s)") % {"n": MORE} in public.text
    numbers = [n for n in range(1, MORE + 1) if f'id="opinion-{n}"' in public.text]
    assert numbers == list(range(51, MORE + 1))  # the public page lists 50 a page

    async def listed(path: str, key: str, size: int) -> tuple[list[Any], set[int]]:
        items: list[Any] = []
        totals: set[int] = set()
        offset = 0
        while True:
            got = await client.get(
                f"{path}{'&' if '?' in path else '?'}offset={offset}&limit={size}",
                headers=chair_headers,
            )
            assert got.status_code == 200, got.text
            body = got.json()
            assert (body["offset"], body["limit"]) == (offset, size)
            totals.add(body["total"])
            if not body[key]:
                return items, totals
            items.extend(body[key])
            offset += size

    subjects, totals = await listed("/api/v1/evaluation-subjects", "subjects", 17)
    assert totals == {len(subjects)} and len({s["id"] for s in subjects}) == len(subjects)
    assert [(s["kind"], s["name"], s["id"]) for s in subjects] == sorted(
        (s["kind"], s["name"], s["id"]) for s in subjects
    )
    assert len(subjects) == await world.db.count(EvaluationSubject)
    actions, totals = await listed("/api/v1/actions/overdue", "actions", 25)
    assert totals == {len(actions)} and len(actions) >= MORE
    dues = [date.fromisoformat(a["action"]["due_on"]) for a in actions]
    assert dues == sorted(dues)
    organisations, totals = await listed(f"/api/v1/units/{area}/organisations", "organisations", 9)
    assert totals == {len(organisations)} and len(organisations) >= MORE
    for path in (f"/api/v1/notices/{notice}/opinions", f"/api/v1/notices/{notice}/opinions/all"):
        found, totals = await listed(path, "opinions", 13)
        assert [o["number"] for o in found] == list(range(1, MORE + 1)) and totals == {MORE}
    for path in (
        "/api/v1/evaluation-subjects",
        "/api/v1/actions/overdue",
        f"/api/v1/units/{area}/organisations",
        f"/api/v1/notices/{notice}/opinions",
    ):
        for query in ("limit=201", "limit=0", "offset=-1", "offset=x"):
            got = await client.get(f"{path}?{query}", headers=chair_headers)
            assert got.status_code == 400, (path, query)
    past = await client.get(f"/api/v1/notices/{notice}/opinions?offset=5000")
    assert past.json()["opinions"] == [] and past.json()["total"] == MORE


async def test_public_evaluations_one_year_and_a_page_at_a_time(
    client: Client, world: World
) -> None:
    from tests.ballots.evaluations.test_evaluations import _run

    area = world.units["maoming"]
    count = PAGE_SIZE + 4

    async def work(session: AsyncSession) -> list[int]:
        ids = [
            (await add_subject(session, ADMIN, unit_id=area, kind="team", name=f"队{n:02d}")).id
            for n in range(count)
        ]
        matter = await create_matter(
            session, ADMIN, unit_id=area, kind="evaluation", title="服务评议"
        )
        await session.commit()
        # one voter: subject n is rated poor when n is odd, so the good ones come first
        for chunk, year in ((ids[:PAGE_SIZE], 2025), (ids[PAGE_SIZE:], 2025), (ids[:2], 2024)):
            votes = {sid: ["不满意" if ids.index(sid) % 2 else "满意"] for sid in chunk}
            await _run(session, matter.id, chunk, votes, year=year)
        return ids

    ids = await world.db.run(work)
    first = await client.get("/evaluations?year=2025")
    assert first.status_code == 200
    assert zh("%(n)s evaluated") % {"n": count} in first.text
    assert (
        _page_text(1, 2) in first.text and 'href="/evaluations?year=2025&amp;page=2"' in first.text
    )
    good = [f"队{n:02d}" for n in range(count) if n % 2 == 0]  # by rate, then name
    poor = [f"队{n:02d}" for n in range(count) if n % 2]
    order = good + poor
    assert all(f">{name}</a>" in first.text for name in order[:PAGE_SIZE])
    second = await client.get("/evaluations?year=2025&page=2")
    assert [name for name in order if f">{name}</a>" in second.text] == order[PAGE_SIZE:]
    assert 'href="/evaluations?year=2024"' in second.text
    older = await client.get("/evaluations?year=2024&page=7")  # clamped to its only page
    assert older.status_code == 200 and ">队00</a>" in older.text and ">队02</a>" not in older.text
    assert (await client.get("/evaluations?year=2023")).status_code == 404
    assert (await client.get("/evaluations?year=abc")).status_code == 400
    assert (await client.get("/evaluations?page=0")).status_code == 400
    newest = await client.get("/evaluations")
    assert "队" in newest.text and len(ids) == count
