"""A chair's own account on the console: a password someone else chose is replaced at the first
login before any other page or session API call works (a 403 password-change-required problem);
errors beside the fields in Chinese change nothing; a voluntary change needs the current password,
whose wrong guesses count as failed logins; a recovery code logs in once in place of the TOTP
code, and the chair is told how many are left; new codes replace the old. SQLite and PostgreSQL."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select

from ballots.models import AuditEntry, Chair
from tests.vote.helpers import (
    Client,
    World,
    assert_problem,
    bearer,
    csrf_of,
    login,
    page_login,
    totp_code,
    zh,
)
from vote.demo import DEMO_PASSWORD

PASSWORD_PAGE = "/chair/account/password"
OWN = "my-own-password-2026"
CODE = re.compile(r"<code>(\d{4}-\d{4}-\d{4})</code>")


async def login_form(
    client: Client, username: str, code: str, *, password: str = DEMO_PASSWORD
) -> Any:
    """Post the login form with ``code`` (a TOTP or a recovery code) in the code field."""
    form = await client.get("/chair/login")
    return await client.post(
        "/chair/login",
        data={
            "username": username,
            "password": password,
            "totp": code,
            "csrf_token": csrf_of(form.text),
        },
        follow_redirects=False,
    )


async def chair_state(world: World, username: str) -> tuple[str, bool]:
    async def work(session):  # type: ignore[no-untyped-def]
        chair = await session.scalar(select(Chair).where(Chair.username == username))
        return chair.password_hash, chair.must_change_password

    found: tuple[str, bool] = await world.db.run(work)
    return found


async def audit_actions(world: World, action: str) -> list[dict[str, Any]]:
    async def work(session):  # type: ignore[no-untyped-def]
        rows = await session.scalars(select(AuditEntry).where(AuditEntry.action == action))
        return [entry.details for entry in rows.all()]

    found: list[dict[str, Any]] = await world.db.run(work)
    return found


async def test_the_demo_chair_is_not_made_to_change_the_printed_password(
    client: Client, world: World
) -> None:
    page = await client.get("/chair/login")
    assert 'id="totp-hint"' in page.text and 'maxlength="16"' in page.text
    response = await page_login(client, "chair", world.info.totp_secret)
    assert response.status_code in (302, 303)
    assert response.headers["location"] == "/chair/"
    assert (await chair_state(world, "chair"))[1] is False


async def test_a_chair_added_by_another_chooses_their_own_password_first(
    client: Client, world: World
) -> None:
    secret = await world.add_chair("clerk", "area_chair", "maoming", chose_password=False)
    response = await page_login(client, "clerk", secret)
    assert response.headers["location"] == PASSWORD_PAGE

    # Every other page sends the chair back here; a form posted elsewhere changes nothing.
    for path in ("/chair/", "/chair/units", "/chair/chairs", "/chair/account", "/chair/audit"):
        elsewhere = await client.get(path, follow_redirects=False)
        assert elsewhere.status_code in (302, 303), path
        assert elsewhere.headers["location"] == PASSWORD_PAGE, path
    page = await client.get(PASSWORD_PAGE)
    assert page.status_code == 200
    assert zh("Choose your own password") in page.text
    assert 'name="current"' not in page.text  # they have just typed it
    assert 'href="/chair/units"' not in page.text  # no console links until done
    csrf = csrf_of(page.text)
    before = await world.db.snapshot()
    posted = await client.post(
        "/chair/matters/new",
        data={"csrf_token": csrf, "unit": str(world.units["maoming"]), "title": "x"},
        follow_redirects=False,
    )
    assert posted.headers["location"] == PASSWORD_PAGE
    assert await world.db.snapshot() == before

    # The API by the same login session: a clear problem, not the data.
    cookie = client.cookies.get("vote_session")
    assert cookie
    refused = await client.get("/api/v1/ballots", headers=bearer(cookie))
    body = assert_problem(refused, 403, "password-change-required")
    assert PASSWORD_PAGE in body["detail"]
    assert_problem(
        await client.get("/api/v1/me", headers=bearer(cookie)), 403, "password-change-required"
    )

    # Errors beside their fields, in Chinese; nothing changes.
    stored = await chair_state(world, "clerk")
    audit_before = await world.db.count(AuditEntry)
    for typed, field, message in (
        ({"password": "short", "password2": "short"}, "password", None),
        ({"password": OWN, "password2": OWN + "x"}, "password2", "The two passwords differ."),
        (
            {"password": DEMO_PASSWORD, "password2": DEMO_PASSWORD},
            "password",
            "The new password must differ from the one you have now.",
        ),
    ):
        refused_page = await client.post(PASSWORD_PAGE, data={"csrf_token": csrf, **typed})
        assert refused_page.status_code == 422, typed
        assert f'id="{field}-error"' in refused_page.text, typed
        expected = zh(message) if message else zh("At least %(n)s characters, please.") % {"n": 10}
        assert expected in refused_page.text, typed
        assert 'aria-invalid="true"' in refused_page.text
    assert await chair_state(world, "clerk") == stored
    assert await world.db.count(AuditEntry) == audit_before

    done = await client.post(
        PASSWORD_PAGE, data={"csrf_token": csrf, "password": OWN, "password2": OWN}
    )
    assert done.status_code == 200, done.text
    assert zh("Your own password is set. From now on you log in with it.") in done.text
    assert (await chair_state(world, "clerk"))[1] is False
    assert [entry["forced"] for entry in await audit_actions(world, "chair.change_password")] == [
        True
    ]
    # The same login session now reaches the console and the API.
    assert (await client.get("/chair/", follow_redirects=False)).status_code == 200
    assert (await client.get("/api/v1/me", headers=bearer(cookie))).status_code == 200
    client.cookies.clear()
    old = await client.post(
        "/api/v1/auth/login",
        json={"username": "clerk", "password": DEMO_PASSWORD, "totp": totp_code(secret, ahead=1)},
    )
    assert_problem(old, 401, "invalid-login")
    token = await login(client, "clerk", secret, password=OWN, ahead=1)
    assert (await client.get("/api/v1/me", headers=bearer(token))).status_code == 200


async def test_the_api_login_says_a_change_is_due_and_logging_out_still_works(
    client: Client, world: World
) -> None:
    secret = await world.add_chair("clerk", "area_chair", "maoming", chose_password=False)
    response = await client.post(
        "/api/v1/auth/login",
        json={"username": "clerk", "password": DEMO_PASSWORD, "totp": totp_code(secret)},
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["must_change_password"], body["recovery_codes_left"]) == (True, 10)
    headers = bearer(body["token"])
    assert_problem(
        await client.post("/api/v1/auth/tokens", json={"name": "x"}, headers=headers),
        403,
        "password-change-required",
    )
    assert (await client.post("/api/v1/auth/logout", headers=headers)).status_code == 204
    assert_problem(await client.get("/api/v1/me", headers=headers), 401, "not-authenticated")

    # On the page, too: log out from the password page.
    await page_login(client, "clerk", secret, ahead=1)
    page = await client.get(PASSWORD_PAGE)
    out = await client.post(
        "/chair/logout", data={"csrf_token": csrf_of(page.text)}, follow_redirects=False
    )
    assert out.headers["location"] == "/chair/login"
    assert (await client.get(PASSWORD_PAGE, follow_redirects=False)).headers[
        "location"
    ] == "/chair/login"


async def test_a_voluntary_change_needs_the_current_password(client: Client, world: World) -> None:
    other_session = await login(client, "chair", world.info.totp_secret)
    await page_login(client, "chair", world.info.totp_secret, ahead=1)
    account = await client.get("/chair/account")
    assert account.status_code == 200
    assert zh("Unused recovery codes: %(left)s of %(count)s.") % {"left": 10, "count": 10} in (
        account.text
    )
    page = await client.get(PASSWORD_PAGE)
    assert 'name="current"' in page.text and zh("Change my password") in page.text
    csrf = csrf_of(page.text)
    stored = await chair_state(world, "chair")
    missing = await client.post(
        PASSWORD_PAGE, data={"csrf_token": csrf, "password": OWN, "password2": OWN}
    )
    assert missing.status_code == 422 and 'id="current-error"' in missing.text
    wrong = await client.post(
        PASSWORD_PAGE,
        data={"csrf_token": csrf, "current": "not-it-at-all", "password": OWN, "password2": OWN},
    )
    assert wrong.status_code == 422 and 'id="current-error"' in wrong.text
    assert zh("The current password you typed is not right.") in wrong.text
    assert await chair_state(world, "chair") == stored

    done = await client.post(
        PASSWORD_PAGE,
        data={"csrf_token": csrf, "current": DEMO_PASSWORD, "password": OWN, "password2": OWN},
    )
    assert done.status_code == 200
    assert zh("Your password is changed; your other logins have ended.") in done.text
    assert [entry["forced"] for entry in await audit_actions(world, "chair.change_password")] == [
        False
    ]
    assert_problem(
        await client.get("/api/v1/me", headers=bearer(other_session)), 401, "not-authenticated"
    )
    assert (await client.get("/chair/account")).status_code == 200  # this session goes on


async def test_wrong_current_passwords_count_as_failed_logins(client: Client, world: World) -> None:
    await page_login(client, "chair", world.info.totp_secret)
    csrf = csrf_of((await client.get(PASSWORD_PAGE)).text)
    stored = await chair_state(world, "chair")
    wrong = {"csrf_token": csrf, "current": "guess-guess-guess", "password": OWN, "password2": OWN}
    statuses = [(await client.post(PASSWORD_PAGE, data=wrong)).status_code for _ in range(6)]
    assert statuses == [422] * 5 + [429]
    right = {**wrong, "current": DEMO_PASSWORD}
    refused = await client.post(PASSWORD_PAGE, data=right)
    assert refused.status_code == 429
    assert await chair_state(world, "chair") == stored
    assert await audit_actions(world, "chair.change_password") == []


async def test_a_recovery_code_logs_in_once_and_tells_how_many_are_left(
    client: Client, world: World
) -> None:
    first, second = world.info.recovery_codes[:2]
    response = await login_form(client, "chair", first)
    assert response.status_code in (302, 303), response.text
    assert response.headers["location"] == "/chair/account?recovery=used"
    account = await client.get(response.headers["location"])
    left = zh(
        "You logged in with a recovery code; it cannot be used again. Unused recovery codes "
        "left: %(left)s."
    ) % {"left": 9}
    assert left in account.text
    assert [
        entry["codes_left"] for entry in await audit_actions(world, "chair.recovery_code_used")
    ] == [9]

    client.cookies.clear()
    again = await login_form(client, "chair", first)
    assert again.status_code == 401
    assert zh("The user name, password or authenticator code is wrong.") in again.text
    api = await client.post(
        "/api/v1/auth/login",
        json={"username": "chair", "password": DEMO_PASSWORD, "totp": second},
    )
    assert api.status_code == 200
    assert (api.json()["recovery_codes_left"], api.json()["must_change_password"]) == (8, False)


async def test_recovery_code_guesses_count_against_the_login_limits(
    client: Client, world: World
) -> None:
    for guess in range(5):
        response = await client.post(
            "/api/v1/auth/login",
            json={"username": "chair", "password": DEMO_PASSWORD, "totp": f"1111-2222-333{guess}"},
        )
        assert_problem(response, 401, "invalid-login")
    right = world.info.recovery_codes[0]
    blocked = await client.post(
        "/api/v1/auth/login", json={"username": "chair", "password": DEMO_PASSWORD, "totp": right}
    )
    assert_problem(blocked, 429, "too-many-failed-logins")
    assert await audit_actions(world, "chair.recovery_code_used") == []


async def test_a_forced_chair_with_a_recovery_code_chooses_the_password_first(
    client: Client, world: World
) -> None:
    added = await world.add_chair_with_codes("clerk", "area_chair", "maoming", chose_password=False)
    response = await login_form(client, "clerk", added.recovery_codes[3])
    assert response.headers["location"] == PASSWORD_PAGE + "?recovery=used"
    page = await client.get(response.headers["location"])
    assert zh("Choose your own password") in page.text
    assert 'id="recovery-notice"' in page.text


async def test_new_recovery_codes_replace_the_old_ones(client: Client, world: World) -> None:
    await page_login(client, "chair", world.info.totp_secret)
    csrf = csrf_of((await client.get("/chair/account")).text)
    made = await client.post("/chair/account/recovery-codes", data={"csrf_token": csrf})
    assert made.status_code == 200
    assert made.headers["cache-control"] == "no-store"
    codes = CODE.findall(made.text)
    assert len(codes) == len(set(codes)) == 10
    assert not set(codes) & set(world.info.recovery_codes)
    assert await audit_actions(world, "chair.recovery_codes_replaced") == [{"unused_dropped": 10}]
    client.cookies.clear()
    old = await login_form(client, "chair", world.info.recovery_codes[0])
    assert old.status_code == 401
    new = await login_form(client, "chair", codes[0])
    assert new.headers["location"] == "/chair/account?recovery=used"
    # Without the session's CSRF token nothing is made.
    refused = await client.post("/chair/account/recovery-codes", data={"csrf_token": "x"})
    assert refused.status_code == 403
    assert len(await audit_actions(world, "chair.recovery_codes_replaced")) == 1
