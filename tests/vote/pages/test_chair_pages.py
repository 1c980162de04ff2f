"""The chair's pages: login with password and TOTP (an httponly cookie), the dashboard, actions
guarded by a CSRF token, and printing invitations with QR codes."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ballots.credentials import credential_hash
from ballots.models import Ballot, Elector
from tests.vote.helpers import SECRET, Client, World, create_draft, csrf_of, page_login, zh


async def dashboard_csrf(client: Client) -> str:
    response = await client.get("/chair/")
    assert response.status_code == 200, response.text
    return csrf_of(response.text)


async def ballot_state(world: World, ballot_id: int, state: str) -> bool:
    return await world.db.count(Ballot, Ballot.id == ballot_id, Ballot.state == state) == 1


async def test_login_page_renders(client: Client, world: World) -> None:
    response = await client.get("/chair/login")
    assert response.status_code == 200
    assert 'name="totp"' in response.text
    assert zh("Committee staff log in") in response.text


async def test_login_sets_an_httponly_session_cookie(client: Client, world: World) -> None:
    response = await page_login(client, "chair", world.info.totp_secret)
    assert response.status_code in (302, 303)
    assert response.headers["location"] == "/chair/"
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("vote_session=")
    assert "httponly" in cookie.lower()
    assert "samesite=strict" in cookie.lower()
    assert (await client.get("/chair/")).status_code == 200


async def test_wrong_login_shows_the_form_again(client: Client, world: World) -> None:
    form = await client.get("/chair/login")
    response = await client.post(
        "/chair/login",
        data={
            "username": "chair",
            "password": "nope-nope-nope",
            "totp": "123456",
            "csrf_token": csrf_of(form.text),
        },
        follow_redirects=False,
    )
    assert response.status_code == 401
    assert zh("The user name, password or authenticator code is wrong.") in response.text
    assert "vote_session" not in response.headers.get("set-cookie", "")
    assert 'value="chair"' in response.text


async def test_dashboard_needs_a_login(client: Client, world: World) -> None:
    response = await client.get("/chair/", follow_redirects=False)
    assert response.status_code in (302, 303)
    assert response.headers["location"] == "/chair/login"


async def test_dashboard_lists_ballots(client: Client, world: World) -> None:
    await page_login(client, "chair", world.info.totp_secret)
    html = (await client.get("/chair/")).text
    for title in ("2027年实事项目投票", "选定动迁评估公司", "2026年服务评议"):
        assert title in html
    assert f'action="/chair/ballots/{world.practical_id}/close"' in html
    assert f'action="/chair/ballots/{world.published_id}/close"' not in html


async def test_action_without_csrf_token_is_refused(client: Client, world: World) -> None:
    await page_login(client, "chair", world.info.totp_secret)
    before = await world.db.snapshot()
    response = await client.post(f"/chair/ballots/{world.practical_id}/close", data={})
    assert response.status_code == 403
    assert zh("The form has expired") in response.text
    wrong = await client.post(
        f"/chair/ballots/{world.practical_id}/close", data={"csrf_token": "0" * 64}
    )
    assert wrong.status_code == 403
    assert await ballot_state(world, world.practical_id, "open")
    assert await world.db.snapshot() == before


async def test_action_with_csrf_token_works(client: Client, world: World) -> None:
    await page_login(client, "chair", world.info.totp_secret)
    token = await dashboard_csrf(client)
    asked = await client.post(
        f"/chair/ballots/{world.practical_id}/close", data={"csrf_token": token}
    )
    assert asked.status_code == 200, asked.text
    assert zh("Close voting?") in asked.text
    assert await ballot_state(world, world.practical_id, "open")
    response = await client.post(
        f"/chair/ballots/{world.practical_id}/close", data={"csrf_token": token, "confirm": "1"}
    )
    assert response.status_code == 200, response.text
    assert zh("Voting is closed and the ballots are counted.") in response.text
    assert await ballot_state(world, world.practical_id, "closed")
    # Publishing first shows the result, privately, with its warnings in plain words.
    preview = await client.post(
        f"/chair/ballots/{world.practical_id}/publish", headers={"X-CSRF-Token": token}
    )
    assert preview.status_code == 200
    assert zh("Check the result before publishing") in preview.text
    assert zh("Only you can see this result. Residents see it once you publish it.") in preview.text
    assert "0.0%" in preview.text  # the low turnout, in figures
    assert await ballot_state(world, world.practical_id, "closed")
    published = await client.post(
        f"/chair/ballots/{world.practical_id}/publish",
        data={"csrf_token": token, "confirm": "1"},
    )
    assert published.status_code == 200
    assert await ballot_state(world, world.practical_id, "published")


async def test_refused_action_shows_an_error(client: Client, world: World) -> None:
    await page_login(client, "chair", world.info.totp_secret)
    token = await dashboard_csrf(client)
    response = await client.post(
        f"/chair/ballots/{world.published_id}/open", data={"csrf_token": token}
    )
    assert response.status_code == 409
    assert 'role="alert"' in response.text
    assert await ballot_state(world, world.published_id, "published")


async def test_print_invitations_page_has_qr_codes(
    client: Client, world: World, chair_headers: dict[str, str]
) -> None:
    draft_id = await create_draft(client, chair_headers, world.matters[world.published_id])
    await page_login(client, "chair", world.info.totp_secret, ahead=1)
    token = await dashboard_csrf(client)
    response = await client.post(
        f"/chair/ballots/{draft_id}/invitations", data={"csrf_token": token}
    )
    assert response.status_code == 200, response.text
    issued = await world.db.count(
        Elector, Elector.ballot_id == draft_id, Elector.credential_hash.is_not(None)
    )
    assert issued > 0
    assert response.text.count("<svg") == issued

    again = await client.post(f"/chair/ballots/{draft_id}/invitations", data={"csrf_token": token})
    assert "<svg" not in again.text  # codes are shown once; printing again issues nothing


async def test_print_invitations_as_pdf(
    client: Client, world: World, chair_headers: dict[str, str]
) -> None:
    draft_id = await create_draft(client, chair_headers, world.matters[world.published_id])
    await page_login(client, "chair", world.info.totp_secret, ahead=1)
    token = await dashboard_csrf(client)
    response = await client.post(
        f"/chair/ballots/{draft_id}/invitations.pdf", data={"csrf_token": token}
    )
    assert response.status_code in (200, 201)
    assert response.headers["content-type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


async def test_logout_ends_the_session(client: Client, world: World) -> None:
    await page_login(client, "chair", world.info.totp_secret)
    session = client.cookies.get("vote_session")
    assert session
    token = await dashboard_csrf(client)
    response = await client.post(
        "/chair/logout", data={"csrf_token": token}, follow_redirects=False
    )
    assert response.status_code in (302, 303)
    client.cookies.set("vote_session", session)  # replaying the old cookie does not work
    assert (await client.get("/chair/", follow_redirects=False)).status_code in (302, 303)


async def test_a_chair_replaces_a_lost_invitation_from_the_page(
    client: Client, world: World
) -> None:
    old_code = world.credential(world.firm_id, 0)

    async def owner(session: AsyncSession) -> int:
        found = await session.scalar(
            select(Elector.resident_id).where(
                Elector.credential_hash == credential_hash(SECRET, old_code)
            )
        )
        assert found is not None
        return int(found)

    resident_id = await world.db.run(owner)
    await page_login(client, "chair", world.info.totp_secret, ahead=1)
    listing = await client.get(f"/chair/ballots/{world.firm_id}/electors")
    assert listing.status_code == 200
    assert zh("Replace a lost invitation") in listing.text
    path = f"/chair/ballots/{world.firm_id}/electors/{resident_id}/reissue"
    assert f'action="{path}"' in listing.text
    asked = await client.post(path, data={"csrf_token": csrf_of(listing.text)})
    assert asked.status_code == 200, asked.text
    assert zh("Replace this invitation?") in asked.text
    assert "<svg" not in asked.text
    printed = await client.post(path, data={"csrf_token": csrf_of(listing.text), "confirm": "1"})
    assert printed.status_code == 200, printed.text
    assert printed.text.count("<svg") == 1
    new_code = re.search(r'class="code">([0-9 ]+)<', printed.text)  # groups on one line
    assert new_code is not None
    old = await client.post(
        f"/api/v1/ballots/{world.firm_id}/voter-status", json={"credential": old_code}
    )
    assert old.json()["type"] == "/problems/unknown-credential"
    new = await client.post(
        f"/api/v1/ballots/{world.firm_id}/voter-status",
        json={"credential": new_code.group(1).replace(" ", "-")},
    )
    assert new.status_code == 200


async def test_the_lookup_finds_residents_by_name(client: Client, world: World) -> None:
    await page_login(client, "chair", world.info.totp_secret, ahead=1)
    everyone = await client.get(f"/chair/ballots/{world.firm_id}/electors")
    first_row = re.search(r"<td>([^<]+)</td>\s*<td>([^<]+)</td>", everyone.text)
    assert first_row is not None
    name = first_row.group(2)
    by_name = await client.get(f"/chair/ballots/{world.firm_id}/electors", params={"q": name})
    assert name in by_name.text
    assert by_name.text.count("/reissue") <= everyone.text.count("/reissue")
    nobody = await client.get(f"/chair/ballots/{world.firm_id}/electors", params={"q": "无此人"})
    assert zh("Nobody eligible matches.") in nobody.text
    assert "/reissue" not in nobody.text


async def test_the_login_form_refuses_a_post_without_its_csrf_token(
    client: Client, world: World
) -> None:
    """A page elsewhere cannot log this browser in (login CSRF): the form's token is bound to a
    cookie the login page set."""
    from tests.vote.helpers import DEMO_PASSWORD, totp_code

    before = await world.db.snapshot()
    response = await client.post(
        "/chair/login",
        data={
            "username": "chair",
            "password": DEMO_PASSWORD,
            "totp": totp_code(world.info.totp_secret),
        },
        follow_redirects=False,
    )
    assert response.status_code == 403
    assert (
        zh("The form has expired") in response.text
        or zh("Please reload the page and try again.") in response.text
    )
    assert "vote_session" not in response.cookies
    assert await world.db.snapshot() == before
    # The page it answers with carries a fresh token that works.
    retry = await client.post(
        "/chair/login",
        data={
            "username": "chair",
            "password": DEMO_PASSWORD,
            "totp": totp_code(world.info.totp_secret),
            "csrf_token": csrf_of(response.text),
        },
        follow_redirects=False,
    )
    assert retry.status_code in (302, 303), retry.text
