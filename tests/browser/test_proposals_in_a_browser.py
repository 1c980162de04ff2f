"""The 急难愁 collection in a real browser: a resident on a phone sends a proposal with the voting
code of their invitation; the chair, in the console, merges a duplicate, costs and shortlists
two proposals and generates the practical-projects budget ballot, which opens in the editor.
axe on every page.

The service runs for real (``vote demo``, a notice made through the services on its database,
``vote serve``).
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
from ballots.models import Ballot, Elector
from ballots.notices import opinions
from ballots.notices.notices import create_notice, publish_notice
from tests.browser.axe import assert_accessible
from tests.browser.test_console import browser, log_in  # noqa: F401 - the browser fixture
from tests.browser.test_voting_in_a_browser import CHROMIUM, IN_CI, VOTE, _free_port
from tests.vote.helpers import PRACTICAL_TITLE
from vote.demo import DEMO_PASSWORD
from vote.settings import Settings


@dataclass
class Collection:
    base: str
    chair_secret: str
    notice_id: int
    credential: str


async def _prepare(settings: Settings) -> tuple[int, str]:
    """A proposals notice on the practical-projects matter, one proposal already in, and a
    fresh voting code of a resident on that matter's ballot."""
    engine = create_engine(settings.database_url)
    try:
        async with create_sessionmaker(engine)() as session:
            ballot = await session.scalar(select(Ballot).where(Ballot.title == PRACTICAL_TITLE))
            assert ballot is not None
            now = datetime.now(UTC)
            notice = await create_notice(
                session,
                operator(),
                matter_id=ballot.matter_id,
                title="2027年急难愁问题征集",
                starts_at=now - timedelta(days=1),
                ends_at=now + timedelta(days=14),
                collects="proposals",
            )
            await publish_notice(session, operator(), notice.id)
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
            await opinions.submit(
                session,
                settings.secret_key(),
                notice.id,
                title="非机动车棚",
                text="电瓶车乱停，需要车棚和充电桩",
                credential=invitation.credential,
            )
            await session.commit()
            return notice.id, invitation.credential
    finally:
        await dispose(engine)


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Collection]:
    if CHROMIUM is None:
        if IN_CI:
            pytest.fail("Chromium is required in CI (install the chromium package)")
        pytest.skip("Chromium is not installed")
    data = tmp_path_factory.mktemp("proposals")
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "VOTE_DATA_DIR": str(data), "VOTE_BASE_URL": base}
    demo = subprocess.run([*VOTE, "demo"], env=env, capture_output=True, text=True, check=True)
    chair_secret = re.search(r"TOTP secret:\s+([A-Z2-7]+)", demo.stdout)
    assert chair_secret, demo.stdout
    notice_id, credential = asyncio.run(_prepare(Settings.from_env(env)))
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
        yield Collection(base, chair_secret.group(1), notice_id, credential)
    finally:
        server.terminate()
        server.wait(timeout=20)


def test_a_resident_proposes_and_the_chair_makes_the_budget_ballot(
    service: Collection,
    browser: Browser,  # noqa: F811 - the fixture imported above
) -> None:
    phone = browser.new_context(
        base_url=service.base,
        locale="zh-CN",
        viewport={"width": 390, "height": 844},
        bypass_csp=True,
    )
    page = phone.new_page()
    page.goto(f"/notices/{service.notice_id}/opinions")
    expect(page.get_by_role("heading", name="提出问题或项目建议")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("简短标题").fill("电动车棚")
    page.get_by_label("是什么问题？应该怎么解决？").fill("楼下电动车太多，建议建车棚")
    page.get_by_role("button", name="提交建议").click()
    expect(page.locator(".field-error")).to_contain_text("投票码")  # the code is required
    assert_accessible(page)
    page.get_by_label("投票码（印在通知单上）").fill(service.credential)
    page.get_by_role("button", name="提交建议").click()
    expect(page.get_by_role("status")).to_contain_text("第2条")
    assert_accessible(page)
    page.goto(f"/notices/{service.notice_id}/report")
    expect(page.get_by_role("heading", name="听证报告")).to_be_visible()
    assert_accessible(page)
    phone.close()

    console = browser.new_context(base_url=service.base, locale="zh-CN", bypass_csp=True)
    chair = console.new_page()
    log_in(chair, "chair", DEMO_PASSWORD, service.chair_secret)
    chair.goto(f"/chair/notices/{service.notice_id}/opinions")
    assert_accessible(chair)
    chair.get_by_text("处理第2条").click()
    chair.get_by_label("第2条与哪一条重复").select_option(label="第1条 · 非机动车棚")
    chair.get_by_role("button", name="保存合并").click()
    expect(chair.get_by_role("status")).to_contain_text("第2条已合并")
    chair.get_by_role("button", name="生成实事项目投票").click()
    chair.get_by_label("预算上限（万元）").fill("8")
    chair.get_by_role("button", name="生成实事项目投票").click()
    expect(chair.get_by_role("alert")).to_contain_text("候选")
    assert_accessible(chair)
    chair.get_by_text("处理第1条").click()
    chair.get_by_label("第1条的估算金额（万元）").fill("6")
    chair.get_by_role("button", name="保存金额").first.click()
    expect(chair.get_by_role("status")).to_contain_text("第1条的估算金额已保存")
    chair.get_by_text("处理第1条").click()
    chair.get_by_role("button", name="把第1条列入候选").click()
    expect(chair.get_by_role("status")).to_contain_text("第1条已列入候选")
    # A second proposal from the committee's own collection round.
    _second(service)
    chair.reload()
    chair.get_by_text("处理第3条").click()
    chair.get_by_label("第3条的估算金额（万元）").fill("1.5")
    chair.locator("#opinion-3").get_by_role("button", name="保存金额").click()
    chair.get_by_text("处理第3条").click()
    chair.get_by_role("button", name="把第3条列入候选").click()
    expect(chair.get_by_role("status")).to_contain_text("第3条已列入候选")
    chair.get_by_label("预算上限（万元）").fill("8")
    chair.get_by_role("button", name="生成实事项目投票").click()
    chair.wait_for_url(re.compile(r".*/chair/ballots/\d+/edit$"))
    expect(chair.locator("body")).to_contain_text("非机动车棚")
    expect(chair.locator("body")).to_contain_text("健身点翻新")
    assert_accessible(chair)
    console.close()


def _second(service: Collection) -> None:
    """A second proposal by the same resident, sent through the API."""
    import httpx

    response = httpx.post(
        f"{service.base}/api/v1/notices/{service.notice_id}/opinions",
        json={"title": "健身点翻新", "text": "健身器材生锈", "credential": service.credential},
    )
    assert response.status_code == 201, response.text
