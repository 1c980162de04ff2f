"""The chair's invitations page: electors page by page with voted status, printing by building
or household, and reprinting with new codes after a page that says how many will be replaced."""

from __future__ import annotations

import re
from urllib.parse import unquote

import pypdfium2 as pdfium
import zxingcpp
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ballots.models import AuditEntry, Elector, Resident
from tests.vote.helpers import Client, World, create_draft, csrf_of, page_login, zh

ROW = re.compile(r"<tr>\s*<td>[^<]*</td>\s*<td>([^<]+)</td>")


async def _electors(world: World, ballot_id: int) -> list[tuple[int, str, bool]]:
    async def work(session: AsyncSession) -> list[tuple[int, str, bool]]:
        rows = await session.execute(
            select(Resident.id, Resident.building, Elector.credential_hash.is_not(None))
            .join(Elector, Elector.resident_id == Resident.id)
            .where(Elector.ballot_id == ballot_id)
        )
        return [(rid, building, bool(issued)) for rid, building, issued in rows]

    return list(await world.db.run(work))


async def _codes(world: World, ballot_id: int) -> dict[int, tuple[bytes | None, int]]:
    """Each elector's code (its hash) and how many times one was issued."""

    async def work(session: AsyncSession) -> dict[int, tuple[bytes | None, int]]:
        rows = await session.execute(
            select(Elector.resident_id, Elector.credential_hash, Elector.issue_count).where(
                Elector.ballot_id == ballot_id
            )
        )
        return {rid: (code, count) for rid, code, count in rows}

    return dict(await world.db.run(work))


async def test_the_electors_list_pages_through_everyone(client: Client, world: World) -> None:
    total = len(await _electors(world, world.firm_id))
    assert total > 50  # more than one page
    await page_login(client, "chair", world.info.totp_secret, ahead=1)
    path = f"/chair/ballots/{world.firm_id}/electors"
    first = await client.get(path)
    assert first.status_code == 200
    assert zh("Invitations and electors") in first.text
    assert (
        zh("Showing %(first)s–%(last)s of %(total)s")
        % {
            "first": 1,
            "last": 50,
            "total": total,
        }
        in first.text
    )
    assert 'rel="prev"' not in first.text
    names: list[str] = []
    response = first
    pages = 0
    while True:
        pages += 1
        names += ROW.findall(response.text)
        match = re.search(r'rel="next" href="([^"]+)"', response.text)
        if match is None:
            break
        response = await client.get(path + match.group(1).replace("&amp;", "&"))
        assert response.status_code == 200
        assert 'rel="prev"' in response.text
    assert pages == -(-total // 50)
    assert len(names) == total


async def test_voted_status_is_shown_and_filters(client: Client, world: World) -> None:
    cast = await client.post(
        f"/api/v1/ballots/{world.firm_id}/casts",
        json={"credential": world.credential(world.firm_id, 0), "answers": {"firm": ["o1"]}},
    )
    assert cast.status_code == 201, cast.text
    await page_login(client, "chair", world.info.totp_secret, ahead=1)
    path = f"/chair/ballots/{world.firm_id}/electors"
    voted = await client.get(path, params={"status": "voted"})
    not_voted = await client.get(path, params={"status": "not-voted", "start": 0})
    everyone = await client.get(path)
    # One vote per household: every member of the voter's household shows as voted.
    assert 1 <= len(ROW.findall(voted.text)) <= 3
    assert f"<td>{zh('Voted')}</td>" in voted.text
    assert f"<td>{zh('Not voted yet')}</td>" not in voted.text
    assert f"<td>{zh('Voted')}</td>" not in not_voted.text
    assert (
        len(ROW.findall(voted.text)) + len(ROW.findall(not_voted.text))
        == min(50, len(ROW.findall(everyone.text)))
        or len(ROW.findall(not_voted.text)) == 50
    )
    # A bad filter value or offset answers a page, never an error.
    assert (await client.get(path, params={"status": "nonsense"})).status_code == 200
    assert (await client.get(path, params={"start": 10**6})).status_code == 200
    assert (await client.get(path, params={"start": -1})).status_code == 400


async def test_printing_one_building_as_pdf_gives_only_that_building(
    client: Client, world: World, chair_headers: dict[str, str]
) -> None:
    draft_id = await create_draft(client, chair_headers, world.matters[world.published_id])
    await page_login(client, "chair", world.info.totp_secret, ahead=1)
    # A draft's list shows who would be invited (the roll as it is now), nobody has a code yet.
    listing = await client.get(f"/chair/ballots/{draft_id}/electors")
    assert f"<td>{zh('Issued')}</td>" not in listing.text
    electors = await _electors(world, draft_id)
    assert electors and not any(issued for _, _, issued in electors)
    building = sorted({b for _, b, _ in electors})[0]
    in_building = {rid for rid, b, _ in electors if b == building}
    assert f'<option value="{building}">' in listing.text
    response = await client.post(
        f"/chair/ballots/{draft_id}/invitations.pdf",
        data={"csrf_token": csrf_of(listing.text), "building": building},
    )
    assert response.headers["content-type"] == "application/pdf"
    assert unquote(response.headers["content-disposition"]).endswith(f"-{building}.pdf")
    pdf = pdfium.PdfDocument(response.content)
    urls = []
    for page in pdf:
        image = page.render(scale=200 / 72, grayscale=True).to_pil()
        urls += [
            c.text for c in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
        ]
    pdf.close()
    assert len(urls) == len(in_building)
    assert all(url.startswith(f"http://testserver/v/{draft_id}#") for url in urls)
    issued = {rid for rid, _, has in await _electors(world, draft_id) if has}
    assert issued == in_building


async def test_reprint_says_how_many_codes_it_replaces_then_replaces_them(
    client: Client, world: World
) -> None:
    ballot_id = world.practical_id
    old_code = world.credential(ballot_id, 0)
    await page_login(client, "chair", world.info.totp_secret, ahead=1)
    status = await client.post(
        f"/api/v1/ballots/{ballot_id}/voter-status", json={"credential": old_code}
    )
    assert status.status_code == 200
    electors = await _electors(world, ballot_id)
    building = sorted({b for _, b, _ in electors})[-1]
    preview = await client.get(
        f"/chair/ballots/{ballot_id}/reprint-preview", params={"building": building}
    )
    assert preview.status_code == 200
    stops = re.search(r"<strong>\D*(\d+)", preview.text)
    assert stops is not None
    replaceable = int(stops.group(1))
    assert (
        zh("%(n)s codes already handed out will stop working at once.") % {"n": replaceable}
        in preview.text
    )
    assert 'name="confirm" value="1"' in preview.text
    before = await world.db.count(AuditEntry, AuditEntry.action == "invitations.reprint")
    # Posted without the preview's confirmation, the reprint only shows the preview again.
    unconfirmed = (await world.db.snapshot(), await _codes(world, ballot_id))
    asked = await client.post(
        f"/chair/ballots/{ballot_id}/reprint",
        data={"csrf_token": csrf_of(preview.text), "building": building},
    )
    assert asked.status_code == 200, asked.text
    assert 'class="code"' not in asked.text
    assert (
        zh("%(n)s codes already handed out will stop working at once.") % {"n": replaceable}
        in asked.text
    )
    assert (await world.db.snapshot(), await _codes(world, ballot_id)) == unconfirmed
    printed = await client.post(
        f"/chair/ballots/{ballot_id}/reprint",
        data={"csrf_token": csrf_of(preview.text), "building": building, "confirm": "1"},
    )
    assert printed.status_code == 200, printed.text
    assert (
        zh("%(n)s old codes were replaced and no longer work.") % {"n": replaceable} in printed.text
    )
    assert (
        await world.db.count(AuditEntry, AuditEntry.action == "invitations.reprint") == before + 1
    )
    codes = re.findall(r'class="code">([0-9 ]+)<', printed.text)
    assert codes
    new = await client.post(
        f"/api/v1/ballots/{ballot_id}/voter-status",
        json={"credential": codes[0].replace(" ", "-")},
    )
    assert new.status_code == 200


async def test_reprint_without_csrf_changes_nothing(client: Client, world: World) -> None:
    await page_login(client, "chair", world.info.totp_secret, ahead=1)
    before = await world.db.snapshot()
    response = await client.post(f"/chair/ballots/{world.practical_id}/reprint", data={})
    assert response.status_code == 403
    assert await world.db.snapshot() == before
