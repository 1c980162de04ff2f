"""The statistics page in a real browser (headless Chromium, zh-CN): the chair opens 统计 from
the console navigation, sees the table per unit and both charts, picks a quarter, and downloads
the CSV and the Excel file; then a range of days, its CSV, and a range ending before it starts,
refused beside the last day's field; axe-core finds nothing serious or critical."""

from __future__ import annotations

import pyotp
from playwright.sync_api import Browser

from tests.browser.axe import assert_accessible
from tests.browser.test_console import Service, browser, service  # noqa: F401
from vote.demo import DEMO_PASSWORD


def test_the_chair_reads_and_downloads_statistics(browser: Browser, service: Service) -> None:  # noqa: F811
    context = browser.new_context(
        base_url=service.base,
        locale="zh-CN",
        viewport={"width": 1280, "height": 900},
        bypass_csp=True,
        accept_downloads=True,
    )
    chair = context.new_page()
    chair.goto("/chair/login")
    chair.get_by_label("用户名").fill("chair")
    chair.get_by_label("密码").fill(DEMO_PASSWORD)
    chair.get_by_label("身份验证器", exact=False).fill(pyotp.TOTP(service.chair_secret).now())
    chair.get_by_role("button", name="登录").click()
    chair.wait_for_url("**/chair/")

    chair.get_by_role("link", name="统计", exact=True).click()
    chair.wait_for_url("**/chair/statistics")
    assert chair.get_by_role("heading", name="统计", exact=True).is_visible()
    assert chair.get_by_role("columnheader", name="听证会").is_visible()
    assert chair.get_by_role("img", name="各单位收到和已答复的诉求").is_visible()
    assert chair.get_by_role("img", name="各单位投票的平均参与率").is_visible()
    assert_accessible(chair)

    chair.get_by_label("时段").select_option(label="季度")
    chair.get_by_label("第几月或第几季度").fill("4")
    chair.get_by_role("button", name="显示").click()
    chair.wait_for_url("**kind=quarter**")
    assert chair.get_by_text("（北京时间）", exact=False).first.is_visible()
    assert_accessible(chair)

    with chair.expect_download() as got:
        chair.get_by_role("link", name="下载 CSV").click()
    download = got.value
    assert download.suggested_filename.endswith("-Q4.csv")
    assert "统计" in download.suggested_filename
    with open(download.path(), "rb") as handle:
        assert handle.read().startswith("\ufeff单位".encode())
    with chair.expect_download() as got:
        chair.get_by_role("link", name="下载 Excel（XLSX）").click()
    assert got.value.suggested_filename.endswith("-Q4.xlsx")

    chair.get_by_label("时段").select_option(label="自选起止日期")
    chair.get_by_label("起始日期").fill("2026-01-01")
    chair.get_by_label("截止日期").fill("2026-06-30")
    chair.get_by_role("button", name="显示").click()
    chair.wait_for_url("**kind=range**")
    assert chair.get_by_text("统计日期：2026-01-01 至 2026-06-30（含首尾两天）。").is_visible()
    assert chair.get_by_label("时段").input_value() == "range"
    assert_accessible(chair)
    with chair.expect_download() as got:
        chair.get_by_role("link", name="下载 CSV").click()
    assert got.value.suggested_filename.endswith("-2026-01-01_2026-06-30.csv")

    chair.get_by_label("起始日期").fill("2026-06-30")
    chair.get_by_label("截止日期").fill("2026-01-01")
    chair.get_by_role("button", name="显示").click()
    chair.wait_for_url("**from=2026-06-30**")
    refusal = chair.locator("#to-error")
    assert refusal.is_visible() and refusal.inner_text() == "截止日期不能早于起始日期。"
    assert chair.get_by_label("截止日期").get_attribute("aria-invalid") == "true"
    assert chair.locator("#from-error").count() == 0
    assert_accessible(chair)
    context.close()
