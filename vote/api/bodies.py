"""Request bodies that cannot be decoded are the client's fault: a 400 problem, never a 500.

msgspec raises ``UnicodeDecodeError`` for a body that is not UTF-8 and ``RecursionError`` for
JSON nested deeper than the interpreter allows (about a thousand levels); Litestar turns only
msgspec's own ``DecodeError`` into a 400. :class:`SafeRequest` turns these two as well.
"""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.exceptions import SerializationException


class SafeRequest(Request[Any, Any, Any]):
    """A request whose JSON body is refused with a 400 when it is not UTF-8 or nests too deep."""

    async def json(self) -> Any:
        try:
            return await super().json()
        except UnicodeDecodeError as error:
            raise SerializationException(
                f"JSON is malformed: not UTF-8 ({error.reason})"
            ) from error
        except RecursionError as error:
            raise SerializationException("JSON is malformed: nested too deep") from error
