"""Console: the ballot builder — a draft from a template, who is eligible counted first, errors
beside their fields with the typing kept and nothing changed, other units refused."""

from __future__ import annotations

import json

from sqlalchemy import select

from ballots.models import Ballot
from tests.vote.helpers import Client, World, csrf_of, page_login, zh

FIRMS = "上海申信房地产估价有限公司\n上海城达资产评估有限公司\n上海明诚房地产估价事务所"


async def logged_in(client: Client, world: World) -> str:
    response = await page_login(client, "chair", world.info.totp_secret)
    assert response.status_code in (302, 303), response.text
    return csrf_of((await client.get("/chair/matters")).text)


def builder(world: World) -> str:
    return f"/chair/matters/{world.matters[world.firm_id]}/ballots/new"


async def test_a_firm_selection_from_its_template(client: Client, world: World) -> None:
    csrf = await logged_in(client, world)
    form = await client.get(builder(world))
    assert form.status_code == 200
    assert zh("Choosing a firm (e.g. appraisal firm), one vote per household") in form.text
    before = await world.db.snapshot()
    typed = {
        "csrf_token": csrf,
        "template": "selection",
        "title": "第二批动迁评估公司选定",
        "prompt": "请选择您信任的评估公司",
        "choices": FIRMS,
        "quorum": "simple",
    }
    counted = await client.post(builder(world), data={**typed, "action": "count"})
    assert counted.status_code == 200
    assert "符合条件" in counted.text  # who is eligible, before anything is created
    assert await world.db.snapshot() == before
    created = await client.post(builder(world), data={**typed, "action": "create"})
    assert created.status_code == 200, created.text
    assert "第二批动迁评估公司选定" in created.text

    async def stored(session):  # type: ignore[no-untyped-def]
        return await session.scalar(select(Ballot).where(Ballot.title == "第二批动迁评估公司选定"))

    ballot = await world.db.run(stored)
    assert ballot.state == "draft"
    assert ballot.voting_unit == "household"
    spec = json.loads(ballot.spec)
    assert spec["validity"] == {"quorum": "simple", "majority": "valid"}
    assert [o["label"] for o in spec["questions"][0]["options"]] == FIRMS.splitlines()


async def test_bad_input_is_named_beside_its_field_and_changes_nothing(
    client: Client, world: World
) -> None:
    csrf = await logged_in(client, world)
    before = await world.db.snapshot()
    response = await client.post(
        builder(world),
        data={
            "csrf_token": csrf,
            "template": "projects",
            "title": "",
            "choices": "加装消防设备 25万",
            "budget": "很多",
            "min_age": "两百",
            "quorum": "simple",
            "action": "create",
        },
    )
    assert response.status_code == 422
    for message in (
        "Please fill this in.",
        "Each line: a project, a comma, its cost (e.g. 加装消防设备, 25万).",
        "The budget in yuan, e.g. 1200000 or 120万.",
        "A whole number of years from 0 to 150, please.",
    ):
        assert zh(message) in response.text, message
    assert "加装消防设备 25万" in response.text  # kept as typed
    assert 'aria-invalid="true"' in response.text
    assert await world.db.snapshot() == before


async def test_another_units_matter_is_refused(client: Client, world: World) -> None:
    secret = await world.add_chair("sinan-chair", "area_chair", "sinan")
    response = await page_login(client, "sinan-chair", secret)
    assert response.status_code in (302, 303)
    refused = await client.get(builder(world))
    assert refused.status_code == 403
