"""A resident votes on a phone (headless Chromium, zh-CN, 390×844 and 320×640): the budget counter
refuses an over-spend before sending, several-choice and ranked questions count, a ranked list is
reordered with "上移/下移" (by tapping and by keyboard, each move announced), the code is typed in
five boxes with its check digit, a language switch keeps the code and the choices, and every vote
is reviewed before it is cast. Every state a resident can meet is a page of its own; axe-core
finds no serious or critical violation on any of them, nor on the pages without JavaScript.

The service runs for real (``vote demo``, more ballots through the services, ``vote serve``).
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page

from ballots.credentials import new_credential
from tests.browser.axe import assert_accessible
from tests.browser.test_voting_in_a_browser import CHROMIUM, IN_CI, VOTE, _free_port, browser
from tests.browser.voting_world import CANCEL_REASON

__all__ = ["browser"]  # the shared headless Chromium fixture

PHONE = {"width": 390, "height": 844}
SMALL_PHONE = {"width": 320, "height": 640}
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


@dataclass
class Service:
    base: str
    links: dict[int, list[str]]  # the demo's invitation links by ballot
    world: dict[str, Any]  # the ballots voting_world added


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    if CHROMIUM is None:
        if IN_CI:
            pytest.fail("Chromium is required in CI (install the chromium package)")
        pytest.skip("Chromium is not installed")
    data = tmp_path_factory.mktemp("voting-flow")
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "VOTE_DATA_DIR": str(data), "VOTE_BASE_URL": base}
    env.pop("VOTE_REDIS_URL", None)
    demo = subprocess.run([*VOTE, "demo"], env=env, capture_output=True, text=True, check=True)
    extra = subprocess.run(
        [sys.executable, "-c", "from tests.browser.voting_world import main; main()"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    world = json.loads(extra.stdout.strip().splitlines()[-1])
    links: dict[int, list[str]] = {}
    for ballot, link in re.findall(r"(http://\S+/v/(\d+)#[0-9-]+)", demo.stdout):
        links.setdefault(int(link), []).append(ballot)
    links[world["every_kind"]] = world["every_kind_links"]
    links[world["odd"]] = world["odd_links"]
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
        yield Service(base=base, links=links, world=world)
    finally:
        server.terminate()
        server.wait(timeout=20)


def phone(
    browser: Browser,
    viewport: dict[str, int] = PHONE,
    *,
    javascript: bool = True,
    locale: str = "zh-CN",
) -> Page:
    """A fresh phone: its own cookies and storage, axe allowed past the CSP."""
    context = browser.new_context(
        locale=locale, viewport=viewport, bypass_csp=True, java_script_enabled=javascript
    )
    return context.new_page()


def assert_accessible_as_served(page: Page, browser: Browser) -> None:
    """axe on a page shown without JavaScript: the same HTML and stylesheet in a phone that runs
    axe (the page's own script left out, so it stays as served)."""
    html = re.sub(r"<script\b[^>]*></script>", "", page.content())
    twin = phone(browser, page.viewport_size or PHONE)
    twin.route(page.url, lambda route: route.fulfill(body=html, content_type="text/html"))
    twin.goto(page.url)
    assert_accessible(twin)
    twin.context.close()


def code_of(link: str) -> str:
    return link.split("#", 1)[1]


def boxes(page: Page) -> list[str]:
    return [page.locator(f"#code-{n}").input_value() for n in range(1, 6)]


def counter(page: Page, question: int) -> str:
    return page.locator(f"#q{question}-counter").inner_text().replace("\xa0", " ")


def no_sideways_scroll(page: Page) -> None:
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert page.viewport_size is not None
    assert width <= page.viewport_size["width"], width


def test_the_budget_counter_refuses_an_over_spend_then_the_vote_is_reviewed_and_cast(
    service: Service, browser: Browser
) -> None:
    page = phone(browser)
    page.goto(service.links[1][0])
    assert page.locator("#credential-box").is_hidden()  # the code came with the link
    assert "发起单位" in page.locator("dl.asker").inner_text()
    assert counter(page, 1) == "已选 0 元 / 120 万元"
    page.get_by_label("老旧小区平改坡").check()
    page.get_by_label("加装电梯试点").check()
    assert counter(page, 1) == "已选 105 万元 / 120 万元"
    over = page.locator("label.choice", has_text="加装消防设备")
    assert "超出剩余预算" in over.inner_text()  # flagged before it is tapped
    over.click()
    assert not page.get_by_label("加装消防设备").is_checked()  # refused on the phone
    message = page.locator("#q1-message")
    assert message.is_visible()
    assert "“加装消防设备”需要 25 万元，超过了剩余的预算 15 万元" in message.inner_text().replace(
        "\xa0", " "
    )
    assert counter(page, 1) == "已选 105 万元 / 120 万元"
    page.get_by_label("老虎灶改造为便民热水站").check()  # 15 万元 fits exactly
    assert counter(page, 1) == "已选 120 万元 / 120 万元"
    assert_accessible(page)
    no_sideways_scroll(page)
    page.get_by_role("button", name="下一步：核对我的选择").click()
    page.wait_for_selector("#review-form")
    review = page.locator("main").inner_text().replace("\xa0", " ")
    assert "请核对您的选择" in review
    assert "合计 120 万元，预算 120 万元" in review
    assert "您的票还没有投出" in review
    assert_accessible(page)
    page.get_by_role("button", name="确认投票").click()
    page.wait_for_selector(".tracker")
    assert "您的投票已收到" in page.content()
    page.context.close()


def test_the_counter_writes_amounts_as_the_server_does(service: Service, browser: Browser) -> None:
    page = phone(browser)
    page.goto(service.links[service.world["odd"]][0])
    assert counter(page, 1) == "已选 0 元 / 5 万元"
    page.get_by_label("楼道灯").check()
    assert counter(page, 1) == "已选 1.25 万元 / 5 万元"
    page.get_by_label("信报箱").check()
    assert counter(page, 1) == "已选 45,833 元 / 5 万元"  # not round: in yuan, never rounded
    page.locator("label.choice", has_text="扶手").click()
    assert "“扶手”需要 9000 元，超过了剩余的预算 4167 元" in page.locator(
        "#q1-message"
    ).inner_text().replace("\xa0", " ")
    page.context.close()


def test_a_several_choice_question_counts_up_to_its_maximum(
    service: Service, browser: Browser
) -> None:
    page = phone(browser)
    page.goto(service.links[service.world["every_kind"]][4])
    assert counter(page, 4) == "已选 0 项，最多 2 项"
    page.get_by_label("助老餐").check()
    page.get_by_label("理发").check()
    assert counter(page, 4) == "已选 2 项，最多 2 项"
    page.locator("label.choice", has_text="修鞋").click()
    assert not page.get_by_label("修鞋").is_checked()
    assert "您已经选了 2 项" in page.locator("#q4-message").inner_text()
    page.get_by_label("理发").uncheck()
    page.get_by_label("修鞋").check()
    assert counter(page, 4) == "已选 2 项，最多 2 项"
    page.context.close()


def _rank_buttons(page: Page) -> Any:
    return page.locator("#q3 .rank-widget button")


def test_a_ranked_question_is_reordered_by_tapping_and_by_keyboard(
    service: Service, browser: Browser
) -> None:
    page = phone(browser)
    page.goto(service.links[service.world["every_kind"]][0])
    assert page.locator("#q3 .rank-fallback").is_hidden()  # the selects stay underneath
    widget = page.locator("#q3 .rank-widget")
    assert "还没有排序" in widget.inner_text()
    for name in ("方案丙", "方案甲", "方案丁"):
        widget.get_by_role("button", name=f"加入排序：{name}").click()
    assert counter(page, 3) == "已排 3 个，最多 3 个"
    assert widget.locator(".rank-list .rank-name").all_inner_texts() == [
        "方案丙",
        "方案甲",
        "方案丁",
    ]
    widget.get_by_role("button", name="加入排序：方案乙").click(force=True)  # a fourth: refused
    assert "您已经排了 3 个" in page.locator("#q3-message").inner_text()
    # Tapping "上移" on 方案丁 moves it above 方案甲, and says so to a screen reader.
    widget.get_by_role("button", name="上移：方案丁").click()
    assert widget.locator(".rank-list .rank-name").all_inner_texts() == [
        "方案丙",
        "方案丁",
        "方案甲",
    ]
    page.wait_for_function("document.getElementById('vote-announce').textContent.indexOf('丁') > 0")
    assert page.locator("#vote-announce").text_content() == "“方案丁”现在排第 2 位。"
    # The keyboard: focus stays on the moved candidate's button, Enter moves it again.
    focused = page.evaluate("() => document.activeElement.getAttribute('aria-label')")
    assert focused == "上移：方案丁"
    page.keyboard.press("Enter")
    assert widget.locator(".rank-list .rank-name").all_inner_texts() == [
        "方案丁",
        "方案丙",
        "方案甲",
    ]
    assert (
        page.evaluate("() => document.activeElement.getAttribute('aria-label')") == "下移：方案丁"
    )
    page.keyboard.press("Enter")
    assert widget.locator(".rank-list .rank-name").all_inner_texts() == [
        "方案丙",
        "方案丁",
        "方案甲",
    ]
    # The selects the form sends follow the list.
    places = {
        select.get_attribute("data-option"): select.input_value()
        for select in page.locator("#q3 .rank-fallback select").all()
    }
    assert places == {"方案甲": "3", "方案乙": "", "方案丙": "1", "方案丁": "2"}
    for button in _rank_buttons(page).all():  # thumb-sized
        box = button.bounding_box()
        assert box and box["height"] >= 44 and box["width"] >= 44, box
    assert_accessible(page)
    no_sideways_scroll(page)
    page.get_by_label("上海和美物业").check()
    page.get_by_label("加装消防设备").check()
    page.get_by_label("助老餐").check()
    page.get_by_label("弃权").check()
    page.get_by_label("基本满意", exact=True).check()
    page.get_by_role("button", name="下一步：核对我的选择").click()
    page.wait_for_selector("#review-form")
    assert "第 1 位：方案丙 第 2 位：方案丁 第 3 位：方案甲" in " ".join(
        page.locator("ol.review-ranked li").all_inner_texts()
    )
    page.get_by_role("button", name="确认投票").click()
    page.wait_for_selector(".tracker")
    page.context.close()


def test_the_ranked_list_fits_a_small_phone(service: Service, browser: Browser) -> None:
    page = phone(browser, SMALL_PHONE)
    page.goto(service.links[service.world["every_kind"]][1])
    widget = page.locator("#q3 .rank-widget")
    widget.get_by_role("button", name="加入排序：方案乙").click()
    widget.get_by_role("button", name="加入排序：方案甲").click()
    for button in _rank_buttons(page).all():
        box = button.bounding_box()
        assert box and box["height"] >= 44 and box["width"] >= 44, box
    no_sideways_scroll(page)
    assert_accessible(page)
    page.context.close()


def test_the_code_is_typed_in_five_boxes_with_its_check_digit(
    service: Service, browser: Browser
) -> None:
    code = code_of(service.links[1][2])
    digits = code.replace("-", "")
    page = phone(browser, SMALL_PHONE)
    sent: list[str] = []
    page.on("request", lambda request: sent.append(request.method + " " + request.url))
    page.goto(f"{service.base}/v/1")
    assert page.locator("#credential-box").is_visible()
    first = page.locator("#code-1")
    first.click()
    page.keyboard.type(digits[:7])  # the sixth digit moves on to the second box
    assert boxes(page)[:2] == [digits[:5], digits[5:7]]
    assert "已输入 7 位" in page.locator("#credential-check").inner_text()
    wrong = digits[:-1] + str((int(digits[-1]) + 1) % 10)
    first.fill(wrong)  # a whole (mistyped) code pasted into the first box fills all five
    assert boxes(page) == [wrong[i : i + 5] for i in range(0, 25, 5)]
    assert "请核对数字" in page.locator("#credential-check").inner_text()
    assert page.locator("#code-3").get_attribute("aria-invalid") == "true"
    page.get_by_label("弄堂路灯更新").check()
    page.get_by_role("button", name="下一步：核对我的选择").click()
    assert not [r for r in sent if r.startswith("POST")]  # nothing sent with a wrong digit
    page.locator("#code-5").fill(digits[20:])
    assert "投票码已输完整" in page.locator("#credential-check").inner_text()
    assert_accessible(page)
    no_sideways_scroll(page)
    page.get_by_role("button", name="下一步：核对我的选择").click()
    page.wait_for_selector("#review-form")
    assert page.locator("#review-form input[name=credential]").input_value() == code
    assert all(digits not in url and code not in url for url in sent)
    page.context.close()


def test_a_damaged_link_opens_the_code_boxes(service: Service, browser: Browser) -> None:
    code = code_of(service.links[1][2])
    damaged = code[:-1] + str((int(code[-1]) + 3) % 10)
    page = phone(browser)
    page.goto(f"{service.base}/v/1#{damaged}")
    assert page.locator("#credential-box").is_visible()
    assert boxes(page) == damaged.split("-")
    assert "请核对数字" in page.locator("#credential-check").inner_text()
    page.context.close()


def test_switching_language_keeps_the_code_and_the_choices(
    service: Service, browser: Browser
) -> None:
    link = service.links[1][1]
    code = code_of(link)
    page = phone(browser)
    sent: list[str] = []
    page.on("request", lambda request: sent.append(request.url))
    page.goto(link)
    page.get_by_label("社区食堂助老餐").check()
    page.get_by_role("link", name="English").click()
    page.wait_for_selector("html[lang=en]")
    assert page.get_by_role("button", name="Next: check my choices").is_visible()
    assert page.locator("#credential-box").is_hidden()  # still the code from the link
    assert boxes(page) == code.split("-")
    assert page.get_by_label("社区食堂助老餐").is_checked()
    assert counter(page, 1) == "¥200,000 chosen of ¥1,200,000"
    assert "#" not in page.url
    assert_accessible(page)
    page.get_by_role("button", name="Next: check my choices").click()
    page.wait_for_selector("#review-form")
    assert "Please check your choices" in page.locator("h1").inner_text()
    assert page.locator("#review-form input[name=credential]").input_value() == code
    assert all(code not in url and code.replace("-", "") not in url for url in sent)
    page.get_by_role("link", name="中文").click()  # from the review page too
    page.wait_for_selector("html[lang=zh-CN]")
    assert boxes(page) == code.split("-")
    page.context.close()


def test_a_code_that_has_voted_gets_a_kind_page_with_the_way_to_check(
    service: Service, browser: Browser
) -> None:
    link = service.links[2][0]
    cast = httpx.post(
        f"{service.base}/api/v1/ballots/2/casts",
        json={"credential": code_of(link), "answers": {"firm": ["o1"]}},
    )
    assert cast.status_code == 201, cast.text
    page = phone(browser)
    page.goto(link)
    panel = page.locator("#voter-status [data-state=voted]")
    panel.wait_for(state="visible")
    assert page.locator("#vote-form").is_hidden()
    assert "您已投票" in panel.inner_text()
    assert panel.get_by_role("link", name="用回执码查询我的投票").is_visible()
    assert "修改我的选择" not in panel.inner_text()
    assert_accessible(page)
    page.context.close()


def test_a_ballot_that_allows_changing_offers_to_change(service: Service, browser: Browser) -> None:
    ballot = service.world["every_kind"]
    link = service.links[ballot][2]
    answers = {
        "firm": ["f1"],
        "projects": ["p2"],
        "order": ["b"],
        "services": ["s2"],
        "garden": ["yes"],
        "quality": ["good"],
    }
    cast = httpx.post(
        f"{service.base}/api/v1/ballots/{ballot}/casts",
        json={"credential": code_of(link), "answers": answers},
    )
    assert cast.status_code == 201, cast.text
    page = phone(browser)
    page.goto(link)
    panel = page.locator("#voter-status [data-state=voted-revote]")
    panel.wait_for(state="visible")
    assert "只有最后一次投票有效" in panel.inner_text()
    assert_accessible(page)
    panel.get_by_role("button", name="修改我的选择").click()
    assert page.locator("#vote-form").is_visible()
    page.get_by_label("上海安居物业").check()
    page.get_by_label("加装消防设备").check()
    page.locator("#q3 .rank-widget").get_by_role("button", name="加入排序：方案乙").click()
    page.get_by_label("理发").check()
    page.get_by_label("反对").check()
    page.get_by_label("不满意", exact=True).check()
    page.get_by_role("button", name="下一步：核对我的选择").click()
    page.wait_for_selector("#review-form")
    assert "这次的选择将替换之前的投票" in page.locator("main").inner_text()
    page.get_by_role("button", name="确认投票").click()
    page.wait_for_selector(".tracker")
    page.context.close()


def test_a_household_that_has_voted_is_told_so_without_saying_who(
    service: Service, browser: Browser
) -> None:
    first, second = service.world["household"]
    cast = httpx.post(
        f"{service.base}/api/v1/ballots/2/casts",
        json={"credential": code_of(first), "answers": {"firm": ["o2"]}},
    )
    assert cast.status_code == 201, cast.text
    page = phone(browser)
    page.goto(second)
    panel = page.locator("#voter-status [data-state=household]")
    panel.wait_for(state="visible")
    assert "您家已经投过票了" in panel.inner_text()
    assert page.locator("#vote-form").is_hidden()
    assert_accessible(page)
    page.context.close()


def test_a_link_with_a_code_that_does_not_work_asks_for_the_code(
    service: Service, browser: Browser
) -> None:
    page = phone(browser)
    page.goto(f"{service.base}/v/2#{new_credential()}")  # well formed, but nobody's
    panel = page.locator("#voter-status [data-state=invalid-code]")
    panel.wait_for(state="visible")
    assert "这个投票码不能使用" in panel.inner_text()
    assert page.locator("#credential-box").is_visible()  # to type the newest invitation's code
    assert_accessible(page)
    page.context.close()


@pytest.mark.parametrize(
    ("which", "expected"),
    [
        ("closed", "投票已经结束"),
        ("cancelled", "本次表决已取消"),
        ("scheduled", "投票还没有开始"),
        ("published", "结果已经公布"),
        ("nowhere", "这个链接打不开投票"),
    ],
)
@pytest.mark.parametrize("viewport", [PHONE, SMALL_PHONE], ids=["390", "320"])
def test_every_state_has_a_page_of_its_own(
    service: Service, browser: Browser, which: str, expected: str, viewport: dict[str, int]
) -> None:
    ballot = {"published": 3, "nowhere": 9999}.get(which) or service.world[which]
    page = phone(browser, viewport)
    page.goto(f"{service.base}/v/{ballot}")
    title = page.locator(".state-title")
    assert expected in title.inner_text()
    assert page.locator("#vote-form").count() == 0
    if which == "cancelled":
        assert f"取消原因：{CANCEL_REASON}" in page.locator("main").inner_text()
    if which == "scheduled":
        assert "投票开始：" in page.locator("main").inner_text()
        assert "（北京时间）" in page.locator("main").inner_text()
    assert page.locator("main a.button").count() >= (0 if which == "scheduled" else 1)
    assert_accessible(page)
    no_sideways_scroll(page)
    page.context.close()


def test_without_javascript_a_budget_over_its_limit_is_refused_by_the_server(
    service: Service, browser: Browser
) -> None:
    code = code_of(service.links[1][2])
    page = phone(browser, javascript=False)
    page.goto(f"{service.base}/v/1")
    page.locator("#code-1").fill(code)  # the whole code in the first box
    page.get_by_label("老旧小区平改坡").check()
    page.get_by_label("加装电梯试点").check()
    page.get_by_label("加装消防设备").check()
    page.get_by_role("button", name="下一步：核对我的选择").click()
    beside = page.locator("#q1-error")
    assert (
        "您选的项目共需 130 万元，超过了预算 120 万元。请少选一项。"
        in beside.inner_text().replace("\xa0", " ")
    )
    assert page.get_by_label("加装消防设备").is_checked()  # the choices are kept to fix
    assert boxes(page) == code.split("-")
    assert_accessible_as_served(page, browser)
    page.get_by_label("加装消防设备").uncheck()
    page.get_by_role("button", name="下一步：核对我的选择").click()
    assert "请核对您的选择" in page.locator("h1").inner_text()
    assert_accessible_as_served(page, browser)
    page.get_by_role("button", name="返回修改").click()
    assert page.get_by_label("加装电梯试点").is_checked()
    page.get_by_role("button", name="下一步：核对我的选择").click()
    page.get_by_role("button", name="确认投票").click()
    assert "您的投票已收到" in page.content()
    page.context.close()


def test_without_javascript_every_candidate_gets_a_place(
    service: Service, browser: Browser
) -> None:
    ballot = service.world["every_kind"]
    code = code_of(service.links[ballot][3])
    page = phone(browser, javascript=False)
    page.goto(f"{service.base}/v/{ballot}")
    for n, group in enumerate(code.split("-"), start=1):
        page.locator(f"#code-{n}").fill(group)
    assert page.locator("#q3 select").count() == 4  # every candidate in view
    page.get_by_label("方案甲").select_option(label="第 1 位")
    page.get_by_label("方案丁").select_option(label="第 1 位")
    page.get_by_label("上海安居物业").check()
    page.get_by_label("老虎灶改造").check()
    page.get_by_label("修鞋").check()
    page.get_by_label("赞成").check()  # yes/no, and a rating on the three-level scale
    page.get_by_label("满意", exact=True).check()
    page.get_by_role("button", name="下一步：核对我的选择").click()
    assert "“方案甲”和“方案丁”都排在第 1 位" in page.locator("#q3-error").inner_text()
    assert "第 3 题" in page.locator("#form-error").inner_text()
    assert_accessible_as_served(page, browser)
    page.get_by_label("方案丁").select_option(label="第 2 位")
    page.get_by_role("button", name="下一步：核对我的选择").click()
    assert "第 1 位：方案甲" in page.locator("ol.review-ranked").inner_text()
    assert "满意" in page.locator("ol.review").inner_text()
    page.get_by_role("button", name="确认投票").click()
    assert "您的投票已收到" in page.content()
    page.context.close()
