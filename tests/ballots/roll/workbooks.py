"""Hand-made XLSX files for the limit tests: real zips, written part by part in small chunks.

:func:`workbook` writes the few parts Excel needs for one sheet; any part's XML may be a stream of
chunks, so a test can write a 150 MB shared string (a zip bomb of about 150 KB) without ever
holding it in memory.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable
from functools import cache

CHUNK = 1024 * 1024
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
DOC_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
HEADER = ("姓名", "楼栋", "门牌", "户号")

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    "</Types>"
)
PACKAGE_RELS = (
    f'<Relationships xmlns="{RELS}">'
    f'<Relationship Id="rId1" Type="{DOC_RELS}/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
WORKBOOK = (
    f'<workbook xmlns="{MAIN}" xmlns:r="{DOC_RELS}"><sheets>'
    '<sheet name="名册" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    f'<Relationships xmlns="{RELS}">'
    f'<Relationship Id="rId1" Type="{DOC_RELS}/worksheet" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{DOC_RELS}/sharedStrings" Target="sharedStrings.xml"/>'
    f'<Relationship Id="rId3" Type="{DOC_RELS}/styles" Target="styles.xml"/>'
    "</Relationships>"
)
STYLES = f'<styleSheet xmlns="{MAIN}"><cellXfs count="1"><xf numFmtId="0"/></cellXfs></styleSheet>'

Part = str | Iterable[bytes]


def _letter(index: int) -> str:
    return chr(ord("A") + index)


def cell(reference: str, value: str | int | float, *, style: int = 0) -> str:
    """A cell: text inline, numbers as numbers."""
    styled = f' s="{style}"' if style else ""
    if isinstance(value, str):
        return f'<c r="{reference}" t="inlineStr"{styled}><is><t>{value}</t></is></c>'
    return f'<c r="{reference}"{styled}><v>{value}</v></c>'


def row(number: int, cells: Iterable[str]) -> str:
    return f'<row r="{number}">{"".join(cells)}</row>'


def text_row(number: int, values: Iterable[str | int | float]) -> str:
    return row(number, (cell(f"{_letter(i)}{number}", v) for i, v in enumerate(values)))


def sheet(*rows: str) -> str:
    return f'<worksheet xmlns="{MAIN}"><sheetData>{"".join(rows)}</sheetData></worksheet>'


def sheet_with_a_shared_cell(resident: Iterable[str | int | float], shared_column: int) -> str:
    """Header, then row 2: the given cells, with the one at ``shared_column`` = shared string 0."""
    cells = [cell(f"{_letter(i)}2", v) for i, v in enumerate(resident)]
    cells[shared_column] = f'<c r="{_letter(shared_column)}2" t="s"><v>0</v></c>'
    return sheet(text_row(1, HEADER), row(2, cells))


def repeated(text: str, size: int, *, before: str = "", after: str = "") -> Iterable[bytes]:
    """``before``, then ``text`` repeated to ``size`` bytes, then ``after``: a chunk at a time."""
    yield before.encode()
    chunk = (text * (CHUNK // len(text) + 1))[:CHUNK].encode()
    left = size
    while left > 0:
        yield chunk[:left]
        left -= len(chunk)
    yield after.encode()


def shared_strings(body: Iterable[bytes]) -> Iterable[bytes]:
    """A shared-strings part whose first (only) text is ``body``."""
    yield f'<sst xmlns="{MAIN}" count="1" uniqueCount="1"><si><t>'.encode()
    yield from body
    yield b"</t></si></sst>"


def workbook(
    sheet_xml: Part,
    *,
    shared: Part | None = None,
    styles: str = STYLES,
    extra: dict[str, Part] | None = None,
) -> bytes:
    """A complete one-sheet XLSX file, every part deflated."""
    buffer = io.BytesIO()
    parts: dict[str, Part] = {
        "[Content_Types].xml": CONTENT_TYPES,
        "_rels/.rels": PACKAGE_RELS,
        "xl/workbook.xml": WORKBOOK,
        "xl/_rels/workbook.xml.rels": WORKBOOK_RELS,
        "xl/styles.xml": styles,
        "xl/worksheets/sheet1.xml": sheet_xml,
        "xl/sharedStrings.xml": shared if shared is not None else f'<sst xmlns="{MAIN}"/>',
        **(extra or {}),
    }
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in parts.items():
            with archive.open(name, "w") as part:
                if isinstance(content, str):
                    part.write(content.encode())
                else:
                    for chunk in content:
                        part.write(chunk)
    return buffer.getvalue()


BOMB_TEXT_BYTES = 150 * 1024 * 1024


@cache
def xlsx_bomb() -> bytes:
    """The workbook of the report: about 150 KB whose one shared string unpacks to 150 MB of "A"."""
    resident = sheet_with_a_shared_cell(["张三", "1", "101", "1-101"], 0)
    return workbook(resident, shared=shared_strings(repeated("A", BOMB_TEXT_BYTES)))
