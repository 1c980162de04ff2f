"""A resident on a phone (headless Chromium, zh-CN, 390×844) votes from the invitation link,
reads the receipt (a code in digits, the time in Beijing time, "请截图或保存本页", a print layout),
and later types the code, with spaces, into the check page: one plain sentence says the vote is
in the signed list and counted, and the phone's own check agrees; the technical part stays
folded. axe finds no serious or critical violation on either page. With ``UPDATE_SCREENSHOTS=1``
the test also refreshes ``docs/screenshots/receipt.png`` and ``check.png``."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page

from tests.browser.axe import assert_accessible
from tests.browser.test_voting_in_a_browser import _invitation, _phone_checks, browser, service

__all__ = ["browser", "service"]  # the module-scoped Chromium and demo service

FIRM = "上海城达资产评估有限公司"
CODE_SHAPE = re.compile(r"(\d{4} ){6}\d{2}")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def shoot(page: Page, name: str) -> None:
    if os.environ.get("UPDATE_SCREENSHOTS") == "1":
        page.screenshot(path=str(SCREENSHOTS / name))


@pytest.fixture
def phone(browser: Browser) -> Iterator[BrowserContext]:
    # axe is injected into the page, which the app's CSP would refuse.
    context = browser.new_context(
        locale="zh-CN", viewport={"width": 390, "height": 844}, bypass_csp=True
    )
    yield context
    context.close()


def cast_from_the_link(page: Page, link: str, option: str) -> None:
    """Open the invitation link, choose ``option`` and cast, confirming the choices when the
    form asks for a review first."""
    page.goto(link)
    page.get_by_label(option).check()
    form = page.locator("#vote-form")
    review = form.locator("button[value=review]")
    (review if review.count() else form.locator("button[type=submit]").last).click()
    page.wait_for_selector("#review-form, #receipt-code")
    if page.locator("#review-form").count():
        page.locator("#review-form button[value=cast]").click()
    page.wait_for_selector("#receipt-code")


def test_a_resident_reads_the_receipt_and_checks_it_typed_with_spaces(
    service: tuple[str, str], phone: BrowserContext
) -> None:
    base, demo_output = service
    page = phone.new_page()
    cast_from_the_link(page, _invitation(demo_output, 2), FIRM)

    # The receipt: digits in groups of four, Beijing time, save advice, no QR of itself.
    code = page.locator("#receipt-code").inner_text().strip()
    assert CODE_SHAPE.fullmatch(code), code
    main = page.locator("main").inner_text()
    assert "请截图或保存本页" in main and "也可以把回执查询码抄在纸上" in main
    assert re.search(r"收到时间：\d{4}年\d{1,2}月\d{1,2}日 \d\d:00（北京时间）", main), main
    assert "UTC" not in main and not re.search(r"[a-z2-7]{4}-[a-z2-7]{4}", main)
    assert page.locator("main svg").count() == 0
    assert page.locator("details.technical").get_attribute("open") is None
    assert_accessible(page)
    shoot(page, "receipt.png")

    # Printed (or saved as PDF), the receipt keeps the code and drops the header and buttons.
    page.emulate_media(media="print")
    assert page.locator("#receipt-code").is_visible()
    assert page.locator("header.site").is_hidden()
    assert page.get_by_role("link", name="查询我的投票").is_hidden()
    page.emulate_media(media="screen")

    # Later, from the ballot's page: type the code as read aloud, groups apart.
    page.goto(f"{base}/ballots/2/check")
    field = page.get_by_label("回执查询码")
    assert field.get_attribute("inputmode") == "numeric"
    field.press_sequentially("  " + code.replace(" ", "  ") + " ")
    page.get_by_role("button", name="查询", exact=True).click()
    assert _phone_checks(page) == {
        "entry": "true",
        "log": "true",
        "signature": "true",
        "result": "ok",
    }
    assert field.input_value() == code  # shown back as on the receipt
    result = page.locator("#check-result").inner_text()
    assert "找到了您的选票" in result
    assert "它在本次表决公开并签名的选票名单里，会计入结果" in result
    summary = page.locator("#proof-check-summary")
    assert summary.inner_text() == "您的手机也自行核对了一遍：结果一致。"
    # The technical detail is folded away: nothing of it shows until the resident opens it.
    details = page.locator("details.technical")
    assert details.get_attribute("open") is None
    assert page.locator("#proof-check-steps").is_hidden()
    visible = page.locator("main").inner_text()
    assert "哈希" not in visible and "指纹" not in visible and "tally" not in visible
    assert not re.search(r"[0-9a-f]{16,}", visible)
    assert_accessible(page)
    shoot(page, "check.png")
    details.locator("summary").click()
    steps = page.locator("#proof-check-steps").inner_text()
    assert f"回执查询码 {code}" in steps and "密钥指纹" in steps
    assert "北京时间" in (page.locator("#proof-check-details").inner_text())
    assert_accessible(page)


def test_a_mistyped_code_is_explained_beside_the_field(
    service: tuple[str, str], phone: BrowserContext
) -> None:
    base, _ = service
    page = phone.new_page()
    page.goto(f"{base}/ballots/2/check")
    field = page.get_by_label("回执查询码")
    field.fill("0410 5334 1431 1241 8138 5171 20")  # the last digit mistyped
    page.get_by_role("button", name="查询", exact=True).click()
    error = page.locator("#tracker-error")
    assert "有一位数字不对" in error.inner_text()
    assert field.get_attribute("aria-invalid") == "true"
    assert "tracker-error" in (field.get_attribute("aria-describedby") or "")
    assert field.input_value() == "0410 5334 1431 1241 8138 5171 20"  # kept to correct
    assert page.locator("#proof-check").count() == 0
    assert_accessible(page)
