"""Reading a roster (名册) file — CSV (UTF-8 or GB18030) or XLSX — into checked rows.

Pure: no database. :func:`parse_roster` either returns every row or raises
:class:`~ballots.roll.errors.RosterHasErrors` listing every problem, each naming the row as
Excel numbers it (header = row 1) and the column header as written in the file. The accepted
columns and values are documented for chairs in ``docs/roster-format.md``.

A column missing from the file leaves that field ``UNSET`` (the importer then keeps what the roll
already has); an empty cell in a column that is present means "empty" and clears the field.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Final

import msgspec
from msgspec import UNSET, UnsetType

from ballots.errors import N_
from ballots.roll.csv_file import read_csv
from ballots.roll.errors import RosterError, RosterHasErrors, refuse, roster_error
from ballots.roll.limits import (
    HEADER_SEARCH_ROWS,
    MAX_BYTES,
    MAX_CELL_CHARS,
    MAX_CELL_ERRORS,
    MAX_ROWS,
    MAX_SCANNED_ROWS,
)
from ballots.roll.xlsx import TOO_MANY_ROWS, Cell, RawRow, TooLong, read_xlsx

CELL_TOO_LONG = N_("row {row}, column {column}: the cell is longer than {limit} characters")

ROLES: Final = {
    "业主": "owner",
    "owner": "owner",
    "租户": "tenant",
    "tenant": "tenant",
    "来沪人员": "migrant",
    "migrant": "migrant",
}
DEFAULT_ROLE: Final = "owner"


class Column(msgspec.Struct, frozen=True):
    """A roster field: its name in code, the Chinese and English names shown in messages."""

    field: str
    zh: str
    en: str
    aliases: tuple[str, ...]
    required: bool = False


COLUMNS: Final[tuple[Column, ...]] = (
    Column("external_id", "编号", "ID", ("编号", "居民编号", "id", "external id", "resident id")),
    Column("name", "姓名", "name", ("姓名", "name"), required=True),
    Column("building", "楼栋", "building", ("楼栋", "楼号", "building"), required=True),
    Column(
        "room",
        "门牌",
        "room",
        ("门牌", "室", "门牌/室", "门牌号", "房号", "室号", "room"),
        required=True,
    ),
    Column("household", "户号", "household", ("户号", "household", "household id"), required=True),
    Column("phone", "手机", "phone", ("手机", "电话", "手机号", "phone", "mobile")),
    Column(
        "birth",
        "出生年份",
        "birth year",
        ("出生年份", "出生日期", "birth year", "birth date", "birthday", "year of birth"),
    ),
    Column("role", "身份", "role", ("身份", "role")),
    Column("area", "专有面积", "area", ("专有面积", "面积", "area", "floor area")),
    Column("tags", "标签", "tags", ("标签", "tags", "tag")),
)


class RosterRow(msgspec.Struct, frozen=True, kw_only=True):
    """One resident as read from the file, already checked and normalised.

    ``line`` is the row number in the file (header = row 1). ``external_id`` is the stable key:
    the 编号 column, or :func:`household_name_key` when the file has no such column. Optional
    fields are ``UNSET`` when their column is absent from the file. ``phone`` is digits only
    (``""`` when the cell is empty); ``role`` is ``owner``, ``tenant`` or ``migrant``; ``area``
    is the household's exclusive floor area in m².
    """

    line: int
    external_id: str
    name: str
    building: str
    room: str
    household: str
    phone: str | UnsetType = UNSET
    birth_year: int | UnsetType | None = UNSET
    role: str | UnsetType = UNSET
    area: float | UnsetType | None = UNSET
    tags: tuple[str, ...] | UnsetType = UNSET


def household_name_key(household: str, name: str) -> str:
    """The stable key of a resident when the file has no 编号 column: ``户号/姓名``."""
    return f"{household}/{name}"


def parse_roster(data: bytes, filename: str) -> list[RosterRow]:
    """Read and check a roster; raise :class:`RosterHasErrors` listing every problem."""
    if len(data) > MAX_BYTES:
        _fail(
            f"the file is larger than {MAX_BYTES // (1024 * 1024)} MB; split it into smaller files"
        )
    if not data.strip():
        _fail("the file is empty", code="empty-file")
    table = read_xlsx(data) if _is_xlsx(data, filename) else read_csv(data)
    return _check(table)


# --- reading the raw table -------------------------------------------------------------------


def _fail(message: str, *, code: str = "file", row: int | None = None) -> None:
    raise RosterHasErrors([RosterError(row=row, column=None, message=message, code=code)])


def _is_xlsx(data: bytes, filename: str) -> bool:
    lower = filename.lower()
    if lower.endswith(".xls"):
        _fail(
            "the old Excel .xls format cannot be read; in Excel use Save As and choose "
            ".xlsx or CSV",
            code="format",
        )
    if lower.endswith((".xlsx", ".xlsm")):
        return True
    return data.startswith(b"PK\x03\x04")


# --- checking -------------------------------------------------------------------------------


def _normalise_header(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).lower()
    text = re.sub(r"[(\[【].*?[)\]】]", "", text)  # units such as 面积(㎡)
    return re.sub(r"[\s_\-*:]+", "", text)


ALIASES: Final = {_normalise_header(a): c for c in COLUMNS for a in c.aliases}


def _text(value: Cell) -> str:
    """A cell as trimmed text; numbers lose a spurious ``.0``, ``="0123"`` loses its quoting."""
    if value is None or isinstance(value, TooLong):
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer():
            return str(int(value))
        return repr(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    text = str(value).replace("\u3000", " ").strip()
    match = re.fullmatch(r'="(.*)"', text)
    return match.group(1).strip() if match else text


def _blank(values: Sequence[Cell]) -> bool:
    return all(_text(v) == "" for v in values)


@dataclass
class _Checker:
    """Collects errors while turning raw cells into rows."""

    headers: dict[str, tuple[int, str]]  # field -> (index, header as written)
    errors: list[RosterError] = field(default_factory=list)
    seen: _Seen = field(default_factory=lambda: _Seen())

    def header(self, name: str) -> str:
        return self.headers[name][1]

    def cell(self, values: Sequence[Cell], name: str) -> Cell:
        index = self.headers[name][0]
        return values[index] if index < len(values) else None

    def error(self, row: int, name: str | None, text: str, code: str) -> None:
        column = self.header(name) if name is not None else None
        where = f"row {row}, column {column}" if column is not None else f"row {row}"
        self.errors.append(
            RosterError(row=row, column=column, message=f"{where}: {text}", code=code)
        )


def _find_header(rows: Iterator[RawRow]) -> tuple[int, Sequence[Cell]] | None:
    """The header: the first top row naming two known columns, else the first non-blank row."""
    first: tuple[int, Sequence[Cell]] | None = None
    for number, values in rows:
        if _blank(values):
            continue
        known = {ALIASES[h].field for v in values if (h := _normalise_header(_text(v))) in ALIASES}
        if len(known) >= 2:
            return number, values
        if first is None:
            first = (number, values)
        if number >= HEADER_SEARCH_ROWS:
            break
    return first


def _map_headers(number: int, values: Sequence[Cell]) -> dict[str, tuple[int, str]]:
    headers: dict[str, tuple[int, str]] = {}
    errors: list[RosterError] = []
    for index, value in enumerate(values):
        written = _text(value)
        column = ALIASES.get(_normalise_header(written))
        if column is None:
            continue  # other columns (备注…) are ignored
        if column.field in headers:
            other = headers[column.field][1]
            errors.append(
                RosterError(
                    row=number,
                    column=written,
                    message=f"row {number}: columns {other} and {written} both mean "
                    f"{column.zh} ({column.en}); keep only one",
                    code="duplicate-column",
                )
            )
            continue
        headers[column.field] = (index, written)
    for column in COLUMNS:
        if column.required and column.field not in headers:
            errors.append(
                RosterError(
                    row=None,
                    column=None,
                    message=f"missing column {column.zh} ({column.en})",
                    code="missing-column",
                )
            )
    if errors:
        raise RosterHasErrors(errors)
    return headers


class _LongCells:
    """Watches the raw rows for cells over ``MAX_CELL_CHARS`` (which readers leave as TooLong)."""

    def __init__(self, table: Iterator[RawRow]) -> None:
        self.table = table
        self.cells: list[tuple[int, int]] = []  # (row, column index), the first few
        self.rows: set[int] = set()

    def __iter__(self) -> Iterator[RawRow]:
        for number, values in self.table:
            for index, value in enumerate(values):
                if isinstance(value, TooLong):
                    self.rows.add(number)
                    if len(self.cells) < MAX_CELL_ERRORS:
                        self.cells.append((number, index))
            yield number, values

    def errors(self, header: Sequence[Cell] | None) -> list[RosterError]:
        """One error per cell, naming the column by its header (else by its Excel letter)."""
        return [
            roster_error(
                CELL_TOO_LONG,
                code="cell-too-long",
                row=row,
                column=_column_name(index, header),
                limit=f"{MAX_CELL_CHARS:,}",
            )
            for row, index in self.cells
        ]


def _column_name(index: int, header: Sequence[Cell] | None) -> str:
    written = _text(header[index]) if header is not None and index < len(header) else ""
    if written:
        return written
    letters = ""
    number = index + 1
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _check(table: Iterator[RawRow]) -> list[RosterRow]:
    long_cells = _LongCells(table)
    raw = iter(long_cells)
    found = _find_header(raw)
    if long_cells.cells:  # in the header or the title rows above it
        raise RosterHasErrors(long_cells.errors(None))
    if found is None:
        _fail("the file is empty", code="empty-file")
        raise AssertionError("unreachable")
    header_number, header_values = found
    checker = _Checker(_map_headers(header_number, header_values))
    rows: list[RosterRow] = []
    seen = 0
    for number, values in raw:
        if number > MAX_SCANNED_ROWS or (seen >= MAX_ROWS and not _blank(values)):
            raise refuse(TOO_MANY_ROWS, code="too-many-rows", limit=f"{MAX_ROWS:,}")
        if number in long_cells.rows:  # reported below; its other cells may be cut short
            seen += 1
            continue
        if _blank(values):
            continue
        seen += 1
        row = _check_row(checker, number, values)
        if row is not None:
            rows.append(row)
    errors = checker.errors + long_cells.errors(header_values)
    if seen == 0:
        _fail("the file has a header row but no residents under it", code="no-rows")
    if errors:
        errors.sort(key=lambda e: e.row or 0)
        raise RosterHasErrors(errors)
    return rows


_LENGTHS: Final = {"external_id": 64, "name": 100, "building": 64, "room": 64, "household": 64}


def _required_text(checker: _Checker, number: int, values: Sequence[Cell], name: str) -> str | None:
    value = checker.cell(values, name)
    column = next(c for c in COLUMNS if c.field == name)
    if isinstance(value, datetime | date):
        checker.error(
            number,
            name,
            f"Excel turned this {column.en} into the date {value:%Y-%m-%d}; format the column "
            "as Text and type it again",
            "excel-date",
        )
        return None
    text = re.sub(r"\s+", " ", _text(value))
    if not text:
        checker.error(number, name, f"{column.en} is empty", "empty")
        return None
    if len(text) > _LENGTHS[name]:
        checker.error(
            number, name, f"{column.en} is longer than {_LENGTHS[name]} characters", "too-long"
        )
        return None
    return text


def _check_row(checker: _Checker, number: int, values: Sequence[Cell]) -> RosterRow | None:
    errors_before = len(checker.errors)
    has = checker.headers.__contains__
    name = _required_text(checker, number, values, "name")
    building = _required_text(checker, number, values, "building")
    room = _required_text(checker, number, values, "room")
    household = _required_text(checker, number, values, "household")
    external_id: str | None = None
    if has("external_id"):
        external_id = _required_text(checker, number, values, "external_id")
    elif household is not None and name is not None:
        external_id = household_name_key(household, name)
        if len(external_id) > _LENGTHS["external_id"]:
            checker.error(
                number,
                None,
                "户号 and 姓名 together are too long to serve as the resident's key; add an 编号 "
                "(ID) column",
                "too-long",
            )
    phone: str | UnsetType = UNSET
    if has("phone"):
        phone = _phone(checker, number, checker.cell(values, "phone"))
    birth_year: int | UnsetType | None = UNSET
    if has("birth"):
        birth_year = _birth_year(checker, number, checker.cell(values, "birth"))
    role: str | UnsetType = UNSET
    if has("role"):
        role = _role(checker, number, checker.cell(values, "role"))
    area: float | UnsetType | None = UNSET
    if has("area"):
        area = _area(checker, number, checker.cell(values, "area"))
    tags: tuple[str, ...] | UnsetType = UNSET
    if has("tags"):
        tags = _tags(checker, number, checker.cell(values, "tags"))
    _check_against_earlier(checker, number, external_id, household, (building, room), area)
    if len(checker.errors) > errors_before:
        return None
    assert name and building and room and household and external_id
    return RosterRow(
        line=number,
        external_id=external_id,
        name=name,
        building=building,
        room=room,
        household=household,
        phone=phone,
        birth_year=birth_year,
        role=role,
        area=area,
        tags=tags,
    )


MOBILE: Final = re.compile(r"1[3-9]\d{9}")
LANDLINE: Final = re.compile(r"0\d{9,11}|[2-9]\d{6,7}")


def _phone(checker: _Checker, number: int, value: Cell) -> str:
    text = unicodedata.normalize("NFKC", _text(value))
    digits = re.sub(r"[\s\-()]", "", text)
    if re.fullmatch(r"(\+86|0086|86)1\d{10}", digits):
        digits = digits[-11:]
    if digits == "" or MOBILE.fullmatch(digits) or LANDLINE.fullmatch(digits):
        return digits
    checker.error(
        number,
        "phone",
        f"{text!r} is not a mobile number (11 digits, starting with 1) or a landline number",
        "bad-phone",
    )
    return ""


_DATE_PATTERNS: Final = (
    re.compile(r"(?P<y>\d{4})"),
    re.compile(
        r"(?P<y>\d{4})[-/.](?P<m>\d{1,2})(?:[-/.](?P<d>\d{1,2}))?(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?"
    ),
    re.compile(r"(?P<y>\d{4})年(?:(?P<m>\d{1,2})月(?:(?P<d>\d{1,2})日?)?)?"),
    re.compile(r"(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})"),
)


def _birth_year(checker: _Checker, number: int, value: Cell) -> int | None:
    year: int | None = None
    if isinstance(value, datetime | date):
        year = value.year
    else:
        text = unicodedata.normalize("NFKC", _text(value)).strip()
        if not text:
            return None
        for pattern in _DATE_PATTERNS:
            match = pattern.fullmatch(text)
            if match is None:
                continue
            parts = match.groupdict()
            try:
                date(int(parts["y"]), int(parts.get("m") or 1), int(parts.get("d") or 1))
            except ValueError:
                break
            year = int(parts["y"])
            break
        if year is None:
            checker.error(number, "birth", f"{text!r} is not a date or year", "bad-date")
            return None
    if not 1900 <= year <= date.today().year:
        checker.error(
            number, "birth", f"birth year {year} is not between 1900 and this year", "bad-date"
        )
        return None
    return year


def _role(checker: _Checker, number: int, value: Cell) -> str:
    text = _text(value)
    if not text:
        return DEFAULT_ROLE
    role = ROLES.get(text.lower())
    if role is None:
        checker.error(
            number,
            "role",
            f"unknown role {text!r}; use 业主 (owner), 租户 (tenant) or 来沪人员 (migrant)",
            "bad-role",
        )
        return DEFAULT_ROLE
    return role


def _area(checker: _Checker, number: int, value: Cell) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        area = float(value)
        text = _text(value)
    else:
        text = _text(value)
        if not text:
            return None
        bare = unicodedata.normalize("NFKC", text).lower().replace(" ", "")
        bare = re.sub(r"(m2|m\^2|平方米|平米)$", "", bare)
        try:
            area = float(bare)
        except ValueError:
            checker.error(number, "area", f"{text!r} is not a number of square metres", "bad-area")
            return None
    if not math.isfinite(area) or area < 0:
        checker.error(number, "area", f"area {text} must be zero or more square metres", "bad-area")
        return None
    return area


_TAG_SEPARATORS: Final = re.compile(r"[，,;；、\s]+")


def _tags(checker: _Checker, number: int, value: Cell) -> tuple[str, ...]:
    tags = [t for t in _TAG_SEPARATORS.split(_text(value)) if t]
    too_long = [t for t in tags if len(t) > 32]
    if too_long:
        checker.error(
            number, "tags", f"tag {too_long[0]!r} is longer than 32 characters", "bad-tag"
        )
    return tuple(dict.fromkeys(tags))


class _Seen(msgspec.Struct):
    """What earlier rows said, for the checks across rows."""

    keys: dict[str, int] = msgspec.field(default_factory=dict)  # key -> first row
    places: dict[str, tuple[int, str, str]] = msgspec.field(default_factory=dict)
    areas: dict[str, tuple[int, float]] = msgspec.field(default_factory=dict)


def _check_against_earlier(
    checker: _Checker,
    line: int,
    key: str | None,
    household: str | None,
    place: tuple[str | None, str | None],
    area: float | UnsetType | None,
) -> None:
    """Duplicate keys, and households whose rows disagree on place or area.

    Runs on every row, even one with other errors, so that all problems show at once.
    """
    seen = checker.seen
    if key is not None:
        first = seen.keys.setdefault(key, line)
        if first != line:
            if "external_id" in checker.headers:
                column = checker.header("external_id")
                text = f"rows {first} and {line} have the same {column} {key!r}"
            else:
                column = None
                household_name = key.split("/", 1)
                text = (
                    f"rows {first} and {line} have the same {checker.header('household')} "
                    f"{household_name[0]!r} and {checker.header('name')} {household_name[1]!r}; "
                    "add an 编号 (ID) column to tell them apart"
                )
            checker.errors.append(
                RosterError(row=line, column=column, message=text, code="duplicate-id")
            )
    if household is None:
        return
    building, room = place
    if building is not None and room is not None:
        home = seen.places.setdefault(household, (line, building, room))
        if home[1:] != (building, room):
            checker.error(
                line,
                "household",
                f"household {household!r} is at building {building!r} room {room!r} here but "
                f"at building {home[1]!r} room {home[2]!r} in row {home[0]}",
                "household-conflict",
            )
    if isinstance(area, float):
        other_line, other_area = seen.areas.setdefault(household, (line, area))
        if not math.isclose(other_area, area):
            checker.error(
                line,
                "area",
                f"household {household!r} has area {area:g} here but {other_area:g} in row "
                f"{other_line}; one household has one area",
                "area-conflict",
            )
