"""The agency in a real browser (headless Chromium, zh-CN): the chair makes a QR poster for a
building and prints it; a resident on a phone opens the poster's link (decoded from the printed
QR code), sends a demand with a photo and gets a private link; the chair takes the demand on,
passes it to an organisation and replies; the resident rates the handling from the private link.
axe-core finds nothing serious or critical on any page on the way."""

from __future__ import annotations

import io
import re
import time

import httpx
import pyotp
from PIL import Image
from playwright.sync_api import Browser

from tests.browser.axe import assert_accessible
from tests.browser.test_console import Service, browser, decode_qr, new_context, service, visit  # noqa: F401
from vote.demo import DEMO_PASSWORD


def _organisation(base: str, secret: str) -> None:
    """The street's housing office, added through the API (a login with the current TOTP code;
    the browser's login later uses the next one, so neither is a replay of the other, even when
    a request crosses a 30-second step)."""
    code = pyotp.TOTP(secret).now()
    login = httpx.post(
        f"{base}/api/v1/auth/login",
        json={"username": "chair", "password": DEMO_PASSWORD, "totp": code},
    )
    assert login.status_code == 200, login.text
    headers = {"authorization": f"Bearer {login.json()['token']}"}
    units = {u["code"]: u["id"] for u in httpx.get(f"{base}/api/v1/units", headers=headers).json()}
    added = httpx.post(
        f"{base}/api/v1/units/{units['ruijin2']}/organisations",
        json={"name": "区房管局", "kind": "department"},
        headers=headers,
    )
    assert added.status_code == 201, added.text


def _photo() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 80, 40)).save(out, format="PNG")
    return out.getvalue()


def test_a_demand_from_poster_to_rating(browser: Browser, service: Service) -> None:  # noqa: F811
    _organisation(service.base, service.chair_secret)
    chair_context = browser.new_context(
        base_url=service.base,
        locale="zh-CN",
        viewport={"width": 1280, "height": 900},
        bypass_csp=True,
    )
    chair = chair_context.new_page()
    chair.goto("/chair/login")
    chair.get_by_label("用户名").fill("chair")
    chair.get_by_label("密码").fill(DEMO_PASSWORD)
    chair.get_by_label("身份验证器", exact=False).fill(
        pyotp.TOTP(service.chair_secret).at(time.time() + 30)  # after the API's login
    )
    chair.get_by_role("button", name="登录").click()
    chair.wait_for_url("**/chair/")

    chair.get_by_role("link", name="代理").first.click()
    chair.wait_for_url("**/chair/agency")
    assert_accessible(chair)
    chair.get_by_role("link", name="二维码海报与诉求类别").click()
    assert_accessible(chair)
    chair.get_by_label("居民区", exact=True).select_option(label="茂名居民区")
    # 茂名's 5号楼 (the demo has a poster for 瑞金一's 3号楼 already)
    chair.get_by_label("楼栋（整个居民区请留空）").fill("5号楼")
    chair.get_by_role("button", name="生成海报").click()
    assert chair.get_by_text("5号楼的海报已生成，可以打印。").is_visible()
    assert_accessible(chair)
    pdf_link = chair.get_by_role("link", name="PDF 5号楼")
    pdf = chair.request.get(service.base + str(pdf_link.get_attribute("href")))
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf"
    assert pdf.body().startswith(b"%PDF-")
    chair.get_by_role("link", name="打印 5号楼").click()
    assert chair.get_by_role("heading", name="有事找居委 扫码反映").is_visible()
    assert_accessible(chair)
    link = decode_qr(chair)
    assert re.fullmatch(re.escape(service.base) + r"/d/[A-Za-z0-9_-]+", link), link

    resident = new_context(browser, service).new_page()
    resident.goto(link)
    assert resident.get_by_role("heading", name="向居委会反映").is_visible()
    assert_accessible(resident)
    resident.get_by_role("button", name="提交").click()  # nothing filled in: told beside the fields
    assert resident.get_by_text("请描述问题。").is_visible()
    assert_accessible(resident)
    resident.get_by_label("房屋修缮", exact=False).check()
    resident.get_by_label("具体问题").fill("3号楼楼顶漏水，雨天滴到五楼走廊")
    resident.get_by_label("照片（可不传）").set_input_files(
        {"name": "roof.png", "mimeType": "image/png", "buffer": _photo()}
    )
    resident.get_by_label("电话或其他联系方式（可不填）").fill("13800001111")
    resident.get_by_role("button", name="提交").click()
    assert resident.get_by_role("heading", name="您的诉求已收到").is_visible()
    assert resident.get_by_text("请保存此链接").is_visible()
    assert_accessible(resident)
    private = resident.locator("#private-link").inner_text()
    assert "/d/r/" in private

    visit(chair, "/chair/agency")
    chair.get_by_role("link", name=re.compile(r"^\d{8}-\d+$")).first.click()
    assert chair.get_by_text("3号楼楼顶漏水").is_visible()
    assert chair.get_by_text("13800001111").is_visible()
    assert chair.get_by_role("img", name="居民随诉求上传的照片").is_visible()
    assert_accessible(chair)
    chair.get_by_role("button", name="受理（我是首接人）").click()
    assert chair.get_by_text("您已受理该诉求：您是首接人。").is_visible()
    chair.get_by_label("转交给").select_option(label="区房管局")
    chair.get_by_label("转办说明").fill("请安排检修")
    chair.get_by_role("button", name="转办", exact=True).click()
    assert chair.get_by_text("诉求已转办。").is_visible()
    chair.get_by_label("答复居民").fill("房管局已于今日完成楼顶防水修补")
    chair.get_by_label("已解决", exact=True).check()
    chair.get_by_role("button", name="发送答复").click()
    assert chair.get_by_text("答复已发送，居民可通过自己的链接查看。").is_visible()
    assert_accessible(chair)

    resident.goto(private)
    assert resident.get_by_text("房管局已于今日完成楼顶防水修补").is_visible()
    assert "13800001111" not in resident.content()
    assert_accessible(resident)
    resident.get_by_label("满意", exact=True).check()
    resident.get_by_role("button", name="提交评价").click()
    assert resident.get_by_text("感谢您的评价。").is_visible()
    assert resident.get_by_text("您的评价：满意").is_visible()
    assert_accessible(resident)

    visit(chair, "/chair/agency/stats")
    assert chair.get_by_role("columnheader", name="响应率").is_visible()
    chair_context.close()
