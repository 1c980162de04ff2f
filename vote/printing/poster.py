"""The agency's QR poster as an A4 PDF, to put up in a corridor or at the area's entrance: a
large title, the building or area it is for, a large QR code of the demand form, a few steps in
plain words, the form's address for typing and, at the foot, the unit's name.

The wording comes in already translated (the caller's locale); the fonts, the line breaking
and the QR drawing are those of the invitation sheets (:mod:`vote.printing.pdf`), so a poster
prints the same everywhere and its code reads on old phone cameras.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from vote.printing.pdf import CJK_FONT, _draw_text, _fit_line, _register_fonts, _width, wrap
from vote.printing.qr import QUIET_ZONE, dark_runs

PAGE_W, PAGE_H = A4
MARGIN = float(18 * mm)
QR_SYMBOL = float(100 * mm)
"""The symbol itself (quiet zone not included): readable from a step or two away."""


@dataclass(frozen=True)
class PosterText:
    """What a poster says, in the reader's language."""

    title: str
    where: str
    steps: Sequence[str]
    note: str
    address_label: str
    unit_name: str


def _largest(
    text: str, sizes: Sequence[float], width: float, lines: int
) -> tuple[float, list[str]]:
    """The largest size at which ``text`` fits in ``lines`` lines of ``width``, and its lines."""
    for size in sizes:
        wrapped = wrap(text, CJK_FONT, size, width)
        if len(wrapped) <= lines:
            return size, wrapped
    size = sizes[-1]
    wrapped = wrap(text, CJK_FONT, size, width)
    return size, [
        *wrapped[: lines - 1],
        _fit_line("".join(wrapped[lines - 1 :]), CJK_FONT, size, width),
    ]


def _centred(canvas: Canvas, y: float, line: str, size: float, *, bold: bool = False) -> None:
    _draw_text(canvas, (PAGE_W - _width(line, CJK_FONT, size)) / 2, y, line, CJK_FONT, size, bold)


def _draw_qr(canvas: Canvas, url: str, top: float) -> float:
    """Draw the code centred with its top edge (quiet zone included) at ``top``; return the
    bottom edge of its quiet zone."""
    size, runs = dark_runs(url)
    module = QR_SYMBOL / size
    quiet = QUIET_ZONE * module
    left = (PAGE_W - QR_SYMBOL) / 2
    canvas.saveState()
    canvas.setFillGray(0)
    canvas.transform(module, 0, 0, -module, left, top - quiet)
    ops = " ".join(f"{x} {y} {n} 1.02 re" for y, x, n in runs)
    canvas.addLiteral(f"{ops} f")
    canvas.restoreState()
    return top - quiet - QR_SYMBOL - quiet


def render_poster_pdf(text: PosterText, url: str) -> bytes:
    """One A4 page: the poster of the demand form at ``url``."""
    _register_fonts()
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, pageCompression=1, initialFontName=CJK_FONT)
    canvas.setTitle(f"{text.title} · {text.where}")
    canvas.setAuthor(text.unit_name)
    width = PAGE_W - 2 * MARGIN
    y = PAGE_H - MARGIN

    size, lines = _largest(text.title, (44.0, 40.0, 36.0, 32.0, 28.0, 24.0), width, 2)
    for line in lines:
        y -= size * 1.15
        _centred(canvas, y, line, size, bold=True)
    y -= 10
    where_size, where_lines = _largest(text.where, (26.0, 22.0, 18.0, 16.0), width, 2)
    for line in where_lines:
        y -= where_size * 1.2
        _centred(canvas, y, line, where_size)
    y = _draw_qr(canvas, url, y - 4)

    step_size = 18.0
    number_w = _width("3. ", CJK_FONT, step_size)
    for number, step in enumerate(text.steps, start=1):
        step_lines = wrap(step, CJK_FONT, step_size, width - number_w)
        _draw_text(canvas, MARGIN, y - step_size, f"{number}.", CJK_FONT, step_size)
        for line in step_lines:
            y -= step_size * 1.3
            _draw_text(canvas, MARGIN + number_w, y + step_size * 0.3, line, CJK_FONT, step_size)
        y -= 4
    y -= 6
    for line in wrap(text.note, CJK_FONT, 12.0, width):
        y -= 12.0 * 1.3
        _draw_text(canvas, MARGIN, y, line, CJK_FONT, 12.0)
    y -= 12.0 * 1.4
    address = _fit_line(text.address_label + url, CJK_FONT, 11.0, width)
    _draw_text(canvas, MARGIN, y, address, CJK_FONT, 11.0)

    canvas.setLineWidth(0.6)
    canvas.line(MARGIN, MARGIN + 26, PAGE_W - MARGIN, MARGIN + 26)
    unit = _fit_line(text.unit_name, CJK_FONT, 18.0, width)
    _centred(canvas, MARGIN + 4, unit, 18.0, bold=True)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
