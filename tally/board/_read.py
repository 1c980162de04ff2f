"""Reading a board file into a :class:`Board`, with line-numbered errors."""

from __future__ import annotations

import io
import os
from array import array
from dataclasses import dataclass, field
from typing import IO

import msgspec

from tally.board._format import (
    FORMATS,
    LINE_DECODER,
    Header,
    Leaf,
    TreeHead,
    field_message,
)


class BoardFormatError(ValueError):
    """A board file that cannot be read; ``line`` is the 1-based line number."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(f"line {line}: {message}")
        self.line = line
        self.message = message


@dataclass
class Board:
    """A board as read: the header, each leaf's event bytes, and the tree heads.

    ``leaf_hashes`` holds the ``hash`` field of every leaf line (32 bytes each, concatenated),
    ``leaf_indexes`` their ``index`` fields, ``leaf_lines``/``head_lines`` the line numbers.
    """

    header: Header
    leaves: list[bytes] = field(default_factory=list)
    leaf_hashes: bytearray = field(default_factory=bytearray)
    leaf_indexes: array[int] = field(default_factory=lambda: array("q"))
    leaf_lines: array[int] = field(default_factory=lambda: array("q"))
    tree_heads: list[TreeHead] = field(default_factory=list)
    head_lines: list[int] = field(default_factory=list)

    @property
    def latest(self) -> TreeHead | None:
        """The last tree head in the file."""
        return self.tree_heads[-1] if self.tree_heads else None


def read_board(source: bytes | str | os.PathLike[str] | IO[bytes]) -> Board:
    """Read a board from its bytes, a file path, or a binary stream.

    Raises :class:`BoardFormatError` naming the line for anything that is not a well-formed
    board file (bad JSON, unknown line kind, missing or wrong fields, a truncated last line).
    What the lines *mean* is checked by :func:`~tally.board.verify_board`.
    """
    if isinstance(source, bytes):
        return _read_lines(io.BytesIO(source))
    if isinstance(source, str | os.PathLike):
        with open(source, "rb") as stream:
            return _read_lines(stream)
    return _read_lines(source)


def _read_lines(stream: IO[bytes]) -> Board:
    lines = iter(stream)
    first = next(lines, b"")
    header = _read_header(first)
    board = Board(header=header)
    decode = LINE_DECODER.decode
    leaves_append = board.leaves.append
    hashes = board.leaf_hashes
    indexes_append = board.leaf_indexes.append
    lines_append = board.leaf_lines.append
    number = 1
    for number, line in enumerate(lines, start=2):
        if not line.endswith(b"\n"):
            raise BoardFormatError(number, "truncated: the last line does not end with a newline")
        try:
            item = decode(line)
        except msgspec.ValidationError as error:
            raise BoardFormatError(number, field_message(error)) from error
        except msgspec.DecodeError as error:
            if not line.strip():
                raise BoardFormatError(number, "empty line") from error
            raise BoardFormatError(number, f"not valid JSON: {error}") from error
        if type(item) is Leaf:
            try:
                data = item.data.encode("utf-8")
                digest = bytes.fromhex(item.hash)
            except UnicodeEncodeError as error:
                raise BoardFormatError(number, "data: not valid Unicode text") from error
            except ValueError as error:
                raise BoardFormatError(number, "hash: not hex") from error
            if len(digest) != 32:
                raise BoardFormatError(number, "hash: not 32 bytes")
            leaves_append(data)
            hashes += digest
            indexes_append(item.index)
            lines_append(number)
        elif type(item) is TreeHead:
            board.tree_heads.append(item)
            board.head_lines.append(number)
        else:
            raise BoardFormatError(number, "a second header line")
    return board


def _read_header(line: bytes) -> Header:
    if not line:
        raise BoardFormatError(1, "empty file: no header line")
    if not line.endswith(b"\n"):
        raise BoardFormatError(1, "truncated: the last line does not end with a newline")
    try:
        loose = msgspec.json.decode(line)
    except msgspec.DecodeError as error:
        raise BoardFormatError(1, f"not valid JSON: {error}") from error
    if not isinstance(loose, dict) or loose.get("kind") != "header":
        raise BoardFormatError(1, 'the first line must be the header ({"kind": "header", ...})')
    if loose.get("format") not in FORMATS:
        raise BoardFormatError(
            1,
            f"format {loose.get('format')!r} is not supported "
            f"(this verifier reads {' and '.join(FORMATS)})",
        )
    try:
        return msgspec.json.decode(line, type=Header)
    except msgspec.ValidationError as error:
        raise BoardFormatError(1, field_message(error)) from error


def read_tree_head(data: bytes | str) -> TreeHead:
    """A tree head saved earlier: a board ``tree_head`` line, or the same object as the server
    returns it with a receipt (``kind``, ``ballot_id`` and ``key_id`` are optional there).

    Raises :class:`ValueError` for anything else.
    """
    try:
        loose = msgspec.json.decode(data)
    except msgspec.DecodeError as error:
        raise ValueError(f"not valid JSON: {error}") from error
    if not isinstance(loose, dict):
        raise ValueError("a tree head is a JSON object")
    fields = {name: loose[name] for name in TreeHead.__struct_fields__ if name in loose}
    try:
        return msgspec.convert(fields, TreeHead)
    except msgspec.ValidationError as error:
        raise ValueError(field_message(error)) from error
