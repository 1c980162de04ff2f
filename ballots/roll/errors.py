"""Roster errors: one RosterError per problem, all raised together as RosterHasErrors."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

import msgspec

from ballots.errors import N_, RosterInvalid


class RosterError(msgspec.Struct, frozen=True, kw_only=True):
    """One problem in a roster file.

    ``row`` is the row number as Excel shows it (the header is row 1), or ``None`` for a problem
    with the whole file; ``column`` is the column header exactly as written in the file, or
    ``None``. ``message`` is the full sentence shown to the user (it already names the row and
    column); ``code`` is a stable slug for the kind of problem (``empty``, ``bad-date``…).
    """

    row: int | None
    column: str | None
    message: str
    code: str

    def __str__(self) -> str:
        return self.message


class RosterHasErrors(RosterInvalid):
    """The roster cannot be imported; ``errors`` lists every problem found, in file order."""

    detail_template: ClassVar[str] = N_(
        "The roster file has {count} error(s) and nothing was imported. The first: {first}"
    )

    def __init__(self, errors: Sequence[RosterError]) -> None:
        self.errors: list[RosterError] = list(errors)
        super().__init__(count=len(self.errors), first=self.errors[0].message if errors else "")
