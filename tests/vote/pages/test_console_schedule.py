"""Console: a chair sets when a ballot opens and closes, typed in Beijing time and stored in
UTC; impossible times are named beside their field and change nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from ballots.models import Ballot
from tests.vote.helpers import Client, World, bearer, csrf_of, login, page_login, zh
from tests.vote.helpers import create_draft as api_draft

BEIJING = ZoneInfo("Asia/Shanghai")


async def logged_in(client: Client, world: World, *, ahead: int = 0) -> str:
    response = await page_login(client, "chair", world.info.totp_secret, ahead=ahead)
    assert response.status_code in (302, 303), response.text
    return csrf_of((await client.get("/chair/matters")).text)


async def draft(client: Client, world: World) -> int:
    token = await login(client, "chair", world.info.totp_secret)
    return await api_draft(client, bearer(token), world.matters[world.firm_id])


def typed(at: datetime) -> str:
    return f"{at.astimezone(BEIJING):%Y-%m-%dT%H:%M}"


async def stored(world: World, ballot_id: int) -> Ballot:
    async def work(session):  # type: ignore[no-untyped-def]
        return await session.get(Ballot, ballot_id)

    ballot: Ballot = await world.db.run(work)
    return ballot


async def test_a_draft_gets_its_times_in_beijing_time(client: Client, world: World) -> None:
    ballot_id = await draft(client, world)
    csrf = await logged_in(client, world, ahead=1)
    form = await client.get(f"/chair/ballots/{ballot_id}/schedule")
    assert form.status_code == 200
    assert zh("Voting opens (Beijing time)") in form.text
    opens = (datetime.now(UTC) + timedelta(days=2)).replace(second=0, microsecond=0)
    closes = opens + timedelta(days=3)
    saved = await client.post(
        f"/chair/ballots/{ballot_id}/schedule",
        data={"csrf_token": csrf, "opens_at": typed(opens), "closes_at": typed(closes)},
    )
    assert saved.status_code == 200, saved.text
    assert zh("The schedule of “%(title)s” is saved.").split("“")[0] in saved.text
    ballot = await stored(world, ballot_id)
    assert ballot.opens_at is not None and ballot.closes_at is not None
    assert ballot.opens_at.replace(tzinfo=UTC) == opens
    assert ballot.closes_at.replace(tzinfo=UTC) == closes
    # The matter page shows the deadline as residents read it, in Beijing time.
    assert f"{closes.astimezone(BEIJING):%H:%M}" in saved.text
    assert "北京时间" in saved.text
    # The form shows the stored times back in Beijing time.
    again = await client.get(f"/chair/ballots/{ballot_id}/schedule")
    assert typed(closes) in again.text
    # Emptying both fields means opening and closing by hand.
    cleared = await client.post(
        f"/chair/ballots/{ballot_id}/schedule",
        data={"csrf_token": csrf, "opens_at": "", "closes_at": ""},
    )
    assert cleared.status_code == 200
    ballot = await stored(world, ballot_id)
    assert ballot.opens_at is None and ballot.closes_at is None


async def test_impossible_times_are_named_beside_their_field(client: Client, world: World) -> None:
    ballot_id = await draft(client, world)
    csrf = await logged_in(client, world, ahead=1)
    before = await world.db.snapshot()
    soon = datetime.now(UTC) + timedelta(days=1)
    cases = {
        ("明天下午", ""): ("opens_at", "Write a date and time like 2026-12-05 18:00."),
        (typed(soon - timedelta(days=3)), ""): (
            "opens_at",
            "The opening time must be in the future.",
        ),
        (typed(soon + timedelta(hours=2)), typed(soon)): (
            "closes_at",
            "The opening time must be before the closing time.",
        ),
        ("", typed(soon + timedelta(days=400))): (
            "closes_at",
            "Times must be within a year from now.",
        ),
    }
    for (opens, closes), (field, message) in cases.items():
        response = await client.post(
            f"/chair/ballots/{ballot_id}/schedule",
            data={"csrf_token": csrf, "opens_at": opens, "closes_at": closes},
        )
        assert response.status_code == 422, (opens, closes)
        assert f'id="{field}-error">{zh(message)}' in response.text, (opens, closes)
        assert f'value="{opens}"' in response.text  # the typing is kept
    assert await world.db.snapshot() == before


async def test_an_open_ballot_may_only_move_its_closing_time(client: Client, world: World) -> None:
    csrf = await logged_in(client, world)
    form = await client.get(f"/chair/ballots/{world.firm_id}/schedule")
    assert form.status_code == 200
    assert 'name="opens_at"' not in form.text
    closes = (datetime.now(UTC) + timedelta(hours=5)).replace(second=0, microsecond=0)
    saved = await client.post(
        f"/chair/ballots/{world.firm_id}/schedule",
        data={"csrf_token": csrf, "opens_at": typed(closes), "closes_at": typed(closes)},
    )
    assert saved.status_code == 200, saved.text
    ballot = await stored(world, world.firm_id)
    assert ballot.state == "open"
    assert ballot.closes_at is not None and ballot.closes_at.replace(tzinfo=UTC) == closes


async def test_a_published_ballot_has_no_schedule_left(client: Client, world: World) -> None:
    csrf = await logged_in(client, world)
    page = await client.get(f"/chair/ballots/{world.published_id}/schedule")
    assert page.status_code == 200
    assert 'name="closes_at"' not in page.text
    before = await world.db.snapshot()
    refused = await client.post(
        f"/chair/ballots/{world.published_id}/schedule",
        data={"csrf_token": csrf, "closes_at": typed(datetime.now(UTC) + timedelta(days=1))},
    )
    assert refused.status_code == 409
    assert await world.db.snapshot() == before


async def test_another_units_ballot_is_refused(client: Client, world: World) -> None:
    secret = await world.add_chair("sinan-chair", "area_chair", "sinan")
    assert (await page_login(client, "sinan-chair", secret)).status_code in (302, 303)
    assert (await client.get(f"/chair/ballots/{world.firm_id}/schedule")).status_code == 403


async def test_an_unknown_or_huge_ballot_id_is_not_found(client: Client, world: World) -> None:
    await logged_in(client, world)
    for ballot_id in (999_999, 2**31, 2**63):
        response = await client.get(f"/chair/ballots/{ballot_id}/schedule")
        assert response.status_code in (400, 404), ballot_id
