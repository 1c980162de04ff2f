"""GET /api/v1/ballots/{id}/reconciliation and the console page: phone and paper ballots side by
side, the reasons in words, for the ballot's own chairs only."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from ballots.access import operator
from ballots.models import Elector
from ballots.paper.issuing import issue_paper
from ballots.paper.printing import print_paper
from ballots.paper.status import PaperStatus, publish_block
from tests.vote.helpers import SECRET, Client, World, bearer, csrf_of, login, page_login, zh


async def _cast(client: Client, world: World, index: int) -> None:
    response = await client.post(
        f"/api/v1/ballots/{world.firm_id}/casts",
        json={"credential": world.credential(world.firm_id, index), "answers": {"firm": ["o1"]}},
    )
    assert response.status_code == 201, response.text


async def _hand_out_paper(world: World) -> None:
    async def work(session: AsyncSession) -> None:
        await print_paper(session, operator(), world.firm_id, 3)
        await session.commit()
        from sqlalchemy import select

        resident = await session.scalar(
            select(Elector.resident_id)
            .where(Elector.ballot_id == world.firm_id)
            .order_by(Elector.id.desc())
        )
        assert resident is not None
        await issue_paper(
            session, operator(), SECRET, world.firm_id, serial=1, resident_id=resident
        )
        await session.commit()

    await world.db.run(work)


def _issued_only() -> PaperStatus:
    """One sheet handed out, none entered: what the ballot's paper looks like in these tests."""
    return PaperStatus(
        printed=3,
        issued=1,
        returned=0,
        valid=0,
        invalid=0,
        agreed=True,
        mismatches=[],
        counted_at=None,
    )


async def test_the_reconciliation_counts_phone_and_paper_and_says_what_is_missing(
    client: Client, world: World, chair_headers: dict[str, str]
) -> None:
    url = f"/api/v1/ballots/{world.firm_id}/reconciliation"
    first = (await client.get(url, headers=chair_headers)).json()
    assert first["balanced"] is True and first["reasons"] == []
    assert (first["phone"], first["paper_issued"], first["counted"]) == (0, 0, 0)
    assert first["not_voted"] == first["electorate"] > 0
    await _cast(client, world, 0)
    await _hand_out_paper(world)
    found = (await client.get(url, headers=chair_headers)).json()
    assert (found["phone"], found["paper_printed"], found["paper_issued"]) == (1, 3, 1)
    assert found["counted"] == 1
    assert found["balanced"] is False
    [reason] = found["reasons"]  # in the request's language (zh-CN by default)
    message = publish_block(_issued_only())
    assert message is not None
    assert reason == zh(message[0]).format(**message[1])


async def test_only_the_ballots_own_chairs_see_it(client: Client, world: World) -> None:
    secret = await world.add_chair("sinan-chair", "area_chair", "sinan")
    token = await login(client, "sinan-chair", secret)
    response = await client.get(
        f"/api/v1/ballots/{world.firm_id}/reconciliation", headers=bearer(token)
    )
    assert response.status_code == 403
    assert response.json()["type"].endswith("/outside-unit")
    anonymous = await client.get(f"/api/v1/ballots/{world.firm_id}/reconciliation")
    assert anonymous.status_code == 401


async def test_the_console_page_shows_the_table_and_the_reasons(
    client: Client, world: World
) -> None:
    await page_login(client, "chair", world.info.totp_secret)
    page = await client.get(f"/chair/ballots/{world.firm_id}/reconciliation")
    assert page.status_code == 200
    assert zh("Every channel is accounted for: the count balances.") in page.text
    await _hand_out_paper(world)
    page = await client.get(f"/chair/ballots/{world.firm_id}/reconciliation")
    assert zh("The result cannot be published until this is resolved:") in page.text
    assert zh("Paper ballots handed out") in page.text


async def test_the_publish_check_shows_the_reconciliation_and_offers_no_publish_until_it_balances(
    client: Client, world: World, chair_headers: dict[str, str]
) -> None:
    await _cast(client, world, 0)
    await _hand_out_paper(world)
    closed = await client.post(f"/api/v1/ballots/{world.firm_id}/close", headers=chair_headers)
    assert closed.is_success, closed.text
    await page_login(client, "chair", world.info.totp_secret, ahead=1)
    dashboard = await client.get("/chair/")
    csrf = csrf_of(dashboard.text)
    preview = await client.post(
        f"/chair/ballots/{world.firm_id}/publish", data={"csrf_token": csrf}
    )
    assert preview.status_code == 200
    assert zh("Does the count balance?") in preview.text
    assert zh("The result cannot be published until this is resolved:") in preview.text
    assert 'name="confirm" value="1"' not in preview.text  # no button that would be refused
    refused = await client.post(
        f"/chair/ballots/{world.firm_id}/publish", data={"csrf_token": csrf, "confirm": "1"}
    )
    assert refused.status_code == 409
    shown = await client.get(f"/api/v1/ballots/{world.firm_id}/manage", headers=chair_headers)
    assert shown.json()["ballot"]["state"] == "closed"


async def test_closing_with_paper_handed_out_says_the_result_waits_for_it(
    client: Client, world: World
) -> None:
    await _hand_out_paper(world)
    await page_login(client, "chair", world.info.totp_secret)
    csrf = csrf_of((await client.get("/chair/")).text)
    closed = await client.post(
        f"/chair/ballots/{world.firm_id}/close", data={"csrf_token": csrf, "confirm": "1"}
    )
    assert closed.status_code == 200
    assert (
        zh(
            "Voting is closed. The result waits for the paper ballots: two chairs enter each "
            "returned one, then count them on the paper ballots page."
        )
        in closed.text
    )
