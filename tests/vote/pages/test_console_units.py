"""Console: the unit tree, adding a unit under another and renaming one; bad input keeps what
was typed, names the field and changes nothing; units outside the chair's subtree are refused."""

from __future__ import annotations

from ballots.models import Unit
from tests.vote.helpers import Client, World, csrf_of, page_login, zh


async def logged_in(client: Client, world: World) -> str:
    """Log in as the demo street chair; return the CSRF token of the console's forms."""
    response = await page_login(client, "chair", world.info.totp_secret)
    assert response.status_code in (302, 303), response.text
    page = await client.get("/chair/units")
    assert page.status_code == 200, page.text
    return csrf_of(page.text)


async def test_the_tree_shows_the_subtree_only(client: Client, world: World) -> None:
    await logged_in(client, world)
    html = (await client.get("/chair/units")).text
    for name in ("瑞金二路街道", "瑞金一居民区", "茂名居民区", "思南居民区"):
        assert name in html
    assert "卢湾区" not in html  # the district is above the street chair's unit
    assert 'aria-current="page"' in html
    assert f'href="/chair/units/{world.units["ruijin2"]}/add"' in html


async def test_the_console_needs_a_login(client: Client, world: World) -> None:
    response = await client.get("/chair/units", follow_redirects=False)
    assert response.status_code in (302, 303)
    assert response.headers["location"] == "/chair/login"


async def test_add_a_unit(client: Client, world: World) -> None:
    csrf = await logged_in(client, world)
    street = world.units["ruijin2"]
    response = await client.post(
        f"/chair/units/{street}/add",
        data={"csrf_token": csrf, "name": "瑞金三居民区", "code": "ruijin3"},
    )
    assert response.status_code == 200, response.text
    assert "瑞金三居民区" in response.text
    assert await world.db.count(Unit, Unit.code == "ruijin3", Unit.level == "area") == 1


async def test_bad_unit_input_keeps_the_typing_and_changes_nothing(
    client: Client, world: World
) -> None:
    csrf = await logged_in(client, world)
    street = world.units["ruijin2"]
    before = await world.db.snapshot()
    empty = await client.post(
        f"/chair/units/{street}/add", data={"csrf_token": csrf, "name": "  ", "code": "bad code!"}
    )
    assert empty.status_code == 422
    assert zh("Please fill this in.") in empty.text
    assert zh("Use only letters, digits, - and _ (for example ruijin3).") in empty.text
    assert 'value="bad code!"' in empty.text
    assert 'id="name" name="name" value="  " required aria-invalid="true"' in empty.text
    taken = await client.post(
        f"/chair/units/{street}/add", data={"csrf_token": csrf, "name": "新区", "code": "maoming"}
    )
    assert taken.status_code == 409
    assert zh("Another unit already has this code. Choose another.") in taken.text
    assert 'value="新区"' in taken.text
    long = await client.post(
        f"/chair/units/{world.units['maoming']}/rename",
        data={"csrf_token": csrf, "name": "长" * 201},
    )
    assert long.status_code == 422
    assert zh("At most %(n)s characters, please.") % {"n": 200} in long.text
    nul = await client.post(
        f"/chair/units/{world.units['maoming']}/rename", data={"csrf_token": csrf, "name": "a\x00b"}
    )
    assert nul.status_code == 422
    assert await world.db.snapshot() == before


async def test_rename_a_unit(client: Client, world: World) -> None:
    csrf = await logged_in(client, world)
    area = world.units["maoming"]
    form = await client.get(f"/chair/units/{area}/rename")
    assert 'value="茂名居民区"' in form.text
    response = await client.post(
        f"/chair/units/{area}/rename", data={"csrf_token": csrf, "name": "茂名北居民区"}
    )
    assert response.status_code == 200, response.text
    assert await world.db.count(Unit, Unit.id == area, Unit.name == "茂名北居民区") == 1


async def test_a_unit_outside_the_subtree_is_refused(client: Client, world: World) -> None:
    csrf = await logged_in(client, world)
    district = world.units["luwan"]
    before = await world.db.snapshot()
    for response in (
        await client.get(f"/chair/units/{district}/rename"),
        await client.post(
            f"/chair/units/{district}/rename", data={"csrf_token": csrf, "name": "别处"}
        ),
        await client.post(
            f"/chair/units/{district}/add",
            data={"csrf_token": csrf, "name": "别处", "code": "elsewhere"},
        ),
    ):
        assert response.status_code == 403
        assert zh("Outside your unit") in response.text
        assert zh("You may only act within your own unit and the units under it.") in response.text
    assert await world.db.snapshot() == before


async def test_a_form_without_its_csrf_token_changes_nothing(client: Client, world: World) -> None:
    await logged_in(client, world)
    before = await world.db.snapshot()
    response = await client.post(
        f"/chair/units/{world.units['maoming']}/rename", data={"name": "无令牌"}
    )
    assert response.status_code == 403
    assert zh("The form has expired") in response.text
    assert await world.db.snapshot() == before


async def test_ids_beyond_the_database_are_refused_plainly(client: Client, world: World) -> None:
    csrf = await logged_in(client, world)
    for huge in (2**31, 2**63, 2**70):
        for response in (
            await client.get(f"/chair/units/{huge}/rename"),
            await client.get(f"/chair/matters/{huge}"),
            await client.get(f"/chair/chairs/{huge}"),
            await client.post(f"/chair/tokens/{huge}/revoke", data={"csrf_token": csrf}),
            await client.get("/chair/audit", params={"page": str(huge), "unit": str(huge)}),
        ):
            assert response.status_code in (400, 404, 422), (huge, response.status_code)
            assert response.headers["content-type"].startswith("text/html")


async def test_every_console_page_speaks_english_when_asked(client: Client, world: World) -> None:
    await logged_in(client, world)
    client.cookies.set("lang", "en")
    for path, heading in (
        ("/chair/units", "Units"),
        ("/chair/matters", "Matters"),
        ("/chair/matters/new", "Record a new matter"),
        ("/chair/chairs", "Chairs"),
        ("/chair/tokens", "API tokens"),
        ("/chair/audit", "Audit log"),
    ):
        response = await client.get(path)
        assert response.status_code == 200, path
        assert f"<h1>{heading}</h1>" in response.text
        assert f"<h1>{zh(heading)}</h1>" not in response.text
        assert 'aria-label="Console"' in response.text, path
