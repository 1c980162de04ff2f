"""Copying a ballot in a real browser (headless Chromium, zh-CN): from the matter page a chair opens
the copy page, sends it without a unit and sees the error beside the field, then copies the
published evaluation to another residential area and lands on the new draft's matter page, told
what was copied; axe-core finds nothing serious or critical on either page."""

from __future__ import annotations

from playwright.sync_api import Browser

from tests.browser.axe import assert_accessible
from tests.browser.test_console import Service, browser, log_in, new_context, service, visit

__all__ = ["browser", "service"]  # the module-scoped fixtures, shared with the console test


def test_a_chair_copies_an_evaluation_to_another_area(service: Service, browser: Browser) -> None:
    context = new_context(browser, service)
    page = context.new_page()
    log_in(page, "chair", "demo-chair-2026", service.chair_secret)
    visit(page, "/chair/matters")
    page.get_by_role("link", name="平改坡工程与物业服务评议").click()
    assert_accessible(page)
    page.get_by_role("link", name="复制到其他单位").click()
    page.wait_for_url("**/copy")
    assert page.get_by_role("heading", name="把表决复制到其他单位").is_visible()
    assert_accessible(page)

    page.get_by_role("button", name="复制为新草稿").click()  # no unit chosen
    assert page.locator("#unit-error").inner_text() == "请从列表中选择单位。"
    assert page.get_by_label("复制到").get_attribute("aria-invalid") == "true"
    assert_accessible(page)

    page.get_by_label("复制到").select_option(label="\u3000思南居民区 (居民区)")
    assert page.get_by_label("事项").input_value() == ""  # a new matter with the same title
    page.get_by_role("button", name="复制为新草稿").click()
    notice = page.get_by_role("status").inner_text()
    assert "表决“2026年服务评议”已作为草稿复制到思南居民区。" in notice
    assert "全部内容都已复制" in notice
    assert "思南居民区" in page.locator("p.muted").first.inner_text()
    assert "复制自“2026年服务评议”（瑞金一居民区）" in page.locator("ol.timeline").inner_text()
    assert_accessible(page)
    context.close()
