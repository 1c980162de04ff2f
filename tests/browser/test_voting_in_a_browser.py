"""A resident votes in a real browser (headless Chromium): the invitation link's code is taken
from the ``#`` fragment by the page's script, the vote is cast, and the receipt's check page
verifies the board proof on the "phone" itself.

The service runs for real (``vote demo`` then ``vote serve`` in a subprocess). Chromium comes from
the system (Debian's ``chromium`` package; ``.ci/run`` installs it): off CI a missing browser skips
these tests, with ``CI=true`` it fails them.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
IN_CI = os.environ.get("CI", "").lower() == "true"
VOTE = [sys.executable, "-c", "from vote.cli import main; main()"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """A demo service on a free port; yields (base URL, the demo's printed text)."""
    if CHROMIUM is None:
        if IN_CI:
            pytest.fail("Chromium is required in CI (install the chromium package)")
        pytest.skip("Chromium is not installed")
    data = tmp_path_factory.mktemp("browser")
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "VOTE_DATA_DIR": str(data), "VOTE_BASE_URL": base}
    demo = subprocess.run([*VOTE, "demo"], env=env, capture_output=True, text=True, check=True)
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
        yield base, demo.stdout
    finally:
        server.terminate()
        server.wait(timeout=20)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    from playwright.sync_api import sync_playwright

    if CHROMIUM is None:
        if IN_CI:
            pytest.fail("Chromium is required in CI (install the chromium package)")
        pytest.skip("Chromium is not installed")
    assert CHROMIUM is not None
    with sync_playwright() as driver:
        launched = driver.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield launched
        launched.close()


def _invitation(demo_output: str, ballot: int) -> str:
    found = re.findall(rf"(http://\S+/v/{ballot}#[0-9-]+)", demo_output)
    assert found, demo_output
    return found[0]


def test_a_resident_votes_from_the_invitation_link_and_checks_the_receipt(
    service: tuple[str, str], browser: Browser
) -> None:
    _, demo_output = service
    link = _invitation(demo_output, 2)  # the appraisal-firm selection, one vote per household
    page = browser.new_page(locale="zh-CN", viewport={"width": 390, "height": 844})
    page.goto(link)
    assert page.locator("#credential-box").is_hidden()  # the script took the code from the link
    assert "#" not in page.url  # and removed it from the address bar
    page.get_by_label("上海城达资产评估有限公司").check()
    page.get_by_role("button", name="提交我的投票").click()
    page.wait_for_selector(".tracker")
    assert "您的投票已收到" in page.content()
    tracker = page.locator(".tracker").inner_text().strip()
    assert page.locator(".receipt-qr svg").count() == 1
    page.get_by_role("link", name="查询我的投票").click()
    page.wait_for_selector("#proof-check:not([hidden])")
    assert "您的手机已自行核验证明" in page.locator("#proof-check").inner_text()
    assert tracker in page.url

    # Opening the same invitation again shows that this household has voted already.
    again = browser.new_page(locale="zh-CN")
    again.goto(link)
    again.wait_for_selector("#voter-status:not([hidden])")
    assert "已经投过票" in again.locator("#voter-status").inner_text()


def test_the_voting_page_speaks_english_when_asked(
    service: tuple[str, str], browser: Browser
) -> None:
    base, _ = service
    page = browser.new_page(locale="en-US")
    page.goto(f"{base}/lang/en?next=/v/1")
    assert page.get_by_role("button", name="Submit my vote").count() == 1
    assert page.locator("html").get_attribute("lang") == "en"
