"""The agency's poster PDF: one A4 page whose QR code decodes to the form's address, with every
line of its wording on the page, also when the title and the building are long."""

from __future__ import annotations

import pypdfium2 as pdfium
import zxingcpp

from vote.printing.poster import PosterText, render_poster_pdf

URL = "https://vote.example.org/d/AbCdEfGhIjKlMnOp"


def _read(data: bytes) -> tuple[list[str], str]:
    pdf = pdfium.PdfDocument(data)
    try:
        assert len(pdf) == 1
        page = pdf[0]
        image = page.render(scale=150 / 72, grayscale=True).to_pil()
        codes = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
        text = page.get_textpage().get_text_range().replace("\r\n", "")
        return [code.text for code in codes], text
    finally:
        pdf.close()


def test_a_poster_with_long_wording_keeps_its_code_readable() -> None:
    text = PosterText(
        title="有事找居委 扫码反映" * 3,
        where="淮海中路 1234 弄 56 号楼东侧单元" * 3,
        steps=("用手机相机或微信扫一扫上面的二维码。", "写下遇到的问题。", "保存链接。"),
        note="无需注册。",
        address_label="扫不了码？请在浏览器打开：",
        unit_name="瑞金二路街道茂名居民区",
    )
    codes, words = _read(render_poster_pdf(text, URL))
    assert codes == [URL]
    for part in ("写下遇到的问题。", "保存链接。", "无需注册。", "瑞金二路街道茂名居民区", URL):
        assert part in words
