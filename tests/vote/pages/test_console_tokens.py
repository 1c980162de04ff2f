"""Console: the chair's API tokens — create (shown once, works), list, revoke (stops working);
bad input keeps the typing and changes nothing; another chair's token is refused."""

from __future__ import annotations

import re

from ballots.models import ChairToken
from tests.vote.helpers import Client, World, bearer, csrf_of, page_login, zh


async def logged_in(client: Client, world: World) -> str:
    response = await page_login(client, "chair", world.info.totp_secret)
    assert response.status_code in (302, 303), response.text
    return csrf_of((await client.get("/chair/tokens")).text)


async def test_create_use_and_revoke_a_token(client: Client, world: World) -> None:
    csrf = await logged_in(client, world)
    created = await client.post(
        "/chair/tokens",
        data={"csrf_token": csrf, "name": "夜间导入", "days": "30", "read_only": "1"},
    )
    assert created.status_code == 200, created.text
    assert created.headers["cache-control"] == "no-store"
    token = re.search(r'id="new-token">(vt_[^<]+)<', created.text)
    assert token, created.text
    assert zh("Read only") in created.text
    works = await client.get("/api/v1/units", headers=bearer(token.group(1)))
    assert works.status_code == 200
    token_id = await world.db.run(
        lambda s: s.scalar(
            ChairToken.__table__.select()
            .with_only_columns(ChairToken.id)
            .where(ChairToken.name == "夜间导入")
        )
    )
    listed = await client.get("/chair/tokens")
    assert "夜间导入" in listed.text and token.group(1) not in listed.text  # never shown again
    revoked = await client.post(f"/chair/tokens/{token_id}/revoke", data={"csrf_token": csrf})
    assert revoked.status_code == 200
    assert zh("Revoked") in revoked.text
    stops = await client.get("/api/v1/units", headers=bearer(token.group(1)))
    assert stops.status_code == 401


async def test_bad_token_input_keeps_the_typing_and_changes_nothing(
    client: Client, world: World
) -> None:
    csrf = await logged_in(client, world)
    tokens = await world.db.count(ChairToken)
    before = await world.db.snapshot()
    for days in ("0", "366", "abc", "", "1e3"):
        response = await client.post(
            "/chair/tokens", data={"csrf_token": csrf, "name": "脚本", "days": days}
        )
        assert response.status_code == 422
        assert zh("A whole number of days from 1 to %(n)s, please.") % {"n": 365} in response.text
        assert 'value="脚本"' in response.text
    unnamed = await client.post(
        "/chair/tokens", data={"csrf_token": csrf, "name": " ", "days": "7", "read_only": "1"}
    )
    assert unnamed.status_code == 422
    assert 'id="name-error"' in unnamed.text and 'value="7"' in unnamed.text
    assert 'name="read_only" value="1" checked' in unnamed.text
    assert await world.db.count(ChairToken) == tokens
    assert await world.db.snapshot() == before


async def test_another_chairs_token_is_refused(client: Client, world: World) -> None:
    secret = await world.add_chair("sinan", "area_chair", "sinan")
    await page_login(client, "sinan", secret)
    csrf = csrf_of((await client.get("/chair/tokens")).text)
    created = await client.post(
        "/chair/tokens", data={"csrf_token": csrf, "name": "思南脚本", "days": "7"}
    )
    assert created.status_code == 200
    token_id = await world.db.run(
        lambda s: s.scalar(
            ChairToken.__table__.select()
            .with_only_columns(ChairToken.id)
            .where(ChairToken.name == "思南脚本")
        )
    )
    client.cookies.clear()
    csrf = await logged_in(client, world)  # the street chair may not manage chairs
    before = await world.db.snapshot()
    refused = await client.post(f"/chair/tokens/{token_id}/revoke", data={"csrf_token": csrf})
    assert refused.status_code == 403
    assert (
        await world.db.count(ChairToken, ChairToken.id == token_id, ChairToken.revoked_at.is_(None))
        == 1
    )
    assert await world.db.snapshot() == before
