"""The invitation PDF, checked as a chair would: print it, scan every code, read every card.

Pages are rasterised with pdfium and every QR code decoded with zxing-cpp; the text of each
card is read back from the PDF within that card's quarter of the page, so a card whose code
belongs to someone else, or a credential split across cards, fails.
"""

from __future__ import annotations

from collections.abc import Iterator

import pypdfium2 as pdfium
import pytest
import zxingcpp

from ballots.invitations import Invitation
from tests.vote.printing.printing_samples import LONG_TITLE, make_invitation, sample_invitations
from vote.printing.pdf import credential_groups, format_address, render_invitations_pdf

DPI = 200
MM_PER_INCH = 25.4
A4_PT = (595.28, 841.89)


@pytest.fixture
def five_invitations() -> list[Invitation]:
    return sample_invitations()


def _cards(data: bytes) -> Iterator[tuple[int, zxingcpp.Barcode, str, float]]:
    """(page index, decoded code, text of the card holding it, code width in mm) per code."""
    pdf = pdfium.PdfDocument(data)
    try:
        for index in range(len(pdf)):
            page = pdf[index]
            width_pt, height_pt = page.get_size()
            assert (round(width_pt, 1), round(height_pt, 1)) == (595.3, 841.9)  # A4
            image = page.render(scale=DPI / 72, grayscale=True).to_pil()
            textpage = page.get_textpage()
            codes = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
            for code in codes:
                pos = code.position
                cx = (pos.top_left.x + pos.bottom_right.x) / 2 * 72 / DPI
                cy = height_pt - (pos.top_left.y + pos.bottom_right.y) / 2 * 72 / DPI
                col, row = int(cx // (width_pt / 2)), int(cy // (height_pt / 2))
                text = textpage.get_text_bounded(
                    left=col * width_pt / 2,
                    bottom=row * height_pt / 2,
                    right=(col + 1) * width_pt / 2,
                    top=(row + 1) * height_pt / 2,
                )
                width_mm = (pos.top_right.x - pos.top_left.x) / DPI * MM_PER_INCH
                yield index, code, text, width_mm
            textpage.close()
            page.close()
    finally:
        pdf.close()


def _page_count(data: bytes) -> int:
    pdf = pdfium.PdfDocument(data)
    try:
        return len(pdf)
    finally:
        pdf.close()


def _all_text(data: bytes) -> str:
    pdf = pdfium.PdfDocument(data)
    try:
        texts = []
        for page in pdf:
            textpage = page.get_textpage()
            texts.append(textpage.get_text_range())
            textpage.close()
            page.close()
        return "\n".join(texts)
    finally:
        pdf.close()


def _flat(text: str) -> str:
    return "".join(text.split())


def test_five_invitations_fill_two_a4_pages_and_every_code_scans(
    five_invitations: list[Invitation],
) -> None:
    data = render_invitations_pdf(five_invitations)
    assert data.startswith(b"%PDF")
    assert _page_count(data) == 2
    cards = list(_cards(data))
    decoded = [code.text for _, code, _, _ in cards]
    assert sorted(decoded) == sorted(inv.url for inv in five_invitations)  # each exactly once
    assert [page for page, *_ in cards].count(0) == 4


def test_each_card_shows_its_own_residents_name_address_and_credential(
    five_invitations: list[Invitation],
) -> None:
    by_url = {inv.url: inv for inv in five_invitations}
    cards = list(_cards(render_invitations_pdf(five_invitations)))
    assert len(cards) == 5
    for _, code, text, width_mm in cards:
        inv = by_url[code.text]
        assert inv.name in text
        # the credential's groups, in order, and no other five-digit groups
        groups = [word for word in text.split() if word.isdigit() and len(word) == 5]
        assert groups == inv.credential.split("-"), inv.name
        assert inv.unit_name in text
        assert _flat(inv.ballot_title) in _flat(text)  # long titles wrap, but nothing is lost
        assert format_address(inv.building, inv.room, inv.household) in text
        assert "用手机扫描二维码（微信或相机扫一扫）" in _flat(text)
        assert width_mm >= 45, f"QR code only {width_mm:.1f} mm wide"
        # nobody else's name or credential is on this card
        for other in five_invitations:
            if other is not inv:
                assert other.credential.split("-")[0] not in text.split()
    long_card = next(
        text for _, code, text, _ in cards if by_url[code.text].ballot_title == LONG_TITLE
    )
    assert "欧阳建国" in long_card


def test_chinese_instructions_for_elderly_residents_are_complete(
    five_invitations: list[Invitation],
) -> None:
    text = _flat(_all_text(render_invitations_pdf(five_invitations)))
    for line in [
        "1.用手机扫描二维码（微信或相机扫一扫）",
        "2.按提示选择，点“下一步”核对，再点“确认投票”",
        "3.保存回执上的查询码",
        "不会用手机？可带本通知到居委会现场投票或请家人帮忙",
        "本码仅限本人使用，请勿转交他人",
    ]:
        assert text.count(line) == 5, line


def test_english_locale_prints_english_instructions(
    five_invitations: list[Invitation],
) -> None:
    data = render_invitations_pdf(five_invitations, locale="en")
    assert sorted(code.text for _, code, _, _ in _cards(data)) == sorted(
        inv.url for inv in five_invitations
    )
    text = " ".join(_all_text(data).split())
    assert "Scan the QR code with your phone" in text
    assert "Confirm my vote" in text
    assert "receipt" in text
    assert "No smartphone?" in text
    assert "Do not give it to anyone else" in text
    assert "Building 3, Room 201" in text
    assert "扫描" not in text and "居委会" not in text
    for inv in five_invitations:
        assert inv.name in text


def test_address_suffixes_are_added_only_to_bare_numbers() -> None:
    assert format_address("3", "201", "H1") == "3号楼 201室"
    assert format_address("3号楼", "201室", "H1") == "3号楼 201室"
    assert format_address("A座", "1502", "") == "A座 1502室"
    assert format_address("", "", "H7") == "户号 H7"
    assert format_address("3", "201", "", locale="en") == "Building 3, Room 201"


def test_credential_groups_for_typing() -> None:
    assert credential_groups("12345-67890-12345-67890-12345") == ["12345", "67890"] * 2 + ["12345"]


def test_a_full_page_and_one_more_make_two_pages() -> None:
    invitations = [make_invitation(i, name=f"居民{i}", building="1", room=f"{i}") for i in range(4)]
    assert _page_count(render_invitations_pdf(invitations)) == 1
    invitations.append(make_invitation(9, name="居民9", building="1", room="9"))
    assert _page_count(render_invitations_pdf(invitations)) == 2


def test_empty_list_is_refused() -> None:
    with pytest.raises(ValueError):
        render_invitations_pdf([])


def test_unknown_locale_is_refused(five_invitations: list[Invitation]) -> None:
    with pytest.raises(ValueError):
        render_invitations_pdf(five_invitations, locale="fr")
