"""Reading the first sheet of an XLSX workbook in bounded memory, refusing zip bombs unopened.

An XLSX file is a zip of XML parts. :func:`read_xlsx` first checks the zip's own directory
against :mod:`ballots.roll.limits` (how many parts, how big unpacked, how tightly packed), so a
small file that unpacks to gigabytes is refused before any part is unpacked. Then it streams the
parts it needs through expat in small chunks: a cell's text is counted as it arrives and never
kept past :data:`~ballots.roll.limits.MAX_CELL_CHARS` (the cell becomes :class:`TooLong`), so no
single cell, however long, is ever built in memory. Values come out as openpyxl's read-only mode
gives them (numbers, dates from date-formatted cells, booleans, text), with Excel's row numbers.
"""

from __future__ import annotations

import contextlib
import io
import posixpath
import zipfile
import zlib
from collections.abc import Callable, Iterator, Sequence
from datetime import date, datetime, time, timedelta
from typing import Final
from xml.parsers import expat

from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format, is_timedelta_format
from openpyxl.utils.datetime import MAC_EPOCH, WINDOWS_EPOCH, from_excel, from_ISO8601

from ballots.errors import N_
from ballots.roll.errors import RosterHasErrors, refuse
from ballots.roll.limits import (
    MAX_CELL_CHARS,
    MAX_COLUMNS,
    MAX_PACKING_RATIO,
    MAX_PARTS,
    MAX_ROWS,
    MAX_SCANNED_ROWS,
    MAX_UNPACKED_BYTES,
    MB,
    RATIO_CHECKED_FROM,
)


class TooLong:
    """Stands in for a cell longer than ``MAX_CELL_CHARS``; its text was never kept."""

    def __repr__(self) -> str:
        return "TooLong()"


TOO_LONG: Final = TooLong()

Cell = str | int | float | bool | datetime | date | time | timedelta | TooLong | None
RawRow = tuple[int, Sequence[Cell]]

CHUNK: Final = 64 * 1024
# The central directory entry of one part is 46 bytes plus its name; xlsx part names are short.
MAX_DIRECTORY_BYTES: Final = MAX_PARTS * 1024
# Distinct texts in the shared-strings part: twenty per resident is far more than a roll has.
MAX_SHARED_STRINGS: Final = 20 * MAX_ROWS
# Excel's East Asian built-in date formats (ids 27-36 and 50-58 in a Chinese-language Excel),
# which openpyxl's table of built-in formats leaves out.
CJK_DATE_FORMATS: Final = frozenset({*range(27, 37), *range(50, 59)})
# Excel allows 64,000 cell formats in a workbook.
MAX_STYLES: Final = 64_000
OLE_MAGIC: Final = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
REL_TYPES_END: Final = ("/officeDocument", "/worksheet", "/sharedStrings", "/styles")

NOT_XLSX = N_(
    "the file is named .xlsx but is not an XLSX workbook; save it again from Excel as .xlsx or CSV"
)
DAMAGED = N_(
    "the XLSX workbook is damaged or incomplete (was the upload cut short?); save it again from "
    "Excel as .xlsx or CSV"
)
ENCRYPTED = N_(
    "the file is a password-protected workbook or an old .xls file; remove the password in Excel "
    "and save it as .xlsx or CSV"
)
TOO_MANY_PARTS = N_(
    "the file is made of more than {limit} parts, which no roster workbook needs; save the roster "
    "again from Excel as .xlsx or CSV"
)
UNPACKS_TOO_BIG = N_(
    "the file expands to more than {limit} MB when unpacked, far more than a roster needs; "
    "split it into smaller files"
)
PACKED_TOO_TIGHT = N_(
    "part {part} of the file expands {ratio} times when unpacked, which no real workbook does "
    "(it looks like a zip bomb); save the roster again from Excel as .xlsx or CSV"
)
TOO_MANY_TEXTS = N_(
    "the workbook holds more than {limit} different texts, far more than a roster needs; "
    "split it into smaller files"
)
TOO_MANY_ROWS = N_("the file has more than {limit} rows; split it into smaller files")


def read_xlsx(data: bytes) -> Iterator[RawRow]:
    """The rows of the workbook's first sheet as ``(Excel row number, cells)``, blank rows too.

    Raises :class:`RosterHasErrors` for a file that is not a workbook, is damaged, or breaks a
    limit; the zip checks happen at once, a problem inside a part while iterating.
    """
    archive = open_workbook_zip(data)
    return _Workbook(archive).rows()


def open_workbook_zip(data: bytes) -> zipfile.ZipFile:
    """Open ``data`` as a zip after checking its directory; nothing is unpacked yet."""
    if data.startswith(OLE_MAGIC):
        raise refuse(ENCRYPTED, code="format")
    if not data.startswith(b"PK"):
        raise refuse(NOT_XLSX, code="format")
    directory = _directory_size(data)
    if directory is not None and (directory[0] > MAX_PARTS or directory[1] > MAX_DIRECTORY_BYTES):
        raise refuse(TOO_MANY_PARTS, code="too-many-parts", limit=MAX_PARTS)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError) as error:
        raise refuse(DAMAGED, code="format") from error
    parts = archive.infolist()
    if len(parts) > MAX_PARTS:
        raise refuse(TOO_MANY_PARTS, code="too-many-parts", limit=MAX_PARTS)
    # Unpacking stops at each part's declared size (a part that holds more fails its checksum),
    # so the declared sizes bound what can ever come out.
    if sum(part.file_size for part in parts) > MAX_UNPACKED_BYTES:
        raise refuse(UNPACKS_TOO_BIG, code="too-large-unpacked", limit=MAX_UNPACKED_BYTES // MB)
    for part in parts:
        ratio = part.file_size // max(part.compress_size, 1)
        if part.file_size >= RATIO_CHECKED_FROM and ratio > MAX_PACKING_RATIO:
            raise refuse(PACKED_TOO_TIGHT, code="zip-bomb", part=part.filename[:100], ratio=ratio)
    return archive


def _directory_size(data: bytes) -> tuple[int, int] | None:
    """(entries, bytes) of the zip's central directory as its end record declares, if found.

    Checked before :class:`zipfile.ZipFile` reads the directory, which builds an object per entry.
    """
    end = data.rfind(b"PK\x05\x06", max(0, len(data) - 22 - 0xFFFF))
    if end < 0 or len(data) < end + 22:
        return None
    entries = int.from_bytes(data[end + 10 : end + 12], "little")
    size = int.from_bytes(data[end + 12 : end + 16], "little")
    return entries, size


# --- streaming XML ------------------------------------------------------------------------------

StartHandler = Callable[[str, dict[str, str]], None]
EndHandler = Callable[[str], None]
TextHandler = Callable[[str], None]


def _local(name: str) -> str:
    return name.rpartition(":")[2]


def _refuse_doctype(*_: object) -> None:
    raise refuse(DAMAGED, code="format")  # XLSX parts never declare a DTD; entities stay out


def _parser(start: StartHandler, end: EndHandler, text: TextHandler | None) -> expat.XMLParserType:
    parser = expat.ParserCreate()
    parser.StartDoctypeDeclHandler = _refuse_doctype
    parser.EntityDeclHandler = _refuse_doctype
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    if text is not None:
        parser.CharacterDataHandler = text
    return parser


def _chunks(archive: zipfile.ZipFile, name: str) -> Iterator[bytes]:
    """The unpacked bytes of one part, a chunk at a time; any damage is a :data:`DAMAGED` error."""
    try:
        with archive.open(name) as part:
            while chunk := part.read(CHUNK):
                yield chunk
    except RosterHasErrors:
        raise
    except (
        KeyError,
        zipfile.BadZipFile,
        zlib.error,
        EOFError,
        OSError,
        NotImplementedError,
        RuntimeError,  # an encrypted part
        ValueError,
    ) as error:
        raise refuse(DAMAGED, code="format") from error


def _feed(parser: expat.XMLParserType, chunk: bytes, final: bool = False) -> None:
    try:
        parser.Parse(chunk, final)
    except expat.ExpatError as error:
        raise refuse(DAMAGED, code="format") from error


def _parse(archive: zipfile.ZipFile, name: str, start: StartHandler, end: EndHandler) -> None:
    parser = _parser(start, end, None)
    for chunk in _chunks(archive, name):
        _feed(parser, chunk)
    _feed(parser, b"", True)


def _elements(
    archive: zipfile.ZipFile, name: str, wanted: set[str]
) -> list[tuple[str, dict[str, str]]]:
    """Every ``wanted`` element of a small part (relations, workbook) with its attributes."""
    found: list[tuple[str, dict[str, str]]] = []

    def start(tag: str, attributes: dict[str, str]) -> None:
        if _local(tag) in wanted:
            if len(found) >= MAX_PARTS:  # each sheet or relation names a part of its own
                raise refuse(TOO_MANY_PARTS, code="too-many-parts", limit=MAX_PARTS)
            found.append((_local(tag), attributes))

    _parse(archive, name, start, lambda _: None)
    return found


def _attribute(attributes: dict[str, str], local: str) -> str | None:
    """An attribute by local name, whatever its namespace prefix (``r:id``, ``id``…)."""
    for key, value in attributes.items():
        if _local(key) == local:
            return value
    return None


# --- the workbook -------------------------------------------------------------------------------


class _Workbook:
    """Finds the first sheet, its shared strings and date styles, then streams the sheet's rows."""

    def __init__(self, archive: zipfile.ZipFile) -> None:
        self.archive = archive
        self.names = set(archive.namelist())

    def _relations(self, part: str) -> dict[str, tuple[str, str]]:
        """Relation id → (type, target part) for ``part``, from its ``_rels`` part."""
        folder, base = posixpath.split(part)
        rels = posixpath.join(folder, "_rels", f"{base}.rels")
        if rels not in self.names:
            return {}
        relations: dict[str, tuple[str, str]] = {}
        for _, attributes in _elements(self.archive, rels, {"Relationship"}):
            target = attributes.get("Target", "")
            if attributes.get("TargetMode") == "External" or not target:
                continue
            if target.startswith("/"):
                resolved = target.lstrip("/")
            else:
                resolved = posixpath.normpath(posixpath.join(folder, target))
            relations[attributes.get("Id", "")] = (attributes.get("Type", ""), resolved)
        return relations

    def rows(self) -> Iterator[RawRow]:
        package = self._relations("")
        workbook = next(
            (t for kind, t in package.values() if kind.endswith("/officeDocument")),
            "xl/workbook.xml",
        )
        if workbook not in self.names:
            raise refuse(DAMAGED, code="format")
        relations = self._relations(workbook)
        sheets: list[str] = []
        epoch = WINDOWS_EPOCH
        for tag, attributes in _elements(self.archive, workbook, {"sheet", "workbookPr"}):
            if tag == "workbookPr":
                if attributes.get("date1904", "").lower() in ("1", "true"):
                    epoch = MAC_EPOCH
                continue
            kind, target = relations.get(_attribute(attributes, "id") or "", ("", ""))
            if kind.endswith("/worksheet") and target in self.names:
                sheets.append(target)
        if not sheets:
            raise refuse(DAMAGED, code="format")
        strings: list[str | TooLong] = []
        dates: dict[int, bool] = {}
        for kind, target in relations.values():
            if target not in self.names:
                continue
            if kind.endswith("/sharedStrings"):
                strings = _shared_strings(self.archive, target)
            elif kind.endswith("/styles"):
                dates = _date_styles(self.archive, target)
        return _SheetReader(strings, dates, epoch).rows(self.archive, sheets[0])


def _shared_strings(archive: zipfile.ZipFile, name: str) -> list[str | TooLong]:
    """The shared texts in order; a text over the cell limit is kept as :data:`TOO_LONG` only."""
    strings: list[str | TooLong] = []
    text = _Text()
    phonetic = 0

    def start(tag: str, _: dict[str, str]) -> None:
        nonlocal phonetic
        local = _local(tag)
        if local == "si":
            text.reset()
        elif local == "rPh":
            phonetic += 1
        elif local == "t" and not phonetic:
            text.collecting = True

    def end(tag: str) -> None:
        nonlocal phonetic
        local = _local(tag)
        if local == "t":
            text.collecting = False
        elif local == "rPh":
            phonetic -= 1
        elif local == "si":
            if len(strings) >= MAX_SHARED_STRINGS:
                raise refuse(TOO_MANY_TEXTS, code="too-many-texts", limit=MAX_SHARED_STRINGS)
            strings.append(text.value())

    parser = _parser(start, end, text.add)
    for chunk in _chunks(archive, name):
        _feed(parser, chunk)
    _feed(parser, b"", True)
    return strings


def _date_styles(archive: zipfile.ZipFile, name: str) -> dict[int, bool]:
    """Cell style index → ``True`` for a duration format, ``False`` for a date format."""
    custom: dict[int, str] = {}
    formats: list[int] = []
    depth = {"cellXfs": 0}

    def start(tag: str, attributes: dict[str, str]) -> None:
        local = _local(tag)
        if len(custom) + len(formats) > MAX_STYLES:
            raise refuse(DAMAGED, code="format")
        if local == "numFmt":
            with contextlib.suppress(ValueError):
                custom[int(attributes.get("numFmtId", ""))] = attributes.get("formatCode", "")
        elif local == "cellXfs":
            depth["cellXfs"] += 1
        elif local == "xf" and depth["cellXfs"]:
            try:
                formats.append(int(attributes.get("numFmtId", "0")))
            except ValueError:
                formats.append(0)

    def end(tag: str) -> None:
        if _local(tag) == "cellXfs":
            depth["cellXfs"] -= 1

    _parse(archive, name, start, end)
    dates: dict[int, bool] = {}
    for index, format_id in enumerate(formats):
        code = custom.get(format_id, BUILTIN_FORMATS.get(format_id))
        if is_date_format(code) or (code is None and format_id in CJK_DATE_FORMATS):
            dates[index] = bool(is_timedelta_format(code))
    return dates


class _Text:
    """A cell's text as it streams in, dropped once it passes ``MAX_CELL_CHARS``."""

    def __init__(self) -> None:
        self.collecting = False
        self.parts: list[str] = []
        self.length = 0

    def reset(self) -> None:
        self.collecting = False
        self.parts.clear()
        self.length = 0

    def add(self, data: str) -> None:
        if not self.collecting:
            return
        if self.length > MAX_CELL_CHARS:
            return
        self.length += len(data)
        if self.length > MAX_CELL_CHARS:
            self.parts.clear()
        else:
            self.parts.append(data)

    def value(self) -> str | TooLong:
        return TOO_LONG if self.length > MAX_CELL_CHARS else "".join(self.parts)


def _column_number(reference: str) -> int:
    """``"AB17"`` → 28."""
    number = 0
    for char in reference:
        if "A" <= char <= "Z":
            number = number * 26 + ord(char) - 64
        elif "a" <= char <= "z":
            number = number * 26 + ord(char) - 96
        else:
            break
        if number > 16384:  # Excel's last column, XFD
            raise refuse(DAMAGED, code="format")
    return number


class _SheetReader:
    """Turns a worksheet part's XML into rows of cell values, a chunk at a time."""

    def __init__(
        self, strings: list[str | TooLong], dates: dict[int, bool], epoch: datetime
    ) -> None:
        self.strings = strings
        self.dates = dates
        self.epoch = epoch
        self.done: list[RawRow] = []
        self.scanned = 0
        self.row = 0
        self.values: list[Cell] = []
        self.column = 0
        self.kind = "n"
        self.style = 0
        self.text = _Text()
        self.inline = False
        self.phonetic = 0

    def rows(self, archive: zipfile.ZipFile, name: str) -> Iterator[RawRow]:
        parser = _parser(self.start, self.end, self.text.add)
        for chunk in _chunks(archive, name):
            _feed(parser, chunk)
            yield from self.done
            self.done.clear()
        _feed(parser, b"", True)
        yield from self.done

    def start(self, tag: str, attributes: dict[str, str]) -> None:
        local = _local(tag)
        if local == "c":
            reference = attributes.get("r")
            self.column = _column_number(reference) if reference else self.column + 1
            self.kind = attributes.get("t", "n")
            try:
                self.style = int(attributes.get("s", "0"))
            except ValueError:
                self.style = 0
            self.text.reset()
            self.inline = False
        elif local == "v" and not self.inline:
            self.text.collecting = True
        elif local == "is":
            self.inline = True
        elif local == "rPh":
            self.phonetic += 1
        elif local == "t" and self.inline and not self.phonetic:
            self.text.collecting = True
        elif local == "row":
            self.scanned += 1
            if self.scanned > MAX_SCANNED_ROWS:
                raise refuse(TOO_MANY_ROWS, code="too-many-rows", limit=f"{MAX_ROWS:,}")
            number = attributes.get("r")
            self.row = int(number) if number and number.isdigit() else self.row + 1
            self.values = []
            self.column = 0

    def end(self, tag: str) -> None:
        local = _local(tag)
        if local in ("v", "t"):
            self.text.collecting = False
        elif local == "rPh":
            self.phonetic -= 1
        elif local == "c":
            if 1 <= self.column <= MAX_COLUMNS:
                value = self._value()
                if value is not None:
                    self.values.extend([None] * (self.column - len(self.values)))
                    self.values[self.column - 1] = value
        elif local == "row":
            self.done.append((self.row, self.values))

    def _value(self) -> Cell:
        text = self.text.value()
        if isinstance(text, TooLong):
            return text
        if self.kind == "inlineStr":
            return text if self.inline else None
        if not text:
            return None
        try:
            if self.kind == "s":
                return self.strings[int(text)]
            if self.kind == "n":
                number: int | float = float(text) if any(c in text for c in ".eE") else int(text)
                duration = self.dates.get(self.style)
                if duration is None:
                    return number
                try:
                    converted: Cell = from_excel(number, self.epoch, timedelta=duration)
                except (OverflowError, ValueError):
                    return "#VALUE!"
                return converted
            if self.kind == "b":
                return bool(int(text))
            if self.kind == "d":
                converted = from_ISO8601(text)
                return converted
        except (ValueError, IndexError, OverflowError) as error:
            raise refuse(DAMAGED, code="format") from error
        return text  # "str" (a formula's text result) and "e" (an error such as #N/A)
