"""Check-in at the door in a real browser: Chromium's fake camera plays a video of a resident's
invitation QR (made with ``qrcode``, written as a Y4M file with Pillow), the page decodes it with
the vendored jsQR and checks the resident in; the same code left in view is not sent again.
Then a typed code, sent while the camera keeps scanning, and a resident found by name and
checked in by hand; the same two with JavaScript off, as plain forms; axe on every state.

The service runs for real (``vote demo``, a meeting made through the services on its database,
``vote serve``) on http://127.0.0.1, which browsers count as a secure context for the camera.
"""

from __future__ import annotations

import asyncio
import os
import re
import socket
import subprocess
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import qrcode
from PIL import Image
from playwright.sync_api import Browser, Page, expect

from ballots.db import create_engine, create_sessionmaker, dispose
from ballots.models import Attendance
from tests.browser.axe import assert_accessible
from tests.browser.test_console import log_in
from tests.browser.test_voting_in_a_browser import CHROMIUM, IN_CI, VOTE, _free_port
from tests.vote.helpers import Db
from tests.vote.meeting_door import DoorMeeting, make_door_meeting
from vote.demo import DEMO_PASSWORD
from vote.settings import Settings

WIDTH, HEIGHT = 640, 480


@dataclass
class DoorService:
    base: str
    chair_secret: str
    database_url: str
    door: DoorMeeting


def _needs_chromium() -> None:
    if CHROMIUM is None:
        if IN_CI:
            pytest.fail("Chromium is required in CI (install the chromium package)")
        pytest.skip("Chromium is not installed")


async def _make_meeting(settings: Settings) -> DoorMeeting:
    engine = create_engine(settings.database_url)
    try:
        async with create_sessionmaker(engine)() as session:
            return await make_door_meeting(
                session, key=settings.secret_key(), base_url=settings.base_url
            )
    finally:
        await dispose(engine)


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DoorService]:
    _needs_chromium()
    data = tmp_path_factory.mktemp("door")
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "VOTE_DATA_DIR": str(data), "VOTE_BASE_URL": base}
    demo = subprocess.run([*VOTE, "demo"], env=env, capture_output=True, text=True, check=True)
    chair_secret = re.search(r"TOTP secret:\s+([A-Z2-7]+)", demo.stdout)
    assert chair_secret, demo.stdout
    settings = Settings.from_env(env)
    door = asyncio.run(_make_meeting(settings))
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
        yield DoorService(base, chair_secret.group(1), settings.database_url, door)
    finally:
        server.terminate()
        server.wait(timeout=20)


def write_y4m(path: Path, picture: Image.Image, frames: int = 10) -> None:
    """A short raw video (YUV4MPEG2, 4:2:0) that shows ``picture`` still, as Chromium's fake
    camera reads it (and loops it)."""
    ycc = picture.convert("RGB").resize((WIDTH, HEIGHT)).convert("YCbCr")
    luma, blue, red = ycc.split()
    half = (WIDTH // 2, HEIGHT // 2)
    planes = luma.tobytes() + blue.resize(half).tobytes() + red.resize(half).tobytes()
    with path.open("wb") as video:
        video.write(f"YUV4MPEG2 W{WIDTH} H{HEIGHT} F10:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(frames):
            video.write(b"FRAME\n" + planes)


def invitation_picture(url: str) -> Image.Image:
    """The invitation's QR code as the camera sees it: centred on white paper."""
    code = qrcode.make(url, box_size=8, border=4).convert("RGB")
    paper = Image.new("RGB", (WIDTH, HEIGHT), "white")
    paper.paste(code, ((WIDTH - code.width) // 2, (HEIGHT - code.height) // 2))
    return paper


@pytest.fixture(scope="module")
def camera_browser(
    service: DoorService, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Browser]:
    """Chromium whose camera shows the first resident's invitation QR."""
    from playwright.sync_api import sync_playwright

    assert CHROMIUM is not None
    video = tmp_path_factory.mktemp("camera") / "invitation.y4m"
    write_y4m(video, invitation_picture(service.door.invitations[0].url))
    with sync_playwright() as driver:
        launched = driver.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--use-fake-ui-for-media-stream",
                "--use-fake-device-for-media-stream",
                f"--use-file-for-fake-video-capture={video}",
            ],
        )
        yield launched
        launched.close()


def attendance(service: DoorService) -> list[tuple[int, str]]:
    async def work(session) -> list[tuple[int, str]]:  # type: ignore[no-untyped-def]
        from sqlalchemy import select

        rows = await session.execute(
            select(Attendance.resident_id, Attendance.method)
            .where(Attendance.meeting_id == service.door.meeting_id)
            .order_by(Attendance.at)
        )
        return [(r, m) for r, m in rows.all()]

    # Playwright's sync API runs an event loop in this thread: read from another one.
    with ThreadPoolExecutor(1) as pool:
        found: list[tuple[int, str]] = pool.submit(
            asyncio.run, Db(service.database_url).run(work)
        ).result()
    return found


@pytest.fixture(scope="module")
def logged_in(service: DoorService, camera_browser: Browser) -> Any:
    """The chair's login session, once (a TOTP code is accepted only once)."""
    context = camera_browser.new_context(base_url=service.base, locale="zh-CN")
    log_in(context.new_page(), "chair", DEMO_PASSWORD, service.chair_secret)
    state = context.storage_state()
    context.close()
    return state


def door_page(browser: Browser, service: DoorService, state: Any, *, scripts: bool = True) -> Page:
    """The door page on a phone-sized zh-CN screen, logged in, the camera allowed."""
    context = browser.new_context(
        java_script_enabled=scripts,
        base_url=service.base,
        locale="zh-CN",
        viewport={"width": 390, "height": 844},
        bypass_csp=True,  # for axe
        storage_state=state,
    )
    context.grant_permissions(["camera"], origin=service.base)
    page = context.new_page()
    page.goto(f"/chair/meetings/{service.door.meeting_id}/door")
    return page


def test_a_scanned_invitation_checks_the_resident_in_once(
    service: DoorService, camera_browser: Browser, logged_in: Any
) -> None:
    first = service.door.invitations[0]
    page = door_page(camera_browser, service, logged_in)
    expect(page.get_by_role("heading", name="门口签到")).to_be_visible()
    assert_accessible(page)
    start = page.get_by_role("button", name="打开摄像头扫码")
    box = start.bounding_box()
    assert box is not None and box["height"] >= 56  # a big thumb target
    start.click()
    result = page.locator(".door-result.ok")
    expect(result).to_have_text(f"{first.name} 签到成功", timeout=20_000)
    expect(page.locator("#door-count")).to_have_text("已签到：1 人")
    assert_accessible(page)
    # The code stays in front of the camera: it is not sent again (no "already checked in").
    page.wait_for_timeout(2500)
    expect(page.locator(".door-result.refused")).to_have_count(0)
    assert attendance(service) == [(first.resident_id, "scan")]
    page.get_by_role("button", name="关闭摄像头").click()
    expect(page.get_by_role("button", name="打开摄像头扫码")).to_be_visible()
    page.context.close()


def test_typing_a_code_and_checking_in_by_name(
    service: DoorService, camera_browser: Browser, logged_in: Any
) -> None:
    first, second, third = service.door.invitations[0:3]
    page = door_page(camera_browser, service, logged_in)
    page.get_by_role("button", name="打开摄像头扫码").click()  # scanning goes on meanwhile
    # The camera still shows the first invitation: its answer comes first (in again, or not).
    expect(page.locator(".door-result")).to_contain_text(first.name, timeout=20_000)
    code = page.get_by_role("textbox", name="邀请码")
    code.fill(second.credential.replace("-", " "))
    page.get_by_role("button", name="签到", exact=True).click()
    expect(page.locator(".door-result.ok")).to_have_text(f"{second.name} 签到成功")
    expect(code).to_have_value("")
    expect(page.get_by_role("button", name="关闭摄像头")).to_be_visible()  # still scanning
    assert_accessible(page)
    page.get_by_role("textbox", name="邀请码").fill(second.credential)
    page.get_by_role("button", name="签到", exact=True).click()
    refused = page.locator(".door-result.refused")
    expect(refused).to_contain_text(second.name)
    expect(refused).to_contain_text(re.compile(r"\d\d:\d\d"))
    expect(page.locator("#code-error")).to_be_visible()
    expect(code).to_have_attribute("aria-invalid", "true")
    assert_accessible(page)
    page.get_by_role("button", name="关闭摄像头").click()

    page.get_by_role("searchbox", name="姓名、楼号、门牌号或户号").fill(third.name)
    page.get_by_role("button", name="查找").click()
    assert_accessible(page)
    page.get_by_role("button", name=f"为{third.name}人工签到").first.click()
    expect(page.locator(".door-result.ok")).to_have_text(f"{third.name} 签到成功")
    expect(page.get_by_text(re.compile(r"\d\d:\d\d 已签到")).first).to_be_visible()
    assert_accessible(page)
    methods = dict(attendance(service))
    assert methods[second.resident_id] == "code" and methods[third.resident_id] == "hand"
    page.context.close()


def test_without_a_camera_the_page_says_what_to_do(
    service: DoorService, camera_browser: Browser, logged_in: Any
) -> None:
    page = door_page(camera_browser, service, logged_in)
    # As on plain http from another machine: no camera API at all.
    page.evaluate("() => { Object.defineProperty(navigator, 'mediaDevices', {value: undefined}) }")
    page.get_by_role("button", name="打开摄像头扫码").click()
    expect(page.locator("#scan-note")).to_contain_text("https")
    expect(page.locator("#scan-note")).to_contain_text("输入邀请码")
    assert_accessible(page)
    page.context.close()


def test_without_javascript_typing_and_finding_still_work(
    service: DoorService, camera_browser: Browser, logged_in: Any
) -> None:
    fourth, fifth = service.door.invitations[3:5]
    page = door_page(camera_browser, service, logged_in, scripts=False)
    expect(page.get_by_role("button", name="打开摄像头扫码")).to_be_hidden()
    page.get_by_role("textbox", name="邀请码").fill(fourth.credential)
    page.get_by_role("button", name="签到", exact=True).click()
    expect(page.locator(".door-result.ok")).to_have_text(f"{fourth.name} 签到成功")
    page.get_by_role("searchbox", name="姓名、楼号、门牌号或户号").fill(fifth.name)
    page.get_by_role("button", name="查找").click()
    page.get_by_role("button", name=f"为{fifth.name}人工签到").first.click()
    expect(page.locator(".door-result.ok")).to_have_text(f"{fifth.name} 签到成功")
    methods = dict(attendance(service))
    assert methods[fourth.resident_id] == "code" and methods[fifth.resident_id] == "hand"
    page.context.close()
