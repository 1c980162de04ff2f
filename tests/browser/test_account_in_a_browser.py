"""A chair's own account in a real browser (headless Chromium, zh-CN): a chair added by a manager
writes down the recovery codes shown beside the QR, loses the phone, logs in with one of them,
chooses their own password (told how many codes are left), makes new codes and changes the
password again; axe-core finds no serious or critical violation on any of these pages.

The service runs for real (``vote demo``, ``vote chair add``, ``vote serve``), as in
tests/browser/test_console.py.
"""

from __future__ import annotations

import re

from playwright.sync_api import Browser

from tests.browser.axe import assert_accessible
from tests.browser.test_console import (
    MANAGER_PASSWORD,
    Service,
    browser,
    choose_own_password,
    log_in,
    new_context,
    service,
)

__all__ = ["browser", "service"]  # the fixtures, shared with the console tests

GIVEN = "given-by-the-manager-1"
OWN = "the-treasurers-own-2026"
LATER = "changed-again-later-2026"
CODE = re.compile(r"^\d{4}-\d{4}-\d{4}$")


def test_a_chair_logs_in_with_a_recovery_code_and_chooses_a_password(
    service: Service, browser: Browser
) -> None:
    manager = new_context(browser, service)
    page = manager.new_page()
    log_in(page, "manager", MANAGER_PASSWORD, service.manager_secret, own_password="mgr-own-2026")
    page.goto("/chair/chairs/new")
    page.get_by_label("用户名").fill("treasurer")
    page.get_by_label("单位").select_option(label="\u3000思南居民区 (居民区)")
    page.get_by_label("角色").select_option("observer")
    page.get_by_label("密码", exact=True).fill(GIVEN)
    page.get_by_label("再输入一次密码").fill(GIVEN)
    page.get_by_role("button", name="添加这位工作人员").click()
    page.wait_for_selector("#recovery-codes")
    assert_accessible(page)
    codes = [item.strip() for item in page.locator("#recovery-codes li").all_inner_texts()]
    assert len(codes) == 10 and all(CODE.match(code) for code in codes)
    manager.close()

    # The phone is lost: a recovery code in the code field, then the chair's own password.
    context = new_context(browser, service)
    chair = context.new_page()
    chair.goto("/chair/login")
    assert_accessible(chair)
    chair.get_by_label("用户名").fill("treasurer")
    chair.get_by_label("密码").fill(GIVEN)
    chair.get_by_label("身份验证器", exact=False).fill(codes[0])
    chair.get_by_role("button", name="登录").click()
    chair.wait_for_url("**/chair/account/password?recovery=used")
    assert "还剩 9 个未用的恢复码" in chair.locator("#recovery-notice").inner_text()
    assert chair.get_by_role("link", name="单位").count() == 0  # nothing else until it is set
    chair.get_by_role("button", name="使用这个密码").click()  # empty: errors beside the fields
    assert chair.locator("#password-error").is_visible()
    assert_accessible(chair)
    choose_own_password(chair, OWN)
    assert_accessible(chair)  # the account page
    assert "9" in chair.locator("#recovery-codes-left").inner_text()

    # New codes, shown once; then a voluntary change, which asks for the current password.
    chair.get_by_role("button", name="生成新的恢复码").click()
    chair.wait_for_selector("#recovery-codes")
    assert_accessible(chair)
    fresh = [item.strip() for item in chair.locator("#recovery-codes li").all_inner_texts()]
    assert len(fresh) == 10 and not set(fresh) & set(codes)
    chair.goto("/chair/account/password")
    assert_accessible(chair)
    chair.get_by_label("当前密码").fill(OWN)
    chair.get_by_label("新密码", exact=True).fill(LATER)
    chair.get_by_label("再输入一次密码").fill(LATER)
    chair.get_by_role("button", name="修改密码").click()
    chair.wait_for_selector("text=密码已修改")
    context.close()

    # The first code is used up, and the old codes no longer work.
    again = new_context(browser, service)
    retry = again.new_page()
    retry.goto("/chair/login")
    retry.get_by_label("用户名").fill("treasurer")
    retry.get_by_label("密码").fill(LATER)
    retry.get_by_label("身份验证器", exact=False).fill(codes[1])
    retry.get_by_role("button", name="登录").click()
    assert retry.get_by_role("alert").is_visible()
    assert "/chair/login" in retry.url
    retry.get_by_label("用户名").fill("treasurer")
    retry.get_by_label("密码").fill(LATER)
    retry.get_by_label("身份验证器", exact=False).fill(fresh[0])
    retry.get_by_role("button", name="登录").click()
    retry.wait_for_url("**/chair/account?recovery=used")
    assert_accessible(retry)
    again.close()
