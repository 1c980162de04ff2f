"""Writing a board: the header, leaf and tree head lines, signing, and whole files."""

from __future__ import annotations

import base64
import io
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import IO, TYPE_CHECKING

from tally.board._format import (
    FORMAT,
    FORMATS,
    Header,
    Leaf,
    TreeHead,
    check_ballot_id,
    encode,
    key_id,
    tree_head_message,
)
from tally.merkle import leaf_hash

if TYPE_CHECKING:  # Ed25519 comes from `cryptography`, imported only when signing or checking,
    # so counting (`tally count`) needs nothing beyond msgspec.
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey


def make_header(ballot_id: str, public_key: bytes, board_format: str = FORMAT) -> Header:
    """The header for ``ballot_id`` signed by the raw 32-byte Ed25519 ``public_key``
    (``board_format``: ``FORMAT_PAPER`` for a board with a paper batch)."""
    if board_format not in FORMATS:
        raise ValueError(f"the board format is one of {', '.join(FORMATS)}")
    check_ballot_id(ballot_id)
    if len(public_key) != 32:
        raise ValueError("an Ed25519 public key has 32 bytes")
    return Header(
        format=board_format,
        ballot_id=ballot_id,
        public_key=base64.b64encode(public_key).decode("ascii"),
        key_id=key_id(public_key),
    )


def sign_tree_head(
    private_key: Ed25519PrivateKey,
    *,
    ballot_id: str,
    tree_size: int,
    root_hash: bytes,
    timestamp: int,
) -> TreeHead:
    """A tree head signed with ``private_key`` (the server may sign :func:`tree_head_message` itself)."""
    message = tree_head_message(
        ballot_id=ballot_id, tree_size=tree_size, root_hash=root_hash, timestamp=timestamp
    )
    signature = base64.b64encode(private_key.sign(message)).decode("ascii")
    return TreeHead(
        tree_size=tree_size, root_hash=root_hash.hex(), timestamp=timestamp, signature=signature
    )


def now_ms() -> int:
    """Milliseconds since the epoch, now: a tree head's ``timestamp``."""
    return int(datetime.now(UTC).timestamp() * 1000)


def header_line(header: Header) -> bytes:
    """The header line, newline included."""
    return encode(header) + b"\n"


def leaf_line(index: int, data: bytes) -> bytes:
    """The line of leaf ``index`` holding the event bytes ``data`` (UTF-8), newline included."""
    digest = leaf_hash(data).hex()
    return encode(Leaf(index=index, hash=digest, data=data.decode("utf-8"))) + b"\n"


def tree_head_line(head: TreeHead) -> bytes:
    """A tree head line, newline included."""
    return encode(head) + b"\n"


class BoardWriter:
    """Writes a board as a stream: the header at once, then leaves and tree heads in order.

    A tree head may be written once every leaf it covers is written.
    """

    def __init__(self, stream: IO[bytes], header: Header) -> None:
        self.stream = stream
        self.size = 0
        stream.write(header_line(header))

    def leaf(self, data: bytes) -> int:
        """Write the next leaf; return its index."""
        index = self.size
        self.stream.write(leaf_line(index, data))
        self.size += 1
        return index

    def tree_head(self, head: TreeHead) -> None:
        """Write a tree head covering leaves already written."""
        if head.tree_size > self.size:
            raise ValueError(f"tree head of size {head.tree_size} after {self.size} leaves")
        self.stream.write(tree_head_line(head))


def write_board(header: Header, leaves: Iterable[bytes], tree_heads: Iterable[TreeHead]) -> bytes:
    """The whole board; each tree head is placed right after the last leaf it covers."""
    heads = sorted(tree_heads, key=lambda head: (head.tree_size, head.timestamp))
    out = io.BytesIO()
    writer = BoardWriter(out, header)
    position = 0
    while position < len(heads) and heads[position].tree_size == 0:
        writer.tree_head(heads[position])
        position += 1
    for data in leaves:
        writer.leaf(data)
        while position < len(heads) and heads[position].tree_size == writer.size:
            writer.tree_head(heads[position])
            position += 1
    if position < len(heads):
        raise ValueError(f"a tree head covers {heads[position].tree_size} leaves, beyond the board")
    return out.getvalue()
