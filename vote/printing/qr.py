"""QR codes for invitation URLs: a module matrix, inline SVG for HTML print pages, and PNG.

Every code uses error correction level M and a quiet zone of four modules, black on white, so
the printed codes read reliably on old phone cameras.
"""

from __future__ import annotations

import io

import qrcode
from qrcode.constants import ERROR_CORRECT_M
from qrcode.image.pil import PilImage

QUIET_ZONE = 4


def _code(data: str, box_size: int = 1) -> qrcode.QRCode:
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=QUIET_ZONE, box_size=box_size)
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


def qr_svg(data: str) -> str:
    """An inline ``<svg>`` element (no XML declaration) showing ``data``'s QR code.

    It scales with its container through ``viewBox`` (one unit per module, quiet zone included)
    and draws the dark modules as one path on a white background.
    """
    size, runs = dark_runs(data)
    total = size + 2 * QUIET_ZONE
    path = "".join(f"M{x + QUIET_ZONE} {y + QUIET_ZONE}h{n}v1h-{n}z" for y, x, n in runs)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {total} {total}" '
        f'shape-rendering="crispEdges" role="img">'
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
