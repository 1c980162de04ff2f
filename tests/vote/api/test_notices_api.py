"""Notices API: draft, items (a draft replaced, after publication a new version with history),
publish, public read (a draft is not found), withdraw; bad input refused with a problem and
nothing changed; another unit's chair refused."""

from __future__ import annotations

from ballots.models import Notice, NoticeItem
from tests.vote.helpers import Client, World, assert_problem, bearer, login

NOTICE = {
    "title": "评估机构选定公示",
    "body": "公开竞标资质条件，公开有关竞标企业资讯，公开工作程序。",
    "template": "selection",
    "starts_at": "2026-12-01T09:00:00+08:00",
    "ends_at": "2027-12-31T17:00:00+08:00",
    "collects": "opinions",
}


async def test_a_notice_through_the_api(
    client: Client, world: World, chair_headers: dict[str, str]
) -> None:
    matter_id = world.matters[world.practical_id]
    created = await client.post(
        f"/api/v1/matters/{matter_id}/notices", json=NOTICE, headers=chair_headers
    )
    assert created.status_code == 201, created.text
    notice = created.json()
    notice_id = notice["id"]
    assert notice["state"] == "draft"
    assert [item["key"] for item in notice["items"]] == ["qualifications", "bidders", "procedure"]
    assert (await client.get(f"/api/v1/notices/{notice_id}")).status_code == 404
    for text in ("一级资质", "二级以上资质"):
        response = await client.put(
            f"/api/v1/notices/{notice_id}/items/qualifications",
            json={"body": text},
            headers=chair_headers,
        )
        assert response.status_code == 200, response.text
    published = await client.post(f"/api/v1/notices/{notice_id}/publish", headers=chair_headers)
    assert published.status_code == 200 and published.json()["state"] == "up"
    await client.put(
        f"/api/v1/notices/{notice_id}/items/qualifications",
        json={"body": "二级以上资质，近三年无违规"},
        headers=chair_headers,
    )
    history = await client.get(
        f"/api/v1/notices/{notice_id}/items/qualifications/history", headers=chair_headers
    )
    assert [row["body"] for row in history.json()] == ["二级以上资质", "二级以上资质，近三年无违规"]
    public = (await client.get(f"/api/v1/notices/{notice_id}")).json()
    qualifications = public["items"][0]
    assert qualifications["label"] == "竞标资质条件"
    assert qualifications["version"] == 2
    assert [old["body"] for old in qualifications["earlier"]] == ["二级以上资质"]
    documents = await client.get(f"/api/v1/notices/{notice_id}/documents", headers=chair_headers)
    assert documents.json() == []
    withdrawn = await client.post(f"/api/v1/notices/{notice_id}/withdraw", headers=chair_headers)
    assert withdrawn.json()["state"] == "withdrawn"
    assert (await client.get(f"/api/v1/notices/{notice_id}")).json()["state"] == "withdrawn"


async def test_bad_input_is_refused_and_changes_nothing(
    client: Client, world: World, chair_headers: dict[str, str]
) -> None:
    matter_id = world.matters[world.practical_id]
    before = await world.db.count(Notice)
    backwards = NOTICE | {"ends_at": "2026-11-01T09:00:00+08:00"}
    response = await client.post(
        f"/api/v1/matters/{matter_id}/notices", json=backwards, headers=chair_headers
    )
    assert_problem(response, 422, "invalid-input")
    response = await client.post(
        f"/api/v1/matters/{matter_id}/notices",
        json=NOTICE | {"template": "nine"},
        headers=chair_headers,
    )
    assert response.status_code == 400
    assert await world.db.count(Notice) == before
    created = await client.post(
        f"/api/v1/matters/{matter_id}/notices", json=NOTICE, headers=chair_headers
    )
    notice_id = created.json()["id"]
    response = await client.put(
        f"/api/v1/notices/{notice_id}/items/no-such", json={"body": "x"}, headers=chair_headers
    )
    assert_problem(response, 422, "invalid-input")
    response = await client.post(
        f"/api/v1/notices/{notice_id}/items", json={"label": "其他"}, headers=chair_headers
    )
    assert_problem(response, 422, "invalid-input")  # a selection notice has fixed items
    assert await world.db.count(NoticeItem, NoticeItem.notice_id == notice_id) == 0


async def test_another_units_chair_is_refused(
    client: Client, world: World, chair_headers: dict[str, str]
) -> None:
    matter_id = world.matters[world.practical_id]
    created = await client.post(
        f"/api/v1/matters/{matter_id}/notices", json=NOTICE, headers=chair_headers
    )
    notice_id = created.json()["id"]
    secret = await world.add_chair("sinan_chair", "area_chair", "sinan")
    other = bearer(await login(client, "sinan_chair", secret, ahead=1))
    before = await world.db.snapshot()
    for method, path, body in (
        ("GET", f"/api/v1/chair/notices/{notice_id}", None),
        ("PUT", f"/api/v1/notices/{notice_id}/items/bidders", {"body": "x"}),
        ("POST", f"/api/v1/notices/{notice_id}/publish", None),
        ("PUT", f"/api/v1/notices/{notice_id}", NOTICE),
        ("POST", f"/api/v1/matters/{matter_id}/notices", NOTICE),
    ):
        response = await client.request(method, path, json=body, headers=other)
        assert response.status_code == 403, (path, response.text)
    assert await world.db.snapshot() == before
