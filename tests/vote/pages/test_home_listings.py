"""The start page: ballots open now with their deadline and turnout so far, recent results in
words, matters by unit, the residential-area filter (server-side, no JavaScript) and lists that
go on page by page, with nothing left out."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from html import unescape
from typing import Any
from urllib.parse import parse_qs, urlsplit

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ballots.access import operator
from ballots.models import Matter
from ballots.schedule import schedule_ballot
from tests.vote.helpers import YESNO_DRAFT, Client, World, create_draft, zh

BEIJING = timedelta(hours=8)


def section(html: str, name: str) -> str:
    """The start page's section headed ``name`` (open, results, matters)."""
    start = html.index(f'<section aria-labelledby="{name}">')
    return html[start : html.index("</section>", start)]


def links(html: str, prefix: str) -> list[int]:
    """Ids of the links to ``prefix``/ID, in page order, each once."""
    found = [int(n) for n in re.findall(rf'href="{prefix}/(\d+)"', html)]
    return list(dict.fromkeys(found))


async def _matter(client: Client, headers: dict[str, str], unit_id: int, title: str) -> int:
    response = await client.post(
        "/api/v1/matters",
        json={"unit_id": unit_id, "kind": "hearing", "title": title},
        headers=headers,
    )
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


async def _matters_of(world: World, *codes: str) -> set[int]:
    """Ids of the demo's matters in the units ``codes`` (every unit when none is given), read
    from the database: the demo's ballots' matters, its coordination matter and the one its
    referral opened at the street."""

    async def work(session: AsyncSession) -> set[int]:
        rows = (await session.execute(select(Matter.id, Matter.unit_id))).all()
        wanted = {world.units[code] for code in codes}
        return {matter for matter, unit in rows if not wanted or unit in wanted}

    found: set[int] = await world.db.run(work)
    return found


async def test_open_ballots_show_deadline_and_turnout_so_far(client: Client, world: World) -> None:
    day = (datetime.now(UTC) + BEIJING + timedelta(days=2)).date()
    closes = datetime(day.year, day.month, day.day, 18, tzinfo=UTC) - BEIJING

    async def schedule(session: AsyncSession) -> None:
        await schedule_ballot(session, operator(), world.firm_id, None, closes)
        await session.commit()

    await world.db.run(schedule)
    before = section((await client.get("/")).text, "open")
    # soonest first; the hearing's in-person ballot has no closing time either
    assert links(before, "/ballots") == [world.firm_id, world.practical_id, world.lift_id]
    local = closes + BEIJING
    assert f"投票截止：{local.year}年{local.month}月{local.day}日 18:00（北京时间）" in before
    assert zh("The committee will announce when voting closes.") in before  # the practical one
    assert f'href="/v/{world.firm_id}"' in before
    eligible = await _electorate(client, world.firm_id)
    assert f"目前 {eligible} 户中已有 0 户投票（0%）" in before

    cast = await client.post(
        f"/api/v1/ballots/{world.firm_id}/casts",
        json={"credential": world.credential(world.firm_id), "answers": {"firm": ["o1"]}},
    )
    assert cast.status_code == 201, cast.text
    after = (await client.get("/?lang=en")).text
    share = f"{round(100 / eligible, 1):g}%"
    assert f"So far 1 of {eligible} households have voted ({share})." in section(after, "open")
    assert f"Voting closes: {local.day} {local:%B} {local.year}, 18:00 (Beijing time)" in after


async def _electorate(client: Client, ballot_id: int) -> int:
    body: dict[str, Any] = (await client.get(f"/api/v1/ballots/{ballot_id}")).json()
    return int(body["ballot"]["electorate_size"])


async def test_recent_results_say_what_was_decided_and_when(
    client: Client, world: World, chair_headers: dict[str, str]
) -> None:
    html = section((await client.get("/")).text, "results")
    assert links(html, "/ballots") == [world.published_id]
    result = (await client.get(f"/api/v1/ballots/{world.published_id}/result")).json()
    rate = round(result["questions"][0]["satisfaction_rate"] * 100, 1)
    assert f"平改坡工程质量——满意率：{rate}%" in html
    assert "结果公布时间：" in html and "（北京时间）" in html

    await client.post(f"/api/v1/ballots/{world.firm_id}/close", headers=chair_headers)
    english = section((await client.get("/?lang=en")).text, "results")
    assert links(english, "/ballots") == [world.firm_id, world.published_id]  # latest first
    assert "The result will appear when the committee publishes it." in english
    assert f"平改坡工程质量 — Satisfaction rate: {rate}%" in english  # the prompt is data


async def test_an_elected_option_is_named_in_the_result_line(
    client: Client, world: World, chair_headers: dict[str, str]
) -> None:
    matter_id = world.matters[world.published_id]
    draft = {
        **YESNO_DRAFT,
        "title": "选定保洁公司",
        "questions": [
            {
                "id": "firm",
                "kind": "single",
                "prompt": "由哪家公司保洁？",
                "options": [{"id": "a", "label": "甲公司"}, {"id": "b", "label": "乙公司"}],
            }
        ],
    }
    ballot_id = await create_draft(client, chair_headers, matter_id, draft)
    assert (
        await client.post(f"/api/v1/ballots/{ballot_id}/open", headers=chair_headers)
    ).is_success
    issued = await client.post(f"/api/v1/ballots/{ballot_id}/invitations", headers=chair_headers)
    codes = [item["credential"] for item in issued.json()][:2]
    for code in codes:
        cast = await client.post(
            f"/api/v1/ballots/{ballot_id}/casts",
            json={"credential": code, "answers": {"firm": ["b"]}},
        )
        assert cast.status_code == 201, cast.text
    assert (
        await client.post(f"/api/v1/ballots/{ballot_id}/close", headers=chair_headers)
    ).is_success
    published = await client.post(
        f"/api/v1/ballots/{ballot_id}/publish?confirm=true", headers=chair_headers
    )
    assert published.is_success, published.text
    html = section((await client.get("/")).text, "results")
    assert links(html, "/ballots")[0] == ballot_id
    assert "由哪家公司保洁？——" in html
    line = re.search(r"由哪家公司保洁？——([^<]*)<", html)
    assert line is not None
    outcome = unescape(line.group(1))
    assert outcome == f"{zh('Chosen')}：乙公司"


async def test_matters_are_grouped_by_unit(client: Client, world: World) -> None:
    html = section((await client.get("/")).text, "matters")
    headings = re.findall(r"<h3>([^<]+)</h3>", html)
    assert headings == ["瑞金二路街道", "瑞金一居民区", "茂名居民区"]
    assert set(world.matters.values()) < await _matters_of(world)  # and coordination's
    assert sorted(links(html, "/matters")) == sorted(await _matters_of(world))
    assert zh("Practical projects") in html


async def test_the_area_filter_shows_what_concerns_that_area(client: Client, world: World) -> None:
    maoming, sinan = world.units["maoming"], world.units["sinan"]
    page = await client.get(f"/?unit={maoming}")
    assert page.status_code == 200
    html = page.text
    assert f'<option value="{maoming}" selected>' in html
    # its own matter and the street's practical projects, not another area's evaluation
    assert links(section(html, "open"), "/ballots") == [world.practical_id, world.firm_id]
    assert links(section(html, "results"), "/ballots") == []
    assert {world.matters[world.practical_id], world.matters[world.firm_id]} < await _matters_of(
        world, "maoming", "ruijin2"
    )
    assert sorted(links(section(html, "matters"), "/matters")) == sorted(
        await _matters_of(world, "maoming", "ruijin2")
    )
    assert "茂名居民区" in html and zh("Show everything") in html

    other = (await client.get(f"/?unit={sinan}")).text
    assert links(section(other, "open"), "/ballots") == [world.practical_id]
    assert world.matters[world.practical_id] in await _matters_of(world, "ruijin2")
    assert sorted(links(section(other, "matters"), "/matters")) == sorted(
        await _matters_of(world, "sinan", "ruijin2")
    )

    street = (await client.get(f"/?unit={world.units['ruijin2']}")).text  # the areas below too
    assert len(links(section(street, "matters"), "/matters")) == len(await _matters_of(world))

    everything = (await client.get("/")).text
    for code in ("luwan", "ruijin2", "ruijin1", "maoming", "sinan"):
        assert f'<option value="{world.units[code]}">' in everything


async def test_a_bad_filter_is_explained_beside_its_field_and_changes_nothing(
    client: Client, world: World
) -> None:
    before = await world.db.snapshot()
    every = len(await _matters_of(world))
    for query in ("unit=4242", "unit=abc", "unit=0"):
        page = await client.get(f"/?{query}")
        assert page.status_code == 422, query
        html = page.text
        assert 'aria-invalid="true" aria-describedby="unit-error"' in html
        assert (
            f'<p class="field-error" id="unit-error">{zh("Choose a residential area from the list.")}'
            in html
        )
        assert len(links(section(html, "matters"), "/matters")) == every  # unfiltered
    for query in ("matters_page=2", "open_page=0", "results_page=x"):
        page = await client.get(f"/?{query}")
        assert page.status_code == 422, query
        assert zh("There is no such page.") in page.text
    assert (await client.get("/?unit=%00")).status_code == 400
    assert await world.db.snapshot() == before


async def test_long_lists_go_on_page_by_page_with_nothing_left_out(
    client: Client, world: World, chair_headers: dict[str, str]
) -> None:
    sinan = world.units["sinan"]
    street = await _matters_of(world, "ruijin2")  # the practical projects and a referral
    made = [await _matter(client, chair_headers, sinan, f"思南事项 {n:02d}") for n in range(25)]
    first = (await client.get(f"/?unit={sinan}&lang=en")).text
    matters = section(first, "matters")
    assert f"({25 + len(street)})" in matters  # 25 of its own and the street's
    assert len(street) < 25  # so two pages
    assert "Page 1 of 2" in matters
    nxt = re.search(r'href="([^"]+)" rel="next"', matters)
    assert nxt is not None
    target = unescape(nxt.group(1))
    assert target == f"/?unit={sinan}&matters_page=2#matters"
    second = (await client.get(target.split("#")[0] + "&lang=en")).text
    assert "Page 2 of 2" in section(second, "matters")
    seen = links(matters, "/matters") + links(section(second, "matters"), "/matters")
    assert sorted(seen) == sorted([*made, *street])
    prev = re.search(r'href="([^"]+)" rel="prev"', section(second, "matters"))
    assert prev is not None and unescape(prev.group(1)) == f"/?unit={sinan}#matters"
    # the other lists keep their own page
    assert links(section(second, "open"), "/ballots") == [world.practical_id]


async def test_more_open_ballots_than_a_page_are_all_reachable(
    client: Client, world: World, chair_headers: dict[str, str]
) -> None:
    matter_id = world.matters[world.firm_id]
    opened = []
    for n in range(10):
        ballot_id = await create_draft(
            client, chair_headers, matter_id, {**YESNO_DRAFT, "title": f"表决 {n}"}
        )
        response = await client.post(f"/api/v1/ballots/{ballot_id}/open", headers=chair_headers)
        assert response.is_success, response.text
        opened.append(ballot_id)
    first = section((await client.get("/")).text, "open")
    assert "(13)" in first and len(links(first, "/ballots")) == 10
    second = section((await client.get("/?open_page=2")).text, "open")
    assert len(links(second, "/ballots")) == 3
    assert sorted(links(first, "/ballots") + links(second, "/ballots")) == sorted(
        [*opened, world.practical_id, world.firm_id, world.lift_id]
    )


async def test_the_language_switch_comes_back_to_the_same_list(
    client: Client, world: World
) -> None:
    unit = world.units["maoming"]
    html = (await client.get(f"/?unit={unit}&matters_page=1&lang=zh-CN")).text
    switch = re.search(r'id="lang-switch" href="([^"]+)"', html)
    assert switch is not None
    target = urlsplit(unescape(switch.group(1)))
    assert target.path == "/lang/en"
    back = urlsplit(parse_qs(target.query)["next"][0])
    assert back.path == "/"
    assert parse_qs(back.query) == {"unit": [str(unit)], "matters_page": ["1"]}  # not lang
    response = await client.get(unescape(switch.group(1)), follow_redirects=False)
    assert urlsplit(response.headers["location"]) == back
