"""Evaluation pages: the console register (a subject added, bad input beside its field, an
evaluation ballot drafted for chosen subjects), a subject's page (a rating question linked, a
rectification item added and moved, flagged when poorly rated), the public pages (rates and the
chart from published results only) and another unit's chair refused."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

import tally
from ballots.access import operator
from ballots.lifecycle import BallotDraft, create_ballot
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


async def _demo_subject(session: AsyncSession) -> int:
    found = await session.scalar(
        select(EvaluationSubject.id).where(EvaluationSubject.name == "物业公司")
    )
    assert found is not None
    return int(found)


async def _rating_draft(session: AsyncSession, matter_id: int) -> int:
    """A draft written in the ballot editor, with a three-level rating question ``clean``."""
    levels = [
        tally.Option(id=oid, label=label, score=score)
        for oid, label, score in (("a", "满意", 3), ("b", "基本满意", 2), ("c", "不满意", 1))
    ]
    question = tally.Question(id="clean", kind="rating", prompt="保洁", options=levels)
    draft = BallotDraft(title="保洁评议", questions=[question])
    ballot = await create_ballot(session, operator(), matter_id, draft)
    await session.commit()
    return ballot.id


async def test_register_ballot_link_and_rectify(client: Client, world: World) -> None:
    csrf = await logged_in(client, world)
    register = await client.get("/chair/evaluations")
    assert 'href="/chair/evaluations" aria-current="page"' in register.text
    assert "平改坡工程" in register.text and "物业公司" in register.text  # the demo's subjects
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
    assert await world.db.count(EvaluationSubject) == 2
    property_id = await world.db.run(_demo_subject)
    actions = await world.db.count(Action)  # the demo's (its rectification items too)
    team_id = await add(client, world, csrf, "保洁队", "team")
    other_id = await add(client, world, csrf, "绿化队", "team")
    matter_id = world.matters[world.published_id]
    drafted = await client.post(
        "/chair/evaluations/ballots",
        data={
            "csrf_token": csrf,
            "evaluation_matter": str(matter_id),
            "title": "2027年服务评议",
            "year": "2027",
            "subject_id": [str(other_id), str(team_id)],
        },
        follow_redirects=False,
    )
    assert drafted.status_code == 303, drafted.text
    assert drafted.headers["location"].endswith("/edit")
    assert await world.db.count(SubjectRating) == 4  # the demo's two and these two
    # The demo's published rating is linked already; a hand-written rating question is linked.
    draft_id = await world.db.run(lambda session: _rating_draft(session, matter_id))
    page = await client.get(f"/chair/evaluations/subjects/{team_id}")
    assert f'value="{world.published_id}:property"' not in page.text
    assert f'value="{draft_id}:clean"' in page.text
    linked = await client.post(
        f"/chair/evaluations/subjects/{team_id}/link",
        data={"csrf_token": csrf, "question": f"{draft_id}:clean", "year": "2026"},
    )
    assert linked.status_code == 200, linked.text
    assert zh("Not published yet:") in linked.text and "保洁评议" in linked.text
    history = await client.get(f"/chair/evaluations/subjects/{property_id}")
    assert "2026年服务评议" in history.text and "%" in history.text
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
    assert await world.db.count(Action) == actions + 1
    action_id = await world.db.run(_added_item)
    assert f"/chair/evaluations/rectifications/{action_id}/status" in added.text
    moved = await client.post(
        f"/chair/evaluations/rectifications/{action_id}/status",
        data={"csrf_token": csrf, "status": "done"},
    )
    assert moved.status_code == 200 and zh("Done") in moved.text
    public = await client.get("/evaluations")
    assert public.status_code == 200
    assert "物业公司" in public.text and "<svg" in public.text
    assert "保洁队" not in public.text  # its ballot is only a draft
    english = await client.get("/evaluations?lang=en")
    assert "Evaluations: how satisfied residents are" in english.text
    assert "Satisfaction rate" in english.text and "Practical project" in english.text
    subject = await client.get(f"/evaluations/subjects/{property_id}")
    assert "电梯报修24小时内响应" in subject.text and zh("Done") in subject.text
    assert (await client.get(f"/evaluations/subjects/{team_id}")).status_code == 404
    assert (await client.get(f"/evaluations/subjects/{other_id}")).status_code == 404


async def test_another_units_chair_is_refused(client: Client, world: World) -> None:
    csrf = await logged_in(client, world)
    actions = await world.db.count(Action)  # the demo's
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
    assert await world.db.count(Action) == actions


async def _added_item(session: AsyncSession) -> int:
    """The rectification item this test added (the demo's subject has its own)."""
    found = await session.scalar(select(Action.id).where(Action.title == "电梯报修24小时内响应"))
    assert found is not None
    return int(found)
