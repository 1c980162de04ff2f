"""Paper ballots as a PDF: one numbered ballot per half of an A4 page (an A5 sheet to cut).

Each sheet shows the residential area, the matter and the ballot title, the ballot number large
in a corner, every question with a box before each option to tick (a box to write the rank in
for a ranked question), and plain Chinese instructions. No voter's name is on it: the number is
handed to a voter at the table and recorded there. A ballot whose questions do not fit on one
half continues on the next, headed with its number. Fonts and text layout are the invitation
PDF's (:mod:`vote.printing.pdf`).
"""

from __future__ import annotations

import io
from collections.abc import Iterable

from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

import tally
from vote.printing.pdf import (
    CJK_FONT,
    DIGIT_FONT,
    PAGE_H,
    PAGE_W,
    _draw_text,
    _register_fonts,
    wrap,
)

HALF_H = PAGE_H / 2
MARGIN = 12 * mm
BOX = 4.2 * mm
INSTRUCTIONS = (
    "填写说明：请在您选择的选项前的方框内打“✓”；每一题按题目后括号内的要求填写。"
    "多选、少选、涂改难以辨认或在选票上写其他字的，该选票作废（无效票）。"
    "填好后对折，投入票箱。本选票不记名，请勿写上姓名。"
)


def _rule(question: tally.Question) -> str:
    """What a question asks of the voter, in brackets."""
    low, high = question.choice_bounds
    if question.kind in ("single", "yesno", "rating"):
        return "（单选，只选一项）"
    if question.kind == "ranked":
        return "（在方框内写名次：最想要的写 1，其次写 2……可不全写）"
    if question.kind == "budget":
        limit = question.budget_limit
        text = f"（可选多项，所选项目合计不超过 {limit} 元）" if limit else "（可选多项）"
        return text
    if low == high:
        return f"（选 {low} 项）"
    return f"（至少选 {low} 项，至多选 {high} 项）"


class _Flow:
    """Draws lines down the current half page, moving to the next half when one is full."""

    def __init__(self, canvas: Canvas) -> None:
        self.canvas = canvas
        self.half = 0  # 0: top half of the page, 1: bottom half
        self.started = False
        self.y = 0.0

    @property
    def top(self) -> float:
        return float(PAGE_H - self.half * HALF_H)

    @property
    def bottom(self) -> float:
        return float(self.top - HALF_H + MARGIN)

    def new_half(self) -> None:
        if self.started:
            if self.half == 1:
                self.canvas.showPage()
                self.half = 0
            else:
                self.half = 1
        self.started = True
        self.y = self.top - MARGIN
        if self.half == 1:
            canvas = self.canvas
            canvas.saveState()
            canvas.setStrokeGray(0.55)
            canvas.setLineWidth(0.5)
            canvas.setDash(4, 3)
            canvas.line(0, HALF_H, PAGE_W, HALF_H)
            canvas.restoreState()

    def room(self, height: float) -> bool:
        return self.y - height >= self.bottom


def _header(flow: _Flow, area: str, matter: str, title: str, serial: int, more: bool) -> None:
    canvas = flow.canvas
    width = PAGE_W - 2 * MARGIN
    number = f"第 {serial} 号" + ("（续）" if more else "")
    _draw_text(canvas, PAGE_W - MARGIN - 48 * mm, flow.y - 9 * mm, number, CJK_FONT, 20, bold=True)
    _draw_text(canvas, MARGIN, flow.y - 4 * mm, f"{area}　表决票", CJK_FONT, 10)
    flow.y -= 10 * mm
    for line in wrap(title, CJK_FONT, 15, width - 52 * mm):
        _draw_text(canvas, MARGIN, flow.y, line, CJK_FONT, 15, bold=True)
        flow.y -= 6.5 * mm
    if matter and matter != title:
        for line in wrap(f"事项：{matter}", CJK_FONT, 10, width - 52 * mm):
            _draw_text(canvas, MARGIN, flow.y, line, CJK_FONT, 10)
            flow.y -= 5 * mm
    flow.y -= 1 * mm
    canvas.setFont(DIGIT_FONT, 1)  # keep the page's font state defined
    canvas.setLineWidth(0.6)
    canvas.line(MARGIN, flow.y + 2 * mm, PAGE_W - MARGIN, flow.y + 2 * mm)
    flow.y -= 3 * mm


def _draw_sheet(
    flow: _Flow, spec: tally.BallotSpec, area: str, matter: str, title: str, serial: int
) -> None:
    canvas = flow.canvas
    width = PAGE_W - 2 * MARGIN
    flow.new_half()
    _header(flow, area, matter, title, serial, more=False)
    for line in wrap(INSTRUCTIONS, CJK_FONT, 9.5, width):
        _draw_text(canvas, MARGIN, flow.y, line, CJK_FONT, 9.5)
        flow.y -= 4.6 * mm
    flow.y -= 2 * mm
    for number, question in enumerate(spec.questions, start=1):
        prompt = wrap(f"{number}. {question.prompt}{_rule(question)}", CJK_FONT, 11.5, width)
        if not flow.room(len(prompt) * 5.6 * mm + 7 * mm):
            flow.new_half()
            _header(flow, area, matter, title, serial, more=True)
        for line in prompt:
            _draw_text(canvas, MARGIN, flow.y, line, CJK_FONT, 11.5, bold=True)
            flow.y -= 5.6 * mm
        flow.y -= 0.8 * mm
        for option in question.options:
            label = option.label
            if question.kind == "budget" and option.cost is not None:
                label = f"{label}（{option.cost} 元）"
            lines = wrap(label, CJK_FONT, 11.5, width - BOX - 4 * mm)
            if not flow.room(len(lines) * 5.4 * mm + 1.5 * mm):
                flow.new_half()
                _header(flow, area, matter, title, serial, more=True)
            canvas.setLineWidth(0.9)
            canvas.rect(MARGIN + 2 * mm, flow.y - 1.2 * mm, BOX, BOX)
            for line in lines:
                _draw_text(canvas, MARGIN + BOX + 5 * mm, flow.y, line, CJK_FONT, 11.5)
                flow.y -= 5.4 * mm
            flow.y -= 1.5 * mm
        flow.y -= 2 * mm


def render_paper_ballots(
    spec: tally.BallotSpec, area: str, matter: str, title: str, serials: Iterable[int]
) -> bytes:
    """The sheets numbered ``serials`` of a ballot (``spec``), for residential area ``area``."""
    _register_fonts()
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(PAGE_W, PAGE_H), pageCompression=1)
    canvas.setTitle(f"{title} 纸质表决票")
    canvas.setAuthor(area)
    flow = _Flow(canvas)
    for serial in serials:
        _draw_sheet(flow, spec, area, matter, title, serial)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
