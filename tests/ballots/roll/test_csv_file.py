"""CSV rosters within limits: long cells named by row and column, NUL bytes refused by row."""

from __future__ import annotations

import pytest

from ballots.roll import RosterError, RosterHasErrors, parse_roster
from ballots.roll.limits import MAX_CELL_CHARS, MAX_SCANNED_ROWS

HEADER = "姓名,楼栋,门牌,户号"
TOO_LONG = f"the cell is longer than {MAX_CELL_CHARS:,} characters"


def errors_of(text: str | bytes) -> list[RosterError]:
    data = text.encode() if isinstance(text, str) else text
    with pytest.raises(RosterHasErrors) as caught:
        parse_roster(data, "名册.csv")
    return caught.value.errors


def test_a_long_cell_is_named_by_row_and_header() -> None:
    long = "张" * (MAX_CELL_CHARS + 1)
    errors = errors_of(
        f"{HEADER},备注\n张三,1,101,1-101\n李四,1,102,1-102,{long}\n{long},1,103,1-103\n"
    )
    assert [(e.row, e.column, e.code, e.message) for e in errors] == [
        (3, "备注", "cell-too-long", f"row 3, column 备注: {TOO_LONG}"),
        (4, "姓名", "cell-too-long", f"row 4, column 姓名: {TOO_LONG}"),
    ]


def test_long_cells_come_with_the_other_errors_in_row_order() -> None:
    long = "x" * (MAX_CELL_CHARS + 1)
    errors = errors_of(f"{HEADER}\n张三,,101,1-101\n李四,1,102,1-102,{long}\n")
    assert [e.message for e in errors] == [
        "row 2, column 楼栋: building is empty",
        f"row 3, column E: {TOO_LONG}",
    ]


def test_a_cell_at_the_limit_is_read() -> None:
    note = "x" * MAX_CELL_CHARS
    [row] = parse_roster(f"{HEADER},备注\n张三,1,101,1-101,{note}\n".encode(), "r.csv")
    assert row.name == "张三"


def test_a_cell_beyond_the_csv_modules_own_cap_is_refused_by_row() -> None:
    errors = errors_of(f'{HEADER}\n张三,1,101,1-101\n"{"x" * 200_000}",1,102,1-102\n')
    assert [(e.row, e.code, e.message) for e in errors] == [
        (3, "cell-too-long", f"row 3: a cell is longer than {MAX_CELL_CHARS:,} characters")
    ]


@pytest.mark.parametrize("encoding", ["utf-8", "gb18030"])
def test_a_nul_byte_is_refused_by_row(encoding: str) -> None:
    data = f"{HEADER}\n张三,1,101,1-101\n李四,1,1\x0002,1-102\n".encode(encoding)
    [error] = errors_of(data)
    assert (error.row, error.code) == (3, "nul")
    assert error.message == (
        "row 3: the file contains a NUL character, which a CSV file never holds; save the roster "
        "again from Excel as CSV UTF-8 or .xlsx"
    )


def test_a_file_of_blank_lines_stops_at_the_scan_limit() -> None:
    errors = errors_of(f"{HEADER}\n" + "\n" * (MAX_SCANNED_ROWS + 1))
    assert [e.code for e in errors] == ["too-many-rows"]
