"""A chair runs a coordination meeting (协调会) in the browser (headless Chromium, zh-CN): adds a
relocation company to the organisations register, records it and the residents' side as parties,
an issue with both positions, an agreement with an action due yesterday, sees it flagged overdue
on the matter and on the overdue list, and marks it done; a resident on a phone reads the public
record (names, positions, agreement, status; no phone number). axe-core finds nothing serious or
critical on any page on the way.

The service runs for real (``vote demo``, ``vote serve``), as the console test's does.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from playwright.sync_api import Browser, Page

from tests.browser.axe import assert_accessible
from tests.browser.test_console import Service, browser, log_in, new_context, service, visit

__all__ = ["browser", "service"]  # the module-scoped Chromium and demo service

BEIJING = ZoneInfo("Asia/Shanghai")
COMPANY = "上海城建动迁有限公司"
PHONE = "13912345678"
MATTER = "建国东路动迁补偿协调"
AGREED = "补偿按评估价上浮15%，三十日内公布细则"


def _submit(page: Page, action_end: str) -> None:
    page.locator(f'form[action$="{action_end}"] button[type=submit]').click()


def _open(page: Page, summary: str) -> None:
    page.locator("summary", has_text=summary).first.click()


def test_a_chair_settles_a_relocation_dispute_and_a_resident_reads_the_record(
    service: Service, browser: Browser
) -> None:
    context = new_context(browser, service)
    page = context.new_page()
    log_in(page, "chair", "demo-chair-2026", service.chair_secret)

    # The relocation company goes on the street's register, with its contact for chairs.
    visit(page, "/chair/organisations")
    page.locator("#name").fill(COMPANY)
    page.locator("#kind").select_option("company")
    page.locator("#contact_name").fill("吴经理")
    page.locator("#contact_phone").fill(PHONE)
    page.get_by_role("button", name="添加单位").click()
    assert "单位已添加" in page.content() and PHONE in page.content()
    assert_accessible(page)

    # A coordination matter in a residential area.
    visit(page, "/chair/matters/new")
    area = page.locator("#unit option", has_text="茂名居民区").first.get_attribute("value")
    assert area
    page.locator("#unit").select_option(area)
    page.locator("#kind").select_option("coordination")
    page.locator("#title").fill(MATTER)
    _submit(page, "/chair/matters/new")
    page.locator('a[href$="/coordination"]').click()
    assert_accessible(page)
    found = re.search(r"/chair/matters/(\d+)/coordination", page.url)
    assert found
    matter_id = int(found.group(1))

    # The parties: the company from the register, and the residents' side.
    _open(page, "添加协调方")
    page.locator("#party_organisation").select_option(label=f"{COMPANY}（企业）")
    _submit(page, "/coordination/parties")
    assert "协调方已添加" in page.content()
    _open(page, "添加协调方")
    page.locator("#party_name").fill("3号楼居民代表")
    _submit(page, "/coordination/parties")
    assert_accessible(page)

    # One issue and both sides' positions.
    _open(page, "添加争议事项")
    page.locator("#issue_title").fill("补偿标准")
    _submit(page, "/coordination/issues")
    for party, text in ((COMPANY, "按2019年标准补偿"), ("3号楼居民代表", "按市场评估价补偿")):
        _open(page, "记录立场")
        page.locator("#position_issue").select_option(label="补偿标准")
        page.locator("#position_party").select_option(label=party)
        page.locator("#position_text").fill(text)
        _submit(page, "/coordination/positions")
        assert "立场已记录" in page.content()
    table = page.locator("#positions")
    assert "按2019年标准补偿" in table.inner_text() and "按市场评估价补偿" in table.inner_text()
    assert_accessible(page)

    # The agreement, and the company's action due yesterday (Beijing date).
    _open(page, "记录协议")
    page.locator("#agreement_text").fill(AGREED)
    page.locator("#agreement_issue").select_option(label="补偿标准")
    _submit(page, "/coordination/agreements")
    assert "协议已记录" in page.content()
    yesterday = datetime.now(UTC).astimezone(BEIJING).date() - timedelta(days=1)
    _open(page, "添加后续事项")
    page.locator("#agreement_id").select_option(index=1)
    page.locator("#title").fill("公布补偿细则")
    page.locator("#organisation_id").select_option(label=f"{COMPANY}（企业）")
    page.locator("#due_on").fill(yesterday.isoformat())
    _submit(page, "/coordination/actions")
    assert "后续事项已添加" in page.content()
    assert "逾期 1 天" in page.content()
    assert_accessible(page)

    # The overdue list flags it; the chair marks it done there.
    # The demo's own late action (the relocation's wall repair) is listed too.
    visit(page, "/chair/overdue")
    assert "公布补偿细则" in page.content() and "逾期 1 天" in page.content()
    mine = page.locator("#overdue > li", has_text="公布补偿细则")
    mine.get_by_role("button", name="标记为已完成").click()
    assert "状态已更改" in page.content() and "公布补偿细则" not in page.content()
    assert "修复茂名北路 226 弄 5 号墙体裂缝" in page.content()
    assert_accessible(page)

    # A resident on a phone reads the public record.
    resident = new_context(browser, service).new_page()
    visit(resident, f"/matters/{matter_id}")
    content = resident.content()
    assert COMPANY in content and "3号楼居民代表" in content and AGREED in content
    assert "按市场评估价补偿" in content and "已完成" in content
    assert PHONE not in content and "吴经理" not in content
    width = resident.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 390, width  # nothing wider than the phone
    context.close()
