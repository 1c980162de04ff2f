"""A chair records proxies in the browser (headless Chromium, zh-CN): on a meeting planned from
a matter's page, residents found by building and room and chosen by address, a second proxy for
the same holder refused beside the holder's field with the typing kept, a page passed off as a
photo refused, the signed form's photo kept and served as itself, and a proxy revoked after
confirming; at desktop width, on a phone (390 px) and a small phone (320 px) with nothing wider
than the screen, and axe-core finding nothing serious or critical on any page.

The service runs for real (``vote demo``, ``vote serve``), as the console test's does.
"""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Browser, Page

from tests.browser.axe import assert_accessible
from tests.browser.test_console import Service, browser, log_in, service, visit

__all__ = ["browser", "service"]  # the module-scoped Chromium and demo service

MATTER = "2027年瑞金二路街道实事项目"
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa75\x81\x84\x00"
    b"\x00\x00\x00IEND\xaeB`\x82"
)


def no_wider_than_the_screen(page: Page) -> None:
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"the page is {overflow}px wider than the screen"


def plan_meeting(page: Page) -> str:
    """Plan a meeting on the demo's street matter (no ballot: the street's roll); its path."""
    page.goto("/chair/matters")
    page.get_by_role("link", name=MATTER).click()
    page.get_by_role("link", name="新建会议").click()
    page.get_by_label("标题", exact=True).fill("加装电梯听证会")
    page.get_by_label("会议类型").select_option("hearing")
    page.get_by_label("开始时间（北京时间）").fill("2026-12-05T18:00")
    page.get_by_label("每人最多代理几人").fill("1")
    page.get_by_role("button", name="安排会议").click()
    assert "会议已安排" in page.content()
    found = re.search(r"/chair/meetings/\d+", page.url)
    if found is None:
        found = re.search(r'href="(/chair/meetings/\d+)/proxies"', page.content())
        assert found, page.url
        return found.group(1)
    return found.group(0)


def choose_first(page: Page, field: str) -> str:
    """Choose the first resident offered for ``field``; return their label."""
    choice = page.locator(f"input[name={field}_id]").first
    label = page.locator(f"label[for='{choice.get_attribute('id')}']").inner_text()
    choice.check()
    return label


def test_a_chair_records_and_revokes_a_proxy(
    service: Service, browser: Browser, tmp_path: Path
) -> None:
    context = browser.new_context(
        base_url=service.base,
        locale="zh-CN",
        viewport={"width": 1280, "height": 900},
        bypass_csp=True,
    )
    page = context.new_page()
    log_in(page, "chair", "demo-chair-2026", service.chair_secret)
    meeting = plan_meeting(page)
    page.get_by_role("link", name="委托代理").click()
    page.wait_for_url(f"**{meeting}/proxies")
    assert_accessible(page)
    assert "本次会议每人最多代理 1 人" in page.content()

    # Several residents live at 1号楼101 (and its namesakes in other areas): choose by address.
    page.get_by_label("委托人（不能到场的居民）").fill("1号楼101")
    page.get_by_label("受托人（代为参会和投票）").fill("1号楼102")
    page.get_by_role("button", name="记录委托").click()
    assert page.locator("#grantor-error").is_visible()
    assert page.get_by_label("委托人（不能到场的居民）").input_value() == "1号楼101"
    assert_accessible(page)
    grantor = choose_first(page, "grantor").split(" · ")[0]
    holder = choose_first(page, "holder").split(" · ")[0]
    page.get_by_role("button", name="记录委托").click()
    assert f"已记录：{grantor}委托{holder}代为投票。" in page.content()
    assert "已代理 1 人，最多 1 人" in page.content()
    assert_accessible(page)

    # The holder is at the limit: a second proxy is refused beside the holder, typing kept.
    page.get_by_label("委托人（不能到场的居民）").fill("1号楼201")
    page.get_by_label("受托人（代为参会和投票）").fill("1号楼102")
    page.get_by_role("button", name="记录委托").click()
    choose_first(page, "grantor")
    page.locator("input[name=holder_id]").first.check()
    page.get_by_role("button", name="记录委托").click()
    error = page.locator("#holder-error")
    assert error.is_visible() and "本次会议每人最多代理 1 人" in error.inner_text()
    assert page.get_by_label("受托人（代为参会和投票）").input_value() == "1号楼102"
    assert_accessible(page)

    # The signed form: a page passed off as a photo is refused; a photo is kept and shown.
    page.get_by_text(f"上传{grantor}的委托书").click()
    fake = tmp_path / "委托书.png"
    fake.write_bytes(b"<html><script>alert(1)</script></html>")
    page.get_by_label("签字委托书的照片或 PDF", exact=True).set_input_files(str(fake))
    page.get_by_role("button", name="上传", exact=True).click()
    assert page.locator("[id^=form_file_][id$=-error]").is_visible()
    assert_accessible(page)
    photo = tmp_path / "委托书-照片.png"
    photo.write_bytes(PNG)
    page.get_by_label("签字委托书的照片或 PDF", exact=True).set_input_files(str(photo))
    page.get_by_role("button", name="上传", exact=True).click()
    assert "委托书已保存。" in page.content()
    link = page.get_by_role("link", name=f"查看{grantor}的委托书")
    href = link.get_attribute("href")
    assert href is not None
    shown = page.request.get(href)
    assert shown.status == 200 and shown.body() == PNG
    assert shown.headers["content-type"] == "image/png"
    assert shown.headers["x-content-type-options"] == "nosniff"

    # Revoke after confirming: the proxy stays listed as revoked.
    page.get_by_role("link", name=f"撤销{grantor}的委托…").click()
    assert_accessible(page)
    assert grantor in page.content() and holder in page.content()
    page.get_by_role("button", name="撤销委托").click()
    assert f"已撤销：{grantor}不再委托{holder}。" in page.content()
    assert "已撤销的委托（1 份）" in page.content()
    assert_accessible(page)
    logged_in = context.storage_state()
    context.close()

    # The same page on a phone and a small phone: large enough, nothing wider than the screen.
    for width, height in ((390, 844), (320, 640)):
        phone = browser.new_context(
            base_url=service.base,
            locale="zh-CN",
            viewport={"width": width, "height": height},
            bypass_csp=True,
            storage_state=logged_in,  # the same login: a TOTP code is accepted once
        )
        small = phone.new_page()
        visit(small, f"{meeting}/proxies")
        no_wider_than_the_screen(small)
        button = small.get_by_role("button", name="记录委托").bounding_box()
        assert button is not None and button["height"] >= 44
        small.get_by_label("委托人（不能到场的居民）").fill("1号楼101")
        small.get_by_role("button", name="记录委托").click()
        no_wider_than_the_screen(small)
        assert_accessible(small)
        phone.close()
