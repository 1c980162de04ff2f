"""Opening, closing and replacing a code ask first, in a real browser (headless Chromium, zh-CN):
the chair goes back once without opening, then opens a draft through its confirmation page,
closes it through another, and replaces a resident's lost code after a page naming them; axe-core
finds no serious or critical violation on any of these pages.

The service runs for real (``vote demo``, ``vote ballot create`` for the draft, ``vote serve``).
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pyotp
import pytest
from playwright.sync_api import Browser, Page

from tests.browser.axe import assert_accessible
from tests.browser.test_voting_in_a_browser import CHROMIUM, IN_CI, VOTE, _free_port, browser
from vote.demo import DEMO_PASSWORD

__all__ = ["browser"]  # the shared headless Chromium fixture

TITLE = "弄堂口社区花园建设表决"
DRAFT = {
    "title": TITLE,
    "voting_unit": "household",
    "questions": [
        {
            "id": "garden",
            "kind": "yesno",
            "prompt": "是否在弄堂口建设社区花园？",
            "options": [
                {"id": "yes", "label": "yes"},
                {"id": "no", "label": "no"},
                {"id": "abstain", "label": "abstain"},
            ],
        }
    ],
}


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """The demo with one more draft ballot; yields (base URL, the chair's TOTP secret)."""
    if CHROMIUM is None:
        if IN_CI:
            pytest.fail("Chromium is required in CI (install the chromium package)")
        pytest.skip("Chromium is not installed")
    data = tmp_path_factory.mktemp("confirm")
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "VOTE_DATA_DIR": str(data), "VOTE_BASE_URL": base}
    env.pop("VOTE_REDIS_URL", None)
    demo = subprocess.run([*VOTE, "demo"], env=env, capture_output=True, text=True, check=True)
    secret = re.search(r"TOTP secret:\s+([A-Z2-7]+)", demo.stdout)
    assert secret, demo.stdout
    spec = Path(data) / "draft.json"
    spec.write_text(json.dumps(DRAFT, ensure_ascii=False), encoding="utf-8")
    subprocess.run(
        [*VOTE, "ballot", "create", "--matter", "1", "--spec", str(spec)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    server = subprocess.Popen(
        [*VOTE, "serve", "--port", str(port)], env=env, stdout=subprocess.DEVNULL
    )
    try:
        for _ in range(300):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        yield base, secret.group(1)
    finally:
        server.terminate()
        server.wait(timeout=20)


def _log_in(page: Page, secret: str) -> None:
    page.goto("/chair/login")
    page.fill("#username", "chair")
    page.fill("#password", DEMO_PASSWORD)
    page.fill("#totp", pyotp.TOTP(secret).now())
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/chair/")


def _ballot_section(page: Page, title: str):  # type: ignore[no-untyped-def]
    return page.locator("section").filter(has=page.get_by_role("heading", name=title))


def test_open_close_and_a_new_code_each_ask_first(
    service: tuple[str, str], browser: Browser
) -> None:
    base, secret = service
    context = browser.new_context(
        base_url=base, locale="zh-CN", viewport={"width": 390, "height": 844}, bypass_csp=True
    )
    page = context.new_page()
    _log_in(page, secret)

    # Open: the page says who is eligible, how they vote and until when; going back opens nothing.
    _ballot_section(page, TITLE).get_by_role("button", name="开始投票…").click()
    page.wait_for_selector("h1:has-text('现在开始投票吗？')")
    text = page.locator("main").inner_text()
    assert TITLE in text
    assert "一户一票" in text
    assert "未设截止时间" in text
    assert "投票一旦开始，表决问题和规则就不能再修改。" in text
    assert re.search(r"\d+ 户，共 \d+ 位居民", text), text
    assert_accessible(page)
    page.get_by_role("link", name="返回，不开始投票").click()
    page.wait_for_url("**/chair/")
    assert _ballot_section(page, TITLE).get_by_role("button", name="开始投票…").count() == 1

    _ballot_section(page, TITLE).get_by_role("button", name="开始投票…").click()
    page.get_by_role("button", name="确认开始投票").click()
    page.wait_for_selector("text=投票已开始。")
    section = _ballot_section(page, TITLE)
    assert section.get_by_role("button", name="截止投票…").count() == 1
    # Cancelling sits apart from closing, in its own area below.
    assert section.locator(".actions").get_by_role("button", name="取消表决…").count() == 0
    assert section.locator(".danger-zone").get_by_role("button", name="取消表决…").count() == 1

    # Close: the turnout now, and that residents can no longer vote.
    section.get_by_role("button", name="截止投票…").click()
    page.wait_for_selector("h1:has-text('现在截止投票吗？')")
    text = page.locator("main").inner_text()
    assert "截止后居民将不能再投票。" in text
    assert re.search(r"\d+ 户中已有 0 户投票", text), text
    assert_accessible(page)
    page.get_by_role("button", name="确认截止投票").click()
    page.wait_for_selector("text=投票已截止，计票完成。")

    # A lost invitation: the page names the resident and says their code stops working.
    page.goto("/chair/ballots/2/electors")
    row = page.locator("tbody tr").filter(has=page.get_by_role("button", name="补发新码…")).first
    name = row.locator("td").nth(1).inner_text()
    row.get_by_role("button", name="补发新码…").click()
    page.wait_for_selector("h1:has-text('补发这份投票邀请吗？')")
    text = page.locator("main").inner_text()
    assert name in text
    assert "这位居民手中的投票码将立即失效。" in text
    assert_accessible(page)
    page.get_by_role("button", name="更换投票码并打印").click()
    page.wait_for_selector(".code")
    assert page.locator("svg").count() >= 1
    context.close()
