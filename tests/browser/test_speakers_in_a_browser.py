"""Signing up to speak in a real browser: a resident on a phone signs up for a hearing with the
voting code of their invitation and sees their place (never their name); the chair's console
shows them in the speakers' queue, named and marked as signed up by phone; the resident
withdraws from the same page. axe on every page.

The service runs for real (``vote demo``, a hearing planned through the services on its
database, ``vote serve``).
"""

from __future__ import annotations

import asyncio
import os
import re
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import Browser, expect
from sqlalchemy import select

from ballots.access import operator
from ballots.db import create_engine, create_sessionmaker, dispose
from ballots.invitations import reissue_credential
from ballots.meetings.meetings import create_meeting
from ballots.models import Ballot, Elector
from tests.browser.axe import assert_accessible
from tests.browser.test_console import browser, log_in  # noqa: F401 - the browser fixture
from tests.browser.test_voting_in_a_browser import CHROMIUM, IN_CI, VOTE, _free_port
from tests.vote.helpers import PRACTICAL_TITLE
from vote.demo import DEMO_PASSWORD
from vote.settings import Settings


@dataclass
class Hearing:
    base: str
    chair_secret: str
    meeting_id: int
    credential: str


async def _prepare(settings: Settings) -> tuple[int, str]:
    """A hearing in two hours on the practical-projects matter, and a fresh voting code of a
    resident on that matter's ballot."""
    engine = create_engine(settings.database_url)
    try:
        async with create_sessionmaker(engine)() as session:
            ballot = await session.scalar(select(Ballot).where(Ballot.title == PRACTICAL_TITLE))
            assert ballot is not None
            meeting = await create_meeting(
                session,
                operator(),
                matter_id=ballot.matter_id,
                title="2027年实事项目听证会",
                kind="hearing",
                starts_at=datetime.now(UTC) + timedelta(hours=2),
                venue="瑞金二路街道活动室",
            )
            await session.commit()
            resident_id = await session.scalar(
                select(Elector.resident_id).where(Elector.ballot_id == ballot.id).limit(1)
            )
            assert resident_id is not None
            invitation = await reissue_credential(
                session,
                operator(),
                settings.secret_key(),
                settings.base_url,
                ballot.id,
                resident_id,
            )
            await session.commit()
            return meeting.id, invitation.credential
    finally:
        await dispose(engine)


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hearing]:
    if CHROMIUM is None:
        if IN_CI:
            pytest.fail("Chromium is required in CI (install the chromium package)")
        pytest.skip("Chromium is not installed")
    data = tmp_path_factory.mktemp("speakers")
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "VOTE_DATA_DIR": str(data), "VOTE_BASE_URL": base}
    demo = subprocess.run([*VOTE, "demo"], env=env, capture_output=True, text=True, check=True)
    chair_secret = re.search(r"TOTP secret:\s+([A-Z2-7]+)", demo.stdout)
    assert chair_secret, demo.stdout
    meeting_id, credential = asyncio.run(_prepare(Settings.from_env(env)))
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
        yield Hearing(base, chair_secret.group(1), meeting_id, credential)
    finally:
        server.terminate()
        server.wait(timeout=20)


def test_a_resident_signs_up_on_a_phone_and_the_chair_sees_them(
    service: Hearing,
    browser: Browser,  # noqa: F811 - the fixture imported above
) -> None:
    phone = browser.new_context(
        base_url=service.base,
        locale="zh-CN",
        viewport={"width": 390, "height": 844},
        bypass_csp=True,
    )
    page = phone.new_page()
    page.goto(f"/meetings/{service.meeting_id}/speakers")
    expect(page.get_by_role("heading", name="2027年实事项目听证会")).to_be_visible()
    expect(page.locator("body")).to_contain_text("目前没有人排队发言。")
    assert_accessible(page)
    page.get_by_label("您想就什么发言？").fill("健身点翻新")
    page.get_by_label("主持人怎么称呼您？（可不填）").fill("5号楼老陈")
    page.get_by_role("button", name="报名发言").click()
    expect(page.locator("#credential-error")).to_contain_text("投票码")  # the code is required
    assert_accessible(page)
    page.locator("#credential").fill(service.credential)
    page.get_by_role("button", name="报名发言").click()
    expect(page.locator("#signed")).to_contain_text("第1位")
    expect(page.locator("#queue")).to_contain_text("健身点翻新")
    expect(page.locator("body")).not_to_contain_text("老陈")  # never a name on the public page
    assert_accessible(page)

    console = browser.new_context(base_url=service.base, locale="zh-CN", bypass_csp=True)
    chair = console.new_page()
    log_in(chair, "chair", DEMO_PASSWORD, service.chair_secret)
    chair.goto(f"/chair/meetings/{service.meeting_id}")
    queue = chair.locator("#speakers")
    expect(queue).to_contain_text("5号楼老陈")
    expect(queue).to_contain_text("健身点翻新")
    expect(queue).to_contain_text("手机报名")
    assert_accessible(chair)

    page.locator("#withdraw-mine").get_by_role("button", name="撤回我的发言报名").click()
    expect(page.locator("#withdrawn")).to_contain_text("已撤回")
    expect(page.locator("body")).to_contain_text("目前没有人排队发言。")
    assert_accessible(page)
    phone.close()

    chair.reload()
    expect(chair.locator("#speakers")).to_contain_text("撤回")
    console.close()
