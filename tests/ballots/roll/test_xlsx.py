"""XLSX rosters within limits: zip bombs refused unopened, long cells refused without being kept.

Memory is measured with tracemalloc (the peak of what Python allocates while refusing), never
timed. The workbooks are real zips made in :mod:`tests.ballots.roll.workbooks`.
"""

from __future__ import annotations

import io
import random
import tracemalloc
import zipfile
from collections.abc import Callable
from datetime import datetime

import pytest
from openpyxl import Workbook

from ballots.roll import RosterError, RosterHasErrors, parse_roster
from ballots.roll.limits import (
    MAX_CELL_CHARS,
    MAX_CELL_ERRORS,
    MAX_PARTS,
    MAX_UNPACKED_BYTES,
    MB,
)
from tests.ballots.roll.workbooks import (
    BOMB_TEXT_BYTES,
    HEADER,
    MAIN,
    STYLES,
    cell,
    repeated,
    row,
    shared_strings,
    sheet,
    sheet_with_a_shared_cell,
    text_row,
    workbook,
    xlsx_bomb,
)

RESIDENT = ["张三", "1", "101", "1-101"]
TOO_LONG_NAME = f"row 2, column 姓名: the cell is longer than {MAX_CELL_CHARS:,} characters"
DAMAGED = (
    "the XLSX workbook is damaged or incomplete (was the upload cut short?); save it again from "
    "Excel as .xlsx or CSV"
)


def refused(data: bytes, filename: str = "名册.xlsx") -> tuple[list[RosterError], int]:
    """The errors ``data`` is refused with, and the peak bytes Python allocated meanwhile."""
    tracemalloc.start()
    try:
        with pytest.raises(RosterHasErrors) as caught:
            parse_roster(data, filename)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return caught.value.errors, peak


def messages(data: bytes, filename: str = "名册.xlsx") -> list[str]:
    return [error.message for error in refused(data, filename)[0]]


def openpyxl_workbook(rows: list[list[object]]) -> bytes:
    book = Workbook()
    sheet_ = book.active
    assert sheet_ is not None
    for values in rows:
        sheet_.append(values)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# --- zip bombs ----------------------------------------------------------------------------------


def test_the_reported_bomb_is_refused_from_the_zip_directory_without_unpacking() -> None:
    bomb = xlsx_bomb()
    assert len(bomb) < 1 * MB  # about 150 KB that unpack to 150 MB
    errors, peak = refused(bomb)
    assert [(e.code, e.message) for e in errors] == [
        (
            "too-large-unpacked",
            f"the file expands to more than {MAX_UNPACKED_BYTES // MB} MB when unpacked, far more "
            "than a roster needs; split it into smaller files",
        )
    ]
    assert peak < 1 * MB, peak  # against 150 MB (and 230 MB of growth before the fix)
    assert peak * 100 < BOMB_TEXT_BYTES


def test_a_bomb_under_the_size_limit_is_refused_for_its_packing_ratio() -> None:
    data = workbook(
        sheet_with_a_shared_cell(RESIDENT, 0),
        shared=shared_strings(repeated("A", 20 * MB)),
    )
    errors, peak = refused(data)
    [error] = errors
    assert error.code == "zip-bomb"
    assert error.message.startswith("part xl/sharedStrings.xml of the file expands 10")
    assert "times when unpacked" in error.message
    assert peak < 1 * MB, peak


def test_too_many_parts() -> None:
    extra: dict[str, str | list[bytes]] = {f"xl/media/{i}.txt": "x" for i in range(MAX_PARTS)}
    data = workbook(sheet(text_row(1, HEADER), text_row(2, RESIDENT)), extra=extra)
    [error] = refused(data)[0]
    assert error.code == "too-many-parts"
    assert f"more than {MAX_PARTS} parts" in error.message


# --- long cells, kept out of memory -------------------------------------------------------------


def random_letters(size: int) -> str:
    rng = random.Random(7)
    return "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ") for _ in range(size))


def test_a_huge_shared_string_within_the_limits_is_refused_by_row_and_column() -> None:
    text_bytes = 5 * MB
    # Random letters pack only about 1.6 to 1, so this passes every zip check.
    data = workbook(
        sheet_with_a_shared_cell(RESIDENT, 0),
        shared=shared_strings(repeated(random_letters(100_000), text_bytes)),
    )
    errors, peak = refused(data)
    assert [(e.row, e.column, e.code, e.message) for e in errors] == [
        (2, "姓名", "cell-too-long", TOO_LONG_NAME)
    ]
    assert peak * 5 < text_bytes, peak  # the text was never built


def test_a_huge_inline_cell_is_refused_by_row_and_column() -> None:
    text_bytes = 5 * MB
    before = f'<worksheet xmlns="{MAIN}"><sheetData>' + text_row(1, HEADER)
    before += '<row r="2"><c r="A2" t="inlineStr"><is><t>张三</t></is></c>'
    before += '<c r="B2" t="inlineStr"><is><t>'
    after = "</t></is></c>" + cell("C2", "101") + cell("D2", "1-101") + "</row>"
    after += "</sheetData></worksheet>"
    data = workbook(repeated(random_letters(100_000), text_bytes, before=before, after=after))
    errors, peak = refused(data)
    assert [e.message for e in errors] == [
        f"row 2, column 楼栋: the cell is longer than {MAX_CELL_CHARS:,} characters"
    ]
    assert peak * 5 < text_bytes, peak


def test_a_cell_one_character_over_the_limit_names_its_header() -> None:
    data = openpyxl_workbook(
        [
            [*HEADER, "备注"],
            ["张三", "1", "101", "1-101", "x" * MAX_CELL_CHARS],
            ["李四", "1", "102", "1-102", "x" * (MAX_CELL_CHARS + 1)],
            ["王五" * (MAX_CELL_CHARS // 2 + 1), "1", "103", "1-103"],
        ]
    )
    assert messages(data) == [
        f"row 3, column 备注: the cell is longer than {MAX_CELL_CHARS:,} characters",
        f"row 4, column 姓名: the cell is longer than {MAX_CELL_CHARS:,} characters",
    ]


def test_a_cell_at_the_limit_gets_the_columns_own_length_check() -> None:
    data = openpyxl_workbook([list(HEADER), ["张" * MAX_CELL_CHARS, "1", "101", "1-101"]])
    assert messages(data) == ["row 2, column 姓名: name is longer than 100 characters"]


def test_a_long_cell_without_a_header_is_named_by_its_excel_column() -> None:
    data = openpyxl_workbook(
        [["茂名居民区名册", "x" * (MAX_CELL_CHARS + 1)], list(HEADER), RESIDENT]
    )
    assert messages(data) == [
        f"row 1, column B: the cell is longer than {MAX_CELL_CHARS:,} characters"
    ]


def test_many_cells_sharing_one_long_text_give_a_bounded_list() -> None:
    rows = [text_row(1, HEADER)]
    for number in range(2, 2 * MAX_CELL_ERRORS):
        cells = [f'<c r="A{number}" t="s"><v>0</v></c>']
        cells += [cell(f"B{number}", "1"), cell(f"C{number}", str(number)), cell(f"D{number}", "h")]
        rows.append(row(number, cells))
    data = workbook(sheet(*rows), shared=shared_strings([b"x" * (MAX_CELL_CHARS + 1)]))
    errors = refused(data)[0]
    assert len(errors) == MAX_CELL_ERRORS
    assert {e.code for e in errors} == {"cell-too-long"}


# --- files that are not workbooks, or damaged ones ----------------------------------------------


def truncated(data: bytes) -> bytes:
    return data[: len(data) // 2]


def corrupted(data: bytes) -> bytes:
    """The sheet part's packed bytes overwritten, the zip directory left intact."""
    info = zipfile.ZipFile(io.BytesIO(data)).getinfo("xl/worksheets/sheet1.xml")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra) + 2
    return data[:start] + b"\xff" * 8 + data[start + 8 :]


def without_the_workbook(data: bytes) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as target:
        for name in source.namelist():
            if name != "xl/workbook.xml":
                target.writestr(name, source.read(name))
    return buffer.getvalue()


def a_valid_workbook() -> bytes:
    return openpyxl_workbook([list(HEADER), RESIDENT])


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (
            lambda: "姓名,楼栋,门牌,户号\n张三,1,101,1-101\n".encode(),
            "the file is named .xlsx but is not an XLSX workbook; save it again from Excel as "
            ".xlsx or CSV",
        ),
        (
            lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512,
            "the file is a password-protected workbook or an old .xls file; remove the password "
            "in Excel and save it as .xlsx or CSV",
        ),
        (lambda: truncated(a_valid_workbook()), DAMAGED),
        (lambda: corrupted(a_valid_workbook()), DAMAGED),
        (lambda: without_the_workbook(a_valid_workbook()), DAMAGED),
        (lambda: b"PK\x05\x06" + b"\x00" * 18, DAMAGED),  # an empty zip
        (
            lambda: workbook(sheet(text_row(1, HEADER), "<row r='2'><c t='s'><v>7</v></c></row>")),
            DAMAGED,
        ),
        (
            lambda: workbook(sheet(text_row(1, HEADER), "<row r='2'><c><v>1.2.3</v></c></row>")),
            DAMAGED,
        ),
        (lambda: workbook(sheet(text_row(1, HEADER)).replace("</sheetData>", "")), DAMAGED),
    ],
    ids=[
        "csv-named-xlsx",
        "ole-container",
        "truncated",
        "corrupted-part",
        "no-workbook-part",
        "empty-zip",
        "missing-shared-string",
        "bad-number",
        "malformed-xml",
    ],
)
def test_unreadable_files_get_a_clear_message(make: Callable[[], bytes], message: str) -> None:
    errors = refused(make())[0]
    assert [e.message for e in errors] == [message]
    assert errors[0].code == "format"


def test_a_part_declaring_entities_is_refused() -> None:
    laughs = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
    )
    data = workbook(laughs + sheet(text_row(1, HEADER), text_row(2, ["&lol2;", *RESIDENT[1:]])))
    assert messages(data) == [DAMAGED]


# --- what the reader gives back ------------------------------------------------------------------


def test_shared_strings_rich_text_and_phonetic_runs() -> None:
    shared = (
        f'<sst xmlns="{MAIN}"><si><r><t>张</t></r><r><rPr/><t>三</t></r>'
        "<rPh sb='0' eb='1'><t>zhang</t></rPh></si></sst>"
    )
    data = workbook(sheet_with_a_shared_cell(RESIDENT, 0), shared=shared)
    [resident] = parse_roster(data, "名册.xlsx")
    assert resident.name == "张三"


def test_chinese_excel_built_in_date_format_gives_a_date() -> None:
    # numFmtId 31 is yyyy"年"m"月"d"日" in a Chinese-language Excel (not in openpyxl's table).
    styles = STYLES.replace('<xf numFmtId="0"/>', '<xf numFmtId="0"/><xf numFmtId="31"/>')
    styles = styles.replace('count="1"', 'count="2"')
    header = text_row(1, [*HEADER, "出生日期"])
    resident = row(
        2,
        [
            *(cell(f"{c}2", v) for c, v in zip("ABCD", RESIDENT, strict=True)),
            cell("E2", 18324, style=1),
        ],
    )
    [parsed] = parse_roster(workbook(sheet(header, resident), styles=styles), "名册.xlsx")
    assert parsed.birth_year == datetime(1950, 3, 1).year


def test_rows_and_cells_without_references_are_counted_in_order() -> None:
    plain = "".join(f"<c t='inlineStr'><is><t>{v}</t></is></c>" for v in RESIDENT)
    header = "".join(f"<c t='inlineStr'><is><t>{v}</t></is></c>" for v in HEADER)
    data = workbook(sheet(f"<row>{header}</row>", f"<row>{plain}</row>"))
    [resident] = parse_roster(data, "名册.xlsx")
    assert (resident.line, resident.household) == (2, "1-101")
