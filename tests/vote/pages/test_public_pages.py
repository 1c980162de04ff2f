"""Public pages: the start page, a ballot's page with its published figures, a matter's record,
and the problem-type pages the API's ``type`` links point to."""

from __future__ import annotations

import re

from tests.vote.helpers import Client, World, zh


async def test_home_lists_open_and_published_ballots(client: Client, world: World) -> None:
    response = await client.get("/")
    assert response.status_code == 200
    for ballot_id in (world.practical_id, world.firm_id, world.published_id):
        assert f"/ballots/{ballot_id}" in response.text or f"/v/{ballot_id}" in response.text


async def test_published_ballot_page_shows_the_figures(client: Client, world: World) -> None:
    result = (await client.get(f"/api/v1/ballots/{world.published_id}/result")).json()
    response = await client.get(f"/ballots/{world.published_id}")
    assert response.status_code == 200
    html = response.text
    assert "平改坡工程质量" in html and "物业公司服务" in html
    assert "满意" in html and "不满意" in html
    assert zh("Result published") in html
    first = result["questions"][0]
    votes = {option["id"]: option["votes"] for option in first["options"]}
    cells = re.findall(r'<td class="num">([\d,]+)</td>', html)
    for count in votes.values():
        assert f"{count:,.0f}" in cells
    assert f"{result['ballots']}" in html


async def test_open_ballot_page_shows_no_result(client: Client, world: World) -> None:
    response = await client.get(f"/ballots/{world.practical_id}?lang=en")
    assert response.status_code == 200
    assert "Voting is open" in response.text
    assert "<table>" not in response.text


async def test_closed_unpublished_ballot_page_hides_figures(
    client: Client, world: World, chair_headers: dict[str, str]
) -> None:
    await client.post(
        f"/api/v1/ballots/{world.firm_id}/casts",
        json={"credential": world.credential(world.firm_id), "answers": {"firm": ["o1"]}},
    )
    await client.post(f"/api/v1/ballots/{world.firm_id}/close", headers=chair_headers)
    response = await client.get(f"/ballots/{world.firm_id}?lang=en")
    assert "The result will appear here" in response.text
    assert "<table>" not in response.text


async def test_matter_page_shows_the_timeline(client: Client, world: World) -> None:
    matter_id = world.matters[world.published_id]
    response = await client.get(f"/matters/{matter_id}?lang=en")
    assert response.status_code == 200
    html = response.text
    assert "平改坡工程与物业服务评议" in html
    assert "Step by step" in html
    steps = (
        "The matter was recorded.",
        "Voting on “2026年服务评议” opened;",
        "Voting on “2026年服务评议” closed;",
        "The result of “2026年服务评议” was published.",
    )
    order = [html.index(step) for step in steps]
    assert order == sorted(order)
    assert "Beijing time" in html and "UTC" not in html
    assert f'href="/ballots/{world.published_id}"' in html


async def test_matter_page_in_chinese(client: Client, world: World) -> None:
    response = await client.get(f"/matters/{world.matters[world.published_id]}")
    for label in (
        "What was proposed",
        "What was decided",
        "Step by step",
        "The matter was recorded.",
    ):
        assert zh(label) in response.text


async def test_unknown_matter_page_is_404(client: Client, world: World) -> None:
    response = await client.get("/matters/4242")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")


async def test_problem_type_pages(client: Client, world: World) -> None:
    listing = await client.get("/problems?lang=en")
    assert listing.status_code == 200
    for slug in ("unknown-credential", "malformed-json", "body-too-large", "roster-invalid"):
        assert slug in listing.text
    one = await client.get("/problems/unknown-credential")
    assert one.status_code == 200
    assert zh("Invalid voting code") in one.text
    assert (await client.get("/problems/no-such-problem")).status_code == 404


async def test_static_assets_are_served(client: Client, world: World) -> None:
    for asset in ("/static/site.css", "/static/vote.js"):
        assert (await client.get(asset)).status_code == 200


async def test_the_rules_are_said_before_anyone_votes(client: Client, world: World) -> None:
    """The appraisal-firm selection says when its result is valid, that a firm needs more than
    half, and how a tie will be settled — on its page and on the voting page."""
    for path in (f"/ballots/{world.firm_id}", f"/v/{world.firm_id}"):
        html = (await client.get(path)).text
        assert zh("The result is valid only if more than half of those eligible take part.") in html
        assert (
            zh(
                "To be chosen, an option needs more than half of the votes; otherwise there is a "
                "second round between the leading options."
            )
            in html
        )
        assert "公开抽签" in html
