"""The links-and-referrals page and the combined timeline in a real browser: a chair links two
matters; the public record and the one-timeline page pass axe at phone width."""

from __future__ import annotations

from playwright.sync_api import Browser

from tests.browser.axe import assert_accessible
from tests.browser.test_console import Service, browser, log_in, new_context, service

__all__ = ["browser", "service"]  # the module-scoped Chromium and demo service


def test_a_chair_links_two_matters_and_a_resident_reads_them_as_one_story(
    service: Service, browser: Browser
) -> None:
    context = new_context(browser, service)
    page = context.new_page()
    log_in(page, "chair", "demo-chair-2026", service.chair_secret)
    page.goto("/chair/matters")
    page.get_by_role("link", name="瑞金一居民区3号楼加装电梯听证会").first.click()
    page.get_by_role("link", name="关联其他事项，或转交上级、下级").click()
    assert_accessible(page)
    page.select_option("#kind", value="related")
    page.select_option("#other", label="茂名居民区动迁评估公司选定")
    page.get_by_role("button", name="关联", exact=True).click()
    assert page.get_by_text("已关联。").is_visible()
    assert_accessible(page)
    public = page.url.split("/chair/matters/")[1].split("/")[0]
    resident = new_context(browser, service).new_page()
    resident.goto(f"/matters/{public}")
    assert resident.get_by_role("heading", name="关联事项与转交").is_visible()
    assert_accessible(resident)
    resident.get_by_role("link", name="把这些事项的全过程合成一条时间线").click()
    assert resident.get_by_role("heading", name="全过程").is_visible()
    assert resident.get_by_text("茂名居民区动迁评估公司选定").first.is_visible()
    assert_accessible(resident)
    context.close()
