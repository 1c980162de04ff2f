"""Reading a CSV roster: UTF-8 or GB18030, comma, tab or semicolon separated, cells bounded.

The whole file is already in memory (at most ``MAX_BYTES``); cells over ``MAX_CELL_CHARS`` come out
as :class:`~ballots.roll.xlsx.TooLong`, and the checker names their row and column.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from ballots.errors import N_
from ballots.roll.errors import RosterHasErrors, refuse
from ballots.roll.limits import MAX_CELL_CHARS, MAX_COLUMNS
from ballots.roll.xlsx import TOO_LONG, RawRow

ROW_CELL_TOO_LONG = N_("row {row}: a cell is longer than {limit} characters")
NUL_CHARACTER = N_(
    "row {row}: the file contains a NUL character, which a CSV file never holds; save the roster "
    "again from Excel as CSV UTF-8 or .xlsx"
)


def _unknown_encoding() -> RosterHasErrors:
    return refuse(N_("unknown encoding: save the file as UTF-8 or GB18030"), code="encoding")


def _decode(data: bytes) -> str:
    head = data[:4096]
    # UTF-16 ("Unicode text") puts a NUL beside every ASCII character.
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or head.count(0) * 8 > len(head):
        raise _unknown_encoding()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        nul = text.find("\x00")
        if nul >= 0:
            raise refuse(NUL_CHARACTER, code="nul", row=text.count("\n", 0, nul) + 1)
        return text
    raise _unknown_encoding()


def read_csv(data: bytes) -> Iterator[RawRow]:
    """The rows of a CSV file as ``(row number, cells)``; a cell over the limit is TooLong."""
    text = _decode(data)
    first_line = text.split("\n", 1)[0]
    delimiter = max(",\t;，", key=first_line.count)
    if first_line.count(delimiter) == 0:
        delimiter = ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for number, values in enumerate(reader, start=1):
            yield (
                number,
                [v if len(v) <= MAX_CELL_CHARS else TOO_LONG for v in values[:MAX_COLUMNS]],
            )
    except csv.Error as error:
        if "field limit" in str(error):  # the csv module's own cap, far above ours
            raise refuse(
                ROW_CELL_TOO_LONG,
                code="cell-too-long",
                row=reader.line_num,
                limit=f"{MAX_CELL_CHARS:,}",
            ) from error
        raise refuse(
            N_("the CSV file is malformed ({error})"),
            code="format",
            row=reader.line_num,
            error=str(error),
        ) from error
