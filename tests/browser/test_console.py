"""The chair's console in a real browser (headless Chromium, zh-CN): a chair logs in, every
console page passes axe-core with no serious or critical violation, a unit is added, a matter
recorded and noted, a token created and revoked; a chair manager (choosing their own password
at the first login) adds a chair whose TOTP QR is decoded from a screenshot, with recovery codes
beside it, and logs that chair in (choosing theirs too); the audit log, filtered, shows it all.

The service runs for real (``vote demo``, ``vote chair add`` for the manager, ``vote serve``).
"""

from __future__ import annotations

import io
import os
import re
import socket
import subprocess
import time
from collections.abc import Iterator
from urllib.parse import parse_qs, urlparse

import pyotp
import pytest
import zxingcpp
from PIL import Image
from playwright.sync_api import Browser, BrowserContext, Page

from tests.browser.axe import assert_accessible
from tests.browser.test_voting_in_a_browser import CHROMIUM, IN_CI, VOTE, _free_port

MANAGER_PASSWORD = "manager-password-2026"
MANAGER_OWN = "the-managers-own-2026"
NEW_PASSWORD = "new-clerk-password-1"
CLERK_OWN = "the-clerks-own-2026"
ADD_MANAGER = [
    *("chair", "add", "--username", "manager", "--role", "district_admin"),
    *("--unit", "ruijin2", "--password-stdin"),
]


class Service:
    """The running demo service: its address and the logins it printed."""

    def __init__(self, base: str, chair_secret: str, manager_secret: str) -> None:
        self.base = base
        self.chair_secret = chair_secret
        self.manager_secret = manager_secret


def _needs_chromium() -> None:
    if CHROMIUM is None:
        if IN_CI:
            pytest.fail("Chromium is required in CI (install the chromium package)")
        pytest.skip("Chromium is not installed")


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    _needs_chromium()
    data = tmp_path_factory.mktemp("console")
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "VOTE_DATA_DIR": str(data), "VOTE_BASE_URL": base}
    demo = subprocess.run([*VOTE, "demo"], env=env, capture_output=True, text=True, check=True)
    chair_secret = re.search(r"TOTP secret:\s+([A-Z2-7]+)", demo.stdout)
    assert chair_secret, demo.stdout
    added = subprocess.run(
        [*VOTE, *ADD_MANAGER],
        env=env,
        input=MANAGER_PASSWORD + "\n",
        capture_output=True,
        text=True,
        check=True,
    )
    manager_secret = re.search(r"TOTP secret: ([A-Z2-7]+)", added.stdout)
    assert manager_secret, added.stdout
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
        yield Service(base, chair_secret.group(1), manager_secret.group(1))
    finally:
        server.terminate()
        server.wait(timeout=20)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    from playwright.sync_api import sync_playwright

    _needs_chromium()
    assert CHROMIUM is not None
    with sync_playwright() as driver:
        launched = driver.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield launched
        launched.close()


def new_context(browser: Browser, service: Service) -> BrowserContext:
    """A zh-CN phone-sized context that lets axe be injected despite the CSP."""
    return browser.new_context(
        base_url=service.base,
        locale="zh-CN",
        viewport={"width": 390, "height": 844},
        bypass_csp=True,
    )


def log_in(
    page: Page,
    username: str,
    password: str,
    secret: str,
    *,
    own_password: str | None = None,
    ahead: int = 0,
) -> None:
    """Log in on the login page; with ``own_password``, the chair (whose password someone else
    chose) is first taken to choose their own, and does. ``ahead`` steps the TOTP code on, for
    a second log-in within one 30-second step (the server refuses a replayed code)."""
    page.goto("/chair/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    code = pyotp.TOTP(secret).at(time.time() + 30 * ahead)
    page.get_by_label("身份验证器", exact=False).fill(code)
    page.get_by_role("button", name="登录").click()
    if own_password is not None:
        page.wait_for_url("**/chair/account/password")
        choose_own_password(page, own_password)
        page.goto("/chair/")
    page.wait_for_url("**/chair/")


def choose_own_password(page: Page, own_password: str) -> None:
    """On the page that asks for one's own password: type it twice and use it."""
    assert_accessible(page)
    page.get_by_label("新密码", exact=True).fill(own_password)
    page.get_by_label("再输入一次密码").fill(own_password)
    page.get_by_role("button", name="使用这个密码").click()
    page.wait_for_selector("text=您自己的密码已设置好")


def visit(page: Page, path: str) -> None:
    response = page.goto(path)
    assert response is not None and response.status == 200, path
    assert_accessible(page)


def decode_qr(page: Page) -> str:
    """Decode the one QR code in a screenshot of the page."""
    image = Image.open(io.BytesIO(page.screenshot(full_page=True)))
    found = zxingcpp.read_barcodes(image)
    assert len(found) == 1, found
    return found[0].text


def test_a_chair_runs_the_console_and_axe_finds_nothing_serious(
    service: Service, browser: Browser
) -> None:
    context = new_context(browser, service)
    page = context.new_page()
    log_in(page, "chair", "demo-chair-2026", service.chair_secret)
    assert_accessible(page)  # the dashboard, in the console layout
    nav = page.get_by_role("navigation", name="工作台")
    for name in ("表决", "单位", "事项", "工作人员", "API 令牌", "操作日志"):
        box = nav.get_by_role("link", name=name, exact=True).bounding_box()
        assert box is not None and box["height"] >= 44, name

    # Units: the tree, then a new residential area under the street.
    visit(page, "/chair/units")
    page.get_by_role("link", name="在下面添加单位 瑞金二路街道").click()
    assert_accessible(page)
    page.get_by_role("button", name="添加这个单位").click()  # empty: errors beside the fields
    assert page.locator("#name-error").is_visible()
    assert_accessible(page)
    page.get_by_label("名称").fill("瑞金三居民区")
    page.get_by_label("简码").fill("ruijin3")
    page.get_by_role("button", name="添加这个单位").click()
    assert "已保存：瑞金三居民区" in page.content()
    page.get_by_role("link", name="改名 瑞金三居民区").click()
    assert_accessible(page)

    # Matters: record one, add a note, see the timeline in Beijing time.
    visit(page, "/chair/matters")
    page.get_by_role("link", name="新建事项").click()
    assert_accessible(page)
    page.get_by_label("单位").select_option(label="\u3000瑞金三居民区 (居民区)")
    page.get_by_label("类型").select_option("hearing")
    page.get_by_label("标题").fill("瑞金三居民区加装电梯听证会")
    page.get_by_label("说明（可不填）").fill("三号楼居民提出加装电梯。")
    page.get_by_role("button", name="立项").click()
    assert "事项已立项" in page.content()
    page.get_by_label("记录", exact=True).fill("到会居民 23 人，同意 19 人。")
    page.get_by_role("button", name="添加这条记录").click()
    assert "到会居民 23 人" in page.locator("ol.timeline").inner_text()
    assert "北京时间" in page.locator("ol.timeline").inner_text()
    assert_accessible(page)

    # The ballot builder: a hearing question from its template, who is eligible counted first.
    page.get_by_role("link", name="在这个事项上新建表决").click()
    assert_accessible(page)
    page.get_by_label("表决类型").select_option("hearing")
    page.get_by_label("标题", exact=True).fill("三号楼加装电梯意见征询")
    page.get_by_label("表决问题（评议不需要填写）").fill("是否同意三号楼加装电梯？")
    page.get_by_role("button", name="统计符合条件的人数").click()
    assert "目前符合条件" in page.content()
    assert_accessible(page)
    page.get_by_role("button", name="建立表决草稿").click()
    assert "已建为草稿" in page.content()
    assert "三号楼加装电梯意见征询" in page.content()

    # Chairs (read-only for a street chair), the audit log.
    visit(page, "/chair/chairs")
    visit(page, "/chair/audit")

    # Tokens: create one (shown once), then revoke it.
    visit(page, "/chair/tokens")
    page.get_by_label("用途").fill("夜间导入")
    page.get_by_label("有效天数").fill("30")
    page.get_by_role("button", name="创建令牌").click()
    assert page.locator("#new-token").inner_text().startswith("vt_")
    assert_accessible(page)
    page.get_by_role("button", name="吊销 夜间导入").click()
    assert "已吊销" in page.content()

    # A page outside the chair's units is a plain refusal.
    refused = page.goto("/chair/units/1/rename")
    assert refused is not None and refused.status == 403
    assert "您只能在本单位及下属单位范围内操作" in page.content()
    assert_accessible(page)
    context.close()


def test_a_manager_adds_a_chair_who_enrols_by_scanning_the_qr(
    service: Service, browser: Browser
) -> None:
    context = new_context(browser, service)
    page = context.new_page()
    log_in(page, "manager", MANAGER_PASSWORD, service.manager_secret, own_password=MANAGER_OWN)
    visit(page, "/chair/chairs")
    page.get_by_role("link", name="添加工作人员").click()
    assert_accessible(page)
    page.get_by_label("用户名").fill("sinan-clerk")
    page.get_by_label("姓名（可不填）").fill("思南居民区 干事")
    page.get_by_label("单位").select_option(label="\u3000思南居民区 (居民区)")
    page.get_by_label("角色").select_option("area_chair")
    page.get_by_label("密码", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("再输入一次密码").fill(NEW_PASSWORD)
    page.get_by_role("button", name="添加这位工作人员").click()
    page.wait_for_selector("#enrol-qr svg")
    assert_accessible(page)
    uri = decode_qr(page)
    assert uri.startswith("otpauth://totp/")
    secret = parse_qs(urlparse(uri).query)["secret"][0]
    assert page.locator("#totp-secret").inner_text().replace(" ", "") == secret
    assert page.locator("#recovery-codes li").count() == 10
    page.get_by_role("link", name="返回该工作人员").click()
    assert_accessible(page)

    clerk = new_context(browser, service)
    clerk_page = clerk.new_page()
    log_in(clerk_page, "sinan-clerk", NEW_PASSWORD, secret, own_password=CLERK_OWN)
    assert "sinan-clerk" in clerk_page.get_by_role("navigation", name="工作台").inner_text()
    clerk.close()

    # The audit log, filtered by action and by chair, shows what was done.
    visit(page, "/chair/audit")
    page.get_by_label("操作", exact=True).select_option("chair.create")
    page.get_by_role("button", name="显示").click()
    assert "sinan-clerk" in page.locator("#audit-entries").inner_text()
    assert_accessible(page)
    actions = {}
    for action in ("unit.create", "matter.create", "matter.note", "token.create", "token.revoke"):
        page.goto(f"/chair/audit?action={action}")
        actions[action] = page.locator("#audit-entries tbody tr").count()
    assert all(count >= 1 for count in actions.values()), actions
    page.get_by_label("工作人员", exact=True).select_option(label="chair")
    page.get_by_label("操作", exact=True).select_option("")
    page.get_by_role("button", name="显示").click()
    text = page.locator("#audit-entries").inner_text()
    assert "unit.create" in text and "token.revoke" in text and "chair.create" not in text
    context.close()
