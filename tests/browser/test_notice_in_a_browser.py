"""A chair gives public notice of a relocation with the nine disclosures (九公开) in the browser
(headless Chromium, zh-CN), publishes it and changes one item afterwards; a resident on a phone
reads the notice, sees it is up and until when, and finds the change with the earlier text in
the change record. axe-core finds nothing serious or critical on any page on the way.

The service runs for real (``vote demo``, ``vote serve``), as the console test's does.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from playwright.sync_api import Browser

from tests.browser.axe import assert_accessible
from tests.browser.test_console import Service, browser, log_in, new_context, service, visit

__all__ = ["browser", "service"]  # the module-scoped Chromium and demo service

MATTER = "2027年瑞金二路街道实事项目"
BEIJING = ZoneInfo("Asia/Shanghai")
NINE = {
    "动迁范围与户数": "建国东路 68 弄、72 弄，共 126 户",
    "地段类别": "二级旧里",
    "补偿安置政策与标准": "按评估价每平方米 3.2 万元补偿",
    "房源情况及安置价、市场价": "浦东三林房源 300 套，安置价每平方米 1.5 万元，市场价 4 万元",
    "评估机构的选定程序": "居民投票选定评估公司",
    "工作程序": "入户调查、评估、签约、搬迁",
    "各户安置结果": "签约后逐户公布",
    "经办人员及其职责": "王某某：签约经办；李某某：房源调配",
    "投诉监督渠道": "街道旧改办，电话 6328 0000",
}


def test_a_chair_publishes_the_nine_disclosures_and_a_resident_sees_the_change(
    service: Service, browser: Browser
) -> None:
    context = new_context(browser, service)
    page = context.new_page()
    log_in(page, "chair", "demo-chair-2026", service.chair_secret)
    visit(page, "/chair/matters")
    page.get_by_role("link", name=MATTER).click()
    assert_accessible(page)
    page.get_by_role("link", name="新建公示").click()
    assert_accessible(page)

    # A mistake is named beside its field; the rest is kept.
    page.get_by_label("标题", exact=True).fill("建国东路地块旧改动迁九公开")
    page.get_by_label("公示模板").select_option("relocation")
    page.get_by_label("公示开始（北京时间）").fill("2026-13-40T09:00")
    page.get_by_role("button", name="保存公示草稿").click()
    assert page.locator("#starts_at-error").is_visible()
    assert page.locator("#ends_at-error").is_visible()
    assert page.get_by_label("标题", exact=True).input_value() == "建国东路地块旧改动迁九公开"
    assert_accessible(page)
    now = datetime.now(UTC).astimezone(BEIJING)
    starts, ends = now - timedelta(days=1), now + timedelta(days=30)
    page.get_by_label("公示开始（北京时间）").fill(f"{starts:%Y-%m-%dT%H:%M}")
    page.get_by_label("公示结束（北京时间）").fill(f"{ends:%Y-%m-%dT%H:%M}")
    page.get_by_role("button", name="保存公示草稿").click()
    assert "公示草稿已保存" in page.content()
    assert_accessible(page)
    notice_url = page.url
    found = re.search(r'href="/chair/notices/(\d+)/publish"', page.content())
    assert found
    notice_id = int(found.group(1))

    # The nine items, each saved on its own.
    for label, text in NINE.items():
        page.get_by_label(label, exact=True).fill(text)
        page.get_by_role("button", name=f"保存“{label}”").click()
        assert "事项已保存" in page.content()
    assert_accessible(page)

    # Publish, after the confirmation page.
    page.get_by_role("link", name="发布…").click()
    assert "发布这份公示？" in page.content()
    assert "以下事项还没有填写" not in page.content()
    assert_accessible(page)
    page.get_by_role("button", name="发布公示").click()
    assert "公示已发布" in page.content()

    # A change after publication is kept as a new version.
    page.get_by_label("补偿安置政策与标准", exact=True).fill("按评估价每平方米 3.5 万元补偿")
    page.get_by_role("button", name="保存“补偿安置政策与标准”").click()
    assert "事项已保存" in page.content()
    assert "以前的版本（1）" in page.content()
    assert "公示事项已变更" in page.content()
    assert_accessible(page)
    assert notice_url

    # A resident on a phone.
    resident = new_context(browser, service).new_page()
    visit(resident, f"/notices/{notice_id}")
    assert "公示中，截止" in resident.content()
    for label in NINE:
        assert resident.get_by_role("heading", name=label, exact=True).count() >= 1
    assert "按评估价每平方米 3.5 万元补偿" in resident.content()
    record = resident.locator("#changes")
    assert record.is_visible()
    assert "按评估价每平方米 3.2 万元补偿" in resident.content()
    width = resident.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 390, width  # nothing wider than the phone
    visit(resident, f"/notices/{notice_id}/print")
    assert resident.locator("svg").count() == 1
    matter = resident.goto(f"/notices/{notice_id}")
    assert matter is not None
    resident.get_by_role("link", name=MATTER).click()
    assert_accessible(resident)
    assert resident.get_by_role("link", name="建国东路地块旧改动迁九公开").count() == 1
    context.close()
