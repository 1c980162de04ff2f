"""``PUT /api/v1/ballots/{id}/schedule``: set, change and clear when a ballot opens and closes by
itself; bad times answer problem+json naming the field and change nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from ballots.models import AuditEntry, Ballot
from tests.vote.helpers import Client, World, assert_problem, bearer, create_draft, login

HOUR = timedelta(hours=1)


def _at(delta: timedelta) -> str:
    """A time ``delta`` from now, written in Beijing time with its offset."""
    beijing = datetime.now(UTC).replace(microsecond=0) + delta + timedelta(hours=8)
    return beijing.strftime("%Y-%m-%dT%H:%M:%S+08:00")


def _utc(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


async def _schedule(
    client: Client, headers: dict[str, str], ballot_id: int, body: dict[str, Any]
) -> Any:
    return await client.put(f"/api/v1/ballots/{ballot_id}/schedule", json=body, headers=headers)


async def test_a_draft_is_scheduled_changed_and_cleared(
    client: Client, world: World, chair_headers: dict[str, str]
) -> None:
    ballot_id = await create_draft(client, chair_headers, world.matters[world.practical_id])
    opens, closes = _at(HOUR), _at(5 * HOUR)
    response = await _schedule(
        client, chair_headers, ballot_id, {"opens_at": opens, "closes_at": closes}
    )
    assert response.status_code == 200, response.text
    summary = response.json()["ballot"]
    assert _utc(summary["opens_at"]) == _utc(opens)
    assert _utc(summary["closes_at"]) == _utc(closes)
    assert summary["closes_at"].endswith(("Z", "+00:00"))  # answered in UTC
    listed = (await client.get("/api/v1/ballots", headers=chair_headers)).json()
    assert [b["closes_at"] for b in listed if b["id"] == ballot_id] == [summary["closes_at"]]

    cleared = await _schedule(client, chair_headers, ballot_id, {})
    assert cleared.status_code == 200, cleared.text
    assert (cleared.json()["ballot"]["opens_at"], cleared.json()["ballot"]["closes_at"]) == (
        None,
        None,
    )
    assert await world.db.count(AuditEntry, AuditEntry.action == "ballot.schedule") == 2


async def test_a_draft_is_created_with_its_schedule(
    client: Client, world: World, chair_headers: dict[str, str]
) -> None:
    from tests.vote.helpers import YESNO_DRAFT

    draft = {**YESNO_DRAFT, "opens_at": _at(HOUR), "closes_at": _at(2 * HOUR)}
    ballot_id = await create_draft(client, chair_headers, world.matters[world.practical_id], draft)
    managed = await client.get(f"/api/v1/ballots/{ballot_id}/manage", headers=chair_headers)
    assert _utc(managed.json()["ballot"]["closes_at"]) == _utc(draft["closes_at"])
    late = {**YESNO_DRAFT, "opens_at": _at(-HOUR)}
    response = await client.post(
        f"/api/v1/matters/{world.matters[world.practical_id]}/ballots",
        json=late,
        headers=chair_headers,
    )
    assert_problem(response, 422, "invalid-schedule")


async def test_an_open_ballot_gets_a_closing_time(
    client: Client, world: World, chair_headers: dict[str, str]
) -> None:
    response = await _schedule(client, chair_headers, world.firm_id, {"closes_at": _at(HOUR)})
    assert response.status_code == 200, response.text
    assert response.json()["ballot"]["state"] == "open"
    assert response.json()["ballot"]["opens_at"] is None


BAD = {
    "opening in the past": ({"opens_at": -HOUR, "closes_at": HOUR}, "opens_at"),
    "closing in the past": ({"closes_at": -HOUR}, "closes_at"),
    "closing before opening": ({"opens_at": 2 * HOUR, "closes_at": HOUR}, "closes_at"),
    "a year and more ahead": ({"closes_at": timedelta(days=400)}, "closes_at"),
}


@pytest.mark.parametrize("case", BAD, ids=str)
async def test_bad_times_are_refused_naming_the_field(
    client: Client, world: World, chair_headers: dict[str, str], case: str
) -> None:
    deltas, field = BAD[case]
    ballot_id = await create_draft(client, chair_headers, world.matters[world.practical_id])
    before = await world.db.snapshot()
    body = {name: _at(delta) for name, delta in deltas.items()}
    problem = assert_problem(
        await _schedule(client, chair_headers, ballot_id, body), 422, "invalid-schedule"
    )
    assert problem["params"]["field"] == field
    assert problem["detail"]  # in the reader's language (zh-CN by default)
    assert await world.db.snapshot() == before
    english = await client.put(
        f"/api/v1/ballots/{ballot_id}/schedule?lang=en", json=body, headers=chair_headers
    )
    assert "time" in assert_problem(english, 422, "invalid-schedule")["detail"].lower()


@pytest.mark.parametrize(
    "body",
    [
        {"closes_at": "2026-12-05 18:00"},  # no offset: which zone?
        {"closes_at": "2026-12-05T18:00:00"},
        {"closes_at": "tomorrow"},
        {"closes_at": 1700000000},
        {"closes_at": "0001-01-01T00:00:00+08:00"},
        {"closes_at": "9999-12-31T23:59:59-12:00"},
        {"opens_at": None, "closes_at": None, "extra": 1},
    ],
)
async def test_malformed_times_are_400_or_422_never_500(
    client: Client, world: World, chair_headers: dict[str, str], body: dict[str, Any]
) -> None:
    before = await world.db.snapshot()
    response = await _schedule(client, chair_headers, world.firm_id, body)
    assert response.status_code in (400, 422), response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert await world.db.snapshot() == before


async def test_an_open_ballot_keeps_its_opening_time(
    client: Client, world: World, chair_headers: dict[str, str]
) -> None:
    before = await world.db.snapshot()
    body = {"opens_at": _at(HOUR), "closes_at": _at(2 * HOUR)}
    problem = assert_problem(
        await _schedule(client, chair_headers, world.firm_id, body), 422, "invalid-schedule"
    )
    assert problem["params"]["field"] == "opens_at"
    assert await world.db.snapshot() == before


async def test_a_published_ballot_has_no_schedule_to_change(
    client: Client, world: World, chair_headers: dict[str, str]
) -> None:
    before = await world.db.snapshot()
    response = await _schedule(client, chair_headers, world.published_id, {"closes_at": _at(HOUR)})
    assert_problem(response, 409, "schedule-fixed")
    assert await world.db.snapshot() == before


async def test_who_may_schedule(client: Client, world: World) -> None:
    body = {"closes_at": _at(HOUR)}
    assert_problem(await _schedule(client, {}, world.firm_id, body), 401, "not-authenticated")
    secret = await world.add_chair("sinan-chair", "area_chair", "sinan")
    outsider = bearer(await login(client, "sinan-chair", secret))
    assert_problem(await _schedule(client, outsider, world.firm_id, body), 403, "outside-unit")
    secret = await world.add_chair("watcher", "observer", "ruijin2")
    observer = bearer(await login(client, "watcher", secret))
    assert_problem(await _schedule(client, observer, world.firm_id, body), 403, "role-not-allowed")
    chair = bearer(await login(client, "chair", world.info.totp_secret))
    assert_problem(await _schedule(client, chair, 2**31 - 1, body), 404, "not-found")
    assert await world.db.count(Ballot, Ballot.closes_at.is_not(None)) == 0
    assert await world.db.count(AuditEntry, AuditEntry.action == "ballot.schedule") == 0
