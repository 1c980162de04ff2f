"""A meeting in a real browser (headless Chromium, zh-CN): the chair opens the projector page,
the QR code is decoded from a screenshot, a phone opens the decoded address, types a voting
code and checks in ("…，签到成功"), and the projector's count goes up without a reload. A second
phone that opened its invitation link first checks in with the saved code in one tap and goes
on to vote; the 6 digits typed at ``/m``, "不是我" on a shared phone, and an old code's refusal.
axe-core finds nothing serious or critical on any page on the way.

The service runs for real (``vote demo``, ``vote serve``); the meeting and its in-person ballot
are set up through the chairs' API as a script would.
"""

from __future__ import annotations

import io
import time
from datetime import UTC, datetime
from typing import Any

import httpx
import pyotp
import zxingcpp
from PIL import Image
from playwright.sync_api import Browser, Page

from tests.browser.axe import assert_accessible
from tests.browser.test_console import Service, browser, new_context, service
from vote.demo import DEMO_PASSWORD

__all__ = ["browser", "service"]  # the shared fixtures

YESNO = {
    "title": "现场表决：是否同意加装电梯",
    "questions": [
        {
            "id": "lift",
            "kind": "yesno",
            "prompt": "是否同意加装电梯？",
            "options": [
                {"id": "yes", "label": "yes"},
                {"id": "no", "label": "no"},
                {"id": "abstain", "label": "abstain"},
            ],
        }
    ],
}


def _token(service: Service) -> str:
    login = httpx.post(
        f"{service.base}/api/v1/auth/login",
        json={
            "username": "chair",
            "password": DEMO_PASSWORD,
            "totp": pyotp.TOTP(service.chair_secret).now(),
        },
    )
    assert login.status_code == 200, login.text
    return str(login.json()["token"])


def _api(service: Service, token: str) -> httpx.Client:
    return httpx.Client(base_url=service.base, headers={"Authorization": f"Bearer {token}"})


def _call(api: httpx.Client, method: str, path: str, **kwargs: Any) -> Any:
    response = api.request(method, path, **kwargs)
    assert response.status_code in (200, 201), (path, response.text)
    return response.json()


def set_up_meeting(service: Service, token: str) -> tuple[int, int, list[str]]:
    """A planned meeting with an open in-person ballot: (meeting, ballot, voting codes)."""
    with _api(service, token) as api:
        matter_id = _call(api, "GET", "/api/v1/ballots")[0]["matter_id"]
        meeting = _call(
            api,
            "POST",
            f"/api/v1/matters/{matter_id}/meetings",
            json={
                "title": "加装电梯听证会（浏览器测试）",
                "starts_at": datetime.now(UTC).isoformat(),
            },
        )
        ballot = _call(api, "POST", f"/api/v1/matters/{matter_id}/ballots", json=YESNO)
        ballot_id = ballot["ballot"]["id"]
        _call(
            api,
            "POST",
            f"/api/v1/meetings/{meeting['id']}/ballots",
            json={"ballot_id": ballot_id, "requires_checkin": True},
        )
        _call(api, "POST", f"/api/v1/ballots/{ballot_id}/open")
        invitations = _call(api, "POST", f"/api/v1/ballots/{ballot_id}/invitations")
    return meeting["id"], ballot_id, [i["credential"] for i in invitations]


def chair_log_in(page: Page, service: Service) -> None:
    """Log in with the next TOTP code (the API login above used this one)."""
    page.goto("/chair/login")
    page.get_by_label("用户名").fill("chair")
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    code = pyotp.TOTP(service.chair_secret).at(time.time() + 30)
    page.get_by_label("身份验证器", exact=False).fill(code)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/chair/")


def decode_qr(page: Page) -> str:
    image = Image.open(io.BytesIO(page.locator(".projector-qr").screenshot()))
    found = zxingcpp.read_barcodes(image)
    assert len(found) == 1, found
    return found[0].text


def test_a_resident_checks_in_from_the_projected_qr_code(
    service: Service, browser: Browser
) -> None:
    token = _token(service)
    meeting_id, ballot_id, codes = set_up_meeting(service, token)
    chair = browser.new_context(
        base_url=service.base,
        locale="zh-CN",
        viewport={"width": 1280, "height": 800},
        bypass_csp=True,
    )
    projector = chair.new_page()
    chair_log_in(projector, service)
    projector.goto(f"/chair/meetings/{meeting_id}/projector")
    # Put up before check-in opens: no code yet; it appears once the chair opens check-in.
    projector.wait_for_selector("text=签到尚未开始")
    assert_accessible(projector)
    with _api(service, token) as api:
        _call(api, "POST", f"/api/v1/meetings/{meeting_id}/start-checkin")
    projector.wait_for_selector(".projector-qr svg", timeout=20_000)
    panel = f'[data-quorum-stream="/chair/meetings/{meeting_id}/quorum/stream"]'
    projector.wait_for_selector(f'{panel}[data-connection="live"]')
    assert_accessible(projector)
    assert projector.locator(f'{panel} [data-field="checked_in"]').inner_text() == "0"
    assert "秒后更换签到码" in projector.locator('[data-field="countdown"]').inner_text()

    url = decode_qr(projector)
    shown = projector.locator('[data-field="code"]').inner_text().replace(" ", "")
    assert url.startswith(f"{service.base}/m/{meeting_id}?k=")
    assert url.endswith(shown) or url.split("k=")[1] != shown  # unless it changed just then

    phone = new_context(browser, service)
    first = phone.new_page()
    first.goto(url)
    assert_accessible(first)
    first.locator("#credential").fill(codes[0])
    first.get_by_role("button", name="签到", exact=True).click()
    first.wait_for_selector("text=签到成功")
    assert "北京时间" in first.locator("main").inner_text()
    assert_accessible(first)

    projector.wait_for_selector(f'{panel}[data-checked-in="1"]')
    assert projector.locator(f'{panel} [data-field="checked_in"]').inner_text() == "1"

    # A second phone opened its invitation link before the meeting: the code is kept.
    other = new_context(browser, service)
    second = other.new_page()
    second.goto(f"/v/{ballot_id}#{codes[1]}")
    second.wait_for_selector("text=请先签到")
    assert_accessible(second)
    second.goto(decode_qr(projector))
    second.wait_for_selector("#saved-code:not([hidden])")
    assert "尾号 " + codes[1].replace("-", "")[-5:] in second.locator("#saved-code").inner_text()
    assert_accessible(second)
    second.get_by_role("button", name="用已保存的表决码签到").click()
    second.wait_for_selector("text=签到成功")
    projector.wait_for_selector(f'{panel}[data-checked-in="2"]')
    second.get_by_role("link", name="现在投票", exact=False).click()
    second.wait_for_selector("#vote-form")
    assert second.locator("text=请先签到").is_visible() is False
    assert_accessible(second)

    # Typing the 6 digits instead of scanning, and "not me" on a shared phone.
    third = other.new_page()
    third.goto("/m")
    assert_accessible(third)
    digits = projector.locator('[data-field="code"]').inner_text().replace(" ", "")
    third.get_by_label("会场签到码（6 位数字）").fill(digits)
    third.get_by_role("button", name="下一步").click()
    third.wait_for_selector("#saved-code:not([hidden])")
    third.get_by_role("button", name="不是我：输入其他表决码").click()
    assert third.locator("#credential").is_visible()
    assert third.evaluate(f"window.localStorage.getItem('invitation:{ballot_id}')") is None

    # An old photo of the screen: the refusal says to scan again, with a box for the digits.
    third.goto(f"/m/{meeting_id}?k={'000000' if digits != '000000' else '111111'}")
    third.wait_for_selector("text=扫描")
    assert third.locator("#venue-code").is_visible()
    assert_accessible(third)
    for context in (chair, phone, other):
        context.close()
