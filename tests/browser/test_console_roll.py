"""The roll in a real browser (headless Chromium, zh-CN): a chair uploads a roster with one bad
row, sees the error with its row and column in Chinese, uploads the fixed file, checks the
preview, imports, finds the new resident and reads their record; axe-core finds nothing serious
or critical on any roll page."""

from __future__ import annotations

from playwright.sync_api import Browser, Page

from tests.browser.axe import assert_accessible
from tests.browser.test_console import Service, browser, log_in, new_context, service, visit

__all__ = ["browser", "service"]  # the module-scoped fixtures, shared with the console test

GOOD = (
    "编号,姓名,楼栋,门牌,户号,手机,身份,专有面积,产权房屋\n"
    "T-001,周明,9,901,9-901,13812345678,业主,88,9-901、9-902\n"
    "T-002,吴芳,9,902,9-902,,租户,66,\n"
    "T-003,郑强,9,903,9-903,,业主,70,\n"
)
BAD = GOOD.replace("T-003,郑强,9,903", "T-003,郑强,,903")


def upload(page: Page, text: str) -> None:
    page.get_by_label("居民区").select_option(label="茂名居民区")
    page.get_by_label("名册文件").set_input_files(
        {"name": "名册.csv", "mimeType": "text/csv", "buffer": text.encode("utf-8")}
    )
    page.get_by_role("button", name="检查文件").click()


def test_a_chair_fixes_a_bad_row_and_imports_the_roll(service: Service, browser: Browser) -> None:
    context = new_context(browser, service)
    page = context.new_page()
    log_in(page, "chair", "demo-chair-2026", service.chair_secret)
    visit(page, "/chair/roll")

    upload(page, BAD)
    assert page.locator("#file-error").is_visible()
    problems = page.locator("table").inner_text()
    assert "第 4 行“楼栋”列：楼栋为空" in problems
    assert page.get_by_label("居民区").input_value() != ""  # the chosen area is kept
    assert_accessible(page)

    upload(page, GOOD)
    assert page.locator("#count-added").inner_text() == "3"
    assert "还没有做任何修改" in page.content()
    assert_accessible(page)
    page.get_by_role("button", name="确认导入这些改动").click()
    assert "已导入茂名居民区：新增 3 人" in page.content()

    visit(page, "/chair/roll/residents")
    page.get_by_label("姓名或编号").fill("周明")
    page.get_by_role("button", name="查找").click()
    assert "找到 1 位居民" in page.content()
    assert "138****5678" in page.content()
    assert_accessible(page)
    page.get_by_role("link", name="周明").click()
    assert "9-902" in page.locator("main").inner_text()
    assert_accessible(page)
    visit(page, "/chair/roll/households")
    visit(page, "/chair/roll/buildings")
    context.close()
