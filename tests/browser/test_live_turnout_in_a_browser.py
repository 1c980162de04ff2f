"""The chair's dashboard shows turnout live in a real browser (headless Chromium, zh-CN): a vote
cast elsewhere updates the panel's figures and its table by building without a reload."""

from __future__ import annotations

import os
import re
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pyotp
import pytest
from playwright.sync_api import Browser

from tests.browser.test_voting_in_a_browser import VOTE, _free_port, browser
from vote.demo import DEMO_PASSWORD

__all__ = ["browser"]  # the shared headless Chromium fixture

PROJECTS = {"projects": ["p2", "p3"]}


@pytest.fixture
def live_service(tmp_path: Path, browser: Browser) -> Iterator[tuple[str, str, list[str]]]:
    """A demo service; yields (base URL, the chair's TOTP secret, codes for ballot 1)."""
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "VOTE_DATA_DIR": str(tmp_path), "VOTE_BASE_URL": base}
    env.pop("VOTE_REDIS_URL", None)
    out = subprocess.run([*VOTE, "demo"], env=env, capture_output=True, text=True, check=True)
    secret = re.search(r"TOTP secret:\s+([A-Z2-7]+)", out.stdout)
    assert secret, out.stdout
    server = subprocess.Popen(
        [*VOTE, "serve", "--port", str(port)], env=env, stdout=subprocess.DEVNULL
    )
    try:
        for _ in range(600):
            try:
                httpx.get(f"{base}/")
                break
            except httpx.TransportError:
                time.sleep(0.1)
        yield base, secret.group(1), re.findall(r"/v/1#([0-9-]+)", out.stdout)
    finally:
        server.terminate()
        server.wait(timeout=60)


def test_the_dashboard_panel_updates_without_a_reload(
    live_service: tuple[str, str, list[str]], browser: Browser
) -> None:
    base, secret, codes = live_service
    page = browser.new_page(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page.goto(f"{base}/chair/login")
    page.fill("#username", "chair")
    page.fill("#password", DEMO_PASSWORD)
    page.fill("#totp", pyotp.TOTP(secret).now())
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{base}/chair/")

    panel = page.locator('[data-turnout-stream="/chair/ballots/1/turnout/stream"]')
    page.wait_for_selector('[data-turnout-stream="/chair/ballots/1/turnout/stream"][data-voted]')
    assert panel.locator('[data-field="status"]').inner_text() == "实时更新中"
    before = int(panel.get_attribute("data-voted") or "0")
    assert panel.locator(".turnout-buildings tbody tr").count() > 0  # filled in by the script
    page.evaluate("window.sameDocument = true")

    response = httpx.post(
        f"{base}/api/v1/ballots/1/casts", json={"credential": codes[0], "answers": PROJECTS}
    )
    assert response.status_code == 201, response.text

    page.wait_for_selector(
        f'[data-turnout-stream="/chair/ballots/1/turnout/stream"][data-voted="{before + 1}"]'
    )
    assert panel.locator('[data-field="voted"]').inner_text() == str(before + 1)
    voted_by_building = sum(
        int(row.locator("td").nth(2).inner_text())
        for row in panel.locator(".turnout-buildings tbody tr").all()
    )
    assert voted_by_building == before + 1
    assert page.evaluate("window.sameDocument") is True  # no reload happened
    page.close()  # the stream ends with the page, so the service stops at once
