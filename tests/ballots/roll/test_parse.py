"""Reading roster files: encodings, XLSX, header aliases, value formats and row-numbered errors."""

from __future__ import annotations

import io
from datetime import datetime
from pathlib import Path

import pytest
from msgspec import UNSET
from openpyxl import Workbook

from ballots.errors import RosterInvalid
from ballots.roll import (
    MAX_ROWS,
    OwnedFlat,
    RosterError,
    RosterHasErrors,
    RosterRow,
    parse_roster,
)
from ballots.roll.parse import COLUMNS

FIXTURES = Path(__file__).parents[2] / "fixtures" / "rosters"
HEADER = "姓名,楼栋,门牌,户号"


def csv_bytes(text: str, encoding: str = "utf-8") -> bytes:
    return text.encode(encoding)


def xlsx_bytes(rows: list[list[object]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def errors_of(data: bytes, filename: str = "roster.csv") -> list[RosterError]:
    with pytest.raises(RosterHasErrors) as caught:
        parse_roster(data, filename)
    return caught.value.errors


def messages(data: bytes, filename: str = "roster.csv") -> list[str]:
    return [error.message for error in errors_of(data, filename)]


# --- encodings and formats ------------------------------------------------------------------


def expected_luwan() -> list[RosterRow]:
    return [
        RosterRow(
            line=2,
            external_id="A-001",
            name="张建国",
            building="3",
            room="101",
            household="3-101",
            phone="13812345678",
            birth_year=1948,
            role="owner",
            area=85.5,
            tags=("党员", "楼组长"),
        ),
        RosterRow(
            line=3,
            external_id="A-002",
            name="李秀英",
            building="3",
            room="101",
            household="3-101",
            phone="",
            birth_year=1951,
            role="owner",
            area=85.5,
            tags=(),
        ),
        RosterRow(
            line=4,
            external_id="A-003",
            name="王海燕",
            building="3",
            room="202",
            household="3-202",
            phone="02164381234",
            birth_year=1975,
            role="tenant",
            area=None,
            tags=(),
        ),
        RosterRow(
            line=5,
            external_id="A-004",
            name="赵志强",
            building="5",
            room="301",
            household="5-301",
            phone="13900001111",
            birth_year=1988,
            role="migrant",
            area=62.0,
            tags=("新上海人",),
        ),
        RosterRow(
            line=6,
            external_id="A-005",
            name="欧阳娜娜",
            building="5",
            room="302",
            household="5-302",
            phone="",
            birth_year=None,
            role="owner",
            area=70.25,
            tags=("独居老人", "党员"),
        ),
    ]


@pytest.mark.parametrize("name", ["luwan_utf8_bom.csv", "luwan_gb18030.csv"])
def test_chinese_csv_in_utf8_with_bom_and_in_gb18030_reads_the_same(name: str) -> None:
    data = (FIXTURES / name).read_bytes()
    assert parse_roster(data, name) == expected_luwan()


def test_utf8_without_bom() -> None:
    text = (FIXTURES / "luwan_utf8_bom.csv").read_bytes().decode("utf-8-sig")
    assert parse_roster(text.encode("utf-8"), "r.csv") == expected_luwan()


def test_fixture_files_are_really_in_their_encodings() -> None:
    assert (FIXTURES / "luwan_utf8_bom.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    with pytest.raises(UnicodeDecodeError):
        (FIXTURES / "luwan_gb18030.csv").read_bytes().decode("utf-8")


def test_english_headers_and_values() -> None:
    rows = parse_roster((FIXTURES / "english_headers.csv").read_bytes(), "english_headers.csv")
    assert [(r.external_id, r.name, r.household, r.role, r.area) for r in rows] == [
        ("E-1", "Zhang Wei", "7-701", "owner", 90.0),
        ("E-2", "Li Na", "7-701", "tenant", 90.0),
        ("E-3", "Chen Jie", "8-802", "migrant", None),
    ]
    assert rows[2].tags == ("new", "renter")
    assert rows[0].birth_year == 1960


def test_xlsx_with_date_cells_numbers_and_a_title_row() -> None:
    data = xlsx_bytes(
        [
            ["瑞金二路街道 某某居民区 名册"],
            [],
            ["编号", "姓名", "楼栋", "门牌", "户号", "手机", "出生日期", "身份", "专有面积"],
            [1001, "张建国", 3, 101, "3-101", 13812345678, datetime(1948, 5, 12), "业主", 85.5],
            [],
            [1002, "李秀英", 3, 101, "3-101", None, 1951, "租户", 85.5],
        ]
    )
    rows = parse_roster(data, "名册.xlsx")
    assert [(r.line, r.external_id, r.room, r.phone, r.birth_year, r.role) for r in rows] == [
        (4, "1001", "101", "13812345678", 1948, "owner"),
        (6, "1002", "101", "", 1951, "tenant"),
    ]


def test_xlsx_is_recognised_by_content_whatever_the_name() -> None:
    data = xlsx_bytes([[*HEADER.split(",")], ["张三", "1", "101", "1-101"]])
    assert parse_roster(data, "upload")[0].name == "张三"


def test_xlsx_errors_name_the_excel_row_and_the_written_header() -> None:
    data = xlsx_bytes(
        [
            ["姓名", "楼号", "房号", "户号", "出生年份"],
            ["张三", "1", "101", "1-101", "19x0"],
            ["李四", None, "102", "1-102", 1950],
        ]
    )
    assert messages(data, "r.xlsx") == [
        "row 2, column 出生年份: '19x0' is not a date or year",
        "row 3, column 楼号: building is empty",
    ]


def test_a_room_that_excel_turned_into_a_date_is_refused() -> None:
    data = xlsx_bytes(
        [["姓名", "楼栋", "门牌", "户号"], ["张三", "1", datetime(2024, 1, 2), "1-2"]]
    )
    [error] = errors_of(data, "r.xlsx")
    assert (error.row, error.column, error.code) == (2, "门牌", "excel-date")
    assert "Text" in error.message


def test_tab_separated_text_is_read() -> None:
    rows = parse_roster("姓名\t楼栋\t门牌\t户号\n张三\t1\t101\t1-101\n".encode(), "r.txt")
    assert rows[0].household == "1-101"


# --- headers --------------------------------------------------------------------------------

ALIAS_CASES = [(column.field, alias) for column in COLUMNS for alias in column.aliases]
SAMPLE = {
    "external_id": ("X-9", "external_id", "X-9"),
    "name": ("张三", "name", "张三"),
    "building": ("12", "building", "12"),
    "room": ("1201", "room", "1201"),
    "household": ("12-1201", "household", "12-1201"),
    "phone": ("13912345678", "phone", "13912345678"),
    "birth": ("1950", "birth_year", 1950),
    "role": ("租户", "role", "tenant"),
    "area": ("66.6", "area", 66.6),
    "tags": ("党员", "tags", ("党员",)),
    "owns": ("12-1201", "owns", (OwnedFlat("12-1201"),)),
}
DEFAULT_HEADERS = {"name": "姓名", "building": "楼栋", "room": "门牌", "household": "户号"}


@pytest.mark.parametrize(("field", "alias"), ALIAS_CASES, ids=[a for _, a in ALIAS_CASES])
def test_every_header_alias_is_understood(field: str, alias: str) -> None:
    headers = dict(DEFAULT_HEADERS)
    headers[field] = alias
    line = ",".join(SAMPLE[f][0] for f in headers)
    [row] = parse_roster(f"{','.join(headers.values())}\n{line}\n".encode(), "r.csv")
    _, attribute, expected = SAMPLE[field]
    assert getattr(row, attribute) == expected


@pytest.mark.parametrize(
    "header", ["  Name ", "NAME", "姓 名", "姓名*", "姓名（必填）", "Birth_Year", "birthyear"]
)
def test_headers_ignore_case_spaces_and_notes(header: str) -> None:
    known = header if "irth" in header else "出生年份"
    name = "姓名" if "irth" in header else header
    data = f"{name},楼栋,门牌,户号,{known}\n张三,1,101,1-101,1950\n".encode()
    [row] = parse_roster(data, "r.csv")
    assert (row.name, row.birth_year) == ("张三", 1950)


def test_unknown_columns_are_ignored() -> None:
    [row] = parse_roster(f"{HEADER},备注\n张三,1,101,1-101,随便写\n".encode(), "r.csv")
    assert row.name == "张三"


def test_without_an_id_column_the_key_is_household_and_name() -> None:
    rows = parse_roster(f"{HEADER}\n张三,1,101,1-101\n李四,1,101,1-101\n".encode(), "r.csv")
    assert [r.external_id for r in rows] == ["1-101/张三", "1-101/李四"]


def test_optional_columns_absent_are_unset_and_empty_cells_are_empty() -> None:
    [absent] = parse_roster(f"{HEADER}\n张三,1,101,1-101\n".encode(), "r.csv")
    assert (absent.phone, absent.birth_year, absent.role, absent.area, absent.tags) == (
        UNSET,
        UNSET,
        UNSET,
        UNSET,
        UNSET,
    )
    data = f"{HEADER},手机,出生年份,身份,面积,标签\n张三,1,101,1-101,,,,,\n".encode()
    [empty] = parse_roster(data, "r.csv")
    assert (empty.phone, empty.birth_year, empty.role, empty.area, empty.tags) == (
        "",
        None,
        "owner",
        None,
        (),
    )


# --- values ---------------------------------------------------------------------------------


def one_value(column: str, value: str) -> RosterRow:
    [row] = parse_roster(f"{HEADER},{column}\n张三,1,101,1-101,{value}\n".encode(), "r.csv")
    return row


@pytest.mark.parametrize(
    "value",
    [
        "1950",
        "1950-03-02",
        "1950/3/2",
        "1950.3.2",
        "1950年3月2日",
        "1950年3月",
        "1950年",
        "19500302",
        "1950-03-02 00:00:00",
        "１９５０",
    ],
)
def test_birth_dates_and_years_give_the_birth_year(value: str) -> None:
    assert one_value("出生日期", value).birth_year == 1950


@pytest.mark.parametrize(
    ("value", "role"),
    [
        ("业主", "owner"),
        ("租户", "tenant"),
        ("来沪人员", "migrant"),
        ("Owner", "owner"),
        ("TENANT", "tenant"),
        ("migrant", "migrant"),
        ("", "owner"),
    ],
)
def test_roles(value: str, role: str) -> None:
    assert one_value("身份", value).role == role


@pytest.mark.parametrize(
    ("value", "phone"),
    [
        ("13812345678", "13812345678"),
        ("138 1234 5678", "13812345678"),
        ("138-1234-5678", "13812345678"),
        ("+86 138 1234 5678", "13812345678"),
        ("021-64381234", "02164381234"),
        ("(021)64381234", "02164381234"),
        ("64381234", "64381234"),
        ('="13812345678"', "13812345678"),
    ],
)
def test_phones_are_stored_as_digits(value: str, phone: str) -> None:
    assert one_value("手机", value).phone == phone


@pytest.mark.parametrize(
    ("value", "area"),
    [("85.5", 85.5), ("85.5㎡", 85.5), ("90平方米", 90.0), ("0", 0.0), ("１２０", 120.0)],
)
def test_areas_in_square_metres(value: str, area: float) -> None:
    assert one_value("专有面积", value).area == area


def test_tags_split_on_chinese_and_western_separators() -> None:
    row = one_value("标签", '"党员，独居 楼组长;志愿者；低保、党员"')
    assert row.tags == ("党员", "独居", "楼组长", "志愿者", "低保")


# --- bad input ------------------------------------------------------------------------------


def test_missing_required_columns_are_all_named() -> None:
    assert messages("编号,楼栋,手机\nA,1,13812345678\n".encode()) == [
        "missing column 姓名 (name)",
        "missing column 门牌 (room)",
        "missing column 户号 (household)",
    ]


def test_two_columns_meaning_the_same_thing() -> None:
    [error] = errors_of(f"{HEADER},手机,电话\n张三,1,101,1-101,,\n".encode())
    assert error.message == "row 1: columns 手机 and 电话 both mean 手机 (phone); keep only one"


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("出生年份", "19x0", "row 2, column 出生年份: '19x0' is not a date or year"),
        ("出生日期", "1950-02-30", "row 2, column 出生日期: '1950-02-30' is not a date or year"),
        (
            "出生年份",
            "1850",
            "row 2, column 出生年份: birth year 1850 is not between 1900 and this year",
        ),
        (
            "手机",
            "1381234567",
            "row 2, column 手机: '1381234567' is not a mobile number (11 digits, "
            "starting with 1) or a landline number",
        ),
        (
            "手机",
            "12345678901",
            "row 2, column 手机: '12345678901' is not a mobile number (11 "
            "digits, starting with 1) or a landline number",
        ),
        (
            "身份",
            "房东",
            "row 2, column 身份: unknown role '房东'; use 业主 (owner), 租户 (tenant) or "
            "来沪人员 (migrant)",
        ),
        ("面积", "-3", "row 2, column 面积: area -3 must be zero or more square metres"),
        ("面积", "大约80", "row 2, column 面积: '大约80' is not a number of square metres"),
    ],
)
def test_bad_values_name_row_and_column(column: str, value: str, message: str) -> None:
    data = f"{HEADER},{column}\n张三,1,101,1-101,{value}\n".encode()
    assert messages(data) == [message]


def test_every_error_is_collected_in_file_order() -> None:
    data = (
        "编号,姓名,楼栋,门牌,户号,出生年份\n"
        "A-001,张三,1,101,1-101,1950\n"
        "A-002,李四,,102,1-102,1951\n"
        "A-003,王五,1,103,1-103,19x0\n"
        "A-001,赵六,1,104,1-104,1960\n"
    ).encode()
    errors = errors_of(data)
    assert [(e.row, e.column, e.code) for e in errors] == [
        (3, "楼栋", "empty"),
        (4, "出生年份", "bad-date"),
        (5, "编号", "duplicate-id"),
    ]
    assert errors[2].message == "rows 2 and 5 have the same 编号 'A-001'"


def test_duplicate_id_is_found_even_when_the_row_has_other_errors() -> None:
    data = "编号,姓名,楼栋,门牌,户号\nA-003,张三,1,101,1-101\nA-003,,1,102,1-102\n".encode()
    assert messages(data) == [
        "row 3, column 姓名: name is empty",
        "rows 2 and 3 have the same 编号 'A-003'",
    ]


def test_same_household_and_name_without_id_column() -> None:
    data = f"{HEADER}\n张伟,1,101,1-101\n张伟,1,101,1-101\n".encode()
    assert messages(data) == [
        "rows 2 and 3 have the same 户号 '1-101' and 姓名 '张伟'; add an 编号 (ID) column to tell "
        "them apart"
    ]


def test_household_rows_must_agree_on_area_and_place() -> None:
    data = (
        f"{HEADER},专有面积\n"
        "张三,1,101,1-101,85.5\n"
        "李四,1,101,1-101,\n"
        "王五,1,101,1-101,90\n"
        "赵六,2,101,1-101,85.5\n"
    ).encode()
    assert messages(data) == [
        "row 4, column 专有面积: household '1-101' has area 90 here but 85.5 in row 2; one "
        "household has one area",
        "row 5, column 户号: household '1-101' is at building '2' room '101' here but at building "
        "'1' room '101' in row 2",
    ]


def test_empty_file() -> None:
    assert messages(b"") == ["the file is empty"]
    assert messages(b"\xef\xbb\xbf\r\n\r\n") == ["the file is empty"]


def test_header_only() -> None:
    assert messages(f"{HEADER}\n,,,\n".encode()) == [
        "the file has a header row but no residents under it"
    ]
    assert messages(xlsx_bytes([HEADER.split(",")]), "r.xlsx") == [
        "the file has a header row but no residents under it"
    ]


@pytest.mark.parametrize(
    "data",
    [
        f"{HEADER}\n张三,1,101,1-101\n".encode("utf-16"),
        f"{HEADER}\n张三,1,101,1-101\n".encode("utf-16-le"),
        b"\xff\xfe\x80\x80garbage",
    ],
)
def test_unknown_encoding(data: bytes) -> None:
    assert messages(data) == ["unknown encoding: save the file as UTF-8 or GB18030"]


def test_old_xls_and_broken_xlsx_are_refused_clearly() -> None:
    assert "Save As" in messages(b"\xd0\xcf\x11\xe0 old excel", "名册.xls")[0]
    assert "damaged or incomplete" in messages(b"PK\x03\x04 not really a zip", "名册.xlsx")[0]


def test_too_many_rows() -> None:
    body = "".join(f"居民{i},1,{i},1-{i}\n" for i in range(MAX_ROWS + 1))
    assert messages(f"{HEADER}\n{body}".encode()) == [
        "the file has more than 20,000 rows; split it into smaller files"
    ]


def test_exactly_the_row_limit_is_fine() -> None:
    body = "".join(f"居民{i},1,{i},1-{i}\n" for i in range(MAX_ROWS))
    assert len(parse_roster(f"{HEADER}\n{body}".encode(), "r.csv")) == MAX_ROWS


def test_too_large() -> None:
    assert messages(b"x" * (10 * 1024 * 1024 + 1)) == [
        "the file is larger than 10 MB; split it into smaller files"
    ]


def test_the_error_is_a_roster_invalid_problem_with_a_summary() -> None:
    with pytest.raises(RosterInvalid) as caught:
        parse_roster(f"{HEADER}\n张三,,101,1-101\n李四,,102,1-102\n".encode(), "r.csv")
    assert caught.value.type == "roster-invalid"
    assert caught.value.status == 422
    assert caught.value.detail == (
        "The roster file has 2 error(s) and nothing was imported. "
        "The first: row 2, column 楼栋: building is empty"
    )
