"""The full ballot editor in a real browser (headless Chromium, zh-CN): the eligible count
follows the rules as the chair ticks them, a question's fields follow its kind without a reload,
a two-question ballot is saved, edited and scheduled, and axe-core finds nothing serious."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from playwright.sync_api import Browser, expect

from tests.browser.axe import assert_accessible
from tests.browser.test_console import Service, browser, log_in, new_context, service  # noqa: F401


def test_a_chair_builds_edits_and_schedules_a_ballot(
    service: Service,  # noqa: F811
    browser: Browser,  # noqa: F811
) -> None:
    context = new_context(browser, service)
    page = context.new_page()
    log_in(page, "chair", "demo-chair-2026", service.chair_secret)
    page.goto("/chair/matters")
    page.get_by_role("link", name=re.compile("实事项目")).first.click()
    page.get_by_role("link", name="自定义新建表决（全部选项）").click()
    assert_accessible(page)

    live = page.locator("#eligible-live")
    everyone = live.inner_text()
    assert re.search(r"\d+ 位居民", everyone), everyone
    page.get_by_label("业主", exact=True).check()
    expect(live).not_to_have_text(everyone)  # counted again while typing, no reload
    owners = live.inner_text()
    page.get_by_label("业主", exact=True).uncheck()
    expect(live).to_have_text(everyone)
    assert owners != everyone

    page.get_by_label("标题", exact=True).fill("2027年实事项目与加装电梯")
    question = page.locator("#question-1")
    assert not question.get_by_label("预算（元）").is_visible()
    question.get_by_label("题目类型").select_option("budget")
    expect(question.get_by_label("预算（元）")).to_be_visible()  # the kind's fields, no reload
    question.get_by_label("居民看到的题目").fill("请选择明年的实事项目")
    question.get_by_label("选项，每行一个", exact=False).fill(
        "加装消防设备, 25万\n修缮屋顶, 60万\n增设晾衣架, 1.2万"
    )
    question.get_by_label("预算（元）").fill("80万")
    page.get_by_role("button", name="增加一道题").click()
    second = page.locator("#question-2")
    second.get_by_label("题目类型").select_option("yesno")
    second.get_by_label("居民看到的题目").fill("是否同意三号楼加装电梯？")
    assert_accessible(page)
    page.get_by_role("button", name="建立表决草稿").click()
    assert "已建为草稿" in page.content()

    page.get_by_role("link", name="修改草稿").last.click()
    assert_accessible(page)
    expect(page.locator("#question-1").get_by_label("预算（元）")).to_have_value("800000")
    page.get_by_label("标题", exact=True).fill("2027年实事项目与加装电梯（修改）")
    page.get_by_role("button", name="保存草稿").click()
    assert "2027年实事项目与加装电梯（修改）" in page.content()

    page.get_by_role("link", name="时间安排").last.click()
    assert_accessible(page)
    closes = datetime.now(ZoneInfo("Asia/Shanghai")).date() + timedelta(days=30)
    page.get_by_label("投票截止时间（北京时间）").fill(f"{closes:%Y-%m-%d}T18:00")
    page.get_by_role("button", name="保存时间安排").click()
    shown = f"{closes.year}年{closes.month}月{closes.day}日 18:00（北京时间）"
    assert shown in page.content()
    context.close()
