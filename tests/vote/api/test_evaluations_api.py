"""The evaluations API for chairs: the subjects register, an evaluation ballot drafted for chosen
subjects, a published ballot's rating question linked to a subject and its rates (equal to the
published result's counts), rectification items moved; bad input and other units refused with
nothing changed."""

from __future__ import annotations

from typing import Any

from ballots.evaluations.evaluation_ballots import this_year
from ballots.models import Action, EvaluationSubject
from tests.vote.helpers import Client, World, assert_problem, bearer, create_draft, login

LEVELS = {"good": "satisfied", "fair": "fairly_satisfied", "poor": "dissatisfied_count"}


async def _subject(
    client: Client, headers: dict[str, str], world: World, **extra: Any
) -> dict[str, Any]:
    body = {"unit_id": world.units["ruijin1"], "kind": "agency", "name": "物业服务中心"} | extra
    response = await client.post("/api/v1/evaluation-subjects", json=body, headers=headers)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


async def test_register_link_rates_and_rectify(
    client: Client, world: World, chair_headers: dict[str, str]
) -> None:
    year = this_year()
    # The demo registers the property company, rated in its service evaluation's "property".
    listed = (await client.get("/api/v1/evaluation-subjects", headers=chair_headers)).json()[
        "subjects"
    ]
    [subject] = [s for s in listed if s["name"] == "物业公司"]
    assert subject["active"] and subject["kind"] == "agency"
    again = await client.post(
        f"/api/v1/evaluation-subjects/{subject['id']}/ratings",
        json={"ballot_id": world.published_id, "question_id": "property", "year": year},
        headers=chair_headers,
    )
    assert_problem(again, 422, "invalid-input")  # that question already rates it
    result = (await client.get(f"/api/v1/ballots/{world.published_id}/result")).json()
    [question] = [q for q in result["questions"] if q["question"] == "property"]
    votes = {option["id"]: option["votes"] for option in question["options"]}
    rates = (
        await client.get(f"/api/v1/evaluation-rates?year={year}", headers=chair_headers)
    ).json()
    [row] = [r for r in rates if r["subject_id"] == subject["id"]]
    for option_id, field in LEVELS.items():
        assert row["rates"][field] == votes[option_id]
    valid = sum(votes.values())
    assert row["rates"]["valid"] == valid
    assert row["rates"]["satisfaction"] == (votes["good"] + votes["fair"]) / valid
    assert row["rates"]["very_satisfied"] == votes["good"] / valid
    # A rating question written in the ballot editor is linked to a new subject.
    team = await _subject(client, chair_headers, world, kind="team", name="保洁队")
    levels = [
        {"id": oid, "label": label, "score": score}
        for oid, label, score in (("a", "满意", 3), ("b", "基本满意", 2), ("c", "不满意", 1))
    ]
    draft_id = await create_draft(
        client,
        chair_headers,
        world.matters[world.published_id],
        {
            "title": "保洁评议",
            "questions": [{"id": "clean", "kind": "rating", "prompt": "保洁", "options": levels}],
        },
    )
    linked = await client.post(
        f"/api/v1/evaluation-subjects/{team['id']}/ratings",
        json={"ballot_id": draft_id, "question_id": "clean", "year": year},
        headers=chair_headers,
    )
    assert linked.status_code == 201, linked.text
    added = await client.post(
        f"/api/v1/evaluation-subjects/{subject['id']}/rectifications",
        json={"title": "电梯报修24小时内响应", "owner": "物业经理", "due_on": "2027-03-31"},
        headers=chair_headers,
    )
    assert added.status_code == 201, added.text
    item = added.json()
    assert item["status"] == "open" and not item["overdue"]
    moved = await client.post(
        f"/api/v1/rectifications/{item['id']}/status",
        json={"status": "done"},
        headers=chair_headers,
    )
    assert moved.json()["status"] == "done" and moved.json()["done_at"]
    history = (
        await client.get(f"/api/v1/evaluation-subjects/{subject['id']}", headers=chair_headers)
    ).json()
    assert [e["ballot_id"] for e in history["evaluations"]] == [world.published_id]
    # The demo's three items (done, under way, overdue) and this one, done.
    statuses = {r["title"]: r["status"] for r in history["rectifications"]}
    assert len(statuses) == 4 and statuses["电梯报修24小时内响应"] == "done"
    changed = await client.put(
        f"/api/v1/evaluation-subjects/{subject['id']}",
        json={"kind": "agency", "name": "物业服务中心", "active": False},
        headers=chair_headers,
    )
    assert changed.status_code == 200 and not changed.json()["active"]


async def test_an_evaluation_ballot_for_chosen_subjects(
    client: Client, world: World, chair_headers: dict[str, str]
) -> None:
    first = await _subject(client, chair_headers, world)
    second = await _subject(client, chair_headers, world, kind="team", name="保洁队")
    matter_id = world.matters[world.published_id]  # the demo's evaluation matter
    response = await client.post(
        f"/api/v1/matters/{matter_id}/evaluation-ballots",
        json={"title": "2027年服务评议", "subject_ids": [first["id"], second["id"]], "year": 2027},
        headers=chair_headers,
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert [r["subject_id"] for r in body["ratings"]] == [first["id"], second["id"]]
    ballot = (
        await client.get(f"/api/v1/ballots/{body['ballot_id']}/manage", headers=chair_headers)
    ).json()
    assert ballot["ballot"]["state"] == "draft"
    questions = ballot["spec"]["questions"]
    assert [(q["kind"], q["prompt"]) for q in questions] == [
        ("rating", "物业服务中心"),
        ("rating", "保洁队"),
    ]
    assert [(o["label"], o["score"]) for o in questions[0]["options"]] == [
        ("满意", 3.0),
        ("基本满意", 2.0),
        ("不满意", 1.0),
    ]
    # A draft's subjects have no rates yet: only published results count.
    rates = (await client.get("/api/v1/evaluation-rates?year=2027", headers=chair_headers)).json()
    assert rates == []


async def test_bad_input_and_other_units_change_nothing(
    client: Client, world: World, chair_headers: dict[str, str]
) -> None:
    subject = await _subject(client, chair_headers, world)
    before = await world.db.snapshot()
    subjects_before = await world.db.count(EvaluationSubject)
    actions_before = await world.db.count(Action)  # the demo's
    practical = world.matters[world.practical_id]
    for path, body, status, slug in (
        ("/api/v1/evaluation-subjects", {"unit_id": 1, "kind": "gang", "name": "x"}, 400, ""),
        (
            f"/api/v1/matters/{practical}/evaluation-ballots",
            {"title": "评议", "subject_ids": [subject["id"]]},
            422,
            "invalid-input",
        ),
        (
            f"/api/v1/evaluation-subjects/{subject['id']}/ratings",
            {"ballot_id": world.published_id, "question_id": "nope", "year": 2026},
            422,
            "invalid-input",
        ),
        (
            f"/api/v1/evaluation-subjects/{subject['id']}/rectifications",
            {"title": "整改", "owner": ""},
            422,
            "invalid-input",
        ),
    ):
        response = await client.post(path, json=body, headers=chair_headers)
        assert response.status_code == status, response.text
        if slug:
            assert_problem(response, status, slug)
    secret = await world.add_chair("sinan_chair", "area_chair", "sinan")
    other = bearer(await login(client, "sinan_chair", secret))
    for method, path, body in (
        ("GET", f"/api/v1/evaluation-subjects/{subject['id']}", None),
        ("PUT", f"/api/v1/evaluation-subjects/{subject['id']}", {"kind": "team", "name": "x"}),
        ("POST", f"/api/v1/evaluation-subjects/{subject['id']}/rectifications", {"title": "x"}),
        (
            "POST",
            "/api/v1/evaluation-subjects",
            {"unit_id": world.units["ruijin1"], "kind": "team", "name": "x"},
        ),
    ):
        response = await client.request(method, path, json=body, headers=other)
        assert_problem(response, 403, "outside-unit")
    listed = (await client.get("/api/v1/evaluation-subjects", headers=other)).json()["subjects"]
    assert listed == []
    after = await world.db.snapshot()
    assert {k: v for k, v in after.items() if k != "audit"} == {  # audit: the new chair's login
        k: v for k, v in before.items() if k != "audit"
    }
    assert await world.db.count(EvaluationSubject) == subjects_before
    assert await world.db.count(Action) == actions_before
