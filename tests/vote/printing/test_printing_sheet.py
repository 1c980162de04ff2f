"""What a real office needs on the invitation sheet, read back from the PDF with pdfium.

The deadline in Beijing time, the office phone, the questions, the one-vote-per-household rule,
the voting code on one line, and fonts embedded in the file so it prints the same anywhere.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterator
from datetime import UTC, datetime

import msgspec
import pypdfium2 as pdfium
import zxingcpp

from ballots.invitations import Invitation
from tests.vote.printing.printing_samples import LONG_TITLE, make_invitation, sample_invitations
from vote.printing.pdf import code_line, format_deadline, render_invitations_pdf, wrap

CLOSES = datetime(2025, 6, 30, 9, 0, tzinfo=UTC)  # 17:00 in Beijing
QUESTIONS = ["选哪家评估公司？", "是否同意加装电梯？", "是否同意费用分摊办法？", "第四个问题"]


def _sheet(**changes: object) -> list[Invitation]:
    return [
        msgspec.structs.replace(inv, closes_at=CLOSES, questions=QUESTIONS[:2], **changes)
        for inv in sample_invitations()
    ]


def _pages(data: bytes) -> Iterator[tuple[pdfium.PdfPage, pdfium.PdfTextPage]]:
    pdf = pdfium.PdfDocument(data)
    try:
        for page in pdf:
            textpage = page.get_textpage()
            yield page, textpage
            textpage.close()
            page.close()
    finally:
        pdf.close()


def _text(data: bytes) -> str:
    return "\n".join(textpage.get_text_range() for _, textpage in _pages(data))


def _lines(data: bytes) -> list[str]:
    return [line.strip() for line in re.split(r"[\r\n]+", _text(data))]


def test_deadline_phone_questions_and_personal_note_are_on_every_card() -> None:
    invitations = _sheet()
    data = render_invitations_pdf(invitations, office_phone="021-6433 1234")
    lines = _lines(data)
    assert lines.count("投票截止：2025年6月30日 17:00（北京时间）") == 5
    assert lines.count("咨询电话：021-6433 1234") == 5
    assert lines.count("表决事项：1. 选哪家评估公司？") == 5
    assert lines.count("2. 是否同意加装电梯？") == 5
    assert lines.count("本码仅限本人使用，请勿转交他人") == 5
    assert "本户一票" not in _text(data)


def test_a_household_ballot_says_one_vote_per_household() -> None:
    data = render_invitations_pdf(_sheet(household_vote=True))
    assert _lines(data).count("本户一票：全户只能投一次") == 5


def test_without_deadline_or_phone_neither_line_is_printed() -> None:
    text = _text(render_invitations_pdf(sample_invitations()))
    assert "投票截止" not in text and "咨询电话" not in text and "表决事项" not in text


def test_many_questions_show_two_and_a_count_and_long_ones_are_cut() -> None:
    long_prompt = "关于" + "平改坡综合改造工程施工方案" * 4 + "的表决"
    invitations = [
        msgspec.structs.replace(inv, questions=[long_prompt, *QUESTIONS])
        for inv in sample_invitations()[:1]
    ]
    lines = _lines(render_invitations_pdf(invitations))
    start = lines.index(next(line for line in lines if line.startswith("表决事项：")))
    assert lines[start].startswith("表决事项：1. 关于平改坡") and lines[start].endswith("…")
    assert lines[start + 1 : start + 3] == ["2. 选哪家评估公司？", "等5项"]


def test_english_sheet_has_the_same_facts() -> None:
    data = render_invitations_pdf(
        _sheet(household_vote=True), locale="en", office_phone="021-6433 1234"
    )
    text = " ".join(_text(data).split())
    assert text.count("Vote by 30 June 2025, 17:00 (Beijing time)") == 5
    assert text.count("Questions? Call 021-6433 1234") == 5
    assert text.count("One vote per household") == 5
    assert format_deadline(CLOSES, "en", "Europe/London") == "30 June 2025, 10:00 (Europe/London)"


def test_the_code_is_printed_whole_on_one_line() -> None:
    invitations = sample_invitations()
    data = render_invitations_pdf(invitations)
    lines = _lines(data)
    for inv in invitations:
        code = code_line(inv.credential)
        assert re.fullmatch(r"\d{5}( \d{5}){4}", code)
        assert lines.count(code) == 1, code
    # The same by the glyphs' boxes: every character of each code sits on one baseline.
    found = 0
    for _, textpage in _pages(data):
        for inv in invitations:
            searcher = textpage.search(code_line(inv.credential))
            hit = searcher.get_next()
            searcher.close()
            if hit is None:
                continue
            index, count = hit
            bottoms = {
                round(textpage.get_charbox(i, loose=True)[1], 1)
                for i in range(index, index + count)
            }
            assert len(bottoms) == 1, inv.name
            found += 1
    assert found == len(invitations)


def test_opening_punctuation_never_ends_a_line() -> None:
    assert wrap("按提示选择，点“提交我的投票”", "WenQuanYiMicroHei", 10, 85) == [
        "按提示选择，点",
        "“提交我的投票”",
    ]


def _font_objects(data: bytes) -> tuple[list[str], int, int]:
    """(/BaseFont names, font files, ToUnicode maps) of a PDF, read from its objects."""
    bases = [name.decode() for name in re.findall(rb"/BaseFont /([^\s/>]+)", data)]
    return bases, data.count(b"/FontFile2"), data.count(b"/ToUnicode")


def test_every_font_is_an_embedded_subset_and_text_reads_back() -> None:
    invitations = sample_invitations()
    data = render_invitations_pdf(invitations, office_phone="021-6433 1234")
    bases, files, maps = _font_objects(data)
    assert bases, "no fonts found"
    # Only our two faces, each an embedded subset (ABCDEF+Name), each with its font file.
    assert {name.split("+", 1)[1] for name in bases} <= {
        "WenQuanYiMicroHei",
        "WenQuanYiMicroHeiMono",
    }
    assert all(re.fullmatch(r"[A-Z]{6}\+\w+", name) for name in bases)
    assert files == len(bases) and maps == len(bases)
    assert not {"Helvetica", "Courier-Bold", "STSong-Light"} & set(bases)
    # pdfium reports every font on the pages as embedded.
    for page, _ in _pages(data):
        for obj in page.get_objects(filter=[pdfium.raw.FPDF_PAGEOBJ_TEXT]):
            font = pdfium.raw.FPDFTextObj_GetFont(obj.raw)
            assert pdfium.raw.FPDFFont_GetIsEmbedded(font) == 1
    text = _text(data)
    for inv in invitations:
        assert inv.name in text and code_line(inv.credential) in text
    # The embedded glyph data is a subset: far smaller than the vendored 3 MB font.
    assert len(data) < 400_000


def test_a_name_beyond_the_embedded_set_still_reads_back() -> None:
    rare = make_invitation(0, name="张𠮷", building="3", room="201")
    data = render_invitations_pdf([rare])
    assert "张𠮷" in _text(data)
    bases, _, _ = _font_objects(data)
    assert "STSong-Light" in bases  # the one character the viewer supplies


def test_every_code_on_a_full_sheet_still_scans_with_the_new_lines() -> None:
    invitations = [
        *_sheet(household_vote=True),
        msgspec.structs.replace(
            make_invitation(8, name="欧阳建国", building="5", room="1"),
            ballot_title=LONG_TITLE,
            questions=QUESTIONS,
            closes_at=CLOSES,
        ),
    ]
    data = render_invitations_pdf(invitations, office_phone="021-6433 1234")
    decoded = []
    for page, _ in _pages(data):
        image = page.render(scale=200 / 72, grayscale=True).to_pil()
        decoded += [
            code.text
            for code in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
        ]
    assert sorted(decoded) == sorted(inv.url for inv in invitations)


def test_each_embedded_font_program_is_truetype() -> None:
    data = render_invitations_pdf(sample_invitations()[:1])
    programs = re.findall(rb"/FontFile2 (\d+) 0 R", data)
    assert programs
    for number in programs:
        match = re.search(rb"\n" + number + rb" 0 obj\s*<<(.*?)>>\s*stream\r?\n", data, re.S)
        assert match is not None
        start = match.end()
        length_match = re.search(rb"/Length (\d+)", match.group(1))
        assert length_match is not None
        length = int(length_match.group(1))
        program = data[start : start + length]
        if b"/FlateDecode" in match.group(1):
            program = zlib.decompress(program)
        assert program[:4] in (b"\x00\x01\x00\x00", b"true")
