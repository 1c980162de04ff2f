"""The resident pages as rendered are wholly in the reader's language: in English no Chinese is
left but the data (titles, names, places typed by the committee), and in Chinese no English
interface text is left. tests/vote/test_translations.py checks the catalogue; this checks what
the pages show, attributes read aloud and scripts' messages included."""

from __future__ import annotations

import re
from collections.abc import Iterator
from html.parser import HTMLParser
from typing import Any

import msgspec
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ballots.models import Ballot, Matter, MatterEvent, Resident, Unit
from tests.vote.helpers import Client, World

CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]+")
LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]{2,}")
READ_ATTRIBUTES = {"aria-label", "title", "alt", "placeholder"}
SKIPPED = {"script", "style", "code", "kbd", "samp"}
VOID = {"area", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}
# Not English interface text though written in Latin letters: names of programs and formats
# that Chinese pages use as they are (acronyms in capitals, like JSON or QR, pass too).
LATIN_IN_CHINESE = {"Python", "pip", "WeChat", "Ed25519", "tally", "verify"}
# Chinese terms an English page keeps on purpose, as the notices on the board say them.
CHINESE_IN_ENGLISH = {"公示"}
# What is not prose in either language: links, paths, file names, command options, hashes and
# keys, placeholders a script fills in, a code's format (abcd-efgh-…), and a program's output
# quoted as it prints it.
NOT_PROSE = re.compile(
    r"https?://\S+|(?<!\w)/\S+|\S+\.(?:jsonl|json|csv|xlsx|pdf)\b|(?<!\w)--?[a-z][\w-]*"
    r"|\b[0-9a-fA-F]{8,}\b|[A-Za-z0-9+/=]{40,}|\{[a-z_]+\}|\[[a-z_]+\]|%\([a-z_]+\)s"
    r"|“[ -~]*”|\"[ -~]*\"|\b[A-Z][A-Z0-9-]+\b|\b(?:[a-z0-9]{4}-){2,}[a-z0-9]{4}\b"
)


class PageText(HTMLParser):
    """The text a reader meets: element text and the attributes read aloud or shown by scripts
    (``data-*`` messages), leaving out scripts, code, and parts marked in the other language."""

    def __init__(self, other_language: str) -> None:
        super().__init__(convert_charrefs=True)
        self.other_language = other_language
        self.parts: list[str] = []
        self.stack: list[tuple[str, bool]] = []

    @property
    def skipping(self) -> bool:
        return any(skip for _, skip in self.stack)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        lang = values.get("lang") or ""
        skip = tag in SKIPPED or lang.lower().startswith(self.other_language)
        if not skip and not self.skipping:
            for name, value in attrs:
                if value and name in READ_ATTRIBUTES:
                    self.parts.append(value)
                elif value and name.startswith("data-") and (" " in value or CJK.search(value)):
                    self.parts.append(value)  # a script's message, not a name or a number
                shown = tag == "input" and values.get("type") in ("submit", "button")
                if value and shown and name == "value":
                    self.parts.append(value)
        if tag not in VOID:
            self.stack.append((tag, skip))

    def handle_endtag(self, tag: str) -> None:
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index][0] == tag:
                del self.stack[index:]
                return

    def handle_data(self, data: str) -> None:
        if not self.skipping and data.strip():
            self.parts.append(data)


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


async def data_strings(world: World) -> list[str]:
    """Everything the committee or the roll typed that a page may show, longest first."""

    async def work(session: AsyncSession) -> list[str]:
        found: set[str] = set()
        found.update(await session.scalars(select(Unit.name)))
        for title, description in await session.execute(select(Matter.title, Matter.description)):
            found.update((title, description))
        for title, spec in await session.execute(select(Ballot.title, Ballot.spec)):
            found.add(title)
            found.update(_strings(msgspec.json.decode(spec)))
        for (payload,) in await session.execute(select(MatterEvent.payload)):
            found.update(_strings(payload))
        found.update(await session.scalars(select(Resident.building)))
        return sorted((text for text in found if text), key=len, reverse=True)

    strings: list[str] = await world.db.run(work)
    return strings


def page_text(html: str, other_language: str, data: list[str]) -> str:
    parser = PageText(other_language)
    parser.feed(html)
    text = "\n".join(parser.parts)
    for item in data:
        text = text.replace(item, " ")
    text = re.sub(r"\S*\*\S*", " ", text)  # published participants' masked names (张*明)
    return NOT_PROSE.sub(" ", text)


async def resident_pages(client: Client, world: World, lang: str) -> dict[str, str]:
    """The main resident pages in ``lang``, by name."""
    pages = {
        "home": f"/?lang={lang}",
        "home by area": f"/?unit={world.units['maoming']}&lang={lang}",
        "bad filter": f"/?unit=4242&lang={lang}",
        "open ballot": f"/ballots/{world.firm_id}?lang={lang}",
        "result": f"/ballots/{world.published_id}?lang={lang}",
        "vote": f"/v/{world.firm_id}?lang={lang}",
        "vote, published ballot": f"/v/{world.published_id}?lang={lang}",
        "decision record": f"/matters/{world.matters[world.published_id]}?lang={lang}",
        "check": f"/ballots/{world.published_id}/check?lang={lang}",
        "not found": f"/ballots/4242?lang={lang}",
    }
    rendered = {name: (await client.get(path)).text for name, path in pages.items()}
    receipt = await client.post(
        f"/v/{world.practical_id}?lang={lang}",
        data={"credential": world.credential(world.practical_id, 1 if lang == "en" else 2)},
    )
    rendered["vote with an error"] = receipt.text
    return rendered


async def test_english_pages_show_no_chinese_but_data(client: Client, world: World) -> None:
    data = await data_strings(world)
    left = {}
    for name, html in (await resident_pages(client, world, "en")).items():
        assert '<html lang="en">' in html, name
        found = [
            run for run in CJK.findall(page_text(html, "zh", data)) if run not in CHINESE_IN_ENGLISH
        ]
        if found:
            left[name] = found
    assert left == {}, left


async def test_chinese_pages_show_no_english_interface_text(client: Client, world: World) -> None:
    data = await data_strings(world)
    left = {}
    for name, html in (await resident_pages(client, world, "zh-CN")).items():
        assert '<html lang="zh-CN">' in html, name
        text = page_text(html, "en", data)
        found = [word for word in LATIN_WORD.findall(text) if word not in LATIN_IN_CHINESE]
        if found:
            left[name] = found
    assert left == {}, left


def test_the_text_extraction_sees_what_a_reader_meets() -> None:
    html = (
        '<p>Hello <span lang="zh-CN">中文</span><code>tally verify</code>'
        '<button aria-label="关闭">x</button><script>var a = "内部";</script>'
        '<div data-ok="已完成"></div><img alt="二维码" src="/q.png">张*明</p>'
    )
    text = page_text(html, "zh", ["Hello"])
    assert CJK.findall(text) == ["关闭", "已完成", "二维码"]
    assert "tally" not in text and "内部" not in text and "中文" not in text
    chinese = page_text(
        '<p>请选择 Choose one <a lang="en">English</a> 运行 tally verify ballot-3-board.jsonl'
        ' --receipt CODE “every check passed” [total] 3f9a0c1d22</p><input type="submit" value="Send it">',
        "en",
        [],
    )
    assert LATIN_WORD.findall(chinese) == ["Choose", "one", "tally", "verify", "Send"]
