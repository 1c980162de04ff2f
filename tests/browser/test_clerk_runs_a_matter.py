"""A street-office clerk runs a matter from the roll to a published, verified result, in the
browser alone (headless Chromium, zh-CN), and axe-core finds nothing serious or critical on any
console page on the way.

The story, each step through the real pages:

1. The district's admin (made with the CLI, as an operator would) adds the clerk on the chairs
   page; the clerk's authenticator secret is read by decoding the enrolment QR from a screenshot,
   and the clerk logs in with the password and a TOTP code.
2. The clerk uploads a roster (with property ownership) that has one bad row, sees the error with
   its row number, uploads the fixed file and imports it.
3. The clerk records a matter and builds an appraisal-firm selection from its template (one vote
   per household, more than half of the households must take part, a firm needs more than half
   of the valid votes), then schedules when it opens and closes.
4. The clerk opens it by hand (confirming, where the product asks) and prints the invitations of
   one building as a PDF; every QR code in it is decoded: one distinct code per eligible resident.
5. Five of the eight eligible households vote from the decoded links, in the browser (a co-owner
   of a household that has voted is told so). Two firms tie at two votes each.
6. The ballot closes by itself: the scheduler runs once against the service's database with a
   clock past the closing time.
7. The clerk previews the result (quorum met, no majority), drafts the second round in one click,
   opens it, prints its invitations and, after two households vote, closes it; the preview warns
   in plain words that there is no quorum. The clerk publishes both results, confirming the
   warnings; the public pages show them, and ``tally verify`` checks both boards downloaded from
   the public pages.

The service runs for real (``vote db upgrade``, ``vote unit add``, ``vote chair add`` for the
admin, ``vote serve``) on its default SQLite database, as the other browser tests do.
"""

from __future__ import annotations

import asyncio
import io
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlparse
from zoneinfo import ZoneInfo

import pyotp
import pytest
import zxingcpp
from PIL import Image
from playwright.sync_api import Browser, BrowserContext, Locator, Page

from tests.browser.axe import assert_accessible
from tests.browser.test_console import browser
from tests.browser.test_voting_in_a_browser import CHROMIUM, IN_CI, VOTE, _free_port
from tests.vote.printing.test_printing_pdf import _cards

__all__ = ["browser"]  # the module-scoped headless Chromium, shared with the console test

BEIJING = ZoneInfo("Asia/Shanghai")
UNITS = [  # the district, its street and the residential area, as `vote unit add` options
    ("--name", "黄浦区", "--code", "huangpu", "--level", "district"),
    ("--name", "瑞金二路街道", "--code", "ruijin2", "--level", "street", "--parent", "huangpu"),
    ("--name", "思南居民区", "--code", "sinan", "--level", "area", "--parent", "ruijin2"),
]
ADMIN = "district-admin"
ADMIN_PASSWORD = "admin-password-2026"
CLERK = "sinan-clerk"
CLERK_PASSWORD = "first-password-2026"
OWN_PASSWORD = "my-own-password-2026"  # chosen at the first login, where the product asks
AREA = "思南居民区"
BUILDING = "1号楼"
FIRMS = (
    "上海城达资产评估有限公司",
    "上海申信房地产估价有限公司",
    "上海明正房地产评估有限公司",
)

# Eight households with an owner (a selection counts owners' households): six in 1号楼, two in
# 2号楼. 1-101 has two co-owners; 1-106 is let to a tenant (not eligible), whose flat 郑华 owns.
HEADER = "编号,姓名,楼栋,门牌,户号,手机,身份,专有面积,产权房屋\n"
ROWS = [
    "S-01,张建国,1号楼,101,1-101,13800000001,业主,80,",
    "S-02,李秀英,1号楼,101,1-101,,业主,80,",
    "S-03,王明,1号楼,102,1-102,,业主,70,",
    "S-04,赵丽,1号楼,103,1-103,,业主,75,",
    "S-05,孙强,1号楼,104,1-104,,业主,90,",
    "S-06,周芳,1号楼,105,1-105,,业主,65,",
    "S-07,吴刚,1号楼,106,1-106,,租户,60,",
    "S-08,郑华,1号楼,107,1-107,,业主,85,1-107、1-106",
    "S-09,钱伟,2号楼,201,2-201,,业主,100,",
    "S-10,冯娟,2号楼,202,2-202,,业主,95,",
]
NAMES = [row.split(",")[1] for row in ROWS]
ROLL = HEADER + "\n".join(ROWS) + "\n"
BAD_ROLL = ROLL.replace("S-05,孙强,1号楼,104", "S-05,孙强,,104")  # row 6 of the file
HOUSEHOLDS = 8
BUILDING_OWNERS = ["张建国", "李秀英", "王明", "赵丽", "孙强", "周芳", "郑华"]  # 1号楼's electors


class Office:
    """The running service: its address, environment and the admin's authenticator secret."""

    def __init__(self, base: str, env: dict[str, str], admin_secret: str) -> None:
        self.base = base
        self.env = env
        self.admin_secret = admin_secret


def _needs_chromium() -> None:
    if CHROMIUM is None:
        if IN_CI:
            pytest.fail("Chromium is required in CI (install the chromium package)")
        pytest.skip("Chromium is not installed")


def _vote_cli(env: dict[str, str], *args: str, stdin: str = "") -> str:
    done = subprocess.run(
        [*VOTE, *args], env=env, input=stdin, capture_output=True, text=True, check=True
    )
    return done.stdout


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Office]:
    """An empty service with a unit tree and the district's admin, as an operator sets it up."""
    _needs_chromium()
    data = tmp_path_factory.mktemp("clerk")
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "VOTE_DATA_DIR": str(data), "VOTE_BASE_URL": base}
    for name in ("VOTE_DATABASE_URL", "VOTE_REDIS_URL", "VOTE_OFFICE_PHONE"):
        env.pop(name, None)  # the default SQLite database in the data directory, in-process
    _vote_cli(env, "db", "upgrade")
    for unit in UNITS:
        _vote_cli(env, "unit", "add", *unit)
    admin = ("--username", ADMIN, "--role", "district_admin", "--unit", "huangpu")
    added = _vote_cli(env, "chair", "add", *admin, "--password-stdin", stdin=ADMIN_PASSWORD + "\n")
    secret = re.search(r"TOTP secret: ([A-Z2-7]+)", added)
    assert secret, added
    server = subprocess.Popen(
        [*VOTE, "serve", "--port", str(port)], env=env, stdout=subprocess.DEVNULL
    )
    try:
        for _ in range(600):  # a bound against hanging, not a timing requirement
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        yield Office(base, env, secret.group(1))
    finally:
        server.terminate()
        server.wait(timeout=60)


def desk(browser: Browser, office: Office) -> BrowserContext:
    """The clerk's desktop browser: zh-CN, and axe may be injected despite the CSP."""
    return browser.new_context(
        base_url=office.base,
        locale="zh-CN",
        viewport={"width": 1280, "height": 900},
        bypass_csp=True,
        accept_downloads=True,
    )


def phone(browser: Browser, office: Office) -> BrowserContext:
    """A resident's phone."""
    return browser.new_context(
        base_url=office.base,
        locale="zh-CN",
        viewport={"width": 390, "height": 844},
        bypass_csp=True,
    )


def seen(page: Page) -> None:
    """The page loaded and axe-core finds no serious or critical violation on it."""
    page.wait_for_load_state()
    assert_accessible(page)


def log_in(page: Page, username: str, password: str, secret: str) -> str:
    """Log in through the login page; if the product asks for a new password at the first
    login, choose one (typed twice) and go on. Returns the password the account has now."""
    page.goto("/chair/login")
    seen(page)
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_label("身份验证器", exact=False).fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()
    assert "/chair/login" not in page.url, page.locator("main").inner_text()
    new_password = page.locator('input[autocomplete="new-password"]')
    if new_password.count():  # someone else chose the password: choose our own first
        seen(page)
        for field in new_password.all():
            field.fill(OWN_PASSWORD)
        page.locator("form", has=new_password.first).locator("button[type=submit]").click()
        page.wait_for_load_state()
        seen(page)
        password = OWN_PASSWORD
        page.goto("/chair/")
    assert urlparse(page.url).path == "/chair/", page.url
    seen(page)
    return password


def decode_one_qr(image_png: bytes) -> str:
    found = zxingcpp.read_barcodes(Image.open(io.BytesIO(image_png)))
    assert len(found) == 1, found
    return found[0].text


def confirm_if_asked(page: Page) -> None:
    """After an open or close click: where the product asks first, confirm on its page; then
    back to the dashboard."""
    page.wait_for_load_state()
    confirm = page.locator("form:has(input[name=confirm]) button")
    if confirm.count():
        seen(page)
        confirm.first.click()
        page.wait_for_load_state()
    page.goto("/chair/")
    seen(page)


def ballot_section(page: Page, title: str) -> Locator:
    """The dashboard's section for the ballot with this title."""
    heading = page.get_by_role("heading", name=re.compile("^" + re.escape(title) + r"(\s|$)"))
    return page.locator("section", has=heading)


def dashboard_action(page: Page, title: str, action: str) -> None:
    """Click one of a ballot's buttons on the dashboard (by the form it posts)."""
    page.goto("/chair/")
    seen(page)
    ballot_section(page, title).locator(f'form[action$="/{action}"] button').click()


def ballot_id_of(page: Page, title: str) -> int:
    page.goto("/chair/")
    href = (
        ballot_section(page, title).locator('a[href^="/ballots/"]').first.get_attribute("href")
        or ""
    )
    found = re.fullmatch(r"/ballots/(\d+)", href)
    assert found, href
    return int(found.group(1))


def print_building(page: Page, ballot_id: int) -> dict[str, str]:
    """Print one building's invitations as a PDF from the electors page and scan every code in
    it; returns each card's link by the resident's name printed on the same card."""
    page.goto(f"/chair/ballots/{ballot_id}/electors")
    seen(page)
    page.locator("#print-building").select_option(value=BUILDING)
    with page.expect_download() as download:
        page.locator("#print-form button[type=submit]").first.click()
    path = download.value.path()
    assert path is not None
    pdf = Path(path).read_bytes()
    assert pdf.startswith(b"%PDF")
    links: dict[str, str] = {}
    codes = 0
    for _, code, text, _ in _cards(pdf):
        codes += 1
        names = [name for name in NAMES if name in text]
        assert len(names) == 1, text
        links[names[0]] = code.text
    assert codes == len(links)  # one card for each resident, none twice
    return links


def vote_from(
    browser: Browser, office: Office, link: str, firm: str, *, absent: tuple[str, ...] = ()
) -> str:
    """A resident opens the invitation's link on a phone and votes for ``firm`` (the firms in
    ``absent`` are not on the ballot), checking the choice on the review page where the
    product shows one; returns the receipt code."""
    context = phone(browser, office)
    page = context.new_page()
    page.goto(link)
    for other in absent:
        assert page.get_by_label(other).count() == 0, other
    page.get_by_label(firm).check()
    page.locator("#vote-form button[type=submit]").last.click()
    page.locator(".tracker, #review-form").first.wait_for()
    review = page.locator("#review-form")
    if review.count():  # "please check your choices" before the vote is cast
        assert firm in page.locator("main").inner_text()
        review.locator("button[value=cast]").click()
    tracker = page.locator(".tracker")
    tracker.wait_for()
    code = tracker.inner_text().strip()
    assert code
    context.close()
    return code


def run_scheduler_at(office: Office, now: datetime) -> None:
    """One run of the service's scheduler with its clock at ``now``, on the service's database
    (in a thread of its own: Playwright's sync API keeps this thread's event loop)."""
    from ballots.db import create_engine, create_sessionmaker, dispose
    from vote import scheduler
    from vote.settings import Settings, signer

    settings = Settings.from_env(office.env)

    async def once() -> None:
        engine = create_engine(settings.database_url)
        try:
            await scheduler.run_once(
                create_sessionmaker(engine), signer(settings), 5.0, clock=lambda: now
            )
        finally:
            await dispose(engine)

    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, once()).result()


def verify_board(page: Page, ballot_id: int, tmp: Path) -> str:
    """Download the board from the public pages and check it with ``tally verify`` and the key
    the service publishes; returns the verifier's report."""
    page.goto(f"/ballots/{ballot_id}")
    link = page.locator(f'a[href="/api/v1/ballots/{ballot_id}/board"]').first
    if not link.count():  # on the page of audit material, linked from the ballot's page
        page.locator(f'a[href="/ballots/{ballot_id}/audit"]').first.click()
        page.wait_for_load_state()
        seen(page)
    for details in page.locator("details", has=link).all():  # the audit material, folded
        if details.get_attribute("open") is None:
            details.locator(":scope > summary").click()
    with page.expect_download() as download:
        link.click()
    board = tmp / f"ballot-{ballot_id}-board.jsonl"
    download.value.save_as(board)
    key = page.request.get("/api/v1/board/key").json()["public_key"]
    checked = subprocess.run(
        [sys.executable, "-m", "tally", "verify", str(board), "--key", key],
        capture_output=True,
        text=True,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    return checked.stdout


def test_a_clerk_runs_a_matter_from_roll_to_published_result(
    office: Office, browser: Browser, tmp_path: Path
) -> None:
    # 1. The admin adds the clerk; the clerk enrols by scanning the QR, then logs in.
    admin_context = desk(browser, office)
    admin = admin_context.new_page()
    log_in(admin, ADMIN, ADMIN_PASSWORD, office.admin_secret)
    admin.goto("/chair/chairs")
    seen(admin)
    admin.get_by_role("link", name="添加工作人员").click()
    seen(admin)
    admin.get_by_label("用户名").fill(CLERK)
    admin.get_by_label("姓名（可不填）").fill("思南居民区 干事")
    admin.get_by_label("单位").select_option(label=f"\u3000\u3000{AREA} (居民区)")
    admin.get_by_label("角色").select_option("area_chair")
    admin.get_by_label("密码", exact=True).fill(CLERK_PASSWORD)
    admin.get_by_label("再输入一次密码").fill(CLERK_PASSWORD)
    admin.get_by_role("button", name="添加这位工作人员").click()
    admin.wait_for_selector("#enrol-qr svg")
    seen(admin)
    uri = decode_one_qr(admin.locator("#enrol-qr").screenshot())
    assert uri.startswith("otpauth://totp/")
    secret = parse_qs(urlparse(uri).query)["secret"][0]
    admin_context.close()

    context = desk(browser, office)
    page = context.new_page()
    log_in(page, CLERK, CLERK_PASSWORD, secret)
    assert CLERK in page.get_by_role("navigation", name="工作台").inner_text()

    # 2. The roll: a bad row is shown with its row number; the fixed file is imported.
    def upload(text: str) -> None:
        page.get_by_label("居民区").select_option(label=AREA)
        page.get_by_label("名册文件").set_input_files(
            {"name": "思南名册.csv", "mimeType": "text/csv", "buffer": text.encode("utf-8")}
        )
        page.get_by_role("button", name="检查文件").click()
        page.wait_for_load_state()

    page.goto("/chair/roll")
    seen(page)
    upload(BAD_ROLL)
    assert page.locator("#file-error").is_visible()
    assert "第 6 行“楼栋”列：楼栋为空" in page.locator("table").inner_text()
    seen(page)
    upload(ROLL)
    assert page.locator("#count-added").inner_text() == str(len(ROWS))
    seen(page)
    page.get_by_role("button", name="确认导入这些改动").click()
    page.wait_for_load_state()
    assert f"已导入{AREA}：新增 {len(ROWS)} 人" in page.content()
    seen(page)
    page.goto("/chair/roll/residents")
    seen(page)
    page.get_by_label("姓名或编号").fill("郑华")
    page.get_by_role("button", name="查找").click()
    page.wait_for_load_state()
    page.get_by_role("link", name="郑华").click()
    page.wait_for_load_state()
    assert "1-106" in page.locator("main").inner_text()  # the let flat 郑华 owns
    seen(page)
    page.goto("/chair/roll/households")
    seen(page)
    page.goto("/chair/roll/buildings")
    seen(page)

    # 3. A matter, and the appraisal-firm selection from its template; then its schedule.
    page.goto("/chair/matters")
    seen(page)
    page.get_by_role("link", name="新建事项").click()
    seen(page)
    page.get_by_label("单位").select_option(label=AREA + " (居民区)")
    page.get_by_label("类型").select_option("selection")
    page.get_by_label("标题").fill("思南路旧改评估机构选定")
    page.get_by_role("button", name="立项").click()
    page.wait_for_load_state()
    assert "事项已立项" in page.content()
    seen(page)
    new_ballot = page.get_by_role("link", name="在这个事项上新建表决")
    matter_url = (new_ballot.get_attribute("href") or "").removesuffix("/ballots/new")
    new_ballot.click()
    seen(page)
    title = "选定房屋征收评估机构"
    page.get_by_label("表决类型").select_option("selection")
    page.get_by_label("标题", exact=True).fill(title)
    page.get_by_label("表决问题（评议不需要填写）").fill("请选择本次征收的房地产评估机构")
    page.get_by_label("选项，每行一个").fill("\n".join(FIRMS))
    page.get_by_role("button", name="统计符合条件的人数").click()
    page.wait_for_load_state()
    assert (
        f"{len(ROWS) - 1} 位居民，共 {HOUSEHOLDS} 票" in page.content()
    )  # the owners, by household
    seen(page)
    page.get_by_role("button", name="建立表决草稿").click()
    page.wait_for_load_state()
    assert "已建为草稿" in page.content()
    seen(page)
    first = ballot_id_of(page, title)

    today = datetime.now(BEIJING).date()
    opens = datetime(today.year, today.month, today.day, 9, tzinfo=BEIJING) + timedelta(days=1)
    closes = opens + timedelta(days=6, hours=9)  # a week later at 18:00
    page.goto(matter_url)
    page.locator(f'a[href="/chair/ballots/{first}/schedule"]').click()
    seen(page)
    page.locator("#opens_at").fill(f"{opens:%Y-%m-%dT%H:%M}")
    page.locator("#closes_at").fill(f"{closes:%Y-%m-%dT%H:%M}")
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    seen(page)
    page.goto("/chair/")
    seen(page)
    shown = ballot_section(page, title).inner_text()
    assert f"{closes.month}月{closes.day}日 18:00（北京时间）" in shown, shown

    # 4. Opened by hand before its time; one building's invitations printed and scanned.
    dashboard_action(page, title, "open")
    confirm_if_asked(page)
    assert ballot_section(page, title).locator(".badge.open").count() == 1
    seen(page)
    links = print_building(page, first)
    # Every owner living in 1号楼 has a card (1-101's two co-owners one each: either may cast
    # the household's one vote), each with a code of its own for this ballot.
    assert sorted(links) == sorted(BUILDING_OWNERS)
    assert len(set(links.values())) == len(BUILDING_OWNERS)
    assert all(link.startswith(f"{office.base}/v/{first}#") for link in links.values())

    # 5. Five of the eight households vote from their links: 2, 2 and 1 for the three firms.
    votes = {"张建国": 0, "王明": 0, "赵丽": 1, "孙强": 1, "周芳": 2}
    for name, firm in votes.items():
        vote_from(browser, office, links[name], FIRMS[firm])
    co_owner = phone(browser, office).new_page()
    co_owner.goto(links["李秀英"])  # her household voted through 张建国
    co_owner.wait_for_selector("#voter-status:not([hidden])")
    assert "已经投过票" in co_owner.locator("#voter-status").inner_text()
    seen(co_owner)
    co_owner.context.close()

    # 6. Nobody closes it: the scheduler does, at the closing time.
    run_scheduler_at(office, closes.astimezone(UTC) + timedelta(seconds=1))
    page.goto("/chair/")
    seen(page)
    assert ballot_section(page, title).locator(".badge.closed").count() == 1

    # 7. The preview: quorum met, no majority, a second round between the two leaders.
    dashboard_action(page, title, "publish")
    page.wait_for_load_state()
    seen(page)
    warnings = page.locator("main").inner_text()  # the preview, its warnings in words
    assert "没有选项得票过半" in warnings, warnings
    assert f"需要在 {FIRMS[0]}、{FIRMS[1]} 之间进行第二轮投票" in warnings, warnings
    assert "未达到参与门槛" not in warnings  # five of eight households took part
    page.get_by_role("button", name="起草第二轮投票").click()
    page.wait_for_load_state()
    seen(page)
    runoff_title = title + "（第二轮）"
    runoff = ballot_id_of(page, runoff_title)
    dashboard_action(page, title, "publish")
    page.locator("form:has(input[name=confirm]) button").click()
    page.wait_for_load_state()
    seen(page)
    assert ballot_section(page, title).locator(".badge.published").count() == 1

    dashboard_action(page, runoff_title, "open")
    confirm_if_asked(page)
    runoff_links = print_building(page, runoff)  # the same electorate, new codes
    assert sorted(runoff_links) == sorted(BUILDING_OWNERS)
    assert not set(runoff_links.values()) & set(links.values())
    for name in ("王明", "郑华"):  # two of the eight households only
        vote_from(browser, office, runoff_links[name], FIRMS[0], absent=(FIRMS[2],))
    dashboard_action(page, runoff_title, "close")
    confirm_if_asked(page)
    dashboard_action(page, runoff_title, "publish")
    page.wait_for_load_state()
    seen(page)
    warnings = page.locator("main").inner_text()  # the preview, its warnings in words
    assert f"未达到参与门槛：{HOUSEHOLDS} 中有 2 参与（25.0%）" in warnings, warnings
    page.locator("form:has(input[name=confirm]) button").click()
    page.wait_for_load_state()
    seen(page)

    # The public pages show both results; both boards verify.
    page.goto(f"/ballots/{runoff}")
    seen(page)
    shown = page.locator("main").inner_text()
    assert "参与户数未超过半数（2 户，占全部有投票资格户数 25%），本次表决无效" in shown, shown
    page.goto(f"/ballots/{first}")
    seen(page)
    shown = page.locator("main").inner_text()
    assert f"需要在“{FIRMS[0]}”和“{FIRMS[1]}”之间进行第二轮投票" in shown, shown
    for ballot_id, outcome in ((first, "runoff"), (runoff, "no-quorum")):
        report = verify_board(page, ballot_id, tmp_path)
        assert "OK: every check passed" in report, report
        assert f"gives the published result (q1: {outcome})" in report, report
    context.close()
