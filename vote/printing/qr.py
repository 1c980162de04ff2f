"""QR codes for invitation URLs: a module matrix, inline SVG for HTML print pages, and PNG.

Every code uses error correction level M and a quiet zone of four modules, black on white, so
the printed codes read reliably on old phone cameras.
"""

from __future__ import annotations

import html
import io
import itertools
import re
from functools import cache

import qrcode
from qrcode.constants import ERROR_CORRECT_M
from qrcode.image.pil import PilImage
from qrcode.util import mask_func

from ballots.errors import N_
from vote.i18n import gettext_

QUIET_ZONE = 4


_RUN = re.compile(rb"0{5,}|1{5,}")
_FINDER_LIKE = re.compile(rb"(?=10111010000|00001011101)")
_ASCII01 = bytes.maketrans(b"\x00\x01", b"01")


class _FastMaskQRCode(qrcode.QRCode):  # type: ignore[misc]
    """A QR code that picks its mask pattern like ``qrcode`` does, several times faster.

    ``qrcode`` places the data eight times and scores each placement in pure Python, which is
    most of the time spent on a thousand invitations. Here the data is placed once; the other
    seven masks are applied by flipping the data modules where the two masks differ, and the
    ISO/IEC 18004 penalty is scored on strings and integers. The chosen mask and therefore the
    symbol are the same as ``qrcode``'s (a test compares them).
    """

    data_cells: list[tuple[int, int]]

    def map_data(self, data: bytes, mask_pattern: int) -> None:
        self.data_cells = [
            (r, c) for r, row in enumerate(self.modules) for c, v in enumerate(row) if v is None
        ]
        super().map_data(data, mask_pattern)

    def best_mask_pattern(self) -> int:
        self.makeImpl(True, 0)
        base = [bytearray(row) for row in self.modules]  # one byte per module: 0 or 1
        flips = _mask_flips(self.version, tuple(self.data_cells))
        best, best_score = 0, -1
        for pattern in range(8):
            rows = [row[:] for row in base]
            for r, c in flips[pattern]:
                rows[r][c] ^= 1
            score = _penalty(rows)
            if best_score < 0 or score < best_score:
                best, best_score = pattern, score
        return best


@cache
def _mask_flips(
    version: int, data_cells: tuple[tuple[int, int], ...]
) -> list[list[tuple[int, int]]]:
    """For each mask, the data cells whose value differs from their value under mask 0."""
    masks = [mask_func(pattern) for pattern in range(8)]
    return [[(r, c) for r, c in data_cells if masks[0](r, c) != mask(r, c)] for mask in masks]


def penalty(modules: list[list[bool]]) -> int:
    """The ISO/IEC 18004 mask penalty, scored exactly as ``qrcode.util.lost_point`` does."""
    return _penalty([bytearray(row) for row in modules])


def _penalty(rows: list[bytearray]) -> int:
    n = len(rows)
    text = [bytes(row).translate(_ASCII01) for row in rows]
    lines = text + [bytes(col) for col in zip(*text, strict=True)]
    # N1: runs of five or more modules of one colour.
    score = sum(len(run) - 2 for line in lines for run in _RUN.findall(line))
    # N2: 2 x 2 blocks of one colour.
    ints = [int(row, 2) for row in text]
    full = (1 << (n - 1)) - 1
    for top, bottom in itertools.pairwise(ints):
        same_v = ~(top ^ bottom)
        same_h = ~(top ^ (top >> 1))
        score += 3 * (same_v & (same_v >> 1) & same_h & full).bit_count()
    # N3: finder-like patterns 1:1:3:1:1 with four light modules on one side.
    score += 40 * sum(len(_FINDER_LIKE.findall(line)) for line in lines)
    # N4: departure of the dark proportion from one half.
    dark = sum(row.count(1) for row in rows)
    score += int(abs(dark / (n * n) * 100 - 50) / 5) * 10
    return score


def _code(data: str, box_size: int = 1) -> qrcode.QRCode:
    code = _FastMaskQRCode(error_correction=ERROR_CORRECT_M, border=QUIET_ZONE, box_size=box_size)
    code.add_data(data)
    code.make(fit=True)
    return code


def qr_matrix(data: str) -> list[list[bool]]:
    """The dark (True) and light modules of ``data``'s QR code, without the quiet zone."""
    return [[bool(cell) for cell in row] for row in _code(data).modules]


def _row_runs(row: list[bool]) -> list[tuple[int, int]]:
    """(start, length) of each run of dark modules in one row."""
    runs = []
    start = -1
    for x, dark in enumerate([*row, False]):
        if dark and start < 0:
            start = x
        elif not dark and start >= 0:
            runs.append((start, x - start))
            start = -1
    return runs


def dark_runs(data: str) -> tuple[int, list[tuple[int, int, int]]]:
    """The symbol size in modules and its dark runs as (row, column, length), quiet zone excluded.

    Drawing one rectangle per run rather than per module keeps vector output small and fast.
    """
    matrix = qr_matrix(data)
    runs = [(y, x, n) for y, row in enumerate(matrix) for x, n in _row_runs(row)]
    return len(matrix), runs


def qr_svg(data: str, label: str = "") -> str:
    """An inline ``<svg>`` element (no XML declaration) showing ``data``'s QR code.

    It scales with its container through ``viewBox`` (one unit per module, quiet zone included)
    and draws the dark modules as one path on a white background. Its ``<title>`` is its text
    alternative: ``label`` (say what scanning it does), or "QR code" in the reader's language.
    """
    size, runs = dark_runs(data)
    total = size + 2 * QUIET_ZONE
    path = "".join(f"M{x + QUIET_ZONE} {y + QUIET_ZONE}h{n}v1h-{n}z" for y, x, n in runs)
    title = html.escape(label or gettext_(N_("QR code")))
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {total} {total}" '
        f'shape-rendering="crispEdges" role="img"><title>{title}</title>'
        f'<rect width="{total}" height="{total}" fill="#fff"/>'
        f'<path d="{path}" fill="#000"/></svg>'
    )


def qr_png(data: str, box_size: int = 8) -> bytes:
    """A PNG of ``data``'s QR code, ``box_size`` pixels per module, quiet zone included."""
    if box_size < 1:
        raise ValueError("box_size must be at least 1")
    image = _code(data, box_size).make_image(image_factory=PilImage)
    buffer = io.BytesIO()
    image.save(buffer)
    return buffer.getvalue()
