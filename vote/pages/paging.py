"""Paging of long console and public lists: a page number (``?page=``, kept with the list's
filters in the links of ``console/_pager.html``) becomes an offset; a page past the last shows
the last one, a malformed number is refused by the route's bounds (:data:`PageParam`)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar
from urllib.parse import urlencode

from ballots.listings import Window

T = TypeVar("T")

PAGE_SIZE = 30
"""Rows on one page of a console list."""


def last_page(total: int, size: int = PAGE_SIZE) -> int:
    """The number of the last page of ``total`` rows (1 for none)."""
    return max(1, -(-total // size))


async def one_page(
    fetch: Callable[[int, int], Awaitable[Window[T]]], page: int, size: int = PAGE_SIZE
) -> tuple[Window[T], int, int]:
    """The window of ``page`` (``fetch(offset, limit)``), the page shown and the last page;
    asks again only when ``page`` lies past the last one."""
    page = max(page, 1)
    found = await fetch((page - 1) * size, size)
    last = last_page(found.total, size)
    if page > last:
        page = last
        found = await fetch((page - 1) * size, size)
    return found, page, last


def pager(path: str, page: int, last: int, **kept: Any) -> dict[str, Any]:
    """What ``console/_pager.html`` needs: the page, the last page and the link base that keeps
    the list's filters (``kept``; empty ones left out)."""
    query = urlencode({key: value for key, value in kept.items() if value not in ("", None)})
    return {"page": page, "last": last, "base": f"{path}?{query}"}
