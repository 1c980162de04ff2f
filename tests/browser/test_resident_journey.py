"""A resident's whole journey, from the paper invitation to the published decision (issue 9):

1. The chair prints the invitations of a ballot with every question kind (single, budget,
   ranked, multiple, yes/no, rating) as the operator does (``vote invitations --out``); the QR
   codes on the first sheet are decoded from the rendered PDF with zxing-cpp.
2. On a phone (headless Chromium, zh-CN, 390×844) the resident opens the decoded link, answers
   every question: the budget counter refuses an over-spend, the ranked list is reordered with
   "上移/下移"; switches to English mid-vote and back, keeping the code and every choice; reviews
   ("请核对您的选择"), confirms, reads the receipt (北京时间, a 26-digit code) and checks it on
   the check page typed with spaces, where one plain sentence says it is counted.
3. A second resident does a shorter pass in English on a small phone (320×640).
4. The chair closes and publishes the ballot (the CLI); the public result page says each
   question in a sentence without a hash, and the decision record tells the story.

axe-core finds no serious or critical violation on any page visited. With
``UPDATE_SCREENSHOTS=1`` the test refreshes ``docs/screenshots/vote.png`` and ``review.png``; only
then the browser is started with a fontconfig that sees the project's WenQuanYi subset
(``vote/printing/fonts/``), so Chinese glyphs show in the pictures on a machine without CJK fonts.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from tests.browser.axe import assert_accessible
from tests.browser.test_voting_in_a_browser import CHROMIUM, IN_CI, VOTE, _free_port
from tests.vote.pages.voting_helpers import EVERY_KIND
from tests.vote.printing.test_printing_pdf import _cards

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "docs" / "screenshots"
FONTS = ROOT / "vote" / "printing" / "fonts"
SHOOTING = os.environ.get("UPDATE_SCREENSHOTS") == "1"
MATTER = 1  # the demo street's practical projects: everyone in the street is eligible
CODE_SHAPE = re.compile(r"(\d{4} ){6}\d{2}")
BEIJING = ZoneInfo("Asia/Shanghai")
HEX_HASH = re.compile(r"\b[0-9a-f]{16,}\b")


@dataclass
class Street:
    base: str
    env: dict[str, str]
    ballot: int
    links: list[str]  # decoded from the printed invitations


def _vote_cli(env: dict[str, str], *args: str) -> str:
    done = subprocess.run([*VOTE, *args], env=env, capture_output=True, text=True, check=True)
    return done.stdout


@pytest.fixture(scope="module")
def street(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Street]:
    """The demo service, and a ballot with every question kind whose invitations are printed."""
    if CHROMIUM is None:
        if IN_CI:
            pytest.fail("Chromium is required in CI (install the chromium package)")
        pytest.skip("Chromium is not installed")
    data = tmp_path_factory.mktemp("journey")
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "VOTE_DATA_DIR": str(data), "VOTE_BASE_URL": base}
    for name in ("VOTE_DATABASE_URL", "VOTE_REDIS_URL"):
        env.pop(name, None)  # the default SQLite database in the data directory
    _vote_cli(env, "demo")
    spec = data / "every-kind.json"
    spec.write_text(json.dumps(EVERY_KIND, ensure_ascii=False), encoding="utf-8")
    created = _vote_cli(env, "ballot", "create", "--matter", str(MATTER), "--spec", str(spec))
    found = re.search(r"ballot (\d+)", created)
    assert found, created
    ballot = int(found.group(1))
    _vote_cli(env, "ballot", "open", str(ballot))
    closes = (datetime.now(BEIJING) + timedelta(days=7)).strftime("%Y-%m-%d 18:00")
    _vote_cli(env, "ballot", "schedule", str(ballot), "--closes", closes)
    pdf = data / "invitations.pdf"
    _vote_cli(env, "invitations", str(ballot), "--out", str(pdf))
    # The first sheet of the printed stack, as a resident receives one card of it.
    cards = _cards(pdf.read_bytes())
    first_sheet = []
    for page_index, code, text, _ in cards:
        if page_index:
            break
        assert "用手机扫描二维码" in text and EVERY_KIND["title"] in text
        first_sheet.append(code.text)
    assert len(first_sheet) == 4, first_sheet  # four cards on an A4 sheet
    assert all(link.startswith(f"{base}/v/{ballot}#") for link in first_sheet), first_sheet
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
        yield Street(base, env, ballot, first_sheet)
    finally:
        server.terminate()
        server.wait(timeout=60)


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    """Headless Chromium; when taking screenshots, with a fontconfig that adds the project's
    CJK font (Chromium reads fontconfig when it starts)."""
    if CHROMIUM is None:
        pytest.skip("Chromium is not installed")
    env: dict[str, str | float | bool] = dict(os.environ)
    if SHOOTING:
        fonts = tmp_path_factory.mktemp("fontconfig")
        conf = fonts / "fonts.conf"
        conf.write_text(
            '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n'
            '  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>\n'
            f"  <dir>{FONTS}</dir>\n  <cachedir>{fonts / 'cache'}</cachedir>\n</fontconfig>\n",
            encoding="utf-8",
        )
        env["FONTCONFIG_FILE"] = str(conf)
    with sync_playwright() as driver:
        launched = driver.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
            env=env,
        )
        yield launched
        launched.close()


def phone(browser: Browser, width: int, height: int, locale: str) -> Page:
    """A fresh phone; axe is injected into the page, which the app's CSP would refuse."""
    context = browser.new_context(
        locale=locale, viewport={"width": width, "height": height}, bypass_csp=True
    )
    return context.new_page()


def seen(page: Page) -> None:
    """The page has loaded and axe finds no serious or critical violation on it."""
    page.wait_for_load_state()
    assert_accessible(page)


def shoot(page: Page, name: str) -> None:
    if SHOOTING:
        page.screenshot(path=str(SCREENSHOTS / name))


def text_of(page: Page) -> str:
    return page.locator("main").inner_text().replace("\xa0", " ")


def boxes(page: Page) -> list[str]:
    return [page.locator(f"#code-{n}").input_value() for n in range(1, 6)]


def counter(page: Page, question: int) -> str:
    return page.locator(f"#q{question}-counter").inner_text().replace("\xa0", " ")


def ranked(page: Page) -> list[str]:
    return page.locator("#q3 .rank-widget .rank-list .rank-name").all_inner_texts()


def no_sideways_scroll(page: Page) -> None:
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert page.viewport_size is not None
    assert width <= page.viewport_size["width"], width


def check_the_receipt(page: Page, base: str, ballot: int, found: str) -> str:
    """Read the receipt's code, open the check page, type the code with spaces between (and
    around) its groups, and return the plain sentence that answers."""
    code = page.locator("#receipt-code").inner_text().strip()
    assert CODE_SHAPE.fullmatch(code), code
    assert len(code.replace(" ", "")) == 26
    page.goto(f"{base}/ballots/{ballot}/check")
    seen(page)
    field = page.locator("input[inputmode=numeric]")
    field.press_sequentially("  " + code.replace(" ", "  ") + " ")
    page.locator("form button[type=submit]").first.click()
    page.wait_for_selector("#proof-check[data-result]")
    result = page.locator("#check-result").inner_text()
    assert found in result, result
    assert field.input_value() == code
    assert not HEX_HASH.search(text_of(page))  # the technical part stays folded
    seen(page)
    return result


def test_a_resident_goes_from_the_paper_invitation_to_the_published_decision(
    street: Street, browser: Browser
) -> None:
    base, ballot = street.base, street.ballot

    # 1-2. The QR from the printed card, opened on a phone in Chinese.
    link = street.links[0]
    code = link.split("#", 1)[1]
    page = phone(browser, 390, 844, "zh-CN")
    page.goto(link)
    seen(page)
    assert page.locator("#credential-box").is_hidden()  # the code came with the link
    assert boxes(page) == code.split("-")
    main = text_of(page)
    assert "发起单位" in main and "18:00（北京时间）" in main  # who asks and until when

    # Single choice.
    page.get_by_label("上海和美物业").check()
    # Budget: the counter refuses an over-spend on the phone, before anything is sent.
    assert counter(page, 2) == "已选 0 元 / 120 万元"
    page.get_by_label("老旧小区平改坡").check()
    page.get_by_label("加装电梯试点").check()
    assert counter(page, 2) == "已选 105 万元 / 120 万元"
    page.locator("label.choice", has_text="加装消防设备").click()
    assert not page.get_by_label("加装消防设备").is_checked()
    assert "“加装消防设备”需要 25 万元，超过了剩余的预算 15 万元" in page.locator(
        "#q2-message"
    ).inner_text().replace("\xa0", " ")
    assert counter(page, 2) == "已选 105 万元 / 120 万元"
    page.evaluate("() => document.getElementById('q2').scrollIntoView()")
    shoot(page, "vote.png")  # the budget question as it refuses the over-spend
    page.get_by_label("老虎灶改造").check()  # 15 万元 fits exactly
    assert counter(page, 2) == "已选 120 万元 / 120 万元"
    # Ranked: three candidates added, then reordered with 上移 and 下移.
    widget = page.locator("#q3 .rank-widget")
    for name in ("方案甲", "方案乙", "方案丙"):
        widget.get_by_role("button", name=f"加入排序：{name}").click()
    assert ranked(page) == ["方案甲", "方案乙", "方案丙"]
    widget.get_by_role("button", name="上移：方案丙").click()
    assert ranked(page) == ["方案甲", "方案丙", "方案乙"]
    widget.get_by_role("button", name="下移：方案甲").click()
    assert ranked(page) == ["方案丙", "方案甲", "方案乙"]
    # Multiple, yes/no, rating.
    page.get_by_label("助老餐").check()
    page.get_by_label("修鞋").check()
    assert counter(page, 4) == "已选 2 项，最多 2 项"
    page.get_by_label("赞成").check()
    page.get_by_label("基本满意", exact=True).check()
    seen(page)
    no_sideways_scroll(page)

    # Mid-vote to English and back: the code and every choice stay.
    page.get_by_role("link", name="English").click()
    page.wait_for_selector("html[lang=en]")
    seen(page)
    assert page.get_by_role("button", name="Next: check my choices").is_visible()
    assert boxes(page) == code.split("-")
    for label in ("上海和美物业", "老旧小区平改坡", "加装电梯试点", "老虎灶改造", "助老餐", "修鞋"):
        assert page.get_by_label(label).is_checked(), label
    assert page.get_by_label("Yes", exact=True).is_checked()
    assert page.get_by_label("基本满意", exact=True).is_checked()
    assert ranked(page) == ["方案丙", "方案甲", "方案乙"]
    assert "#" not in page.url
    page.get_by_role("link", name="中文").click()
    page.wait_for_selector("html[lang=zh-CN]")
    assert boxes(page) == code.split("-")
    assert page.get_by_label("赞成").is_checked()
    assert page.get_by_label("老虎灶改造").is_checked()
    assert ranked(page) == ["方案丙", "方案甲", "方案乙"]

    # The review step, then the vote is cast.
    page.get_by_role("button", name="下一步：核对我的选择").click()
    page.wait_for_selector("#review-form")
    seen(page)
    review = text_of(page)
    assert "请核对您的选择" in page.locator("h1").inner_text()
    assert "您的票还没有投出" in review
    assert "合计 120 万元，预算 120 万元" in review
    for chosen in ("上海和美物业", "老旧小区平改坡", "助老餐", "修鞋", "赞成", "基本满意"):
        assert chosen in review, chosen
    assert "第 1 位：方案丙 第 2 位：方案甲 第 3 位：方案乙" in " ".join(
        page.locator("ol.review-ranked li").all_inner_texts()
    )
    assert page.locator("#review-form input[name=credential]").input_value() == code
    no_sideways_scroll(page)
    shoot(page, "review.png")
    page.get_by_role("button", name="确认投票").click()
    page.wait_for_selector("#receipt-code")
    seen(page)
    receipt = text_of(page)
    assert "您的投票已收到" in receipt
    assert re.search(r"\d{4}年\d{1,2}月\d{1,2}日 \d\d:00（北京时间）", receipt), receipt
    assert "UTC" not in receipt
    said = check_the_receipt(page, base, ballot, "找到了您的选票")
    assert "会计入结果" in said
    page.context.close()

    # 3. A shorter pass in English on a small phone, from the second card on the sheet.
    small = phone(browser, 320, 640, "en")
    small.goto(street.links[1])
    small.wait_for_selector("html[lang=en]")  # the phone's language chooses the page's
    seen(small)
    assert small.locator("#credential-box").is_hidden()
    small.get_by_label("上海安居物业").check()
    small.get_by_label("老旧小区平改坡").check()
    small.get_by_label("加装消防设备").check()
    small.locator("label.choice", has_text="加装电梯试点").click()  # 45 more: over the 120
    assert not small.get_by_label("加装电梯试点").is_checked()
    refused = small.locator("#q2-message").inner_text().replace("\xa0", " ")
    assert "加装电梯试点" in refused and "budget" in refused, refused
    assert counter(small, 2) == "¥850,000 chosen of ¥1,200,000"
    small.get_by_label("No", exact=True).check()
    seen(small)
    no_sideways_scroll(small)
    small.get_by_role("button", name="Next: check my choices").click()
    # Three questions left unanswered: each said beside itself, all at once, choices kept.
    small.wait_for_selector("#form-error, #review-form")
    told = text_of(small)
    for number in (3, 4, 6):
        assert f"Question {number}," in told, told
    assert small.get_by_label("上海安居物业").is_checked()
    assert small.get_by_label("加装消防设备").is_checked()
    assert small.get_by_label("No", exact=True).is_checked()
    seen(small)
    small.locator("#q3 .rank-widget button", has_text="Add to my order").first.click()
    small.get_by_label("理发").check()
    small.get_by_label("满意", exact=True).check()
    small.get_by_role("button", name="Next: check my choices").click()
    small.wait_for_selector("#review-form")
    seen(small)
    assert "Please check your choices" in small.locator("h1").inner_text()
    assert "上海安居物业" in text_of(small) and "加装电梯试点" not in text_of(small)
    no_sideways_scroll(small)
    small.get_by_role("button", name="Confirm my vote").click()
    small.wait_for_selector("#receipt-code")
    seen(small)
    assert "Your vote was received" in small.locator("h1").inner_text()
    assert "(Beijing time)" in text_of(small)
    said = check_the_receipt(small, base, ballot, "Your vote was found")
    assert "and it counts" in said

    # 4. The chair closes and publishes; the resident reads the result and the record.
    _vote_cli(street.env, "ballot", "close", str(ballot), "--yes")
    _vote_cli(street.env, "ballot", "publish", str(ballot), "--yes")
    small.context.close()
    reader = phone(browser, 390, 844, "zh-CN")
    reader.goto(f"{base}/ballots/{ballot}")
    served = reader.content()  # before axe is injected
    seen(reader)
    result = text_of(reader)
    assert re.search(r"参与投票：有投票资格的 \d+ 人中，2 人参与", result), result
    verdicts = reader.locator("p.verdict").all_inner_texts()
    assert len(verdicts) == len(EVERY_KIND["questions"]), verdicts
    # One sentence per question (the draws decide some winners, so only their shape is fixed).
    assert "“上海安居物业”和“上海和美物业”打成平手，由公开抽签决定。" in verdicts[0]
    assert re.match(r"\d 个项目入选，共需 \d+ 万元（预算 120 万元）：", verdicts[1]), verdicts[1]
    assert re.match(r"“方案.”在第 \d 轮计票中当选", verdicts[2]), verdicts[2]
    assert "得票最多，当选" in verdicts[3]
    assert verdicts[4] == "赞成 1 票，占有效票 50%，未超过半数，未通过。"
    assert verdicts[5] == "选择“满意”或“基本满意”的占有效票 100%，平均分 2.5。"
    assert "参与的不到一半" in result  # the low turnout is said in words
    assert not HEX_HASH.search(served)  # the hashes are on the audit page
    assert "pip install" not in result
    no_sideways_scroll(reader)
    reader.goto(f"{base}/matters/{MATTER}")
    served = reader.content()
    seen(reader)
    record = text_of(reader)
    for part in ("提出了什么", "决定了什么", f"{EVERY_KIND['title']} 结果已公布"):
        assert part in record, part
    assert verdicts[4] in record and verdicts[5] in record  # the figures, as sentences
    assert f"公布了“{EVERY_KIND['title']}”的结果。" in record
    assert "（北京时间）" in record and "UTC" not in record
    assert not HEX_HASH.search(served)
    reader.context.close()
