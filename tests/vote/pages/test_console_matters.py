"""Console: matters — list and filter, create, edit, add a note, the timeline in Beijing time;
bad input keeps what was typed, names the field and changes nothing; other units are refused."""

from __future__ import annotations

from ballots.models import Matter, MatterEvent
from tests.vote.helpers import Client, World, csrf_of, page_login, zh


async def logged_in(client: Client, world: World) -> str:
    response = await page_login(client, "chair", world.info.totp_secret)
    assert response.status_code in (302, 303), response.text
    return csrf_of((await client.get("/chair/matters")).text)


async def test_list_and_filter(client: Client, world: World) -> None:
    await logged_in(client, world)
    everything = await client.get("/chair/matters")
    assert "2027年瑞金二路街道实事项目" in everything.text
    selections = await client.get("/chair/matters", params={"kind": "selection"})
    assert "2027年瑞金二路街道实事项目" not in selections.text
    bad = await client.get("/chair/matters", params={"kind": "party", "unit": "x"})
    assert bad.status_code == 422
    assert zh("Choose a kind from the list.") in bad.text
    assert zh("Choose a unit from the list.") in bad.text


async def test_create_a_matter_and_add_a_note(client: Client, world: World) -> None:
    csrf = await logged_in(client, world)
    created = await client.post(
        "/chair/matters/new",
        data={
            "csrf_token": csrf,
            "unit": str(world.units["sinan"]),
            "kind": "hearing",
            "title": "思南路加装电梯听证会",
            "description": "第一行\n第二行",
        },
    )
    assert created.status_code == 200, created.text
    assert zh("The matter is recorded.") in created.text
    assert zh("Beijing time") in created.text
    assert await world.db.count(Matter, Matter.title == "思南路加装电梯听证会") == 1
    matter_id = int(created.text.split('action="/chair/matters/')[1].split("/")[0])
    noted = await client.post(
        f"/chair/matters/{matter_id}/notes", data={"csrf_token": csrf, "note": "居民代表 12 人到会"}
    )
    assert noted.status_code == 200
    assert "居民代表 12 人到会" in noted.text
    edited = await client.post(
        f"/chair/matters/{matter_id}/edit",
        data={"csrf_token": csrf, "title": "思南路加装电梯听证", "description": ""},
    )
    assert edited.status_code == 200
    assert zh("Title or description changed") in edited.text
    kinds = await world.db.count(MatterEvent, MatterEvent.matter_id == matter_id)
    assert kinds == 3  # created, note, edited


async def test_bad_matter_input_keeps_the_typing_and_changes_nothing(
    client: Client, world: World
) -> None:
    csrf = await logged_in(client, world)
    matter_id = world.matters[world.practical_id]
    before = await world.db.snapshot()
    events = await world.db.count(MatterEvent)
    new = await client.post(
        "/chair/matters/new",
        data={
            "csrf_token": csrf,
            "unit": "",
            "kind": "hearing",
            "title": "",
            "description": "说明",
        },
    )
    assert new.status_code == 422
    assert zh("Choose a unit from the list.") in new.text
    assert zh("Please fill this in.") in new.text
    assert ">说明</textarea>" in new.text
    assert '<option value="hearing" selected>' in new.text
    edit = await client.post(
        f"/chair/matters/{matter_id}/edit",
        data={"csrf_token": csrf, "title": "题" * 301, "description": "新的说明"},
    )
    assert edit.status_code == 422
    assert zh("At most %(n)s characters, please.") % {"n": 300} in edit.text
    assert ">新的说明</textarea>" in edit.text
    note = await client.post(
        f"/chair/matters/{matter_id}/notes", data={"csrf_token": csrf, "note": "   "}
    )
    assert note.status_code == 422
    assert 'id="note-error"' in note.text
    assert await world.db.snapshot() == before
    assert await world.db.count(MatterEvent) == events


async def test_matters_outside_the_subtree_are_refused(client: Client, world: World) -> None:
    csrf = await logged_in(client, world)
    before = await world.db.snapshot()
    outside = await client.post(
        "/chair/matters/new",
        data={
            "csrf_token": csrf,
            "unit": str(world.units["luwan"]),
            "kind": "hearing",
            "title": "区里的事",
        },
    )
    assert outside.status_code == 403
    assert zh("You may only act within your own unit and the units under it.") in outside.text
    listing = await client.get("/chair/matters", params={"unit": str(world.units["luwan"])})
    assert listing.status_code == 403
    assert await world.db.snapshot() == before
