"""The invitation PDF: four invitations per A4 page (2 × 2) with dashed cut lines.

Each invitation shows the residential area, the ballot title and its questions, the resident's
name and address, a large QR code of the voting link (the symbol is 46 mm wide, with its
four-module quiet zone kept clear) beside the steps to follow, the credential on one line for
typing, the deadline, "one vote per household" when it applies, plain notes for elderly
residents and the office phone, in Chinese (``zh_CN``) or English (``en``).

The fonts are embedded (subsets of WenQuanYi Micro Hei vendored in ``fonts/``, see its README),
so a sheet prints the same on any printer and the server needs no system font. A character
outside the vendored set (a rare name character beyond GBK) falls back to reportlab's built-in
CID font ``STSong-Light``, which the PDF viewer supplies. QR codes are vector rectangles.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from vote.printing.qr import QUIET_ZONE, dark_runs

if TYPE_CHECKING:
    from ballots.invitations import Invitation

FONT_DIR = Path(__file__).with_name("fonts")
CJK_FONT = "WenQuanYiMicroHei"
"""Every text on the sheet, Chinese and Latin (embedded subset)."""
DIGIT_FONT = "WenQuanYiMicroHeiMono"
"""The voting code: monospaced digits (embedded subset)."""
FALLBACK_FONT = "STSong-Light"
"""Only for characters the embedded subset lacks (not embedded: the viewer supplies it)."""
FONT_FILES = {
    CJK_FONT: "WenQuanYiMicroHei-GBK.ttf",
    DIGIT_FONT: "WenQuanYiMicroHeiMono-ASCII.ttf",
}
DEFAULT_ZONE = "Asia/Shanghai"

PAGE_W, PAGE_H = A4
COLS, ROWS = 2, 2
CELL_W, CELL_H = PAGE_W / COLS, PAGE_H / ROWS
MARGIN = 8 * mm
QR_SYMBOL = 46 * mm  # the symbol itself, quiet zone not included

# Characters that must not begin a line (Chinese line-breaking rule, 避头点).
NO_LINE_START = set("，。、；：？！）》」』”’…,.;:?!)]")
# Characters that must not end a line (避尾点): they move down with the word they open.
NO_LINE_END = set("（《「『“‘([")
_TOKEN = re.compile(r"\s+|[0-9A-Za-z\u00C0-\u024F'’@#%&+\-./:_=~]+|.")


@dataclass(frozen=True)
class _Text:
    """The fixed wording of an invitation in one language."""

    heading: str
    type_label: str
    web_label: str
    steps: tuple[str, ...]
    notes: tuple[str, ...]
    building_suffix: str
    room_suffix: str
    household_label: str
    questions_label: str
    more_questions: str
    deadline: str
    household_vote: str
    personal_code: str
    phone: str


_ZH = _Text(
    heading="投票通知",
    type_label="扫不了码时，打开网址输入投票码：",
    web_label="网址：",
    steps=(
        "用手机扫描二维码（微信或相机扫一扫）",
        "按提示选择，点“下一步”核对，再点“确认投票”",
        "保存回执上的查询码",
    ),
    notes=("不会用手机？可带本通知到居委会现场投票或请家人帮忙",),
    building_suffix="号楼",
    room_suffix="室",
    household_label="户号",
    questions_label="表决事项：",
    more_questions="等{n}项",
    deadline="投票截止：{at}",
    household_vote="本户一票：全户只能投一次",
    personal_code="本码仅限本人使用，请勿转交他人",
    phone="咨询电话：{phone}",
)

_EN = _Text(
    heading="Voting invitation",
    type_label="Cannot scan? Open the web address and type the code:",
    web_label="Web address: ",
    steps=(
        "Scan the QR code with your phone (in WeChat, or with the camera).",
        "Make your choices, tap “Next” to check them, then “Confirm my vote”.",
        "Keep the lookup code shown on your receipt.",
    ),
    notes=(
        "No smartphone? Bring this notice to the residents' committee to vote in person, "
        "or ask a family member to help.",
    ),
    building_suffix="",
    room_suffix="",
    household_label="Household",
    questions_label="To decide: ",
    more_questions="and {n} more",
    deadline="Vote by {at}",
    household_vote="One vote per household: your household can vote only once.",
    personal_code="This code is for you alone. Do not give it to anyone else.",
    phone="Questions? Call {phone}",
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
    for name, file in FONT_FILES.items():
        pdfmetrics.registerFont(TTFont(name, str(FONT_DIR / file)))
    pdfmetrics.registerFont(UnicodeCIDFont(FALLBACK_FONT))


@cache
def _covered(font: str) -> frozenset[int]:
    """The code points ``font`` has glyphs for."""
    _register_fonts()
    return frozenset(pdfmetrics.getFont(font).face.charToGlyph)


def _runs(text: str, font: str) -> list[tuple[str, str]]:
    """``text`` cut into (font, piece) runs: the fallback font only where ``font`` lacks a glyph."""
    if font not in FONT_FILES:
        return [(font, text)]
    covered = _covered(font)
    runs: list[tuple[str, str]] = []
    for char in text:
        use = font if ord(char) in covered or char.isspace() else FALLBACK_FONT
        if runs and runs[-1][0] == use:
            runs[-1] = (use, runs[-1][1] + char)
        else:
            runs.append((use, char))
    return runs


def _width(text: str, font: str, size: float) -> float:
    return sum(float(pdfmetrics.stringWidth(part, f, size)) for f, part in _runs(text, font))


@lru_cache(maxsize=4096)
def _wrap(text: str, font: str, size: float, width: float) -> tuple[str, ...]:
    """Break ``text`` into lines no wider than ``width``, and at each ``\n``.

    Latin words stay whole (unless one alone is too wide); Chinese may break between any two
    characters, except that closing punctuation never starts a line and opening punctuation
    never ends one.
    """
    if "\n" in text:
        return tuple(line for part in text.split("\n") for line in _wrap(part, font, size, width))
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
        carry = ""
        while len(line) > 1 and line[-1] in NO_LINE_END:
            line, carry = line[:-1], line[-1] + carry
        lines.append(line.rstrip())
        line = "" if token.isspace() and not carry else carry + token
    if line.strip():
        lines.append(line.rstrip())
    return tuple(lines)


def wrap(text: str, font: str, size: float, width: float) -> list[str]:
    """Break ``text`` into lines no wider than ``width`` (see :func:`_wrap`); the sheet's fixed
    wording is wrapped once per size, not once per invitation."""
    return list(_wrap(text, font, size, width))


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


def format_deadline(at: datetime, locale: str = "zh_CN", zone: str = DEFAULT_ZONE) -> str:
    """A deadline as residents read it: ``2026年5月1日 17:00（北京时间）`` in ``zone``."""
    if at.tzinfo is None:  # stored values are UTC
        at = at.replace(tzinfo=UTC)
    local = at.astimezone(ZoneInfo(zone))
    if _text_for(locale) is _ZH:
        name = "北京时间" if zone == DEFAULT_ZONE else zone
        return f"{local.year}年{local.month}月{local.day}日 {local:%H:%M}（{name}）"
    name = "Beijing time" if zone == DEFAULT_ZONE else zone
    return f"{local.day} {local:%B} {local.year}, {local:%H:%M} ({name})"


def code_line(credential: str) -> str:
    """The credential as printed for typing: its groups on one line, a space between them."""
    return " ".join(credential_groups(credential))


def _draw_text(
    canvas: Canvas, x: float, y: float, text: str, font: str, size: float, bold: bool = False
) -> None:
    """Draw one line; a piece the font has no glyph for is drawn in the fallback font."""
    canvas.saveState()
    obj = canvas.beginText(x, y)
    if bold:
        # The font has no bold face: fill and stroke the glyphs instead.
        canvas.setLineWidth(size / 30)
        obj.setTextRenderMode(2)
    for font_name, part in _runs(text, font):
        obj.setFont(font_name, size)
        obj.textOut(part)
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


@dataclass(frozen=True)
class _Sheet:
    """What every invitation of one print run shares: its language, phone and time zone."""

    text: _Text
    locale: str
    office_phone: str
    zone: str


def _question_lines(inv: Invitation, text: _Text, size: float, width: float) -> list[str]:
    """The questions, one short line each, at most three lines (the last may say "and N more")."""
    prompts = [" ".join(prompt.split()) for prompt in inv.questions if prompt.strip()]
    if not prompts:
        return []
    numbered = [
        f"{i}. {prompt}" if len(prompts) > 1 else prompt for i, prompt in enumerate(prompts, 1)
    ]
    label_w = _width(text.questions_label, CJK_FONT, size)
    shown = numbered if len(numbered) <= 3 else numbered[:2]
    lines = [_fit_line(line, CJK_FONT, size, width - label_w) for line in shown]
    if len(numbered) > len(shown):
        lines.append(text.more_questions.format(n=len(numbered)))
    return lines


def _draw_invitation(
    canvas: Canvas, inv: Invitation, sheet: _Sheet, left: float, top: float
) -> None:
    """Draw one invitation in the cell whose top-left corner is (left, top)."""
    text = sheet.text
    x0, x1 = left + MARGIN, left + CELL_W - MARGIN
    width = x1 - x0
    bottom = top - CELL_H + MARGIN
    y = top - MARGIN

    # Residential area, with the heading on the right.
    y -= 10
    heading_size = 9.0
    heading_w = _width(text.heading, CJK_FONT, heading_size)
    unit = _fit_line(inv.unit_name, CJK_FONT, 10, width - heading_w - 6)
    _draw_text(canvas, x0, y, unit, CJK_FONT, 10)
    _draw_text(canvas, x1 - heading_w, y, text.heading, CJK_FONT, heading_size)
    y -= 4

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

    # The questions, short.
    q_size = 9.0
    label_w = _width(text.questions_label, CJK_FONT, q_size)
    for i, line in enumerate(_question_lines(inv, text, q_size, width)):
        y -= q_size * 1.3
        if i == 0:
            _draw_text(canvas, x0, y, text.questions_label, CJK_FONT, q_size)
        _draw_text(canvas, x0 + label_w, y, line, CJK_FONT, q_size)

    # Resident and address.
    y -= 18
    name_size = 14.0
    name = _fit_line(inv.name, CJK_FONT, name_size, width * 0.55)
    _draw_text(canvas, x0, y, name, CJK_FONT, name_size, bold=True)
    address_x = x0 + _width(name, CJK_FONT, name_size) + 10
    address = format_address(inv.building, inv.room, inv.household, sheet.locale)
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

    # The steps, to the right of the code.
    col_x = x0 + QR_SYMBOL + quiet
    _draw_steps(canvas, text, col_x, x1 - col_x, qr_top, qr_top - QR_SYMBOL)

    # The code on one line, as large as fits, with the web address to type it in.
    y = qr_top - QR_SYMBOL - quiet
    label_size = 9.0
    for line in wrap(text.type_label, CJK_FONT, label_size, width):
        y -= label_size * 1.25
        _draw_text(canvas, x0, y, line, CJK_FONT, label_size)
    code = code_line(inv.credential)
    digit_size = min(18.0, width / max(_width(code, DIGIT_FONT, 1.0), 1.0))
    y -= digit_size * 1.05
    _draw_text(canvas, x0, y, code, DIGIT_FONT, digit_size, bold=True)
    y -= 11
    web = _fit_line(text.web_label + inv.url.split("#", 1)[0], CJK_FONT, 9, width)
    _draw_text(canvas, x0, y, web, CJK_FONT, 9)

    # Deadline, household rule, notes and phone: the largest type that fits what is left.
    _draw_notes(canvas, inv, sheet, x0, width, y - 4, bottom)


def _draw_steps(
    canvas: Canvas, text: _Text, x0: float, width: float, top: float, bottom: float
) -> None:
    for size in (11.0, 10.5, 10.0, 9.5, 9.0, 8.5, 8.0, 7.5, 7.0):
        leading = size * 1.25
        number_w = _width("3. ", CJK_FONT, size)
        blocks = [wrap(step, CJK_FONT, size, width - number_w) for step in text.steps]
        if sum(len(lines) for lines in blocks) * leading + 3 * len(blocks) <= top - bottom:
            break
    y = top
    for i, lines in enumerate(blocks, start=1):
        _draw_text(canvas, x0, y - size, f"{i}.", CJK_FONT, size)
        for line in lines:
            _draw_text(canvas, x0 + number_w, y - size, line, CJK_FONT, size)
            y -= leading
        y -= 3


def _draw_notes(
    canvas: Canvas,
    inv: Invitation,
    sheet: _Sheet,
    x0: float,
    width: float,
    top: float,
    bottom: float,
) -> None:
    text = sheet.text
    notes: list[tuple[str, bool]] = []  # (text, bold)
    if inv.closes_at is not None:
        at = format_deadline(inv.closes_at, sheet.locale, sheet.zone)
        notes.append((text.deadline.format(at=at), True))
    if inv.household_vote:
        notes.append((text.household_vote, True))
    notes += [(note, False) for note in text.notes]
    notes.append((text.personal_code, not inv.household_vote))
    if sheet.office_phone:
        notes.append((text.phone.format(phone=sheet.office_phone), True))
    for size in (11.0, 10.5, 10.0, 9.5, 9.0, 8.5, 8.0, 7.5, 7.0, 6.5):
        leading = size * 1.28
        blocks = [(wrap(note, CJK_FONT, size, width), bold) for note, bold in notes]
        if sum(len(lines) for lines, _ in blocks) * leading <= top - bottom:
            break
    y = top
    for lines, bold in blocks:
        for line in lines:
            y -= leading
            _draw_text(canvas, x0, y + leading - size, line, CJK_FONT, size, bold=bold)


def render_invitations_pdf(
    invitations: Sequence[Invitation],
    *,
    locale: str = "zh_CN",
    office_phone: str = "",
    zone: str = DEFAULT_ZONE,
) -> bytes:
    """The invitations as an A4 PDF, four to a page (2 × 2) with cut lines, in reading order.

    ``locale`` is ``"zh_CN"`` (plain Chinese for elderly residents) or ``"en"``;
    ``office_phone`` is printed for questions when given; a deadline is shown in ``zone``.
    Raises ``ValueError`` for an empty list (callers check first) or an unknown locale.
    """
    if not invitations:
        raise ValueError("no invitations to print")
    sheet = _Sheet(
        text=_text_for(locale), locale=locale, office_phone=office_phone.strip(), zone=zone
    )
    _register_fonts()
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, pageCompression=1, initialFontName=CJK_FONT)
    canvas.setTitle(invitations[0].ballot_title)
    canvas.setAuthor(invitations[0].unit_name)
    per_page = COLS * ROWS
    for start in range(0, len(invitations), per_page):
        _draw_cut_lines(canvas)
        for slot, inv in enumerate(invitations[start : start + per_page]):
            col, row = slot % COLS, slot // COLS
            _draw_invitation(canvas, inv, sheet, col * CELL_W, PAGE_H - row * CELL_H)
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()
