"""QR codes for invitation links: the PNG and the inline SVG both scan back to the exact URL."""

from __future__ import annotations

import io
import re

import zxingcpp
from PIL import Image, ImageDraw

from vote.printing.qr import QUIET_ZONE, qr_matrix, qr_png, qr_svg

URL = "http://vote.example.cn/v/7#12345-67890-12345-67890-12345"


def _decode(image: Image.Image) -> list[zxingcpp.Barcode]:
    return list(zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode))


def test_png_decodes_to_the_exact_url_with_error_correction_m() -> None:
    image = Image.open(io.BytesIO(qr_png(URL)))
    (code,) = _decode(image)
    assert code.text == URL
    assert code.ec_level == "M"


def test_png_has_a_quiet_zone_of_four_modules_and_box_size_pixels_per_module() -> None:
    size = len(qr_matrix(URL))
    image = Image.open(io.BytesIO(qr_png(URL, box_size=5))).convert("L")
    assert image.size == ((size + 2 * QUIET_ZONE) * 5,) * 2
    border = QUIET_ZONE * 5
    inner = image.crop((border, border, image.width - border, image.height - border))
    assert inner.getextrema() == (0, 255)  # the symbol itself starts right after the quiet zone
    # the quiet zone is entirely white
    for box in [
        (0, 0, image.width, border),
        (0, image.height - border, image.width, image.height),
        (0, 0, border, image.height),
        (image.width - border, 0, image.width, image.height),
    ]:
        assert image.crop(box).getextrema() == (255, 255)


def _rasterise_svg(svg: str, scale: int) -> Image.Image:
    """Draw the SVG's background and path (the only shapes qr_svg emits) with Pillow."""
    (viewbox,) = re.findall(r'viewBox="0 0 (\d+) (\d+)"', svg)
    width, height = int(viewbox[0]), int(viewbox[1])
    image = Image.new("L", (width * scale, height * scale), 0)  # black, so a missing bg shows
    draw = ImageDraw.Draw(image)
    for w, h, fill in re.findall(r'<rect width="(\d+)" height="(\d+)" fill="(#[0-9a-f]+)"/>', svg):
        draw.rectangle((0, 0, int(w) * scale - 1, int(h) * scale - 1), fill=255)
        assert fill == "#fff"
    (path,) = re.findall(r'<path d="([^"]*)" fill="#000"/>', svg)
    for x, y, n in re.findall(r"M(\d+) (\d+)h(\d+)v1h-\3z", path):
        x0, y0, length = int(x), int(y), int(n)
        draw.rectangle(
            (x0 * scale, y0 * scale, (x0 + length) * scale - 1, (y0 + 1) * scale - 1), fill=0
        )
    return image


def test_svg_is_inline_scalable_markup_that_decodes_to_the_exact_url() -> None:
    svg = qr_svg(URL)
    assert svg.startswith("<svg ") and svg.endswith("</svg>")
    assert "<?xml" not in svg
    size = len(qr_matrix(URL)) + 2 * QUIET_ZONE
    assert f'viewBox="0 0 {size} {size}"' in svg
    assert "width=" not in svg.split(">", 1)[0]  # no fixed size: the page decides
    (code,) = _decode(_rasterise_svg(svg, scale=6))
    assert code.text == URL


def test_different_urls_give_different_codes() -> None:
    other = URL.replace("12345-67890", "99999-00000", 1)
    assert qr_svg(URL) != qr_svg(other)
    (code,) = _decode(Image.open(io.BytesIO(qr_png(other))))
    assert code.text == other


def test_fast_mask_choice_gives_the_same_symbol_as_qrcode() -> None:
    import qrcode
    from qrcode.constants import ERROR_CORRECT_M

    for i in range(40):
        url = f"https://vote.example.cn/v/{i * 37}#{i:05d}-{i * 7919 % 100000:05d}-00042-31337-{i}"
        reference = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=QUIET_ZONE)
        reference.add_data(url)
        reference.make(fit=True)
        assert qr_matrix(url) == reference.modules, url


def test_svg_has_a_text_alternative_in_the_readers_language() -> None:
    """Screen readers name the code (axe: svg-img-alt); a caller may say what it opens."""
    from vote.i18n import current_locale

    assert "<title>QR code that opens the voting page</title>" in qr_svg(
        URL, "QR code that opens the voting page"
    )
    assert "<title>a &lt;b&gt; &amp; c</title>" in qr_svg(URL, "a <b> & c")
    token = current_locale.set("zh_CN")
    try:
        assert "<title>二维码</title>" in qr_svg(URL)
    finally:
        current_locale.reset(token)
    token = current_locale.set("en")
    try:
        assert "<title>QR code</title>" in qr_svg(URL)
    finally:
        current_locale.reset(token)
