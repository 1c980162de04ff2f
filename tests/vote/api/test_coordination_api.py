"""The coordination API for chairs: the organisations register (inherited ones marked, phones
for chairs), a coordination matter's parties, issues, positions and agreements, follow-up
actions and their status, and the overdue list; bad input is a problem that changes nothing,
another unit's chair is refused."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from ballots.followup.actions import beijing_today
from ballots.models import Action, AuditEntry, MatterEvent, Party
from tests.vote.helpers import Client, World, assert_problem, bearer, login


async def _matter(client: Client, headers: dict[str, str], unit_id: int) -> int:
    response = await client.post(
        "/api/v1/matters",
        json={"unit_id": unit_id, "kind": "coordination", "title": "3号楼动迁补偿协调"},
        headers=headers,
    )
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


async def test_a_coordination_from_parties_to_a_done_action(
    client: Client, world: World, chair_headers: dict[str, str]
) -> None:
    street, area = world.units["ruijin2"], world.units["maoming"]
    # The demo's own overdue actions and status changes are there already.
    demo_late = {
        row["action"]["id"]
        for row in (await client.get("/api/v1/actions/overdue", headers=chair_headers)).json()[
            "actions"
        ]
    }
    moved = await world.db.count(AuditEntry, AuditEntry.action == "action.status")
    company = await client.post(
        f"/api/v1/units/{street}/organisations",
        json={
            "name": "上海某动迁公司",
            "kind": "company",
            "contact_name": "吴经理",
            "contact_phone": "13800000000",
        },
        headers=chair_headers,
    )
    assert company.status_code == 201, company.text
    company_id = company.json()["id"]
    listed = await client.get(f"/api/v1/units/{area}/organisations", headers=chair_headers)
    offered = [
        (o["name"], o["inherited"], o["contact_phone"]) for o in listed.json()["organisations"]
    ]
    assert ("上海某动迁公司", True, "13800000000") in offered  # beside the demo's
    assert all(inherited for _, inherited, _ in offered)
    matter_id = await _matter(client, chair_headers, area)
    base = f"/api/v1/matters/{matter_id}"
    residents = await client.post(
        f"{base}/parties", json={"name": "3号楼居民代表"}, headers=chair_headers
    )
    firm = await client.post(
        f"{base}/parties", json={"organisation_id": company_id}, headers=chair_headers
    )
    assert firm.status_code == 201 and firm.json()["name"] == "上海某动迁公司"
    issue = await client.post(f"{base}/issues", json={"title": "补偿标准"}, headers=chair_headers)
    issue_id = issue.json()["id"]
    for party, text in ((residents, "按市场价"), (firm, "按2019年标准")):
        answer = await client.put(
            f"/api/v1/issues/{issue_id}/positions/{party.json()['id']}",
            json={"text": text},
            headers=chair_headers,
        )
        assert answer.status_code == 200, answer.text
    agreement = await client.post(
        f"{base}/agreements",
        json={"text": "按2019年标准上浮15%", "issue_id": issue_id},
        headers=chair_headers,
    )
    assert agreement.status_code == 201, agreement.text
    yesterday = (beijing_today() - timedelta(days=1)).isoformat()
    action = await client.post(
        f"/api/v1/agreements/{agreement.json()['id']}/actions",
        json={"title": "公布补偿细则", "organisation_id": company_id, "due_on": yesterday},
        headers=chair_headers,
    )
    assert action.status_code == 201, action.text
    body: dict[str, Any] = action.json()
    assert body["kind"] == "agreement" and body["owner"] == "上海某动迁公司"
    assert body["overdue"] is True and body["days_overdue"] == 1
    late = await client.get("/api/v1/actions/overdue", headers=chair_headers)
    assert {row["action"]["id"] for row in late.json()["actions"]} == demo_late | {body["id"]}
    assert (body["id"], 1) in [(row["action"]["id"], row["days"]) for row in late.json()["actions"]]

    started = await client.post(
        f"/api/v1/actions/{body['id']}/status",
        json={"status": "in_progress"},
        headers=chair_headers,
    )
    assert started.json()["status"] == "in_progress"
    done = await client.post(
        f"/api/v1/actions/{body['id']}/status", json={"status": "done"}, headers=chair_headers
    )
    assert done.json()["done_at"] is not None and done.json()["overdue"] is False
    still = (await client.get("/api/v1/actions/overdue", headers=chair_headers)).json()
    assert {row["action"]["id"] for row in still["actions"]} == demo_late
    whole = (await client.get(f"{base}/coordination", headers=chair_headers)).json()
    assert len(whole["parties"]) == 2 and len(whole["positions"]) == 2
    assert [a["status"] for a in whole["actions"]] == ["done"]
    events = await world.db.count(MatterEvent, MatterEvent.matter_id == matter_id)
    assert events >= 8
    assert await world.db.count(AuditEntry, AuditEntry.action == "action.status") == moved + 2


async def test_bad_input_and_other_units_change_nothing(
    client: Client, world: World, chair_headers: dict[str, str]
) -> None:
    area = world.units["maoming"]
    done_before = await world.db.count(Action, Action.status == "done")  # the demo's
    matter_id = await _matter(client, chair_headers, area)
    base = f"/api/v1/matters/{matter_id}"
    blank = await client.post(f"{base}/issues", json={"title": ""}, headers=chair_headers)
    assert blank.status_code == 400
    no_owner = await client.post(f"{base}/actions", json={"title": "清理"}, headers=chair_headers)
    assert_problem(no_owner, 422, "invalid-input")
    practical = world.matters[world.practical_id]
    assert_problem(
        await client.post(
            f"/api/v1/matters/{practical}/parties", json={"name": "居民"}, headers=chair_headers
        ),
        422,
        "invalid-input",
    )
    milestone = await client.post(
        f"{base}/actions", json={"title": "清理", "owner": "物业"}, headers=chair_headers
    )
    action_id = milestone.json()["id"]
    assert_problem(
        await client.post(
            f"/api/v1/actions/{action_id}/status", json={"status": "open"}, headers=chair_headers
        ),
        422,
        "invalid-input",
    )
    assert (
        await client.post(
            f"/api/v1/actions/{action_id}/progress", json={"progress": 101}, headers=chair_headers
        )
    ).status_code == 400
    secret = await world.add_chair("sinan_chair", "area_chair", "sinan")
    other = bearer(await login(client, "sinan_chair", secret))
    assert_problem(
        await client.post(
            f"/api/v1/actions/{action_id}/status", json={"status": "done"}, headers=other
        ),
        403,
        "outside-unit",
    )
    assert_problem(
        await client.get(f"/api/v1/units/{area}/organisations", headers=other), 403, "outside-unit"
    )
    assert await world.db.count(Action, Action.status == "done") == done_before


async def test_organisations_are_changed_stopped_and_offered_within_the_tree(
    client: Client, world: World, chair_headers: dict[str, str]
) -> None:
    sinan, maoming = world.units["sinan"], world.units["maoming"]
    parties = await world.db.count(Party)  # the demo's coordination matter's
    own = await client.post(
        f"/api/v1/units/{sinan}/organisations",
        json={"name": "思南物业", "kind": "property", "contact_phone": "021-5555"},
        headers=chair_headers,
    )
    assert own.status_code == 201 and own.json()["inherited"] is False
    duplicate = await client.post(
        f"/api/v1/units/{sinan}/organisations", json={"name": "思南物业"}, headers=chair_headers
    )
    assert_problem(duplicate, 409, "duplicate")
    matter_id = await _matter(client, chair_headers, maoming)
    refused = await client.post(
        f"/api/v1/matters/{matter_id}/parties",
        json={"organisation_id": own.json()["id"]},
        headers=chair_headers,
    )
    assert_problem(refused, 404, "not-found")  # 思南's company is not offered to 茂名
    stopped = await client.put(
        f"/api/v1/organisations/{own.json()['id']}",
        json={"name": "思南物业公司", "kind": "property", "active": False},
        headers=chair_headers,
    )
    assert stopped.status_code == 200, stopped.text
    assert stopped.json()["active"] is False and stopped.json()["name"] == "思南物业公司"
    listed = await client.get(f"/api/v1/units/{sinan}/organisations", headers=chair_headers)
    own_listed = [
        (o["name"], o["active"]) for o in listed.json()["organisations"] if not o["inherited"]
    ]
    assert own_listed == [("思南物业公司", False)]  # the street's are offered too, inherited
    assert await world.db.count(Party) == parties


async def test_an_agreement_is_corrected_then_withdrawn_and_the_record_keeps_both(
    client: Client, world: World, chair_headers: dict[str, str]
) -> None:
    matter_id = await _matter(client, chair_headers, world.units["maoming"])
    agreement = await client.post(
        f"/api/v1/matters/{matter_id}/agreements",
        json={"text": "按2019年标准上浮15%"},
        headers=chair_headers,
    )
    agreement_id = agreement.json()["id"]
    url = f"/api/v1/agreements/{agreement_id}"
    unchanged = await client.put(url, json={"text": "按2019年标准上浮15%"}, headers=chair_headers)
    assert_problem(unchanged, 422, "invalid-input")
    assert (await client.put(url, json={"text": ""}, headers=chair_headers)).status_code == 400
    secret = await world.add_chair("sinan_chair", "area_chair", "sinan")
    other = bearer(await login(client, "sinan_chair", secret))
    assert_problem(
        await client.put(url, json={"text": "思南改的"}, headers=other), 403, "outside-unit"
    )
    assert_problem(
        await client.post(f"{url}/withdrawal", json={"reason": "思南撤的"}, headers=other),
        403,
        "outside-unit",
    )
    assert (
        await world.db.count(
            AuditEntry, AuditEntry.action.in_(["agreement.correct", "agreement.withdraw"])
        )
        == 0
    )

    corrected = await client.put(
        url, json={"text": "按2019年标准上浮12%", "reason": "记录笔误"}, headers=chair_headers
    )
    assert corrected.status_code == 200, corrected.text
    body = corrected.json()
    assert body["text"] == "按2019年标准上浮12%" and body["corrected_at"] is not None
    assert [w["text"] for w in body["earlier"]] == ["按2019年标准上浮15%"]
    assert (
        await client.post(f"{url}/withdrawal", json={"reason": ""}, headers=chair_headers)
    ).status_code == 400
    withdrawn = await client.post(
        f"{url}/withdrawal", json={"reason": "双方并未达成一致"}, headers=chair_headers
    )
    assert withdrawn.status_code == 200 and withdrawn.json()["withdrawn"] is True
    again = await client.put(url, json={"text": "再改"}, headers=chair_headers)
    assert_problem(again, 422, "invalid-input")
    assert_problem(
        await client.post(
            f"{url}/actions", json={"title": "x", "owner": "y"}, headers=chair_headers
        ),
        422,
        "invalid-input",
    )
    whole = (
        await client.get(f"/api/v1/matters/{matter_id}/coordination", headers=chair_headers)
    ).json()
    [listed] = whole["agreements"]
    assert listed["withdrawn_reason"] == "双方并未达成一致"
    assert listed["earlier"][0]["text"] == "按2019年标准上浮15%"
    public = await client.get(f"/matters/{matter_id}")
    assert "按2019年标准上浮15%" in public.text and "双方并未达成一致" in public.text
