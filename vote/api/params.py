"""Bounded path and query parameters, shared by every route (API and pages).

Litestar parses ``{id:int}`` of any size; these bounds refuse an id the database cannot hold
with a 400 problem before any query runs, the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

from typing import Annotated

from litestar.params import Parameter

from ballots.models.bounds import ID_MAX, SAFE_TEXT

IdParam = Annotated[int, Parameter(ge=1, le=ID_MAX)]
"""A row id in a path or query."""

CountParam = Annotated[int, Parameter(ge=0, le=ID_MAX)]
"""An index, offset or size in a query."""

SizeParam = Annotated[int, Parameter(ge=1, le=ID_MAX)]
"""A positive size in a query (a tree size)."""

SearchParam = Annotated[str, Parameter(max_length=200, pattern=SAFE_TEXT)]
"""A short free-text query (a search, a file name)."""

PageParam = Annotated[int, Parameter(ge=1, le=100_000)]
"""A page number of a console or public list (past the last page shows the last)."""

LIST_LIMIT_MAX = 200
"""The most rows one API list answer holds."""

LimitParam = Annotated[int, Parameter(ge=1, le=LIST_LIMIT_MAX)]
"""How many rows an API list answers at most (page on with ``offset``)."""
