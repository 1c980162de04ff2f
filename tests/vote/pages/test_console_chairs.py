"""Console: chairs — list, add (the TOTP QR decodes to the secret, which logs in), disable and
enable, reset the password, re-enrol TOTP, change the role; bad input keeps the typing and
changes nothing; chairs outside the manager's subtree, and managing without the role, are
refused."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlparse

import zxingcpp
from PIL import Image

from ballots.access import operator
from ballots.chairs import disable_chair
from ballots.models import AuditEntry, Chair
from tests.vote.helpers import Client, World, csrf_of, page_login, totp_code, zh
from vote.demo import DEMO_PASSWORD


async def manager(client: Client, world: World) -> str:
    """Log in as a district administrator scoped to the demo street; return the CSRF token."""
    secret = await world.add_chair("boss", "district_admin", "ruijin2")
    response = await page_login(client, "boss", secret)
    assert response.status_code in (302, 303), response.text
    return csrf_of((await client.get("/chair/chairs")).text)


async def chair_id(world: World, username: str) -> int:
    from sqlalchemy import select

    async def work(session):  # type: ignore[no-untyped-def]
        return await session.scalar(select(Chair.id).where(Chair.username == username))

    found = await world.db.run(work)
    assert found is not None
    return int(found)


def secret_from_svg(html: str) -> str:
    """Decode the enrolment QR (rendered to pixels from the SVG's path) into its TOTP secret."""
    svg = re.search(r"<svg[^>]*viewBox=\"0 0 (\d+) \1\".*?<path d=\"([^\"]+)\"", html)
    assert svg, "no QR on the page"
    size, path = int(svg.group(1)), svg.group(2)
    scale = 8
    image = Image.new("L", (size * scale, size * scale), 255)
    pixels = image.load()
    assert pixels is not None
    for x, y, width in re.findall(r"M(\d+) (\d+)h(\d+)v1h-\d+z", path):
        for dx in range(int(width) * scale):
            for dy in range(scale):
                pixels[int(x) * scale + dx, int(y) * scale + dy] = 0
    found = zxingcpp.read_barcodes(image)
    assert found, "the QR does not decode"
    uri = found[0].text
    assert uri.startswith("otpauth://totp/")
    return parse_qs(urlparse(uri).query)["secret"][0]


async def test_the_list_shows_the_chairs_of_the_subtree(client: Client, world: World) -> None:
    await manager(client, world)
    html = (await client.get("/chair/chairs")).text
    assert "chair" in html and "boss" in html
    assert ">admin<" not in html  # the district's own admin is above the street


async def test_add_a_chair_who_then_logs_in_with_the_qr(client: Client, world: World) -> None:
    csrf = await manager(client, world)
    response = await client.post(
        "/chair/chairs/new",
        data={
            "csrf_token": csrf,
            "username": "sinan-clerk",
            "display_name": "思南居民区 干事",
            "unit": str(world.units["sinan"]),
            "role": "area_chair",
            "password": DEMO_PASSWORD,
            "password2": DEMO_PASSWORD,
        },
    )
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    secret = secret_from_svg(response.text)
    grouped = re.search(r'id="totp-secret">([A-Z2-7 ]+)<', response.text)
    assert grouped and grouped.group(1).replace(" ", "") == secret
    codes = re.findall(r"<code>(\d{4}-\d{4}-\d{4})</code>", response.text)
    assert len(codes) == len(set(codes)) == 10  # the recovery codes, shown once beside the QR
    client.cookies.clear()
    login = await page_login(client, "sinan-clerk", secret)
    assert login.status_code in (302, 303), login.text
    # The manager chose the password: the new chair chooses their own first.
    assert login.headers["location"] == "/chair/account/password"


async def test_bad_chair_input_keeps_the_typing_and_changes_nothing(
    client: Client, world: World
) -> None:
    csrf = await manager(client, world)
    before = await world.db.snapshot()
    chairs_before = await world.db.count(Chair)
    response = await client.post(
        "/chair/chairs/new",
        data={
            "csrf_token": csrf,
            "username": "has space",
            "display_name": "某人",
            "unit": str(world.units["sinan"]),
            "role": "emperor",
            "password": "short",
            "password2": "short",
        },
    )
    assert response.status_code == 422
    assert zh("A user name has no spaces.") in response.text
    assert zh("Choose a role from the list.") in response.text
    assert zh("At least %(n)s characters, please.") % {"n": 10} in response.text
    assert 'value="has space"' in response.text and 'value="某人"' in response.text
    assert 'id="role-error"' in response.text
    taken = await client.post(
        "/chair/chairs/new",
        data={
            "csrf_token": csrf,
            "username": "chair",
            "unit": str(world.units["sinan"]),
            "role": "area_chair",
            "password": DEMO_PASSWORD,
            "password2": DEMO_PASSWORD + "x",
        },
    )
    assert taken.status_code == 422
    assert zh("The two passwords differ.") in taken.text
    target = await chair_id(world, "chair")
    mismatch = await client.post(
        f"/chair/chairs/{target}/password",
        data={"csrf_token": csrf, "how": "set", "password": "0123456789", "password2": "x"},
    )
    assert mismatch.status_code == 422
    assert 'id="password2-error"' in mismatch.text
    role = await client.post(f"/chair/chairs/{target}/role", data={"csrf_token": csrf, "role": "x"})
    assert role.status_code == 422
    assert await world.db.snapshot() == before
    assert await world.db.count(Chair) == chairs_before


async def test_manage_a_chair(client: Client, world: World) -> None:
    csrf = await manager(client, world)
    target = await chair_id(world, "chair")
    disabled = await client.post(f"/chair/chairs/{target}/disable", data={"csrf_token": csrf})
    assert disabled.status_code == 200
    assert await world.db.count(Chair, Chair.id == target, Chair.disabled_at.is_not(None)) == 1
    enabled = await client.post(f"/chair/chairs/{target}/enable", data={"csrf_token": csrf})
    assert enabled.status_code == 200
    role = await client.post(
        f"/chair/chairs/{target}/role", data={"csrf_token": csrf, "role": "area_chair"}
    )
    assert role.status_code == 200
    assert await world.db.count(Chair, Chair.id == target, Chair.role == "area_chair") == 1
    generated = await client.post(
        f"/chair/chairs/{target}/password", data={"csrf_token": csrf, "how": "generate"}
    )
    assert generated.status_code == 200
    assert generated.headers["cache-control"] == "no-store"
    password = re.search(r'id="generated-password">([^<]+)<', generated.text)
    assert password
    assert await world.db.count(Chair, Chair.id == target, Chair.must_change_password) == 1
    detail = await client.get(f"/chair/chairs/{target}")
    assert zh("Set by someone else: chosen by the chair at their next login") in detail.text
    assert zh("%(left)s unused") % {"left": 10} in detail.text
    reenrolled = await client.post(f"/chair/chairs/{target}/totp", data={"csrf_token": csrf})
    assert reenrolled.status_code == 200
    secret = secret_from_svg(reenrolled.text)
    assert secret != world.info.totp_secret
    new_codes = re.findall(r"<code>(\d{4}-\d{4}-\d{4})</code>", reenrolled.text)
    assert len(new_codes) == 10 and not set(new_codes) & set(world.info.recovery_codes)
    client.cookies.clear()
    form = await client.get("/chair/login")
    login = await client.post(
        "/chair/login",
        data={
            "username": "chair",
            "password": password.group(1),
            "totp": totp_code(secret),
            "csrf_token": csrf_of(form.text),
        },
        follow_redirects=False,
    )
    assert login.status_code in (302, 303), login.text
    assert login.headers["location"] == "/chair/account/password"
    actions = {
        action
        for (action,) in await world.db.run(
            lambda s: _all(s, AuditEntry.action, AuditEntry.target == f"chair:{target}")
        )
    }
    assert {"chair.disable", "chair.enable", "chair.role", "chair.reset_password"} <= actions
    assert "chair.reenrol_totp" in actions


async def _all(session, column, condition):  # type: ignore[no-untyped-def]
    from sqlalchemy import select

    return list((await session.execute(select(column).where(condition))).all())


async def test_a_manager_cannot_lock_themselves_out(client: Client, world: World) -> None:
    csrf = await manager(client, world)
    me = await chair_id(world, "boss")
    admin = await chair_id(world, "admin")

    async def disable_the_district_admin(session):  # type: ignore[no-untyped-def]
        await disable_chair(session, operator(), admin)
        await session.commit()

    await world.db.run(disable_the_district_admin)  # now nobody else manages the street
    before = await world.db.snapshot()
    response = await client.post(f"/chair/chairs/{me}/disable", data={"csrf_token": csrf})
    assert response.status_code == 409
    assert (
        zh(
            "You cannot disable your own account, or give up managing chairs while nobody else manages your unit."
        )
        in response.text
    )
    role = await client.post(
        f"/chair/chairs/{me}/role", data={"csrf_token": csrf, "role": "street_chair"}
    )
    assert role.status_code == 409
    assert 'id="role-error"' in role.text
    assert await world.db.snapshot() == before


async def test_chairs_outside_the_subtree_and_without_the_role_are_refused(
    client: Client, world: World
) -> None:
    csrf = await manager(client, world)
    admin = await chair_id(world, "admin")  # the district's admin, above the street
    before = await world.db.snapshot()
    for response in (
        await client.get(f"/chair/chairs/{admin}"),
        await client.post(f"/chair/chairs/{admin}/disable", data={"csrf_token": csrf}),
        await client.post(
            f"/chair/chairs/{admin}/password", data={"csrf_token": csrf, "how": "generate"}
        ),
        await client.post(
            "/chair/chairs/new",
            data={
                "csrf_token": csrf,
                "username": "elsewhere",
                "unit": str(world.units["luwan"]),
                "role": "observer",
                "password": DEMO_PASSWORD,
                "password2": DEMO_PASSWORD,
            },
        ),
    ):
        assert response.status_code == 403, response.text
        assert zh("You may only act within your own unit and the units under it.") in response.text
    client.cookies.clear()
    await page_login(client, "chair", world.info.totp_secret)  # a street chair: no manage_chairs
    csrf = csrf_of((await client.get("/chair/chairs")).text)
    boss = await chair_id(world, "boss")
    before = await world.db.snapshot()  # logging in was audited
    refused = await client.post(f"/chair/chairs/{boss}/disable", data={"csrf_token": csrf})
    assert refused.status_code == 403
    assert zh("Your role does not allow this") in refused.text
    assert await world.db.snapshot() == before
