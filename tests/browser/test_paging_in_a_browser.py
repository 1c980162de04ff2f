"""A long console list in a real browser (headless Chromium, zh-CN): the organisations of an
area, more than a page of them, come a page at a time; the heading counts them all, the pager
says 第 1 页，共 2 页, and 下一页 keeps the chosen area; axe-core finds nothing serious or
critical on either page."""

from __future__ import annotations

import time

import httpx
import pyotp
from playwright.sync_api import Browser

from tests.browser.axe import assert_accessible
from tests.browser.test_console import Service, browser, log_in, new_context, service  # noqa: F401
from vote.demo import DEMO_PASSWORD
from vote.pages.paging import PAGE_SIZE


def _until_up(base: str) -> None:
    """Wait for the service to answer (a loaded machine starts it slowly)."""
    for _ in range(1200):
        try:
            httpx.get(f"{base}/api/v1/health", timeout=10)
            return
        except httpx.TransportError:
            time.sleep(0.25)
    raise AssertionError("the service did not start")


def _organisations(base: str, secret: str, count: int) -> tuple[int, int]:
    """``count`` organisations added to 思南 through the API (a login with the current TOTP
    code; the browser's login uses the next one, so neither replays the other even when a
    request crosses a 30-second step); 思南's id and how many it may choose from in all (its
    own and those of the units above it)."""
    _until_up(base)
    code = pyotp.TOTP(secret).now()
    login = httpx.post(
        f"{base}/api/v1/auth/login",
        json={"username": "chair", "password": DEMO_PASSWORD, "totp": code},
    )
    assert login.status_code == 200, login.text
    headers = {"authorization": f"Bearer {login.json()['token']}"}
    units = {u["code"]: u["id"] for u in httpx.get(f"{base}/api/v1/units", headers=headers).json()}
    sinan = units["sinan"]
    for n in range(count):
        added = httpx.post(
            f"{base}/api/v1/units/{sinan}/organisations",
            json={"name": f"思南协作单位{n:02d}", "kind": "company"},
            headers=headers,
        )
        assert added.status_code == 201, added.text
    listed = httpx.get(f"{base}/api/v1/units/{sinan}/organisations?limit=1", headers=headers)
    return sinan, int(listed.json()["total"])


def test_the_organisations_a_page_at_a_time(browser: Browser, service: Service) -> None:  # noqa: F811
    sinan, total = _organisations(service.base, service.chair_secret, PAGE_SIZE + 3)
    assert PAGE_SIZE < total <= 2 * PAGE_SIZE
    context = new_context(browser, service)
    page = context.new_page()
    log_in(page, "chair", DEMO_PASSWORD, service.chair_secret, ahead=1)  # after the API's
    page.goto("/chair/organisations")
    page.get_by_label("单位", exact=True).select_option(value=str(sinan))
    page.get_by_role("button", name="显示").click()
    page.wait_for_url(f"**unit={sinan}**")
    heading = page.get_by_role("heading", name=f"思南居民区的单位名录（{total}）")
    assert heading.is_visible()
    assert page.locator("#organisations > li").count() == PAGE_SIZE
    pager = page.get_by_role("navigation", name="翻页")
    assert pager.get_by_text("第 1 页，共 2 页").is_visible()
    assert_accessible(page)

    pager.get_by_role("link", name="下一页").click()
    page.wait_for_url(f"**unit={sinan}&page=2")
    assert heading.is_visible()  # still the whole count
    assert page.locator("#organisations > li").count() == total - PAGE_SIZE
    assert pager.get_by_text("第 2 页，共 2 页").is_visible()
    assert pager.get_by_role("link", name="上一页").is_visible()
    assert_accessible(page)
    context.close()
