"""Console: the agency — posters made, printed (QR, big text) and withdrawn; categories changed;
the inbox with the overdue mark; a demand taken on, passed on, reminded, replied and escalated
with the first receiver named throughout; bad input beside the field; 三率 page; another unit's
chair refused."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ballots.models import AuditEntry, Demand
from tests.vote.helpers import Client, World, csrf_of, page_login, zh


async def _logged_in(client: Client, world: World) -> str:
    response = await page_login(client, "chair", world.info.totp_secret)
    assert response.status_code in (302, 303), response.text
    return csrf_of((await client.get("/chair/agency/posters")).text)


async def test_posters_demands_and_rates_in_the_console(client: Client, world: World) -> None:
    csrf = await _logged_in(client, world)
    area = world.units["maoming"]
    inbox = await client.get("/chair/agency")
    assert inbox.status_code == 200 and zh("Agency") in inbox.text
    assert "3号楼门口的窨井盖松了" in inbox.text  # the demo's newest, still waiting
    made = await client.post(
        "/chair/agency/posters",
        data={"csrf_token": csrf, "unit_id": str(area), "building": "7号楼"},
    )
    assert made.status_code == 200 and "7号楼" in made.text
    poster_id = re.search(r"/chair/agency/posters/(\d+)/print", made.text)
    assert poster_id
    printed = await client.get(f"/chair/agency/posters/{poster_id.group(1)}/print")
    assert printed.status_code == 200 and "有事找居委 扫码反映" in printed.text
    token = re.search(r"/d/([A-Za-z0-9_-]+)</p>", printed.text)
    assert token and "<svg" in printed.text
    bad = await client.post(
        "/chair/agency/posters",
        data={"csrf_token": csrf, "unit_id": str(area), "building": "x" * 65},
    )
    assert bad.status_code == 422
    form = await client.get(f"/d/{token.group(1)}")
    cat = re.search(r'name="category" value="(\d+)"', form.text)  # 房屋修缮, the first
    assert cat
    changed = await client.post(
        "/chair/agency/categories",
        data={
            "csrf_token": csrf,
            "category_id": cat.group(1),
            "name": "房屋修缮",
            "deadline_days": "2",
            "active": "1",
        },
    )
    assert changed.status_code == 200 and zh("The categories are saved.") in changed.text
    wrong_days = await client.post(
        "/chair/agency/categories",
        data={
            "csrf_token": csrf,
            "category_id": cat.group(1),
            "name": "房屋修缮",
            "deadline_days": "0",
        },
    )
    assert wrong_days.status_code == 422
    sent = await client.post(
        f"/d/{token.group(1)}",
        data={"category": cat.group(1), "text": "电梯故障", "contact": "139"},
    )
    assert sent.status_code == 200
    # three days ago: half a day past the 2-day deadline (and 12 hours' grace)
    past = datetime.now(UTC) - timedelta(days=3)

    async def backdate(session: AsyncSession) -> None:
        await session.execute(
            update(Demand)
            .where(Demand.text == "电梯故障")  # not the demo's own
            .values(received_at=past, due_at=past + timedelta(days=2, hours=12))
        )
        await session.commit()

    await world.db.run(backdate)
    inbox = await client.get("/chair/agency")
    assert "电梯故障" in inbox.text and zh("Overdue by %(n)s days") % {"n": 1} in inbox.text
    beyond = await client.get("/chair/agency?state=open&page=50")  # a page past the last: the last
    assert beyond.status_code == 200 and "电梯故障" in beyond.text
    demand_id = await world.db.run(_demand_id)
    base = f"/chair/agency/{demand_id}"
    page = await client.get(base)
    assert "139" in page.text and zh("Not yet taken on") in page.text
    taken = await client.post(f"{base}/accept", data={"csrf_token": csrf})
    assert taken.status_code == 200
    no_text = await client.post(
        f"{base}/reply", data={"csrf_token": csrf, "text": "", "resolved": ""}
    )
    assert (
        no_text.status_code == 422
        and 'id="text-error"' in no_text.text
        and 'id="resolved-error"' in no_text.text
    )
    reminded = await client.post(f"{base}/remind", data={"csrf_token": csrf, "note": "请物业尽快"})
    assert reminded.status_code == 200
    replied = await client.post(
        f"{base}/reply", data={"csrf_token": csrf, "text": "已修好", "resolved": "yes"}
    )
    assert replied.status_code == 200 and "已修好" in replied.text
    escalated = await client.post(
        f"{base}/escalate", data={"csrf_token": csrf, "title": "电梯协调会"}
    )
    assert escalated.status_code == 200 and "/chair/matters/" in escalated.text
    stats = await client.get(f"/chair/agency/stats?unit_id={area}&kind=year&year={past.year}")
    assert stats.status_code == 200 and "响应率" in stats.text
    bad_quarter = await client.get(
        f"/chair/agency/stats?unit_id={area}&kind=quarter&year=2026&number=7"
    )
    assert bad_quarter.status_code == 422
    actions = await world.db.run(
        lambda s: s.scalars(AuditEntry.__table__.select().with_only_columns(AuditEntry.action))
    )
    names = set(actions.all())
    assert {
        "agency.poster.create",
        "agency.category.update",
        "agency.demand.accept",
        "agency.demand.remind",
        "agency.demand.reply",
        "agency.demand.escalate",
    } <= names


async def test_another_units_chair_is_refused(client: Client, world: World) -> None:
    csrf = await _logged_in(client, world)
    area = world.units["maoming"]
    await client.post("/chair/agency/posters", data={"csrf_token": csrf, "unit_id": str(area)})
    secret = await world.add_chair("sinan_chair", "area_chair", "sinan")
    await client.post("/chair/logout", data={"csrf_token": csrf})
    await page_login(client, "sinan_chair", secret)
    posters = await client.get("/chair/agency/posters")
    assert posters.status_code == 200 and "茂名" not in posters.text
    csrf = csrf_of(posters.text)
    refused = await client.post(
        "/chair/agency/posters", data={"csrf_token": csrf, "unit_id": str(area)}
    )
    assert refused.status_code == 403


async def test_a_posters_pdf_beside_its_print_link(client: Client, world: World) -> None:
    csrf = await _logged_in(client, world)
    made = await client.post(
        "/chair/agency/posters",
        data={"csrf_token": csrf, "unit_id": str(world.units["maoming"]), "building": "9号楼"},
    )
    found = re.search(r'href="(/chair/agency/posters/(\d+)/pdf)" download>PDF', made.text)
    assert found, made.text
    pdf = await client.get(found.group(1))
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-")
    assert "attachment" in pdf.headers["content-disposition"]
    secret = await world.add_chair("sinan_chair", "area_chair", "sinan")
    await client.post("/chair/logout", data={"csrf_token": csrf})
    await page_login(client, "sinan_chair", secret)
    assert (await client.get(found.group(1))).status_code == 403


async def _demand_id(session: AsyncSession) -> int:
    """The id of the demand this test sent (the demo has its own)."""
    found = await session.scalar(select(Demand.id).where(Demand.text == "电梯故障"))
    assert found is not None
    return int(found)
