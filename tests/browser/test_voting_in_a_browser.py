"""A resident votes in a real browser (headless Chromium): the invitation link's code is taken
from the ``#`` fragment by the page's script, the vote is cast, and the receipt's check page
verifies the board proof on the "phone" itself.

The service runs for real (``vote demo`` then ``vote serve`` in a subprocess). Chromium comes from
the system (Debian's ``chromium`` package; ``.ci/run`` installs it): off CI a missing browser skips
these tests, with ``CI=true`` it fails them.
"""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, Route

from ballots.signing import signer_from_seed
from tally import receipt_code
from tally.board import tree_head_message

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


def _phone_checks(page: Page) -> dict[str, str]:
    """Wait for the check page's own verification and return each check's outcome."""
    page.wait_for_selector("#proof-check[data-result]")
    outcome = {
        item.get_attribute("data-check") or "": item.get_attribute("data-passed") or ""
        for item in page.locator("#proof-check-steps li").all()
    }
    outcome["result"] = page.locator("#proof-check").get_attribute("data-result") or ""
    return outcome


def _key_id(base: str) -> str:
    key = httpx.get(f"{base}/api/v1/board/key").json()
    return str(key["key_id"])


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
    page.get_by_role("button", name="下一步：核对我的选择").click()
    page.wait_for_selector("#review-form")  # the choice in words, not cast yet
    assert "上海城达资产评估有限公司" in page.locator("ol.review").inner_text()
    page.get_by_role("button", name="确认投票").click()
    page.wait_for_selector(".tracker")
    assert "您的投票已收到" in page.content()
    code = page.locator("#receipt-code").inner_text().strip()  # 26 digits in groups of four
    assert page.locator("main svg").count() == 0  # no QR code of the page itself
    page.get_by_role("link", name="查询我的投票").click()
    assert page.locator("#tracker").input_value() == code
    # The phone checks the entry, the proof and the signature with the published key itself.
    checks = _phone_checks(page)
    assert checks == {"entry": "true", "log": "true", "signature": "true", "result": "ok"}
    assert "结果一致" in page.locator("#proof-check-summary").inner_text()
    steps = page.locator("#proof-check-steps").text_content() or ""  # inside a closed <details>
    assert f"回执查询码 {code}" in steps
    assert f"密钥指纹 {_key_id(service[0])}" in steps

    # Opening the same invitation again shows that this household has voted already.
    again = browser.new_page(locale="zh-CN")
    again.goto(link)
    again.wait_for_selector("#voter-status:not([hidden])")
    assert "您已投票" in again.locator("#voter-status").inner_text()
    assert again.locator("#vote-form").is_hidden()  # a kind page, not the form


def test_the_voting_page_speaks_english_when_asked(
    service: tuple[str, str], browser: Browser
) -> None:
    base, _ = service
    page = browser.new_page(locale="en-US")
    page.goto(f"{base}/lang/en?next=/v/1")
    assert page.get_by_role("button", name="Next: check my choices").count() == 1
    assert page.locator("html").get_attribute("lang") == "en"


@pytest.fixture(scope="module")
def receipt(service: tuple[str, str]) -> dict[str, Any]:
    """A vote cast through the API on the practical-projects ballot (ballot 1)."""
    base, demo_output = service
    code = _invitation(demo_output, 1).split("#", 1)[1]
    cast = httpx.post(
        f"{base}/api/v1/ballots/1/casts",
        json={"credential": code, "answers": {"projects": ["p2", "p3"]}},
    )
    assert cast.status_code == 201, cast.text
    body: dict[str, Any] = cast.json()
    return body


def _flip_base64(text: str) -> str:
    raw = bytearray(base64.b64decode(text))
    raw[0] ^= 1
    return base64.b64encode(bytes(raw)).decode()


def _tamper_proof(change: Callable[[dict[str, Any]], None]) -> Callable[[Route], None]:
    """A route handler that lets the real proof through with ``change`` applied to it."""

    def handle(route: Route) -> None:
        response = route.fetch()
        proof = response.json()
        change(proof)
        route.fulfill(response=response, body=json.dumps(proof))

    return handle


def _sign_with_another_key(proof: dict[str, Any]) -> None:
    head = proof["tree_head"]
    message = tree_head_message(
        ballot_id="1",
        tree_size=head["tree_size"],
        root_hash=bytes.fromhex(head["root_hash"]),
        timestamp=head["timestamp"],
    )
    head["signature"] = base64.b64encode(signer_from_seed(bytes(32)).sign(message)).decode()


def _set(path: tuple[str, ...], change: Callable[[Any], Any]) -> Callable[[dict[str, Any]], None]:
    def apply(proof: dict[str, Any]) -> None:
        target = proof
        for name in path[:-1]:
            target = target[name]
        target[path[-1]] = change(target[path[-1]])

    return apply


TAMPERED_PROOFS = {
    # A signature that is not the key's: one bit flipped, or made with another key.
    "flipped-signature": (
        _set(("tree_head", "signature"), _flip_base64),
        {"entry": "true", "log": "true", "signature": "false"},
    ),
    "signed-by-another-key": (
        _sign_with_another_key,
        {"entry": "true", "log": "true", "signature": "false"},
    ),
    # A head moved in time: the signature covers the timestamp.
    "later-timestamp": (
        _set(("tree_head", "timestamp"), lambda t: t + 1),
        {"entry": "true", "log": "true", "signature": "false"},
    ),
    # A root the proof does not lead to: the signature is then not even tried.
    "other-root": (
        _set(("tree_head", "root_hash"), lambda h: ("0" if h[0] != "0" else "1") + h[1:]),
        {"entry": "true", "log": "false", "signature": "skipped"},
    ),
    # The server points at another entry of the board.
    "another-entry": (
        _set(("leaf_index",), lambda i: i - 1),
        {"entry": "false", "log": "skipped", "signature": "skipped"},
    ),
}


@pytest.mark.parametrize("tampering", sorted(TAMPERED_PROOFS))
def test_the_check_page_reports_a_tampered_proof(
    service: tuple[str, str], browser: Browser, receipt: dict[str, Any], tampering: str
) -> None:
    base, _ = service
    change, expected = TAMPERED_PROOFS[tampering]
    page = browser.new_page(locale="zh-CN")
    page.route("**/board/proof?*", _tamper_proof(change))
    page.goto(f"{base}/ballots/1/check?tracker={receipt['tracker']}")
    assert _phone_checks(page) == {**expected, "result": "fail"}
    summary = page.locator("#proof-check-summary")
    assert "发现有不一致的地方" in summary.inner_text()
    assert "notice error" in (summary.get_attribute("class") or "")
    page.close()


def test_the_check_page_refuses_a_key_that_is_not_the_published_one(
    service: tuple[str, str], browser: Browser, receipt: dict[str, Any]
) -> None:
    """A page carrying another key (say, altered on the way) fails the signature check, and
    the fingerprint it shows is the other key's, not the one on the public notice."""
    base, _ = service
    published = httpx.get(f"{base}/api/v1/board/key").json()
    other = signer_from_seed(bytes(32))

    def swap_key(route: Route) -> None:
        response = route.fetch()
        html = response.text().replace(published["public_key"], other.public_key_b64)
        route.fulfill(response=response, body=html)

    page = browser.new_page(locale="en-US")
    page.route("**/ballots/1/check?*", swap_key)
    page.goto(f"{base}/ballots/1/check?tracker={receipt['tracker']}&lang=en")
    assert _phone_checks(page) == {
        "entry": "true",
        "log": "true",
        "signature": "false",
        "result": "fail",
    }
    text = page.locator("#proof-check-steps").text_content() or ""  # inside a closed <details>
    assert f"does not match this ballot's published key (fingerprint {other.key_id})" in text
    assert published["key_id"] not in text
    page.close()


def test_the_check_page_says_what_it_checked_in_english(
    service: tuple[str, str], browser: Browser, receipt: dict[str, Any]
) -> None:
    base, _ = service
    page = browser.new_page(locale="en-US")
    page.goto(f"{base}/ballots/1/check?tracker={receipt['tracker']}&lang=en")
    assert _phone_checks(page)["result"] == "ok"
    steps = page.locator("#proof-check-steps").text_content() or ""  # inside a closed <details>
    details = page.locator("#proof-check-details").text_content() or ""
    assert f"Your ballot (receipt code {receipt_code(receipt['tracker'])}) is entry" in steps
    assert "Your ballot is in the board's record of" in steps
    assert f"signed with this ballot's published key (fingerprint {_key_id(base)})" in steps
    assert "luwan-vote-board/1 tree-head\\n1\\n" in details
    page.close()


def test_a_mistyped_code_is_caught_on_the_phone_before_sending(
    service: tuple[str, str], browser: Browser
) -> None:
    _base, demo_output = service
    link = _invitation(demo_output, 2)
    path, _, code = link.partition("#")
    digits = re.sub(r"\D", "", code)
    wrong = digits[:7] + str((int(digits[7]) + 1) % 10) + digits[8:]
    page = browser.new_page(locale="zh-CN", viewport={"width": 390, "height": 844})
    sent: list[str] = []
    page.on("request", lambda request: sent.append(request.method + " " + request.url))
    page.goto(path)
    field = page.locator("#code-1")  # the first of five boxes; a whole code pasted fills all
    field.fill(digits[:10])
    assert "10" in page.locator("#credential-check").inner_text()
    field.fill(wrong)
    assert "请核对数字" in page.locator("#credential-check").inner_text()
    assert field.get_attribute("aria-invalid") == "true"
    page.locator("#vote-form button[value=review]").click()
    assert not [request for request in sent if request.startswith("POST")]  # nothing was sent
    field.fill(digits)
    assert "投票码已输完整" in page.locator("#credential-check").inner_text()
    page.close()
