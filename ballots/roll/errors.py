"""Roster errors: one RosterError per problem, all raised together as RosterHasErrors."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

import msgspec

from ballots.errors import N_, RosterInvalid, fill


class RosterError(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """One problem in a roster file.

    ``row`` is the row number as Excel shows it (the header is row 1), or ``None`` for a problem
    with the whole file; ``column`` is the column header exactly as written in the file, or
    ``None``. ``message`` is the full sentence shown to the user (it already names the row and
    column); ``code`` is a stable slug for the kind of problem (``empty``, ``bad-date``…).
    A message made by :func:`roster_error` also keeps its English ``template`` and ``params``,
    so the web layer can show it in the reader's language.
    """

    row: int | None
    column: str | None
    message: str
    code: str
    template: str = ""
    params: dict[str, str | int] = {}

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


def roster_error(
    template: str,
    *,
    code: str,
    row: int | None = None,
    column: str | None = None,
    **params: str | int,
) -> RosterError:
    """A problem whose message is ``template`` (an ``N_`` message id) filled with ``params``.

    ``row`` and ``column`` are placeholders of the template too (``"row {row}, column {column}: …"``).
    """
    values: dict[str, str | int] = dict(params)
    if row is not None:
        values["row"] = row
    if column is not None:
        values["column"] = column
    return RosterError(
        row=row,
        column=column,
        message=fill(template, values),
        code=code,
        template=template,
        params=values,
    )


def refuse(
    template: str, *, code: str, row: int | None = None, **params: str | int
) -> RosterHasErrors:
    """The error to raise for a problem with the whole file (``raise refuse(...)``)."""
    values: dict[str, str | int] = dict(params)
    if row is not None:
        values["row"] = row
    message = fill(template, values)
    error = RosterError(
        row=row, column=None, message=message, code=code, template=template, params=values
    )
    return RosterHasErrors([error])
