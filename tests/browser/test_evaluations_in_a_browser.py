"""Evaluations (评议会) in the browser (headless Chromium, zh-CN): a chair registers two subjects
and drafts the evaluation ballot for both on the console; residents vote (through the real
casting service against the running service's database), the ballot is closed and published;
on a phone the public evaluation page shows each subject's rates — equal to a count done here —
and the chart; the chair sees the poorly rated subject flagged and adds a rectification item,
which the public subject page then shows. axe-core finds nothing serious or critical on any page.

The service runs for real (``vote demo``, ``vote serve``), as the console test's does.
"""

from __future__ import annotations

import asyncio
import os
import re
import socket
import subprocess
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from tests.browser.axe import assert_accessible
from tests.browser.test_console import (
    Service,
    _needs_chromium,
    browser,
    log_in,
    new_context,
    visit,
)
from tests.browser.test_voting_in_a_browser import VOTE, _free_port

__all__ = ["browser"]

GOOD, POOR = "社区服务中心", "3号楼外墙修缮工程"
# Each voter rates both subjects: the service centre does well, the roof project poorly.
VOTES = [("good", "poor"), ("good", "poor"), ("fair", "poor"), ("good", "fair"), ("poor", "good")]


@dataclass
class Running:
    base: str
    chair_secret: str
    data: Path


@pytest.fixture(scope="module")
def running(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    _needs_chromium()
    data = tmp_path_factory.mktemp("evaluations")
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "VOTE_DATA_DIR": str(data), "VOTE_BASE_URL": base}
    demo = subprocess.run([*VOTE, "demo"], env=env, capture_output=True, text=True, check=True)
    secret = re.search(r"TOTP secret:\s+([A-Z2-7]+)", demo.stdout)
    assert secret, demo.stdout
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
        yield Running(base, secret.group(1), data)
    finally:
        server.terminate()
        server.wait(timeout=20)


async def _vote_close_publish(data: Path, base: str, ballot_id: int) -> None:
    """Open the drafted ballot, let five residents vote, close and publish, as the services do
    it for the console's buttons (the voting pages have their own browser tests)."""
    from ballots import invitations, lifecycle
    from ballots.access import operator
    from ballots.casting import cast_ballot
    from ballots.db import create_engine, create_sessionmaker, dispose
    from vote.settings import Settings, signer

    settings = Settings.from_env({"VOTE_DATA_DIR": str(data), "VOTE_BASE_URL": base})
    engine = create_engine(settings.database_url)
    op, key, sign = operator("evaluation test"), settings.secret_key(), signer(settings)
    try:
        async with create_sessionmaker(engine)() as session:
            ballot = await lifecycle.get_ballot(session, ballot_id)
            ids = [q.id for q in lifecycle.ballot_spec(ballot).questions]
            await lifecycle.open_ballot(session, op, ballot_id, sign)
            issued = await invitations.issue_invitations(session, op, key, base, ballot_id)
            await session.commit()
            for invitation, (first, second) in zip(issued, VOTES, strict=False):
                answers = {ids[0]: [first], ids[1]: [second]}
                await cast_ballot(session, key, ballot_id, invitation.credential, answers)
            await lifecycle.close_ballot(session, op, ballot_id, sign)
            await lifecycle.publish_ballot(session, op, ballot_id)
            await session.commit()
    finally:
        await dispose(engine)


def _add_subject(page: Page, name: str, kind: str) -> None:
    page.goto("/chair/evaluations")
    page.get_by_label("单位", exact=True).select_option(label="瑞金一居民区")
    page.get_by_label("类型", exact=True).select_option(label=kind)
    page.get_by_label("名称", exact=True).fill(name)
    page.get_by_role("button", name="添加评议对象").click()
    page.wait_for_url("**/chair/evaluations/subjects/*")
    assert page.get_by_role("heading", name=name).is_visible()
    assert_accessible(page)


def _percent(part: int, whole: int) -> str:
    return f"{part / whole * 100:.1f}%"


def test_a_chair_runs_an_evaluation_and_residents_read_the_rates(
    running: Running, browser: Browser
) -> None:
    context = browser.new_context(
        base_url=running.base,
        locale="zh-CN",
        viewport={"width": 1280, "height": 900},
        bypass_csp=True,
    )
    chair = context.new_page()
    log_in(chair, "chair", "demo-chair-2026", running.chair_secret)
    chair.get_by_role("link", name="评议", exact=True).click()
    chair.wait_for_url("**/chair/evaluations")
    assert (
        chair.get_by_role("table").get_by_role("link", name="物业公司").is_visible()
    )  # the demo's
    assert_accessible(chair)
    _add_subject(chair, GOOD, "服务机构")
    _add_subject(chair, POOR, "实事项目")
    chair.goto("/chair/evaluations")
    chair.get_by_label("评议事项").select_option(label="平改坡工程与物业服务评议")
    chair.get_by_label("表决标题").fill("2026年第二次服务评议")
    chair.get_by_label(GOOD).check()
    chair.get_by_label(POOR).check()
    chair.get_by_role("button", name="起草表决").click()
    chair.wait_for_url("**/chair/ballots/*/edit")
    found = re.search(r"/chair/ballots/(\d+)/edit", chair.url)
    assert found
    with ThreadPoolExecutor(1) as pool:  # Playwright's loop runs in this thread
        coroutine = _vote_close_publish(running.data, running.base, int(found.group(1)))
        pool.submit(asyncio.run, coroutine).result()

    # A resident on a phone reads the rates: equal to the count of the votes cast above.
    phone = new_context(browser, Service(running.base, "", ""))
    resident = phone.new_page()
    visit(resident, "/evaluations")
    for index, name in enumerate((GOOD, POOR)):
        levels = Counter(vote[index] for vote in VOTES)
        row = resident.locator("tr", has_text=name)
        assert row.is_visible()
        cells = row.locator("td").all_inner_texts()
        assert cells[1] == _percent(levels["good"] + levels["fair"], len(VOTES))
        assert cells[2] == _percent(levels["good"], len(VOTES))
        assert cells[3] == _percent(levels["poor"], len(VOTES))
    chart = resident.locator("svg.chart").first
    assert chart.is_visible()
    assert POOR in chart.inner_html()
    assert resident.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scroll

    # The chair sees the poorly rated project flagged and adds a rectification item.
    chair.goto("/chair/evaluations")
    flagged = chair.locator("section", has=chair.get_by_role("heading", name="需要整改"))
    assert flagged.get_by_role("link", name=POOR).is_visible()
    assert GOOD not in flagged.inner_text()
    assert_accessible(chair)
    flagged.get_by_role("link", name=POOR).click()
    chair.wait_for_url("**/chair/evaluations/subjects/*")
    subject_path = urlpath(chair.url)
    assert chair.get_by_text("最近一次评议低于标准").is_visible()
    chair.get_by_label("要做什么").fill("屋面渗漏返修并复查")
    chair.get_by_label("责任人").fill("施工单位项目经理")
    chair.get_by_label("完成期限").fill("2027-03-31")
    chair.get_by_role("button", name="添加这个事项").click()
    chair.wait_for_selector("text=已添加整改事项")
    assert_accessible(chair)
    chair.get_by_role("button", name="标记为进行中").click()
    chair.wait_for_url("**/status")
    assert "屋面渗漏返修并复查 — 进行中" in chair.locator("li", has_text="屋面渗漏").inner_text()
    assert_accessible(chair)

    # The public history shows the evaluation and the rectification in progress.
    public_path = subject_path.replace("/chair/evaluations/", "/evaluations/")
    visit(resident, public_path)
    assert resident.get_by_text("屋面渗漏返修并复查").is_visible()
    assert resident.get_by_text("进行中").first.is_visible()
    assert "2026年第二次服务评议" in resident.content()
    phone.close()
    context.close()


def urlpath(url: str) -> str:
    return "/" + url.split("/", 3)[3].split("?", 1)[0]
