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
TOO_LARGE = N_("the file is larger than {limit} MB; split it into smaller files")
EMPTY_FILE = N_("the file is empty")
OLD_XLS = N_(
    "the old Excel .xls format cannot be read; in Excel use Save As and choose .xlsx or CSV"
)
NO_ROWS = N_("the file has a header row but no residents under it")
MISSING_COLUMN = N_("missing column {zh} ({en})")
DUPLICATE_COLUMN = N_(
    "row {row}: columns {other} and {column} both mean {zh} ({en}); keep only one"
)
EXCEL_DATE = N_(
    "row {row}, column {column}: Excel turned this {what} into the date {date}; format the "
    "column as Text and type it again"
)
EMPTY_CELL = N_("row {row}, column {column}: {what} is empty")
TOO_LONG = N_("row {row}, column {column}: {what} is longer than {limit} characters")
KEY_TOO_LONG = N_(
    "row {row}: 户号 and 姓名 together are too long to serve as the resident's key; add an 编号 "
    "(ID) column"
)
BAD_PHONE = N_(
    "row {row}, column {column}: {value!r} is not a mobile number (11 digits, starting with 1) "
    "or a landline number"
)
BAD_DATE = N_("row {row}, column {column}: {value!r} is not a date or year")
BAD_YEAR = N_("row {row}, column {column}: birth year {year} is not between 1900 and this year")
BAD_ROLE = N_(
    "row {row}, column {column}: unknown role {value!r}; use 业主 (owner), 租户 (tenant) or "
    "来沪人员 (migrant)"
)
BAD_AREA = N_("row {row}, column {column}: {value!r} is not a number of square metres")
NEGATIVE_AREA = N_("row {row}, column {column}: area {value} must be zero or more square metres")
BAD_TAG = N_("row {row}, column {column}: tag {value!r} is longer than 32 characters")
BAD_FLAT = N_(
    "row {row}, column {column}: {value!r} is not a 户号, or a 户号 with its area in brackets "
    "like 5-301(62)"
)
BAD_FLAT_AREA = N_(
    "row {row}, column {column}: the area in {value!r} must be zero or more square metres"
)
UNKNOWN_FLAT = N_(
    "row {row}, column {column}: {flat!r} is not a 户号 in this file; for a flat nobody in the "
    "file lives in, write its area in brackets, like {flat}(62)"
)
FLAT_AREA_CONFLICT = N_(
    "row {row}, column {column}: flat {flat!r} has area {area} here but {other_area} in row "
    "{other_row}; one flat has one area"
)
DUPLICATE_ID = N_("rows {first} and {row} have the same {column} {key!r}")
DUPLICATE_NAME = N_(
    "rows {first} and {row} have the same {household_column} {household!r} and {name_column} "
    "{resident!r}; add an 编号 (ID) column to tell them apart"
)
PLACE_CONFLICT = N_(
    "row {row}, column {column}: household {household!r} is at building {building!r} room "
    "{room!r} here but at building {other_building!r} room {other_room!r} in row {other_row}"
)
AREA_CONFLICT = N_(
    "row {row}, column {column}: household {household!r} has area {area} here but {other_area} "
    "in row {other_row}; one household has one area"
)

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
    Column(
        "owns",
        "产权房屋",
        "flats owned",
        ("产权房屋", "名下房屋", "产权户号", "产权", "flats owned", "owned flats", "owns"),
    ),
)


class RosterRow(msgspec.Struct, frozen=True, kw_only=True):
    """One resident as read from the file, already checked and normalised.

    ``line`` is the row number in the file (header = row 1). ``external_id`` is the stable key:
    the 编号 column, or :func:`household_name_key` when the file has no such column. Optional
    fields are ``UNSET`` when their column is absent from the file. ``phone`` is digits only
    (``""`` when the cell is empty); ``role`` is ``owner``, ``tenant`` or ``migrant``; ``area``
    is the household's exclusive floor area in m²; ``owns`` lists the flats (by 户号) the
    resident owns when the 产权房屋 cell names them (empty or absent: a 业主 owns their home).
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
    owns: tuple[OwnedFlat, ...] | UnsetType = UNSET


class OwnedFlat(msgspec.Struct, frozen=True):
    """A flat named in the 产权房屋 column: its 户号 and, for a flat nobody in the file lives in,
    its exclusive floor area (``5-301（62）``)."""

    flat: str
    area: float | None = None


def household_name_key(household: str, name: str) -> str:
    """The stable key of a resident when the file has no 编号 column: ``户号/姓名``."""
    return f"{household}/{name}"


def parse_roster(data: bytes, filename: str) -> list[RosterRow]:
    """Read and check a roster; raise :class:`RosterHasErrors` listing every problem."""
    if len(data) > MAX_BYTES:
        _fail(TOO_LARGE, limit=MAX_BYTES // (1024 * 1024))
    if not data.strip():
        _fail(EMPTY_FILE, code="empty-file")
    table = read_xlsx(data) if _is_xlsx(data, filename) else read_csv(data)
    return _check(table)


# --- reading the raw table -------------------------------------------------------------------


def _fail(template: str, *, code: str = "file", limit: int | None = None) -> None:
    raise refuse(template, code=code) if limit is None else refuse(template, code=code, limit=limit)


def _is_xlsx(data: bytes, filename: str) -> bool:
    lower = filename.lower()
    if lower.endswith(".xls"):
        _fail(OLD_XLS, code="format")
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

    def error(
        self, row: int, name: str | None, template: str, code: str, **params: str | int
    ) -> None:
        """Note a problem; ``template`` names ``{row}`` and, with a field ``name``, ``{column}``."""
        column = self.header(name) if name is not None else None
        self.errors.append(roster_error(template, code=code, row=row, column=column, **params))


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
                roster_error(
                    DUPLICATE_COLUMN,
                    code="duplicate-column",
                    row=number,
                    column=written,
                    other=other,
                    zh=column.zh,
                    en=column.en,
                )
            )
            continue
        headers[column.field] = (index, written)
    for column in COLUMNS:
        if column.required and column.field not in headers:
            errors.append(
                roster_error(MISSING_COLUMN, code="missing-column", zh=column.zh, en=column.en)
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
        _fail(EMPTY_FILE, code="empty-file")
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
    _check_owned(checker)
    errors = checker.errors + long_cells.errors(header_values)
    if seen == 0:
        _fail(NO_ROWS, code="no-rows")
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
            number, name, EXCEL_DATE, "excel-date", what=column.en, date=f"{value:%Y-%m-%d}"
        )
        return None
    text = re.sub(r"\s+", " ", _text(value))
    if not text:
        checker.error(number, name, EMPTY_CELL, "empty", what=column.en)
        return None
    if len(text) > _LENGTHS[name]:
        checker.error(number, name, TOO_LONG, "too-long", what=column.en, limit=_LENGTHS[name])
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
            checker.error(number, None, KEY_TOO_LONG, "too-long")
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
    owns: tuple[OwnedFlat, ...] | UnsetType = UNSET
    if has("owns"):
        owns = _owns(checker, number, checker.cell(values, "owns"))
        checker.seen.owned.append((number, owns))
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
        owns=owns,
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
    checker.error(number, "phone", BAD_PHONE, "bad-phone", value=text)
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
            checker.error(number, "birth", BAD_DATE, "bad-date", value=text)
            return None
    if not 1900 <= year <= date.today().year:
        checker.error(number, "birth", BAD_YEAR, "bad-date", year=year)
        return None
    return year


def _role(checker: _Checker, number: int, value: Cell) -> str:
    text = _text(value)
    if not text:
        return DEFAULT_ROLE
    role = ROLES.get(text.lower())
    if role is None:
        checker.error(number, "role", BAD_ROLE, "bad-role", value=text)
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
            checker.error(number, "area", BAD_AREA, "bad-area", value=text)
            return None
    if not math.isfinite(area) or area < 0:
        checker.error(number, "area", NEGATIVE_AREA, "bad-area", value=text)
        return None
    return area


_TAG_SEPARATORS: Final = re.compile(r"[，,;；、\s]+")


def _tags(checker: _Checker, number: int, value: Cell) -> tuple[str, ...]:
    tags = [t for t in _TAG_SEPARATORS.split(_text(value)) if t]
    too_long = [t for t in tags if len(t) > 32]
    if too_long:
        checker.error(number, "tags", BAD_TAG, "bad-tag", value=too_long[0])
    return tuple(dict.fromkeys(tags))


_FLAT_ENTRY: Final = re.compile(r"(?P<flat>[^()]+?)\s*(?:\((?P<area>[^()]*)\))?")


def _owns(checker: _Checker, number: int, value: Cell) -> tuple[OwnedFlat, ...]:
    """``3-101、5-301(62)``: 户号s, each with the flat's area in brackets when nobody in the file
    lives there."""
    text = re.sub(r"\s*\(\s*", "(", unicodedata.normalize("NFKC", _text(value)))
    owned: dict[str, OwnedFlat] = {}
    for entry in _TAG_SEPARATORS.split(text):
        if not entry:
            continue
        match = _FLAT_ENTRY.fullmatch(entry)
        if match is None or len(match["flat"]) > _LENGTHS["household"]:
            checker.error(number, "owns", BAD_FLAT, "bad-flat", value=entry)
            continue
        area: float | None = None
        if match["area"] is not None:
            bare = re.sub(r"(m2|m\^2|㎡|平方米|平米)$", "", match["area"].lower().strip())
            try:
                area = float(bare)
            except ValueError:
                area = -1.0
            if not math.isfinite(area) or area < 0:
                checker.error(number, "owns", BAD_FLAT_AREA, "bad-area", value=entry)
                continue
        owned[match["flat"]] = OwnedFlat(match["flat"], area)
    return tuple(owned.values())


class _Seen(msgspec.Struct):
    """What earlier rows said, for the checks across rows."""

    keys: dict[str, int] = msgspec.field(default_factory=dict)  # key -> first row
    places: dict[str, tuple[int, str, str]] = msgspec.field(default_factory=dict)
    areas: dict[str, tuple[int, float]] = msgspec.field(default_factory=dict)
    owned: list[tuple[int, tuple[OwnedFlat, ...]]] = msgspec.field(default_factory=list)
    households: set[str] = msgspec.field(default_factory=set)


def _check_owned(checker: _Checker) -> None:
    """Every flat in 产权房屋 is a household in the file or has its area; one flat, one area."""
    seen = checker.seen
    areas: dict[str, tuple[int, float]] = {
        household: (line, area) for household, (line, area) in seen.areas.items()
    }
    for line, owned in seen.owned:
        for flat in owned:
            if flat.area is None:
                if flat.flat not in seen.households and flat.flat not in areas:
                    checker.error(line, "owns", UNKNOWN_FLAT, "unknown-flat", flat=flat.flat)
                continue
            other_line, other_area = areas.setdefault(flat.flat, (line, flat.area))
            if not math.isclose(other_area, flat.area):
                checker.error(
                    line,
                    "owns",
                    FLAT_AREA_CONFLICT,
                    "area-conflict",
                    flat=flat.flat,
                    area=f"{flat.area:g}",
                    other_area=f"{other_area:g}",
                    other_row=other_line,
                )


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
                checker.error(
                    line, "external_id", DUPLICATE_ID, "duplicate-id", first=first, key=key
                )
            else:
                household_name = key.split("/", 1)
                checker.error(
                    line,
                    None,
                    DUPLICATE_NAME,
                    "duplicate-id",
                    first=first,
                    household_column=checker.header("household"),
                    household=household_name[0],
                    name_column=checker.header("name"),
                    resident=household_name[1],
                )
    if household is None:
        return
    seen.households.add(household)
    building, room = place
    if building is not None and room is not None:
        home = seen.places.setdefault(household, (line, building, room))
        if home[1:] != (building, room):
            checker.error(
                line,
                "household",
                PLACE_CONFLICT,
                "household-conflict",
                household=household,
                building=building,
                room=room,
                other_building=home[1],
                other_room=home[2],
                other_row=home[0],
            )
    if isinstance(area, float):
        other_line, other_area = seen.areas.setdefault(household, (line, area))
        if not math.isclose(other_area, area):
            checker.error(
                line,
                "area",
                AREA_CONFLICT,
                "area-conflict",
                household=household,
                area=f"{area:g}",
                other_area=f"{other_area:g}",
                other_row=other_line,
            )
