"""The start page and the public pages in a real browser (headless Chromium) as residents' phones
show them: 390×844 and 320×640, in Chinese and English, and at 200 % zoom; axe-core finds no
serious or critical violation; the header's links are thumb-sized; nothing scrolls sideways; the
keyboard reaches the content in order with a visible focus; the area filter works without
JavaScript; and the pages load without a console error in WeChat's Android WebView user agent.

The service runs for real (``vote demo`` then ``vote serve``), as in test_voting_in_a_browser.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page

from tests.browser.axe import assert_accessible
from tests.browser.test_voting_in_a_browser import _invitation, browser, service  # noqa: F401

PHONES = {"390x844": (390, 844), "320x640": (320, 640)}
LOCALES = ("zh-CN", "en")
MIN_TARGET = 44  # CSS pixels: WCAG 2.5.5's size, the brief's header links
# WeChat 7.0 on Android 10: its X5/XWEB WebView reports Chromium 78.
WECHAT_UA = (
    "Mozilla/5.0 (Linux; Android 10; V1981A Build/QP1A.190711.020; wv) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Version/4.0 Chrome/78.0.3904.62 XWEB/2691 MMWEBSDK/200801 Mobile "
    "Safari/537.36 MMWEBID/5624 MicroMessenger/7.0.19.1760(0x27001335) Process/toolsmp "
    "WeChat/arm64 NetType/WIFI Language/zh_CN ABI/arm64"
)
PUBLIC_PAGES = ("/", "/ballots/2", "/ballots/3")  # home, an open ballot, a published result


def _context(chromium: Browser, width: int, height: int, locale: str, **extra: Any) -> Page:
    context: BrowserContext = chromium.new_context(
        viewport={"width": width, "height": height},
        locale=locale,
        bypass_csp=True,  # axe is injected; the app never serves it
        **extra,
    )
    return context.new_page()


def _in_language(page: Page, base: str, path: str, locale: str) -> None:
    page.goto(f"{base}/lang/{locale}?next={path}")
    assert page.locator("html").get_attribute("lang") == locale


def _no_sideways_scrolling(page: Page) -> None:
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{page.url} scrolls sideways by {overflow}px"


def _header_targets(page: Page) -> list[tuple[str, float, float]]:
    boxes = []
    for link in page.locator("header.site a").all():
        box = link.bounding_box()
        assert box is not None
        boxes.append((link.inner_text(), box["width"], box["height"]))
    return boxes


@pytest.fixture(scope="module")
def base(service: tuple[str, str]) -> str:  # noqa: F811
    return service[0]


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("phone", PHONES)
def test_public_pages_on_a_phone(browser: Browser, base: str, phone: str, locale: str) -> None:  # noqa: F811
    page = _context(browser, *PHONES[phone], locale)
    for path in (*PUBLIC_PAGES, "/?unit=5", "/?unit=4242"):  # filtered, and a filter refused
        _in_language(page, base, path, locale)
        assert_accessible(page)
        _no_sideways_scrolling(page)
        targets = _header_targets(page)
        assert len(targets) == 2  # the site's name and the language switch
        for text, width, height in targets:
            assert width >= MIN_TARGET and height >= MIN_TARGET, (path, text, width, height)
    page.context.close()


@pytest.mark.parametrize("locale", LOCALES)
def test_pages_reflow_at_200_percent_zoom(browser: Browser, base: str, locale: str) -> None:  # noqa: F811
    """Zooming a 390 px wide phone to 200 % leaves 195 CSS pixels: still no sideways scroll. The
    published result's figures table, wider than that, scrolls inside its own labelled region,
    which the keyboard can reach."""
    page = _context(browser, 195, 422, locale, device_scale_factor=2)
    for path in (
        "/",
        "/?unit=5",
        "/ballots/2",
        "/v/1",
        "/v/2",
        "/ballots/3/check",
        "/ballots/3",
        "/ballots/3/audit",
    ):
        _in_language(page, base, path, locale)
        _no_sideways_scrolling(page)
        for text, width, height in _header_targets(page):
            assert width >= MIN_TARGET and height >= MIN_TARGET, (path, text)
    _in_language(page, base, "/ballots/3", locale)
    assert_accessible(page)  # a scrolling region must be focusable and named
    regions = page.locator("div.table-wrap[role=region][tabindex='0']:has(table.figures)")
    assert regions.count() == page.locator("table.figures").count() >= 1
    page.context.close()


def test_the_keyboard_reaches_the_content_in_order_with_a_visible_focus(
    browser: Browser,  # noqa: F811
    base: str,
) -> None:
    page = _context(browser, 390, 844, "zh-CN")
    page.goto(f"{base}/")
    order = []
    for _ in range(5):
        page.keyboard.press("Tab")
        order.append(
            page.evaluate(
                "() => { const e = document.activeElement;"
                " return e.id || e.className || e.tagName.toLowerCase(); }"
            )
        )
        outline = page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
        assert outline != "none", order[-1]
    assert order[:4] == ["skip-link", "brand", "lang-switch", "unit"], order
    # The skip link shows while focused and lands on the content.
    page.goto(f"{base}/")
    page.keyboard.press("Tab")
    box = page.locator(".skip-link").bounding_box()
    assert box is not None and box["y"] >= 0 and box["height"] >= MIN_TARGET
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.id") == "unit"
    page.context.close()


def test_the_area_filter_works_without_javascript(browser: Browser, base: str) -> None:  # noqa: F811
    page = _context(browser, 390, 844, "zh-CN", java_script_enabled=False)
    page.goto(f"{base}/")
    assert page.locator("#open-ballots > li").count() == 3  # with the hearing's lift ballot
    sinan = page.locator("#unit option", has_text="思南居民区").get_attribute("value")
    assert sinan
    page.select_option("#unit", value=sinan)
    page.get_by_role("button", name="显示").click()
    assert re.search(r"[?&]unit=\d+", page.url)
    assert page.locator("#open-ballots > li").count() == 1  # the street's practical projects
    assert "思南居民区" in page.locator("#filter-note").inner_text()
    page.context.close()


@pytest.fixture
def wechat(browser: Browser) -> Iterator[tuple[Page, list[str]]]:  # noqa: F811
    """A page in WeChat's WebView user agent, with the app's own security policy in force, and
    every console error or uncaught exception it logs."""
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, locale="zh-CN", user_agent=WECHAT_UA
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page, errors
    context.close()


def test_pages_load_without_errors_in_wechat(
    wechat: tuple[Page, list[str]],
    service: tuple[str, str],  # noqa: F811
) -> None:
    page, errors = wechat
    base, demo_output = service
    assert "MicroMessenger" in page.evaluate("() => navigator.userAgent")
    for path in (*PUBLIC_PAGES, "/v/2", "/matters/1"):
        page.goto(f"{base}{path}", wait_until="load")
        assert page.locator("h1").count() == 1, path
    page.goto(_invitation(demo_output, 1), wait_until="load")  # a code in the link's fragment
    page.wait_for_load_state("networkidle")  # the script has checked the code
    assert errors == []


def test_a_chosen_option_is_framed_without_has(browser: Browser, base: str) -> None:  # noqa: F811
    """The chosen option's frame comes from a sibling selector, which old WebViews understand,
    not from :has(), which they drop."""
    page = _context(browser, 390, 844, "zh-CN")
    page.goto(f"{base}/v/2")
    first = page.locator("label.choice").first
    frame = "el => getComputedStyle(el.querySelector('input + span'), '::before').backgroundColor"
    assert first.evaluate(frame) != "rgb(227, 238, 251)"
    first.locator("input").check()
    assert first.evaluate(frame) == "rgb(227, 238, 251)"
    page.context.close()
