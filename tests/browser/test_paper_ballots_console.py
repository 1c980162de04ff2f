"""Paper ballots in the browser (headless Chromium, zh-CN, a 390 px phone): a chair prints
sheets, finds a voter by name and hands out sheet 1, closes the ballot, and two chairs enter the
returned sheet one after the other with the keyboard (the number, a choice, Enter); the
comparison first says only one entered it, then that both agree; 计入结果 counts it. Nothing on
the page is wider than the screen, and axe-core finds nothing serious or critical on any step.

The service runs for real (``vote demo``, ``vote serve``), as the console test's does.
"""

from __future__ import annotations

import re

from playwright.sync_api import Browser, Page

from tests.browser.axe import assert_accessible
from tests.browser.test_console import (
    MANAGER_OWN,
    MANAGER_PASSWORD,
    Service,
    browser,
    log_in,
    new_context,
    service,
)
from vote.pages.confirm import CONFIRMED

__all__ = ["browser", "service"]  # the module-scoped Chromium and demo service

FIRM_BALLOT = 2  # the demo's appraisal-firm ballot, open, households of 茂名居民区
PAPER = f"/chair/ballots/{FIRM_BALLOT}/paper"


def no_wider_than_the_screen(page: Page) -> None:
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"the page is {overflow}px wider than the screen"


def enter_sheet(page: Page) -> None:
    """Enter sheet 1 as its first option, with the keyboard only."""
    page.goto(PAPER)
    number = page.get_by_label("纸质选票编号")
    number.fill("1")
    page.keyboard.press("Tab")
    page.keyboard.press("Space")  # the first option of the first question
    number.press("Enter")
    page.wait_for_load_state()


def test_two_chairs_enter_a_paper_ballot_and_count_it(service: Service, browser: Browser) -> None:
    context = new_context(browser, service)
    page = context.new_page()
    log_in(page, "chair", "demo-chair-2026", service.chair_secret)
    page.goto(PAPER)
    assert page.get_by_role("heading", name="纸质选票", exact=True).is_visible()
    assert_accessible(page)
    no_wider_than_the_screen(page)

    page.get_by_label("再打印多少张？").fill("2")
    page.get_by_role("button", name="打印", exact=True).click()
    assert "第 1 号至第 2 号纸质选票已可打印。" in page.content()
    pdf = page.request.get(f"{PAPER}/sheets.pdf?first=1&last=2")
    assert pdf.ok and pdf.body().startswith(b"%PDF")
    assert_accessible(page)

    for surname in ("王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴"):
        page.get_by_label("投票人姓名").fill(surname)
        page.get_by_role("button", name="查找").click()
        if page.locator("input[name=resident_id]:not([disabled])").count():
            break
    voter = page.locator("input[name=resident_id]:checked")
    label = page.locator(f"label[for='{voter.get_attribute('id')}']").inner_text()
    name = label.split(" · ")[0].strip()
    assert_accessible(page)
    page.get_by_label("纸质选票编号").fill("1")
    page.get_by_role("button", name="发放").click()
    assert f"第 1 号纸质选票已发给{name}。" in page.content()
    assert page.locator("#paper-issued").inner_text().count(name) == 1
    assert_accessible(page)
    no_wider_than_the_screen(page)

    csrf = page.locator("input[name=csrf_token]").first.get_attribute("value")
    closed = page.request.post(
        f"/chair/ballots/{FIRM_BALLOT}/close",
        form={"csrf_token": csrf or "", "confirm": CONFIRMED},
    )
    assert closed.ok, closed.status
    assert "投票已截止" in closed.text()
    page.goto(PAPER)
    assert "结果暂不能公布。" in page.locator("#paper-block").inner_text()
    enter_sheet(page)
    assert "第 1 号已录入" in page.content()
    assert "第 1 号只有一人录入" in page.locator("#paper-mismatches").inner_text()
    assert page.get_by_role("button", name="计入结果").is_disabled()
    assert_accessible(page)
    no_wider_than_the_screen(page)
    context.close()

    other = new_context(browser, service)
    second = other.new_page()
    log_in(second, "manager", MANAGER_PASSWORD, service.manager_secret, own_password=MANAGER_OWN)
    enter_sheet(second)
    assert re.search(r"收回的 1 张纸质选票，两次录入全部一致", second.content())
    assert_accessible(second)
    second.get_by_role("button", name="计入结果").click()
    assert "纸质选票已计入结果：有效 1 张，无效 0 张。" in second.content()
    assert second.locator("#paper-block").count() == 0
    assert_accessible(second)
    no_wider_than_the_screen(second)
    other.close()
