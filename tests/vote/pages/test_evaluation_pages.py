"""Evaluation pages: the console register (a subject added, bad input beside its field, an
evaluation ballot drafted for chosen subjects), a subject's page (a rating question linked, a
rectification item added and moved, flagged when poorly rated), the public pages (rates and the
chart from published results only) and another unit's chair refused."""

from __future__ import annotations

import re

from ballots.models import Action, EvaluationSubject, SubjectRating
from tests.vote.helpers import Client, World, csrf_of, page_login, zh


async def logged_in(client: Client, world: World) -> str:
    response = await page_login(client, "chair", world.info.totp_secret)
    assert response.status_code in (302, 303), response.text
    return csrf_of((await client.get("/chair/evaluations")).text)


async def add(client: Client, world: World, csrf: str, name: str, kind: str = "agency") -> int:
    response = await client.post(
        "/chair/evaluations/subjects",
        data={
            "csrf_token": csrf,
            "unit_id": str(world.units["ruijin1"]),
            "kind": kind,
            "name": name,
            "description": "",
            "organisation_id": "",
            "matter_id": "",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    found = re.search(r"/chair/evaluations/subjects/(\d+)$", response.headers["location"])
    assert found
    return int(found.group(1))


async def test_register_ballot_link_and_rectify(client: Client, world: World) -> None:
    csrf = await logged_in(client, world)
    empty = await client.get("/chair/evaluations")
    assert zh("Nothing is registered yet. Add the first subject below.") in empty.text
    assert 'href="/chair/evaluations" aria-current="page"' in empty.text
    bad = await client.post(
        "/chair/evaluations/subjects",
        data={
            "csrf_token": csrf,
            "unit_id": str(world.units["ruijin1"]),
            "kind": "agency",
            "name": " ",
            "description": "保留的说明",
            "organisation_id": "",
            "matter_id": "",
        },
    )
    assert bad.status_code == 422 and 'id="name-error"' in bad.text and "保留的说明" in bad.text
    assert await world.db.count(EvaluationSubject) == 0
    property_id = await add(client, world, csrf, "物业公司服务")
    team_id = await add(client, world, csrf, "保洁队", "team")
    matter_id = world.matters[world.published_id]
    drafted = await client.post(
        "/chair/evaluations/ballots",
        data={
            "csrf_token": csrf,
            "evaluation_matter": str(matter_id),
            "title": "2027年服务评议",
            "year": "2027",
            "subject_id": [str(property_id), str(team_id)],
        },
        follow_redirects=False,
    )
    assert drafted.status_code == 303, drafted.text
    assert drafted.headers["location"].endswith("/edit")
    assert await world.db.count(SubjectRating) == 2
    # Link the demo's published rating of the property company; the rates appear.
    page = await client.get(f"/chair/evaluations/subjects/{property_id}")
    assert f'value="{world.published_id}:property"' in page.text
    linked = await client.post(
        f"/chair/evaluations/subjects/{property_id}/link",
        data={"csrf_token": csrf, "question": f"{world.published_id}:property", "year": "2026"},
    )
    assert linked.status_code == 200, linked.text
    assert "2026年服务评议" in linked.text and "%" in linked.text
    added = await client.post(
        f"/chair/evaluations/subjects/{property_id}/rectifications",
        data={
            "csrf_token": csrf,
            "title": "电梯报修24小时内响应",
            "owner": "物业经理",
            "owner_organisation": "",
            "due_on": "2027-03-31",
            "note": "",
        },
    )
    assert added.status_code == 200 and zh("Rectification item added.") in added.text
    no_owner = await client.post(
        f"/chair/evaluations/subjects/{property_id}/rectifications",
        data={
            "csrf_token": csrf,
            "title": "x",
            "owner": "",
            "owner_organisation": "",
            "due_on": "2027-02-30",
            "note": "",
        },
    )
    assert no_owner.status_code == 422
    assert 'id="owner-error"' in no_owner.text and 'id="due_on-error"' in no_owner.text
    assert await world.db.count(Action) == 1
    action_id = re.search(r"/chair/evaluations/rectifications/(\d+)/status", added.text)
    assert action_id
    moved = await client.post(
        f"/chair/evaluations/rectifications/{action_id.group(1)}/status",
        data={"csrf_token": csrf, "status": "done"},
    )
    assert moved.status_code == 200 and zh("Done") in moved.text
    public = await client.get("/evaluations")
    assert public.status_code == 200
    assert "物业公司服务" in public.text and "<svg" in public.text
    assert "保洁队" not in public.text  # its ballot is only a draft
    subject = await client.get(f"/evaluations/subjects/{property_id}")
    assert "电梯报修24小时内响应" in subject.text and zh("Done") in subject.text
    assert (await client.get(f"/evaluations/subjects/{team_id}")).status_code == 404


async def test_another_units_chair_is_refused(client: Client, world: World) -> None:
    csrf = await logged_in(client, world)
    subject_id = await add(client, world, csrf, "物业公司服务")
    secret = await world.add_chair("sinan_chair", "area_chair", "sinan")
    await client.post("/chair/logout", data={"csrf_token": csrf})
    await page_login(client, "sinan_chair", secret)
    other_csrf = csrf_of((await client.get("/chair/evaluations")).text)
    assert "物业公司服务" not in (await client.get("/chair/evaluations")).text
    assert (await client.get(f"/chair/evaluations/subjects/{subject_id}")).status_code == 403
    response = await client.post(
        f"/chair/evaluations/subjects/{subject_id}/rectifications",
        data={
            "csrf_token": other_csrf,
            "title": "x",
            "owner": "y",
            "owner_organisation": "",
            "due_on": "",
            "note": "",
        },
    )
    assert response.status_code == 403
    assert await world.db.count(Action) == 0
