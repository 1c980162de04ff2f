"""The invitation PDF: four invitations per A4 page (2 × 2) with dashed cut lines.

Each invitation shows the residential area, the ballot title, the resident's name and address, a
large QR code of the voting link (the symbol is 46 mm wide, with its four-module quiet zone kept
clear), the credential in big digit groups for typing, and plain instructions for elderly
residents, in Chinese (``zh_CN``) or English (``en``). Chinese text uses reportlab's built-in CID
font ``STSong-Light``, so no font file is needed; QR codes are drawn as vector rectangles.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen.canvas import Canvas

from vote.printing.qr import QUIET_ZONE, dark_runs

if TYPE_CHECKING:
    from ballots.invitations import Invitation

CJK_FONT = "STSong-Light"
LATIN_FONT = "Helvetica"
DIGIT_FONT = "Courier-Bold"

PAGE_W, PAGE_H = A4
COLS, ROWS = 2, 2
CELL_W, CELL_H = PAGE_W / COLS, PAGE_H / ROWS
MARGIN = 8 * mm
QR_SYMBOL = 46 * mm  # the symbol itself, quiet zone not included

# Characters that must not begin a line (Chinese line-breaking rule, 避头点).
NO_LINE_START = set("，。、；：？！）》」』”’…,.;:?!)]")
_TOKEN = re.compile(r"\s+|[0-9A-Za-z\u00C0-\u024F'’@#%&+\-./:_=~]+|.")


@dataclass(frozen=True)
class _Text:
    """The fixed wording of an invitation in one language."""

    heading: str
    type_label: str
    web_label: str
    steps: tuple[str, ...]
    notes: tuple[str, ...]
    font: str
    building_suffix: str
    room_suffix: str
    household_label: str


_ZH = _Text(
    heading="投票通知",
    type_label="扫不了码时输入：",
    web_label="网址：",
    steps=(
        "用手机扫描二维码（微信或相机扫一扫）",
        "按提示选择，点“提交我的投票”",
        "保存回执上的查询码",
    ),
    notes=(
        "不会用手机？\n可带本通知到居委会现场投票或请家人帮忙",
        "本码仅限本人使用，请勿转交他人",
    ),
    font=CJK_FONT,
    building_suffix="号楼",
    room_suffix="室",
    household_label="户号",
)

_EN = _Text(
    heading="Voting invitation",
    type_label="Cannot scan? Type:",
    web_label="Web address: ",
    steps=(
        "Scan the QR code with your phone (in WeChat, or with the camera).",
        "Make your choices as shown, then tap “Submit my vote”.",
        "Keep the lookup code shown on your receipt.",
    ),
    notes=(
        "No smartphone? Bring this notice to the residents' committee to vote in person, "
        "or ask a family member to help.",
        "This code is for you alone. Do not give it to anyone else.",
    ),
    font=LATIN_FONT,
    building_suffix="",
    room_suffix="",
    household_label="Household",
)


def _text_for(locale: str) -> _Text:
    lang = locale.replace("-", "_").split("_")[0].lower()
    if lang == "zh":
        return _ZH
    if lang == "en":
        return _EN
    raise ValueError(f"unsupported locale {locale!r}: use 'zh_CN' or 'en'")


@cache
def _register_fonts() -> None:
    pdfmetrics.registerFont(UnicodeCIDFont(CJK_FONT))


def _width(text: str, font: str, size: float) -> float:
    return float(pdfmetrics.stringWidth(text, font, size))


def wrap(text: str, font: str, size: float, width: float) -> list[str]:
    """Break ``text`` into lines no wider than ``width``, and at each ``\n``.

    Latin words stay whole (unless one alone is too wide); Chinese may break between any two
    characters, except that closing punctuation never starts a line.
    """
    if "\n" in text:
        return [line for part in text.split("\n") for line in wrap(part, font, size, width)]
    lines: list[str] = []
    line = ""
    for token in _TOKEN.findall(text):
        candidate = line + token
        if _width(candidate, font, size) <= width or token in NO_LINE_START or not line.strip():
            line = candidate
            if not token.isspace() and _width(line, font, size) > width and len(token) > 1:
                # One word wider than the line: hard-break it.
                line = line[: -len(token)]
                for char in token:
                    if line and _width(line + char, font, size) > width:
                        lines.append(line.rstrip())
                        line = ""
                    line += char
            continue
        lines.append(line.rstrip())
        line = "" if token.isspace() else token
    if line.strip():
        lines.append(line.rstrip())
    return lines


def _fit_line(text: str, font: str, size: float, width: float) -> str:
    """``text`` cut with an ellipsis so it fits on one line."""
    if _width(text, font, size) <= width:
        return text
    while text and _width(text + "…", font, size) > width:
        text = text[:-1]
    return text + "…"


def format_address(building: str, room: str, household: str, locale: str = "zh_CN") -> str:
    """The printed address: ``3号楼 201室`` from ``3``/``201``; non-numeric values as given."""
    text = _text_for(locale)
    building, room, household = building.strip(), room.strip(), household.strip()
    if text is _ZH:
        parts = [
            building + text.building_suffix if building.isdigit() else building,
            room + text.room_suffix if room.isdigit() else room,
        ]
        address = " ".join(part for part in parts if part)
    else:
        parts = [
            f"Building {building}" if building.isdigit() else building,
            f"Room {room}" if room.isdigit() else room,
        ]
        address = ", ".join(part for part in parts if part)
    if not address and household:
        return f"{text.household_label} {household}"
    return address


def credential_groups(credential: str) -> list[str]:
    """The credential as short groups for typing: ``12345-67890-…`` gives ``["12345", …]``."""
    groups = [group for group in re.split(r"[\s\-]+", credential.strip()) if group]
    if len(groups) == 1 and len(groups[0]) > 5:
        return [groups[0][i : i + 5] for i in range(0, len(groups[0]), 5)]
    return groups


def _draw_text(
    canvas: Canvas, x: float, y: float, text: str, font: str, size: float, bold: bool = False
) -> None:
    if not bold:
        canvas.setFont(font, size)
        canvas.drawString(x, y, text)
        return
    # The CID font has no bold face: fill and stroke the glyphs instead. The render mode is
    # graphics state, so restore it before anything else is drawn.
    canvas.saveState()
    canvas.setLineWidth(size / 30)
    obj = canvas.beginText(x, y)
    obj.setFont(font, size)
    obj.setTextRenderMode(2)
    obj.textOut(text)
    canvas.drawText(obj)
    canvas.restoreState()


def _draw_qr(
    canvas: Canvas, size: int, runs: list[tuple[int, int, int]], left: float, top: float
) -> None:
    """Draw a QR symbol of ``size`` modules with its top-left corner at (left, top).

    The runs go in as raw PDF ``re`` operators in module units (one unit per module, y down),
    which is several times faster than reportlab's path objects for a thousand codes.
    """
    module = QR_SYMBOL / size
    canvas.saveState()
    canvas.setFillGray(0)
    canvas.transform(module, 0, 0, -module, left, top)
    # A hair of overlap between rows, so screen viewers show no white seams.
    ops = " ".join(f"{x} {y} {n} 1.02 re" for y, x, n in runs)
    canvas.addLiteral(f"{ops} f")
    canvas.restoreState()


def _draw_cut_lines(canvas: Canvas) -> None:
    canvas.saveState()
    canvas.setStrokeGray(0.55)
    canvas.setLineWidth(0.5)
    canvas.setDash(4, 3)
    for col in range(1, COLS):
        canvas.line(col * CELL_W, 0, col * CELL_W, PAGE_H)
    for row in range(1, ROWS):
        canvas.line(0, row * CELL_H, PAGE_W, row * CELL_H)
    canvas.restoreState()


def _draw_invitation(
    canvas: Canvas, inv: Invitation, text: _Text, locale: str, left: float, top: float
) -> None:
    """Draw one invitation in the cell whose top-left corner is (left, top)."""
    x0, x1 = left + MARGIN, left + CELL_W - MARGIN
    width = x1 - x0
    bottom = top - CELL_H + MARGIN
    y = top - MARGIN

    # Residential area, with the heading on the right.
    y -= 10
    heading_size = 9.0
    heading_w = _width(text.heading, text.font, heading_size)
    unit = _fit_line(inv.unit_name, CJK_FONT, 10, width - heading_w - 6)
    _draw_text(canvas, x0, y, unit, CJK_FONT, 10)
    _draw_text(canvas, x1 - heading_w, y, text.heading, text.font, heading_size)
    y -= 6

    # Ballot title: up to three lines, smaller type for long titles.
    for size in (15.0, 13.0, 11.5):
        lines = wrap(inv.ballot_title, CJK_FONT, size, width)
        if len(lines) <= 3:
            break
    else:
        lines = [*lines[:2], _fit_line("".join(lines[2:]), CJK_FONT, size, width)]
    for line in lines:
        y -= size * 1.2
        _draw_text(canvas, x0, y, line, CJK_FONT, size, bold=True)

    # Resident and address.
    y -= 19
    name_size = 14.0
    name = _fit_line(inv.name, CJK_FONT, name_size, width * 0.55)
    _draw_text(canvas, x0, y, name, CJK_FONT, name_size, bold=True)
    address_x = x0 + _width(name, CJK_FONT, name_size) + 10
    address = format_address(inv.building, inv.room, inv.household, locale)
    address = _fit_line(address, CJK_FONT, 12, x1 - address_x)
    _draw_text(canvas, address_x, y, address, CJK_FONT, 12)
    y -= 6
    canvas.setLineWidth(0.4)
    canvas.line(x0, y, x1, y)

    # QR code: its quiet zone reaches into the left margin, never over any ink.
    size, runs = dark_runs(inv.url)
    quiet = QUIET_ZONE * QR_SYMBOL / size
    qr_top = y - quiet
    _draw_qr(canvas, size, runs, x0, qr_top)

    # Credential groups to the right of the code.
    col_x = x0 + QR_SYMBOL + quiet
    label_size = 9.0 if text is _ZH else 8.5
    for i, line in enumerate(wrap(text.type_label, text.font, label_size, x1 - col_x)):
        _draw_text(canvas, col_x, qr_top - 8 - i * 10, line, text.font, label_size)
    groups = credential_groups(inv.credential)
    digit_size = 20.0
    gy = qr_top - 14 - 10 * len(wrap(text.type_label, text.font, label_size, x1 - col_x))
    step = min(24.0, (gy - (qr_top - QR_SYMBOL)) / max(len(groups), 1))
    for group in groups:
        gy -= step
        _draw_text(canvas, col_x, gy + (step - digit_size) / 2, group, DIGIT_FONT, digit_size)

    # The web address without the credential, for typing the code by hand.
    y = qr_top - QR_SYMBOL - quiet - 8
    web = _fit_line(text.web_label + inv.url.split("#", 1)[0], text.font, 9, width)
    _draw_text(canvas, x0, y, web, text.font, 9)
    y -= 6

    # Instructions: the largest type that fits in what is left of the cell.
    _draw_instructions(canvas, text, x0, width, y, bottom)


def _draw_instructions(
    canvas: Canvas, text: _Text, x0: float, width: float, top: float, bottom: float
) -> None:
    font = text.font
    for size in (12.0, 11.5, 11.0, 10.5, 10.0, 9.5, 9.0, 8.5, 8.0, 7.5):
        leading = size * 1.3
        number_w = _width("3. ", font, size)
        blocks: list[tuple[str, list[str], bool]] = []
        for i, step in enumerate(text.steps, start=1):
            blocks.append((f"{i}.", wrap(step, font, size, width - number_w), False))
        for note in text.notes:
            blocks.append(("", wrap(note, font, size, width), True))
        height = sum(len(lines) for _, lines, _ in blocks) * leading + 4
        if height <= top - bottom:
            break
    y = top
    for i, (number, lines, is_note) in enumerate(blocks):
        if is_note and i == len(text.steps):
            y -= 4
        indent = 0.0 if is_note else number_w
        if number:
            _draw_text(canvas, x0, y - size, number, font, size)
        for line in lines:
            y -= leading
            bold = is_note and i == len(blocks) - 1
            _draw_text(canvas, x0 + indent, y + leading - size, line, font, size, bold=bold)


def render_invitations_pdf(invitations: Sequence[Invitation], *, locale: str = "zh_CN") -> bytes:
    """The invitations as an A4 PDF, four to a page (2 × 2) with cut lines, in reading order.

    ``locale`` is ``"zh_CN"`` (plain Chinese for elderly residents) or ``"en"``. Raises
    ``ValueError`` for an empty list (callers check first) or an unknown locale.
    """
    if not invitations:
        raise ValueError("no invitations to print")
    text = _text_for(locale)
    _register_fonts()
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, pageCompression=1)
    canvas.setTitle(invitations[0].ballot_title)
    canvas.setAuthor(invitations[0].unit_name)
    per_page = COLS * ROWS
    for start in range(0, len(invitations), per_page):
        _draw_cut_lines(canvas)
        for slot, inv in enumerate(invitations[start : start + per_page]):
            col, row = slot % COLS, slot // COLS
            _draw_invitation(canvas, inv, text, locale, col * CELL_W, PAGE_H - row * CELL_H)
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()
