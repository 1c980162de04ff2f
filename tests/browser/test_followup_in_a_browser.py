"""A chair follows a practical project after its ballot in the browser (headless Chromium,
zh-CN): from the matter's console page opens its follow-up page, adds an implementation
milestone (a missing owner is named beside the field first), records its progress, and a
resident on a phone reads the public record with the milestone and its progress. Then a
coordination agreement is corrected on its page and the public record says so, keeping the
earlier wording. axe-core finds nothing serious or critical on any page on the way.

The service runs for real (``vote demo``, ``vote serve``), as the console test's does.
"""

from __future__ import annotations

import re

from playwright.sync_api import Browser, Page

from tests.browser.axe import assert_accessible
from tests.browser.test_console import Service, browser, log_in, new_context, service, visit

__all__ = ["browser", "service"]  # the module-scoped Chromium and demo service

PRACTICAL = "2027年瑞金二路街道实事项目"
MILESTONE = "平改坡工程完成招标"


def _submit(page: Page, action_end: str) -> None:
    page.locator(f'form[action$="{action_end}"] button[type=submit]').first.click()


def test_a_milestone_with_progress_reaches_the_public_record(
    service: Service, browser: Browser
) -> None:
    context = new_context(browser, service)
    page = context.new_page()
    log_in(page, "chair", "demo-chair-2026", service.chair_secret)
    visit(page, "/chair/matters")
    page.get_by_role("link", name=PRACTICAL).first.click()
    found = re.search(r"/chair/matters/(\d+)", page.url)
    assert found
    matter_id = int(found.group(1))
    page.locator(f'a[href="/chair/matters/{matter_id}/followup"]').click()
    assert page.url.endswith(f"/chair/matters/{matter_id}/followup")
    assert_accessible(page)

    page.locator("#kind").select_option("milestone")
    page.locator("#title").fill(MILESTONE)
    page.locator("#due_on").fill("2027-06-30")
    _submit(page, "/followup/actions")
    error = page.locator("#owner-error")
    assert error.is_visible() and "责任人" in error.inner_text()
    assert page.locator("#owner").get_attribute("aria-invalid") == "true"
    assert_accessible(page)
    page.locator("#owner").fill("街道城建办")
    _submit(page, "/followup/actions")
    assert "后续事项已添加" in page.content() and MILESTONE in page.content()
    row = page.locator("li.action-item", has_text=MILESTONE)  # the demo's milestones are there too
    row.locator('input[name="progress"]').fill("40")
    row.locator('form[action$="/progress"] button[type=submit]').click()
    assert "进度已记录" in page.content() and "已完成 40%" in page.content()
    assert_accessible(page)

    resident = new_context(browser, service).new_page()
    visit(resident, f"/matters/{matter_id}")
    milestones = resident.locator("ul.milestones")
    assert MILESTONE in milestones.inner_text() and "40%" in milestones.inner_text()
    ours = milestones.get_by_role("progressbar", name=MILESTONE)
    assert ours.get_attribute("value") == "40"
    visit(resident, f"/matters/{matter_id}/record")
    assert MILESTONE in resident.content() and "40%" in resident.content()
    width = resident.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 390, width  # nothing wider than the phone
    context.close()


def test_a_corrected_agreement_keeps_its_earlier_wording(
    service: Service, browser: Browser
) -> None:
    context = new_context(browser, service)
    page = context.new_page()
    log_in(
        page, "chair", "demo-chair-2026", service.chair_secret, ahead=1
    )  # the first test used this step's code
    visit(page, "/chair/matters/new")
    area = page.locator("#unit option", has_text="茂名居民区").first.get_attribute("value")
    assert area
    page.locator("#unit").select_option(area)
    page.locator("#kind").select_option("coordination")
    page.locator("#title").fill("弄堂停车协调")
    _submit(page, "/chair/matters/new")
    page.locator('a[href$="/coordination"]').first.click()
    found = re.search(r"/chair/matters/(\d+)/coordination", page.url)
    assert found
    matter_id = int(found.group(1))
    page.locator("summary", has_text="记录协议").first.click()
    page.locator("#agreement_text").fill("晚上十点后弄堂内不停车")
    _submit(page, "/coordination/agreements")
    page.get_by_role("link", name="更正或撤回这项协议").click()
    assert_accessible(page)
    page.locator("#text").fill("晚上九点后弄堂内不停车")
    page.locator("#reason").fill("会议记录笔误")
    _submit(page, "/correct")
    assert "协议已更正" in page.content()
    assert_accessible(page)

    resident = new_context(browser, service).new_page()
    visit(resident, f"/matters/{matter_id}")
    assert "晚上九点后弄堂内不停车" in resident.content() and "更正" in resident.content()
    resident.locator("summary", has_text="原表述").click()
    assert resident.locator(".earlier-wording", has_text="晚上十点后弄堂内不停车").is_visible()
    assert_accessible(resident)
    context.close()
