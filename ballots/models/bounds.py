"""Bounds of what the database can store, declared once: bounded ids and texts for msgspec Structs.

Lengths are read from the ``String(N)`` columns themselves, so the API, its OpenAPI document and
the database agree, and input is refused before it reaches the database on SQLite and PostgreSQL
alike (PostgreSQL's ``integer`` is 32-bit and it refuses NUL in text; SQLite accepts both).
"""

from __future__ import annotations

from typing import Annotated, Any

from msgspec import Meta

from ballots.models.ballots import Ballot
from ballots.models.chairs import Chair, ChairToken
from ballots.models.matters import Matter
from ballots.models.units import Unit

ID_MAX = 2**31 - 1
"""The largest id (and index, and count) a column holds: PostgreSQL ``integer`` is 32-bit."""

SAFE_TEXT = r"^[^\x00\ud800-\udfff]*$"
"""Text without NUL (PostgreSQL cannot store it) or lone surrogates (not encodable as UTF-8)."""

LONG_TEXT_LENGTH = 20_000
"""Free text stored in ``Text`` or JSON columns (descriptions, notes): the same cap everywhere."""


def column_length(column: Any) -> int:
    """The declared length of a ``String(N)`` mapped column."""
    length = column.property.columns[0].type.length
    assert isinstance(length, int), column
    return length


TITLE_LENGTH = column_length(Matter.title)
BALLOT_TITLE_LENGTH = column_length(Ballot.title)
UNIT_NAME_LENGTH = column_length(Unit.name)
UNIT_CODE_LENGTH = column_length(Unit.code)
USERNAME_LENGTH = column_length(Chair.username)
TOKEN_NAME_LENGTH = column_length(ChairToken.name)

Id = Annotated[int, Meta(ge=1, le=ID_MAX)]
"""A row id as the API accepts it."""

Count = Annotated[int, Meta(ge=0, le=ID_MAX)]
"""A count, index or amount stored in an ``integer`` column."""

Text = Annotated[str, Meta(max_length=LONG_TEXT_LENGTH, pattern=SAFE_TEXT)]
"""Free text (possibly empty)."""

ShortText = Annotated[str, Meta(max_length=200, pattern=SAFE_TEXT)]
"""A short word: an option or question id, a code, a tag."""

Title = Annotated[str, Meta(min_length=1, max_length=TITLE_LENGTH, pattern=SAFE_TEXT)]
BallotTitle = Annotated[str, Meta(min_length=1, max_length=BALLOT_TITLE_LENGTH, pattern=SAFE_TEXT)]
UnitName = Annotated[str, Meta(min_length=1, max_length=UNIT_NAME_LENGTH, pattern=SAFE_TEXT)]
UnitCode = Annotated[str, Meta(min_length=1, max_length=UNIT_CODE_LENGTH, pattern=SAFE_TEXT)]
Username = Annotated[str, Meta(max_length=USERNAME_LENGTH, pattern=SAFE_TEXT)]
TokenName = Annotated[str, Meta(max_length=TOKEN_NAME_LENGTH, pattern=SAFE_TEXT)]
