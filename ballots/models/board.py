"""The bulletin board's storage: leaves (exact event bytes), Merkle nodes and signed tree heads."""

from __future__ import annotations

from sqlalchemy import BigInteger, ForeignKey, Integer, LargeBinary, Text
from sqlalchemy.orm import Mapped, mapped_column

from ballots.models.base import Base


class BoardLeaf(Base):
    """One event of a ballot's log: the exact bytes (UTF-8 JSON text) that are hashed, and the hash.

    The leaf hashes are the tree's level 0; ``board_nodes`` holds the levels above.
    """

    __tablename__ = "board_leaves"

    ballot_id: Mapped[int] = mapped_column(ForeignKey("ballots.id"), primary_key=True)
    index: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    data: Mapped[str] = mapped_column(Text)
    hash: Mapped[bytes] = mapped_column(LargeBinary(32))


class BoardNode(Base):
    """The hash of a perfect subtree of a ballot's Merkle tree, from level 1 up (leaves hold 0)."""

    __tablename__ = "board_nodes"

    ballot_id: Mapped[int] = mapped_column(ForeignKey("ballots.id"), primary_key=True)
    level: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    index: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    hash: Mapped[bytes] = mapped_column(LargeBinary(32))


class TreeHead(Base):
    """A signed tree head: the root of the first ``tree_size`` leaves, signed at ``timestamp_ms``.

    The time is kept as the exact integer the signature covers (milliseconds since 1970 UTC).
    """

    __tablename__ = "tree_heads"

    ballot_id: Mapped[int] = mapped_column(ForeignKey("ballots.id"), primary_key=True)
    tree_size: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    root_hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    timestamp_ms: Mapped[int] = mapped_column(BigInteger)
    signature: Mapped[bytes] = mapped_column(LargeBinary(64))
