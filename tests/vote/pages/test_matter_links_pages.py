"""Links and referrals in the console and on the public record: a chair links the lift hearing
to the appraisal-firm selection and refers a matter up to the street; both public records show
it, and /matters/{id}/record tells both matters' steps as one timeline."""

from __future__ import annotations

import re

import pytest

from tests.vote.helpers import Client, World, csrf_of, page_login, zh
from vote.pages import record_print


async def _console(client: Client, world: World) -> str:
    response = await page_login(client, "chair", world.info.totp_secret)
    assert response.status_code in (302, 303)
    return csrf_of((await client.get("/chair/matters")).text)


async def test_link_two_matters_and_read_them_together(client: Client, world: World) -> None:
    csrf = await _console(client, world)
    hearing, selection = world.matters[world.lift_id], world.matters[world.firm_id]
    page = await client.get(f"/chair/matters/{hearing}/links")
    assert page.status_code == 200 and zh("No linked matter yet.") not in page.text
    assert "2027年瑞金二路街道实事项目" in page.text  # the demo's: the hearing proposed it
    refused = await client.post(
        f"/chair/matters/{hearing}/links", data={"csrf_token": csrf, "other": "", "kind": "x"}
    )
    assert refused.status_code == 422
    assert zh("Choose the other matter.") in refused.text
    assert zh("Choose how the two matters relate.") in refused.text
    linked = await client.post(
        f"/chair/matters/{hearing}/links",
        data={"csrf_token": csrf, "other": str(selection), "kind": "related"},
    )
    assert linked.status_code == 200 and zh("Linked.") in linked.text
    again = await client.post(
        f"/chair/matters/{hearing}/links",
        data={"csrf_token": csrf, "other": str(selection), "kind": "related"},
    )
    assert again.status_code == 409
    assert zh("These two matters are already linked.") in again.text
    public = (await client.get(f"/matters/{selection}")).text
    assert zh("Linked matters and referrals") in public
    assert f'href="/matters/{hearing}"' in public
    record = await client.get(f"/matters/{hearing}/record")
    assert record.status_code == 200
    steps = record.text.split('<li class="')[1:]
    assert any("瑞金一居民区3号楼加装电梯听证会 · 瑞金一居民区" in step for step in steps)
    assert any(f'<a href="/matters/{selection}">茂名居民区动迁评估公司选定</a>' in s for s in steps)
    # The link's own steps say how the matters relate and name the other matter.
    related = zh("This matter %(relation)s") % {"relation": zh("is related to")}
    assert f"{related}：茂名居民区动迁评估公司选定" in record.text
    assert f"{zh('Linked from')}：瑞金一居民区3号楼加装电梯听证会" in record.text


async def test_refer_a_matter_up_to_the_street(client: Client, world: World) -> None:
    csrf = await _console(client, world)
    hearing = world.matters[world.lift_id]
    area_page = (await client.get(f"/chair/matters/{hearing}/links")).text
    street = world.units["ruijin2"]
    assert f'<option value="{street}"' in area_page
    missing = await client.post(
        f"/chair/matters/{hearing}/refer",
        data={"csrf_token": csrf, "to_unit": str(street), "reason": " "},
    )
    assert missing.status_code == 422 and zh("Say why the matter is referred.") in missing.text
    sideways = await client.post(
        f"/chair/matters/{hearing}/refer",
        data={"csrf_token": csrf, "to_unit": str(world.units["sinan"]), "reason": "转给思南"},
    )
    assert sideways.status_code == 422
    done = await client.post(
        f"/chair/matters/{hearing}/refer",
        data={"csrf_token": csrf, "to_unit": str(street), "reason": "电梯费用需街道统筹"},
    )
    assert done.status_code == 200
    assert zh("Referred: the receiving unit now has the matter on its own record.") in done.text
    found = re.search(
        r'<a href="/chair/matters/(\d+)">瑞金一居民区3号楼加装电梯听证会</a>', done.text
    )
    assert found is not None
    opened = int(found.group(1))
    public = (await client.get(f"/matters/{opened}")).text
    assert "电梯费用需街道统筹" in public
    assert "瑞金二路街道" in public
    # Both timelines say where the referral went and why.
    reason = zh("Why it was referred: %(reason)s") % {"reason": "电梯费用需街道统筹"}
    received = zh("Received from %(from)s") % {"from": "瑞金一居民区"}
    assert public.count(reason) >= 2 and received in public
    sent = (await client.get(f"/matters/{hearing}")).text
    assert zh("Referred to %(to)s") % {"to": "瑞金二路街道"} in sent and reason in sent


async def _new_matter(client: Client, world: World, csrf: str, title: str) -> int:
    created = await client.post(
        "/chair/matters/new",
        data={
            "csrf_token": csrf,
            "unit": str(world.units["sinan"]),
            "kind": "hearing",
            "title": title,
            "description": "",
        },
    )
    assert created.status_code == 200, created.text
    return int(created.text.split('action="/chair/matters/')[1].split("/")[0])


async def test_the_record_follows_links_several_steps_away(
    client: Client, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    csrf = await _console(client, world)
    # Fresh matters: the demo's own links would otherwise be the nearest.
    hearing, selection, practical = [
        await _new_matter(client, world, csrf, title)
        for title in ("思南路加装电梯听证会", "思南路电梯方案遴选", "思南路电梯实事项目")
    ]
    for source, target in ((hearing, selection), (selection, practical)):
        linked = await client.post(
            f"/chair/matters/{source}/links",
            data={"csrf_token": csrf, "other": str(target), "kind": "related"},
        )
        assert linked.status_code == 200
    record = (await client.get(f"/matters/{hearing}/record")).text
    assert f'<a href="/matters/{practical}">' in record  # two links away
    monkeypatch.setattr(record_print, "MAX_MATTERS", 2)
    nearest = (await client.get(f"/matters/{hearing}/record")).text
    assert f'<a href="/matters/{selection}">' in nearest
    assert f'<a href="/matters/{practical}">' not in nearest
