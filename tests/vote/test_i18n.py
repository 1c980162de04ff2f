"""Translations: zh-CN by default, English on request, and no page shows a raw placeholder."""

from __future__ import annotations

import re

import pytest

from tests.vote.helpers import Client, World, create_draft, page_login
from vote.i18n import DEFAULT_LOCALE, negotiate, normalise_locale

ARTEFACTS = re.compile(r"%\([a-z_]+\)[sd]|\{[a-z_]+(?:![rs])?\}|\{\{|\}\}|\{%|%\}|\bN_\(|\bgettext")


@pytest.mark.parametrize(
    ("query", "cookie", "accept", "expected"),
    [
        (None, None, None, "zh_CN"),
        (None, None, "", "zh_CN"),
        (None, None, "fr-FR,de;q=0.8", "zh_CN"),
        (None, None, "en-GB,en;q=0.9", "en"),
        (None, None, "fr;q=0.9,en;q=0.5,zh-CN;q=0.7", "zh_CN"),
        (None, "en", "zh-CN", "en"),
        ("zh-CN", "en", "en", "zh_CN"),
        ("xx", None, "en", "en"),
        (None, None, "en;q=bogus", "zh_CN"),
        (None, None, "en;q=0", "zh_CN"),
    ],
)
def test_negotiate(
    query: str | None, cookie: str | None, accept: str | None, expected: str
) -> None:
    assert negotiate(query, cookie, accept) == expected


def test_default_locale_is_simplified_chinese() -> None:
    assert DEFAULT_LOCALE == "zh_CN"
    assert negotiate(None, None, None) == "zh_CN"
    assert normalise_locale("zh-Hans") == "zh_CN"
    assert normalise_locale("EN-us") == "en"
    assert normalise_locale("ja") is None


async def pages(client: Client, world: World) -> dict[str, str]:
    """Every page, as a visitor and a logged-in chair see them (in the client's language)."""
    found: dict[str, str] = {}
    for path in (
        "/",
        f"/v/{world.firm_id}",
        f"/ballots/{world.published_id}",
        f"/ballots/{world.practical_id}",
        f"/matters/{world.matters[world.published_id]}",
        f"/matters/{world.matters[world.firm_id]}",
        "/problems",
        "/problems/household-already-voted",
        "/no-such-page",
        "/chair/login",
        "/chair/",
    ):
        found[path] = (await client.get(path)).text
    found["bad code"] = (
        await client.post(f"/v/{world.firm_id}", data={"credential": "1", "q:firm": "o1"})
    ).text
    found["bad answer"] = (
        await client.post(
            f"/v/{world.firm_id}", data={"credential": world.credential(world.firm_id)}
        )
    ).text
    found["receipt"] = (
        await client.post(
            f"/v/{world.firm_id}",
            data={"credential": world.credential(world.firm_id), "q:firm": "o1"},
        )
    ).text
    return found


@pytest.mark.parametrize("language", ["zh-CN", "en"])
async def test_pages_have_no_placeholder_artefacts(
    client: Client, world: World, chair_headers: dict[str, str], language: str
) -> None:
    client.headers["Accept-Language"] = language
    draft_id = await create_draft(client, chair_headers, world.matters[world.published_id])
    await page_login(client, "chair", world.info.totp_secret, ahead=1)
    rendered = await pages(client, world)
    csrf = re.search(r'name="csrf_token" value="([0-9a-f]+)"', rendered["/chair/"])
    assert csrf
    rendered["invitations"] = (
        await client.post(f"/chair/ballots/{draft_id}/invitations", data={"csrf_token": csrf[1]})
    ).text
    rendered["csrf refused"] = (await client.post(f"/chair/ballots/{draft_id}/open", data={})).text
    expected_lang = 'lang="zh-CN"' if language == "zh-CN" else 'lang="en"'
    for name, html in rendered.items():
        text = re.sub(r"<(script|style)\b.*?</\1>", "", html, flags=re.S)
        assert not ARTEFACTS.search(text), (name, ARTEFACTS.search(text))
        assert expected_lang in html, name
