"""A chair plans a meeting in the browser (headless Chromium, zh-CN): from a matter's page, the
plan form (a mistake shown beside its field first), the meeting's page, holding a draft ballot
there for those checked in only, opening check-in and attaching the minutes as a PDF; axe-core
finds nothing serious or critical on any page on the way.

The service runs for real (``vote demo``, ``vote serve``), as the console test's does.
"""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Browser

from tests.browser.axe import assert_accessible
from tests.browser.test_console import Service, browser, log_in, new_context, service, visit

__all__ = ["browser", "service"]  # the module-scoped Chromium and demo service

MATTER = "2027年瑞金二路街道实事项目"
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def test_a_chair_plans_a_meeting_holds_a_ballot_and_opens_check_in(
    service: Service, browser: Browser, tmp_path: Path
) -> None:
    context = new_context(browser, service)
    page = context.new_page()
    log_in(page, "chair", "demo-chair-2026", service.chair_secret)
    visit(page, "/chair/meetings")
    nav = page.get_by_role("navigation", name="工作台")
    box = nav.get_by_role("link", name="会议", exact=True).bounding_box()
    assert box is not None and box["height"] >= 44

    # A draft ballot on the matter, from the ballot builder.
    visit(page, "/chair/matters")
    page.get_by_role("link", name=MATTER).click()
    assert_accessible(page)
    page.get_by_role("link", name="在这个事项上新建表决").click()
    page.get_by_label("表决类型").select_option("hearing")
    page.get_by_label("标题", exact=True).fill("社区食堂选址意见征询")
    page.get_by_label("表决问题（评议不需要填写）").fill("是否同意在瑞金二路 150 号开设社区食堂？")
    page.get_by_role("button", name="建立表决草稿").click()
    assert "已建为草稿" in page.content()

    # Plan the meeting: a time that cannot be read is named beside its field, the rest kept.
    page.goto("/chair/matters")
    page.get_by_role("link", name=MATTER).click()
    page.get_by_role("link", name="新建会议").click()
    assert_accessible(page)
    page.get_by_label("标题", exact=True).fill("社区食堂选址听证会")
    page.get_by_label("会议类型").select_option("hearing")
    page.get_by_label("地点").fill("瑞金二路街道活动室")
    page.get_by_label("议程（可不填）").fill("介绍选址方案\n居民发言\n现场表决")
    page.get_by_label("每人最多代理几人").fill("12")
    page.get_by_role("button", name="安排会议").click()
    assert page.locator("#starts_at-error").is_visible()
    assert page.locator("#proxy_limit-error").is_visible()
    assert page.get_by_label("地点").input_value() == "瑞金二路街道活动室"
    assert_accessible(page)
    page.get_by_label("开始时间（北京时间）").fill("2026-12-05T18:00")
    page.get_by_label("每人最多代理几人").fill("2")
    page.get_by_role("button", name="安排会议").click()
    assert "会议已安排" in page.content()
    assert "2026-12-05 18:00 北京时间" in page.content()
    assert page.locator("#meeting-state").inner_text() == "未开始"
    assert_accessible(page)

    # Hold the draft here, for those checked in only.
    page.get_by_label("把本议题的草稿表决安排在本次会议上").select_option(
        label="社区食堂选址意见征询"
    )
    page.get_by_label("只有到场签到的人才能投票").check()
    page.get_by_role("button", name="安排在本次会议上表决").click()
    assert "将在本次会议上表决" in page.content()
    assert page.get_by_role("link", name="纸质选票").is_visible()
    assert_accessible(page)

    # Open check-in; the projector and door pages are a click away.
    page.get_by_role("button", name="开始签到").click()
    assert page.locator("#meeting-state").inner_text() == "签到中"
    assert page.get_by_role("link", name="投影页面").is_visible()
    assert page.get_by_role("link", name="门口签到").is_visible()
    assert_accessible(page)

    # Minutes with a PDF attached.
    minutes = tmp_path / "会议纪要.pdf"
    minutes.write_bytes(PDF)
    page.get_by_label("上传附件").set_input_files(str(minutes))
    page.get_by_role("button", name="上传", exact=True).click()
    assert "“会议纪要.pdf”已上传" in page.content()
    assert page.get_by_role("link", name="会议纪要.pdf").is_visible()
    assert_accessible(page)

    visit(page, "/chair/meetings")
    assert "社区食堂选址听证会" in page.content()
    context.close()
