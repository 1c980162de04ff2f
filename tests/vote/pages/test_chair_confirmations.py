"""Opening, closing and replacing a code ask first on the chair's pages: each move posted without
``confirm=1`` shows a page saying what it will do (who is eligible and how they vote, the
turnout, whose code stops working) and changes nothing; the form on that page makes the move,
audited as before."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ballots.models import AuditEntry, Ballot, Elector, Household, Resident
from tests.vote.helpers import (
    YESNO_DRAFT,
    Client,
    World,
    bearer,
    create_draft,
    csrf_of,
    login,
    page_login,
    zh,
)

CONFIRM_FIELD = 'name="confirm" value="1"'


async def _token(client: Client, world: World, *, ahead: int = 0) -> str:
    await page_login(client, "chair", world.info.totp_secret, ahead=ahead)
    response = await client.get("/chair/")
    assert response.status_code == 200, response.text
    return csrf_of(response.text)


async def _state(world: World, ballot_id: int) -> str:
    async def work(session: AsyncSession) -> str:
        return str(await session.scalar(select(Ballot.state).where(Ballot.id == ballot_id)))

    return str(await world.db.run(work))


async def _electors(world: World, ballot_id: int) -> dict[int, tuple[bytes | None, int]]:
    """Each elector row of the ballot: its code (hash) and how many codes it was given."""

    async def work(session: AsyncSession) -> dict[int, tuple[bytes | None, int]]:
        rows = await session.execute(
            select(Elector.resident_id, Elector.credential_hash, Elector.issue_count).where(
                Elector.ballot_id == ballot_id
            )
        )
        return {rid: (code, count) for rid, code, count in rows}

    return dict(await world.db.run(work))


async def _audited(world: World, action: str) -> int:
    return await world.db.count(AuditEntry, AuditEntry.action == action)


async def _electorate(world: World, ballot_id: int) -> tuple[int, int]:
    """(electors, voting units) of an opened ballot."""

    async def work(session: AsyncSession) -> tuple[int, int]:
        ballot = await session.get(Ballot, ballot_id)
        assert ballot is not None and ballot.electorate_size is not None
        people = len(
            (await session.scalars(select(Elector.id).where(Elector.ballot_id == ballot_id))).all()
        )
        return people, ballot.electorate_size

    people, units = await world.db.run(work)
    return int(people), int(units)


def _beijing(days: int) -> str:
    at = datetime.now(UTC) + timedelta(days=days)
    return at.astimezone(ZoneInfo("Asia/Shanghai")).replace(second=0, microsecond=0).isoformat()


async def test_the_dashboard_buttons_say_they_ask_first(client: Client, world: World) -> None:
    await page_login(client, "chair", world.info.totp_secret)
    html = (await client.get("/chair/")).text
    assert zh("Close voting…") in html
    assert zh("Close voting…") != "Close voting…"


async def test_opening_asks_first_and_a_post_without_confirmation_changes_nothing(
    client: Client, world: World, chair_headers: dict[str, str]
) -> None:
    draft_id = await create_draft(client, chair_headers, world.matters[world.published_id])
    token = await _token(client, world, ahead=1)
    before = (await world.db.snapshot(), await _electors(world, draft_id))
    url = f"/chair/ballots/{draft_id}/open"
    asked = await client.post(url, data={"csrf_token": token})
    assert asked.status_code == 200, asked.text
    page = asked.text
    assert zh("Open voting?") in page
    assert YESNO_DRAFT["title"] in page
    assert zh("Once voting is open, the questions and rules can no longer be changed.") in page
    assert zh("One vote per eligible resident.") in page
    assert zh("Only when you close it: no closing time is set.") in page
    assert (
        zh(
            "If options are tied, a public draw decides: it uses a number fixed only when voting"
            " closes, so nobody can know it in advance, and anyone can check it."
        )
        in page
    )
    assert "是否在弄堂口建设社区花园？" in page  # the question, as it will be fixed
    assert CONFIRM_FIELD in page and f'action="{url}"' in page
    assert 'href="/chair/"' in page  # the way back
    # Asking changed nothing: the ballot is still a draft, no elector row, no audit entry.
    assert await _state(world, draft_id) == "draft"
    assert (await world.db.snapshot(), await _electors(world, draft_id)) == before

    opened_before = await _audited(world, "ballot.open")
    done = await client.post(url, data={"csrf_token": token, "confirm": "1"})
    assert done.status_code == 200, done.text
    assert zh("Voting is open.") in done.text
    assert await _state(world, draft_id) == "open"
    assert await _audited(world, "ballot.open") == opened_before + 1
    people, units = await _electorate(world, draft_id)
    assert people == units  # one vote each
    assert zh("%(people)s residents") % {"people": units} in page  # the page said how many


async def test_opening_a_household_ballot_says_households_and_its_closing_time(
    client: Client, world: World, chair_headers: dict[str, str]
) -> None:
    closes = _beijing(20)
    draft = {**YESNO_DRAFT, "voting_unit": "household", "closes_at": closes}
    draft_id = await create_draft(client, chair_headers, world.matters[world.published_id], draft)
    token = await _token(client, world, ahead=1)
    asked = await client.post(f"/chair/ballots/{draft_id}/open", data={"csrf_token": token})
    assert asked.status_code == 200, asked.text
    assert (
        zh("One vote per household: whoever of the household votes first votes for all of it.")
        in asked.text
    )
    when = datetime.fromisoformat(closes)
    assert f"{when:%H:%M}" in asked.text and zh("Beijing time") in asked.text
    assert zh("Only when you close it: no closing time is set.") not in asked.text
    assert await _state(world, draft_id) == "draft"
    done = await client.post(
        f"/chair/ballots/{draft_id}/open", data={"csrf_token": token, "confirm": "1"}
    )
    assert done.status_code == 200, done.text
    people, units = await _electorate(world, draft_id)
    assert people > units  # some households have several members
    expected = zh("%(people)s residents in %(units)s households") % {
        "people": people,
        "units": units,
    }
    assert expected in asked.text


async def test_a_scheduled_opening_is_named_when_opening_early(
    client: Client, world: World, chair_headers: dict[str, str]
) -> None:
    draft = {**YESNO_DRAFT, "opens_at": _beijing(3), "closes_at": _beijing(10)}
    draft_id = await create_draft(client, chair_headers, world.matters[world.published_id], draft)
    token = await _token(client, world, ahead=1)
    asked = await client.post(f"/chair/ballots/{draft_id}/open", data={"csrf_token": token})
    assert asked.status_code == 200, asked.text
    assert zh("Set to open") in asked.text
    assert await _state(world, draft_id) == "draft"


async def test_opening_what_cannot_open_shows_an_error_and_changes_nothing(
    client: Client, world: World
) -> None:
    token = await _token(client, world)
    before = await world.db.snapshot()
    for ballot_id in (world.practical_id, world.published_id):
        refused = await client.post(f"/chair/ballots/{ballot_id}/open", data={"csrf_token": token})
        assert refused.status_code == 409
        assert 'role="alert"' in refused.text
        assert CONFIRM_FIELD not in refused.text
    missing = await client.post("/chair/ballots/999999/open", data={"csrf_token": token})
    assert missing.status_code == 404
    assert await world.db.snapshot() == before
    assert await _state(world, world.practical_id) == "open"


async def test_closing_shows_the_turnout_first_and_a_post_without_confirmation_changes_nothing(
    client: Client, world: World, chair_headers: dict[str, str]
) -> None:
    turnout = (
        await client.get(f"/api/v1/ballots/{world.practical_id}/turnout", headers=chair_headers)
    ).json()
    token = await _token(client, world, ahead=1)
    before = await world.db.snapshot()
    url = f"/chair/ballots/{world.practical_id}/close"
    asked = await client.post(url, data={"csrf_token": token})
    assert asked.status_code == 200, asked.text
    assert zh("Close voting?") in asked.text
    assert zh("Residents can no longer vote after this. Closing cannot be undone.") in asked.text
    line = zh("%(voted)s of %(eligible)s eligible residents have voted (%(percent)s%%).") % {
        "voted": turnout["voted"],
        "eligible": turnout["electorate"],
        "percent": turnout["percent"],
    }
    assert line in asked.text
    assert zh("No closing time was set: voting is open until you close it.") in asked.text
    assert CONFIRM_FIELD in asked.text and f'action="{url}"' in asked.text
    assert await _state(world, world.practical_id) == "open"
    assert await world.db.snapshot() == before
    # A vote still goes in after asking.
    cast = await client.post(
        f"/api/v1/ballots/{world.practical_id}/casts",
        json={
            "credential": world.credential(world.practical_id, 0),
            "answers": {"projects": ["p2"]},
        },
    )
    assert cast.status_code == 201, cast.text

    closed_before = await _audited(world, "ballot.close")
    done = await client.post(url, data={"csrf_token": token, "confirm": "1"})
    assert done.status_code == 200, done.text
    assert zh("Voting is closed and the ballots are counted.") in done.text
    assert await _state(world, world.practical_id) == "closed"
    assert await _audited(world, "ballot.close") == closed_before + 1


async def test_closing_a_household_ballot_counts_households_and_names_its_closing_time(
    client: Client, world: World, chair_headers: dict[str, str]
) -> None:
    closes = _beijing(15)
    scheduled = await client.put(
        f"/api/v1/ballots/{world.firm_id}/schedule",
        json={"closes_at": closes},
        headers=chair_headers,
    )
    assert scheduled.status_code == 200, scheduled.text
    turnout = (
        await client.get(f"/api/v1/ballots/{world.firm_id}/turnout", headers=chair_headers)
    ).json()
    token = await _token(client, world, ahead=1)
    asked = await client.post(f"/chair/ballots/{world.firm_id}/close", data={"csrf_token": token})
    assert asked.status_code == 200, asked.text
    line = zh("%(voted)s of %(eligible)s households have voted (%(percent)s%%).") % {
        "voted": turnout["voted"],
        "eligible": turnout["electorate"],
        "percent": turnout["percent"],
    }
    assert line in asked.text
    assert f"{datetime.fromisoformat(closes):%H:%M}" in asked.text
    assert zh("Closing now ends voting before this time.") in asked.text
    assert await _state(world, world.firm_id) == "open"


async def test_a_chair_of_another_unit_is_refused_the_confirmation_page(
    client: Client, world: World
) -> None:
    secret = await world.add_chair("sinan-chair", "area_chair", "sinan")
    outsider = bearer(await login(client, "sinan-chair", secret))
    before = await world.db.snapshot()
    for path in (
        f"/chair/ballots/{world.practical_id}/close",
        f"/chair/ballots/{world.practical_id}/open",
    ):
        refused = await client.post(path, headers=outsider)
        assert refused.status_code == 403, refused.text
        assert (
            zh("Outside your unit") in refused.text
            or zh("You may only act within your own unit and the units under it.") in refused.text
        )
        assert CONFIRM_FIELD not in refused.text
    assert await world.db.snapshot() == before
    assert await _state(world, world.practical_id) == "open"


async def _resident(world: World, ballot_id: int) -> tuple[int, str, str, str]:
    """An elector with a code and a household: (resident id, name, address, household number)."""

    async def work(session: AsyncSession) -> tuple[int, str, str, str]:
        row = (
            await session.execute(
                select(
                    Resident.id,
                    Resident.name,
                    Resident.building,
                    Resident.room,
                    Household.external_id,
                )
                .join(Elector, Elector.resident_id == Resident.id)
                .join(Household, Household.id == Resident.household_id)
                .where(Elector.ballot_id == ballot_id, Elector.credential_hash.is_not(None))
                .order_by(Resident.id)
                .limit(1)
            )
        ).one()
        rid, name, building, room, household = row
        return rid, name, f"{building}{room}", household

    return await world.db.run(work)  # type: ignore[no-any-return]


async def test_replacing_a_code_names_the_resident_first_and_changes_nothing_until_confirmed(
    client: Client, world: World
) -> None:
    ballot_id = world.firm_id
    resident_id, name, address, household = await _resident(world, ballot_id)
    token = await _token(client, world)
    before = (await world.db.snapshot(), await _electors(world, ballot_id))
    url = f"/chair/ballots/{ballot_id}/electors/{resident_id}/reissue"
    asked = await client.post(url, data={"csrf_token": token})
    assert asked.status_code == 200, asked.text
    assert zh("Replace this invitation?") in asked.text
    assert name in asked.text and address in asked.text and household in asked.text
    assert zh("The code this resident holds stops working at once.") in asked.text
    assert (
        zh(
            "This ballot counts one vote per household: the new code is for this resident, and the household still votes only once."
        )
        in asked.text
    )
    assert f">{resident_id}<" not in asked.text  # no internal id shown
    assert CONFIRM_FIELD in asked.text and f'action="{url}"' in asked.text
    assert "<svg" not in asked.text and 'class="code"' not in asked.text
    assert (await world.db.snapshot(), await _electors(world, ballot_id)) == before

    reissued = await _audited(world, "credential.reissue")
    done = await client.post(url, data={"csrf_token": token, "confirm": "1"})
    assert done.status_code == 200, done.text
    assert done.text.count("<svg") == 1
    after = await _electors(world, ballot_id)
    assert after[resident_id][0] != before[1][resident_id][0]
    assert after[resident_id][1] == before[1][resident_id][1] + 1
    assert await _audited(world, "credential.reissue") == reissued + 1


async def test_issuing_a_first_code_says_there_is_none_to_stop(
    client: Client, world: World, chair_headers: dict[str, str]
) -> None:
    draft_id = await create_draft(client, chair_headers, world.matters[world.published_id])
    token = await _token(client, world, ahead=1)
    listing = await client.get(f"/chair/ballots/{draft_id}/electors")  # brings the draft's list up
    assert listing.status_code == 200
    resident_id = int(re.findall(r"/electors/(\d+)/reissue", listing.text)[0])
    assert zh("Issue code…") in listing.text
    before = await _electors(world, draft_id)
    asked = await client.post(
        f"/chair/ballots/{draft_id}/electors/{resident_id}/reissue", data={"csrf_token": token}
    )
    assert asked.status_code == 200, asked.text
    assert zh("Issue a code?") in asked.text
    assert zh("This resident has no code yet: a new invitation is printed for them.") in asked.text
    assert zh("The code this resident holds stops working at once.") not in asked.text
    assert await _electors(world, draft_id) == before


async def test_replacing_a_code_is_refused_on_a_published_ballot_and_for_someone_not_eligible(
    client: Client, world: World
) -> None:
    token = await _token(client, world)
    before = await world.db.snapshot()
    published = await client.post(
        f"/chair/ballots/{world.published_id}/electors/1/reissue", data={"csrf_token": token}
    )
    assert published.status_code == 409
    assert CONFIRM_FIELD not in published.text
    nobody = await client.post(
        f"/chair/ballots/{world.firm_id}/electors/999999/reissue", data={"csrf_token": token}
    )
    assert nobody.status_code == 404
    assert await world.db.snapshot() == before


async def test_confirmation_pages_need_the_csrf_token(client: Client, world: World) -> None:
    await page_login(client, "chair", world.info.totp_secret)
    before = await world.db.snapshot()
    for path in (
        f"/chair/ballots/{world.practical_id}/close",
        f"/chair/ballots/{world.firm_id}/electors/1/reissue",
    ):
        refused = await client.post(path, data={"confirm": "1"})
        assert refused.status_code == 403
    assert await world.db.snapshot() == before
    assert await _state(world, world.practical_id) == "open"
