"""Console: a ballot's paper ballots page — print (and the PDF), hand out by name or by typed
code with refusals beside their field, the phone vote then refused, two chairs' entries one
after another, the mismatch in words, the correction, and 计入结果; another unit's chair refused."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ballots.access import operator
from ballots.lifecycle import close_ballot
from ballots.models import PaperIssue
from tests.vote.helpers import Client, World, csrf_of, page_login, zh


def path(ballot_id: int, rest: str = "") -> str:
    return f"/chair/ballots/{ballot_id}/paper{rest}"


async def logged_in(client: Client, username: str, secret: str) -> str:
    response = await page_login(client, username, secret)
    assert response.status_code in (302, 303), response.text
    return csrf_of((await client.get("/chair/")).text)


async def issued(world: World, ballot_id: int) -> list[int]:
    async def work(session: AsyncSession) -> list[int]:
        rows = await session.scalars(
            select(PaperIssue.serial).where(PaperIssue.ballot_id == ballot_id)
        )
        return sorted(rows)

    found: list[int] = await world.db.run(work)
    return found


async def close(world: World, ballot_id: int) -> None:
    async def work(session: AsyncSession) -> None:
        await close_ballot(session, operator(), ballot_id)
        await session.commit()

    await world.db.run(work)


async def test_print_hand_out_enter_compare_and_count(client: Client, world: World) -> None:
    ballot = world.firm_id
    csrf = await logged_in(client, "chair", world.info.totp_secret)
    page = await client.get(path(ballot))
    assert page.status_code == 200
    assert zh("Hand out a paper ballot") in page.text
    bad = await client.post(path(ballot, "/print"), data={"csrf_token": csrf, "count": "0"})
    assert bad.status_code == 422
    assert zh("Print between 1 and %(max)s paper ballots at a time.") % {"max": 500} in bad.text
    printed = await client.post(path(ballot, "/print"), data={"csrf_token": csrf, "count": "3"})
    assert printed.status_code == 200, printed.text
    assert (
        zh("Paper ballots No. %(first)s to %(last)s are ready to print.")
        % {
            "first": 1,
            "last": 3,
        }
        in printed.text
    )
    pdf = await client.get(path(ballot, "/sheets.pdf?first=1&last=3"))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert pdf.headers["content-type"] == "application/pdf"
    code = world.credential(ballot, 0)
    wrong = await client.post(
        path(ballot, "/issue"), data={"csrf_token": csrf, "code": code, "serial": "9"}
    )
    assert wrong.status_code == 422
    assert 'id="serial-error"' in wrong.text and await issued(world, ballot) == []
    given = await client.post(
        path(ballot, "/issue"), data={"csrf_token": csrf, "code": code, "serial": "1"}
    )
    assert given.status_code == 200, given.text
    assert await issued(world, ballot) == [1]
    # by name: search, then the first match is chosen
    search = await client.get(path(ballot) + "?q=" + "张")
    assert search.status_code == 200
    phone = await client.post(
        f"/api/v1/ballots/{ballot}/casts", json={"credential": code, "answers": {"firm": ["x"]}}
    )
    assert phone.status_code == 409
    await close(world, ballot)
    page = await client.get(path(ballot))
    assert zh("Enter the returned paper ballots") in page.text
    firm = page.text.split('name="q-firm" value="', 2)[1].split('"', 1)[0]
    entered = await client.post(
        path(ballot, "/entries"), data={"csrf_token": csrf, "serial": "1", "q-firm": firm}
    )
    assert entered.status_code == 200, entered.text
    assert "第 1 号只有一人录入" in entered.text
    twice = await client.post(
        path(ballot, "/entries"), data={"csrf_token": csrf, "serial": "1", "invalid": "1"}
    )
    assert twice.status_code == 409
    assert (
        zh(
            "You already entered paper ballot number {serial}. To change it, correct your entry."
        ).format(serial=1)
        in twice.text
    )
    secret = await world.add_chair("clerk", "area_chair", "maoming")
    await client.post("/chair/logout", data={"csrf_token": csrf})
    csrf = await logged_in(client, "clerk", secret)
    other = await client.post(
        path(ballot, "/entries"), data={"csrf_token": csrf, "serial": "1", "invalid": "1"}
    )
    assert other.status_code == 200
    assert "第 1 号：" in other.text and "无效票" in other.text
    refused = await client.post(path(ballot, "/count"), data={"csrf_token": csrf})
    assert refused.status_code == 409
    fixed = await client.post(
        path(ballot, "/entries"),
        data={"csrf_token": csrf, "serial": "1", "q-firm": firm, "correct": "1"},
    )
    assert fixed.status_code == 200
    assert zh("Both entries agree for all %(n)s returned paper ballots.") % {"n": 1} in fixed.text
    counted = await client.post(path(ballot, "/count"), data={"csrf_token": csrf})
    assert counted.status_code == 200, counted.text
    assert (
        zh("The paper ballots are counted into the result: %(valid)s valid, %(invalid)s invalid.")
        % {"valid": 1, "invalid": 0}
        in counted.text
    )


async def test_another_units_chair_cannot_see_the_page(client: Client, world: World) -> None:
    secret = await world.add_chair("sinan-chair", "area_chair", "sinan")
    await logged_in(client, "sinan-chair", secret)
    response = await client.get(path(world.firm_id))
    assert response.status_code == 403
