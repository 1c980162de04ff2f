"""The public result, its audit material and the decision record in a real browser on a phone
(390×844, zh-CN): the result reads as words with a chart that is an image named by its figures,
the audit page holds the hashes, the decision record prints on A4 without the site's header, and
axe-core finds nothing serious or critical on any of them.

The demo service runs for real (``vote demo`` then ``vote serve``), as in the voting test. With
``UPDATE_SCREENSHOTS=1`` the test also refreshes ``docs/screenshots/result.png`` and
``record.png``.
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import Browser, Page

from tests.browser.axe import assert_accessible
from tests.browser.test_voting_in_a_browser import browser, service

__all__ = ["browser", "service"]

PUBLISHED = 3  # the demo's evaluation, closed and published with simulated votes
MATTER = 3  # its matter
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
HEX_HASH = re.compile(r"\b[0-9a-f]{32,}\b")


@pytest.fixture
def phone(service: tuple[str, str], browser: Browser) -> Iterator[Page]:
    base, _ = service
    context = browser.new_context(
        base_url=base,
        locale="zh-CN",
        viewport={"width": 390, "height": 844},
        bypass_csp=True,  # to inject axe-core; the app never serves it
    )
    page = context.new_page()
    yield page
    context.close()


def _save(page: Page, name: str) -> None:
    if os.environ.get("UPDATE_SCREENSHOTS") == "1":
        page.screenshot(path=str(SCREENSHOTS / name))


def _mostly_light(png: bytes) -> float:
    """The share of near-white pixels in a screenshot."""
    image = Image.open(io.BytesIO(png)).convert("L")
    histogram = image.histogram()
    return sum(histogram[236:]) / sum(histogram)


def test_the_result_page_reads_as_words(phone: Page) -> None:
    phone.goto(f"/ballots/{PUBLISHED}")
    _save(phone, "result.png")
    main = phone.locator("main").inner_text()
    assert re.search(r"参与投票：有投票资格的 \d+ 人中，\d+ 人参与，占全部有投票资格人数", main)
    verdicts = phone.locator("p.verdict").all_inner_texts()
    assert len(verdicts) == 2
    assert all(re.match(r"选择“满意”或“基本满意”的占有效票 [\d.]+%，平均分", v) for v in verdicts)
    assert not HEX_HASH.search(phone.content())
    assert "pip install" not in main
    # each chart is an image whose name reads every bar's figures
    charts = phone.get_by_role("img")
    assert charts.count() == 2
    name = phone.locator("svg.chart").first.get_attribute("aria-labelledby") or ""
    title = phone.locator(f"#{name}").text_content() or ""
    assert title.startswith("条形图：平改坡工程质量。满意：") and "占有效票" in title
    # the chart fits the phone's width and its labels are readable
    box = phone.locator("svg.chart").first.bounding_box()
    assert box is not None and box["width"] <= 390
    label_height = phone.locator("svg.chart text.label").first.bounding_box()
    assert label_height is not None and label_height["height"] >= 14
    # why the percentages differ, folded until asked
    phone.get_by_text("为什么百分比不一样").first.click()
    assert phone.get_by_text("空白票算作参与了投票").first.is_visible()
    assert_accessible(phone)
    phone.get_by_role("link", name="核查材料：任何人都可以核对计票").click()
    phone.wait_for_url(f"**/ballots/{PUBLISHED}/audit")


def test_the_audit_page_has_the_hashes_and_the_steps(phone: Page) -> None:
    phone.goto(f"/ballots/{PUBLISHED}/audit")
    html = phone.content()
    head = phone.request.get(f"/api/v1/ballots/{PUBLISHED}/board/head").json()
    assert head["root_hash"] in html
    text = phone.locator("main").inner_text()
    assert "pip install './tally[signatures]'" in text
    assert f"tally verify ballot-{PUBLISHED}-board.jsonl --key" in text
    assert "北京时间" in text
    # long hashes wrap instead of widening the page
    width = phone.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 390
    assert_accessible(phone)


def test_the_decision_record_reads_and_prints(phone: Page) -> None:
    phone.goto(f"/matters/{MATTER}")
    text = phone.locator("main").inner_text()
    for part in (
        "提出了什么",
        "决定了什么",
        "经过",
        "记录了这件事项。",
        "公布了“2026年服务评议”的结果。",
    ):
        assert part in text, part
    assert "（北京时间）" in text and "UTC" not in text
    assert not HEX_HASH.search(phone.content())
    assert_accessible(phone)
    _save(phone, "record.png")

    phone.emulate_media(media="print")
    assert phone.locator("header.site").is_hidden()
    assert phone.locator("footer.site").is_hidden()
    assert phone.locator("#print-button").is_hidden()
    colour = phone.evaluate("() => getComputedStyle(document.querySelector('p.verdict')).color")
    assert colour == "rgb(0, 0, 0)"  # black on white
    background = phone.evaluate(
        "() => getComputedStyle(document.querySelector('p.verdict')).backgroundColor"
    )
    assert background in ("rgba(0, 0, 0, 0)", "transparent")
    shot = phone.screenshot(full_page=True)
    assert _mostly_light(shot) > 0.8  # paper, not a coloured screen
    assert phone.locator("h1").is_visible() and phone.locator("ol.story").is_visible()
    pdf = phone.pdf(format="A4", print_background=False)
    assert pdf.startswith(b"%PDF")
    phone.emulate_media(media="screen")
    assert phone.locator("header.site").is_visible()


def test_the_result_page_in_english(phone: Page) -> None:
    phone.goto(f"/ballots/{PUBLISHED}?lang=en")
    verdict = phone.locator("p.verdict").first.inner_text()
    assert re.match(r"“满意” or “基本满意”: [\d.]+% of the valid votes; mean score", verdict)
    assert_accessible(phone)
