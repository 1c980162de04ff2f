"""Each ballot's public bulletin board: its append-only Merkle log, signed tree heads, proofs.

Events are made by :mod:`tally.board` (the same code an auditor verifies with) and stored as
their exact bytes. Appending is constant work: the ballot row keeps the log's size and right
edge (:class:`tally.merkle.CompactRange`), and the perfect-subtree hashes each append completes
go to ``board_nodes``, from which any inclusion or consistency proof is read in O(log n).
Appends happen inside the transaction that changes the ballot, which holds the ballot row's
lock (SQLite: the write lock), so every reader sees one order.

Functions taking a ``Connection`` run inside the caller's transaction, synchronously; the async
ones are for the web layer and the CLI.
"""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime
from typing import Any, NamedTuple

import msgspec
from sqlalchemy import Connection, bindparam, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ballots.errors import N_, DomainError, NotFound
from ballots.fast_sql import Db, Statement
from ballots.models import Ballot, BoardLeaf, BoardNode, Cast, Participation, TreeHead
from ballots.signing import Signer
from tally import board as tally_board
from tally.merkle import (
    CompactRange,
    NodeKey,
    consistency_proof_keys,
    inclusion_proof_keys,
    leaf_hash,
    root_from_nodes,
    root_keys,
)
from tally.merkle import (
    consistency_proof_from_nodes as _consistency_from_nodes,
)
from tally.merkle import (
    inclusion_proof_from_nodes as _inclusion_from_nodes,
)

_INSERT_LEAF = Statement(insert(BoardLeaf), columns=("ballot_id", "index", "data", "hash"))
_INSERT_NODE = Statement(insert(BoardNode), columns=("ballot_id", "level", "index", "hash"))
_UPDATE_LOG = Statement(
    update(Ballot)
    .where(Ballot.id == bindparam("ballot"), Ballot.log_size == bindparam("old_size"))
    .values(log_size=bindparam("new_size"), log_edge=bindparam("edge"))
)


class TrackerNotOnBoard(DomainError):
    type = "tracker-not-on-board"
    status = 404
    title = N_("This receipt code is not on the board")
    detail_template = N_(
        "No ballot with receipt code {tracker} is on this ballot's board. Check the code, and "
        "that it belongs to this ballot."
    )


class BadTreeSize(DomainError):
    type = "bad-tree-size"
    status = 422
    title = N_("No such tree size")
    detail_template = N_("The board has {size} entries; ask for sizes from 1 to {size}.")


class Proof(msgspec.Struct):
    """An inclusion or consistency proof, hashes in hex, against the signed head of that size."""

    tree_size: int
    hashes: list[str]
    tree_head: tally_board.TreeHead
    leaf_index: int | None = None
    leaf_hash: str | None = None
    first_size: int | None = None


def board_ballot_id(ballot_id: int) -> str:
    """The ballot id written on the board (the header, the manifest and signed heads)."""
    return str(ballot_id)


def split_edge(edge: bytes) -> list[bytes]:
    return [edge[i : i + 32] for i in range(0, len(edge), 32)]


def root_of(size: int, edge: bytes) -> bytes:
    """The root hash of a log of ``size`` leaves whose right edge is ``edge``."""
    return CompactRange(size, split_edge(edge)).root()


class Append(NamedTuple):
    """What appending events to a ballot's log writes, worked out in memory."""

    leaves: list[dict[str, Any]]  # board_leaves rows
    nodes: list[dict[str, Any]]  # board_nodes rows
    indexes: list[int]  # the new leaves' positions
    size: int  # the log's size after it
    edge: bytes  # and its right edge


def plan_append(ballot_id: int, size: int, edge: bytes, events: Sequence[bytes]) -> Append:
    """The rows that append ``events`` to a ballot's log whose state is (``size``, ``edge``)."""
    compact = CompactRange(size, split_edge(edge))
    leaves = []
    nodes: list[tuple[NodeKey, bytes]] = []
    indexes = []
    for data in events:
        index = compact.size
        hashed = leaf_hash(data)
        nodes.extend(compact.append(hashed)[1:])  # level 0 is the leaf row itself
        leaves.append(
            {"ballot_id": ballot_id, "index": index, "data": data.decode("utf-8"), "hash": hashed}
        )
        indexes.append(index)
    rows = [{"ballot_id": ballot_id, "level": lv, "index": ix, "hash": h} for (lv, ix), h in nodes]
    return Append(leaves, rows, indexes, compact.size, b"".join(compact.hashes))


def append_events(
    db: Db, ballot_id: int, size: int, edge: bytes, events: Sequence[bytes]
) -> tuple[list[int], int, bytes]:
    """Append ``events`` to a ballot's log whose state is (``size``, ``edge``).

    Returns the new leaves' indexes and the new size and edge. The caller holds the ballot's
    lock; the size check in the update makes a lost race fail loudly instead of forking the log.
    """
    plan = plan_append(ballot_id, size, edge, events)
    # One row goes as one statement, not through the executemany machinery.
    for statement, rows in ((_INSERT_LEAF, plan.leaves), (_INSERT_NODE, plan.nodes)):
        if len(rows) == 1:
            statement.run(db, rows[0])
        elif rows:
            statement.run_many(db, rows)
    moved = _UPDATE_LOG.run(
        db,
        {"ballot": ballot_id, "old_size": size, "new_size": plan.size, "edge": plan.edge},
    )
    if moved != 1:
        raise LogMoved(ballot_id)
    return plan.indexes, plan.size, plan.edge


class LogMoved(RuntimeError):
    """The board changed under an append: someone appended without holding the ballot's lock."""

    def __init__(self, ballot_id: int) -> None:
        super().__init__(f"the board of ballot {ballot_id} changed during an append")


def sign_head(
    signer: Signer, ballot_id: int, size: int, root: bytes, moment: datetime | None = None
) -> tally_board.TreeHead:
    """A signed tree head for the first ``size`` leaves (``root`` is their Merkle root)."""
    timestamp = int((moment or datetime.now(UTC)).timestamp() * 1000)
    message = tally_board.tree_head_message(
        ballot_id=board_ballot_id(ballot_id), tree_size=size, root_hash=root, timestamp=timestamp
    )
    return tally_board.TreeHead(
        tree_size=size,
        root_hash=root.hex(),
        timestamp=timestamp,
        signature=_b64(signer.sign(message)),
    )


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def store_head(connection: Connection, ballot_id: int, head: tally_board.TreeHead) -> None:
    """Keep a signed tree head (one per tree size; a later signature of a size is not kept)."""
    exists = connection.execute(
        select(TreeHead.tree_size).where(
            TreeHead.ballot_id == ballot_id, TreeHead.tree_size == head.tree_size
        )
    ).first()
    if exists is None:
        connection.execute(
            insert(TreeHead).values(
                ballot_id=ballot_id,
                tree_size=head.tree_size,
                root_hash=bytes.fromhex(head.root_hash),
                timestamp_ms=head.timestamp,
                signature=base64.b64decode(head.signature),
            )
        )


def _head_of(row: TreeHead) -> tally_board.TreeHead:
    return tally_board.TreeHead(
        tree_size=row.tree_size,
        root_hash=row.root_hash.hex(),
        timestamp=row.timestamp_ms,
        signature=_b64(row.signature),
    )


def append_and_sign(
    connection: Connection, signer: Signer | None, ballot_id: int, events: Sequence[bytes]
) -> tuple[int, bytes]:
    """Append events to a ballot's log (reading its state); return the new size and edge.

    With a ``signer``, a signed head of the result is stored too.
    """
    size, edge = connection.execute(
        select(Ballot.log_size, Ballot.log_edge).where(Ballot.id == ballot_id)
    ).one()
    _, size, edge = append_events(connection, ballot_id, size, edge, events)
    if signer is not None:
        store_head(connection, ballot_id, sign_head(signer, ballot_id, size, root_of(size, edge)))
    return size, edge


async def latest_head(
    session: AsyncSession, signer: Signer, ballot_id: int, *, store: bool = False
) -> tally_board.TreeHead:
    """The signed head of the whole log now: the stored one, or one signed now.

    With ``store`` a newly signed head is kept (the periodic signer does this while a ballot is
    open); read-only requests sign without storing, which needs no write.
    """
    ballot = await session.get(Ballot, ballot_id)
    if ballot is None:
        raise NotFound(what="ballot", id=ballot_id)
    stored = await session.get(TreeHead, (ballot_id, ballot.log_size))
    if stored is not None:
        return _head_of(stored)
    head = sign_head(signer, ballot_id, ballot.log_size, root_of(ballot.log_size, ballot.log_edge))
    if store:
        await session.run_sync(lambda s: store_head(s.connection(), ballot_id, head))
        await session.commit()
    return head


async def sign_open_ballots(session: AsyncSession, signer: Signer) -> int:
    """Store a signed head for every open ballot whose log grew since its last head."""
    signed = 0
    for ballot_id in (await session.scalars(select(Ballot.id).where(Ballot.state == "open"))).all():
        size = await session.scalar(select(Ballot.log_size).where(Ballot.id == ballot_id))
        if size and await session.get(TreeHead, (ballot_id, size)) is None:
            await latest_head(session, signer, ballot_id, store=True)
            signed += 1
    return signed


async def head_at(
    session: AsyncSession, signer: Signer, ballot_id: int, size: int
) -> tally_board.TreeHead:
    """A signed head for the first ``size`` leaves (stored if it exists, else signed now)."""
    ballot = await session.get(Ballot, ballot_id)
    if ballot is None:
        raise NotFound(what="ballot", id=ballot_id)
    if not 1 <= size <= ballot.log_size:
        raise BadTreeSize(size=ballot.log_size)
    stored = await session.get(TreeHead, (ballot_id, size))
    if stored is not None:
        return _head_of(stored)
    nodes = await _nodes(session, ballot_id, root_keys(size))
    return sign_head(signer, ballot_id, size, root_from_nodes(size, nodes))


async def _nodes(
    session: AsyncSession, ballot_id: int, keys: Sequence[NodeKey]
) -> dict[NodeKey, bytes]:
    found: dict[NodeKey, bytes] = {}
    wanted = list(dict.fromkeys(key for key in keys if key[0] > 0))
    leaf_indexes = sorted({index for level, index in keys if level == 0})
    for start in range(0, len(leaf_indexes), 500):
        rows = await session.execute(
            select(BoardLeaf.index, BoardLeaf.hash).where(
                BoardLeaf.ballot_id == ballot_id,
                BoardLeaf.index.in_(leaf_indexes[start : start + 500]),
            )
        )
        for index, value in rows:
            found[(0, index)] = value
    for start in range(0, len(wanted), 200):
        chunk = wanted[start : start + 200]
        levels = {level for level, _ in chunk}
        indexes = {index for _, index in chunk}
        node_rows = await session.execute(
            select(BoardNode.level, BoardNode.index, BoardNode.hash).where(
                BoardNode.ballot_id == ballot_id,
                BoardNode.level.in_(levels),
                BoardNode.index.in_(indexes),
            )
        )
        for level, index, value in node_rows:
            if (level, index) in chunk:
                found[(level, index)] = value
    return found


async def inclusion_proof(
    session: AsyncSession, signer: Signer, ballot_id: int, tracker: str, size: int | None = None
) -> Proof:
    """Prove that the ballot with receipt ``tracker`` is in the log (of ``size``, or now)."""
    row = (
        await session.execute(
            select(Cast.leaf_index).where(Cast.ballot_id == ballot_id, Cast.tracker == tracker)
        )
    ).first()
    if row is None or row.leaf_index is None:
        raise TrackerNotOnBoard(tracker=tracker[:40])
    head = (
        await latest_head(session, signer, ballot_id)
        if size is None
        else await head_at(session, signer, ballot_id, size)
    )
    if row.leaf_index >= head.tree_size:
        raise TrackerNotOnBoard(tracker=tracker[:40])
    keys = [*inclusion_proof_keys(row.leaf_index, head.tree_size), (0, row.leaf_index)]
    nodes = await _nodes(session, ballot_id, keys)
    hashes = _inclusion_from_nodes(row.leaf_index, head.tree_size, nodes)
    return Proof(
        tree_size=head.tree_size,
        hashes=[h.hex() for h in hashes],
        tree_head=head,
        leaf_index=row.leaf_index,
        leaf_hash=nodes[(0, row.leaf_index)].hex(),
    )


async def receipt_counts(session: AsyncSession, ballot_id: int, tracker: str) -> bool:
    """Whether the cast with receipt ``tracker`` is the one counted for its voter, not one
    replaced by a later vote with the same code (both stay on the board)."""
    counted = await session.scalar(
        select(Participation.cast_id)
        .join(Cast, Cast.id == Participation.cast_id)
        .where(Participation.ballot_id == ballot_id, Cast.tracker == tracker)
    )
    return counted is not None


async def consistency_proof(
    session: AsyncSession, signer: Signer, ballot_id: int, first: int, second: int | None = None
) -> Proof:
    """Prove that the log of size ``second`` (default: now) extends the log of size ``first``."""
    head = (
        await latest_head(session, signer, ballot_id)
        if second is None
        else await head_at(session, signer, ballot_id, second)
    )
    if not 1 <= first <= head.tree_size:
        raise BadTreeSize(size=head.tree_size)
    nodes = await _nodes(session, ballot_id, consistency_proof_keys(first, head.tree_size))
    hashes = _consistency_from_nodes(first, head.tree_size, nodes)
    return Proof(
        tree_size=head.tree_size,
        hashes=[h.hex() for h in hashes],
        tree_head=head,
        first_size=first,
    )


async def participation_list(
    session: AsyncSession, ballot_id: int
) -> list[tally_board.ParticipationEntry] | None:
    """The published (masked) list of who took part, if the ballot's board has one."""
    size = await session.scalar(select(Ballot.log_size).where(Ballot.id == ballot_id))
    for _, data in await leaves(session, ballot_id, max(0, (size or 0) - 3)):
        event = tally_board.decode_event(data.encode("utf-8"))
        if isinstance(event, tally_board.Participation):
            return event.entries
    return None


async def leaves(
    session: AsyncSession, ballot_id: int, start: int = 0, end: int | None = None
) -> list[tuple[int, str]]:
    """The leaves ``[start, end)`` as (index, event JSON text)."""
    query = (
        select(BoardLeaf.index, BoardLeaf.data)
        .where(BoardLeaf.ballot_id == ballot_id, BoardLeaf.index >= start)
        .order_by(BoardLeaf.index)
    )
    if end is not None:
        query = query.where(BoardLeaf.index < end)
    return [(index, data) for index, data in await session.execute(query)]


async def board_lines(
    session: AsyncSession, signer: Signer, ballot_id: int
) -> AsyncIterator[bytes]:
    """The board file of a ballot, line by line: header, leaves, kept signed heads in place.

    The file ends with a head of the whole log as it was when the export started; leaves
    appended meanwhile (an open ballot) belong to the next export. Leaves are read in chunks,
    so a board of a million ballots is never all in memory.
    """
    ballot = await session.get(Ballot, ballot_id)
    if ballot is None:
        raise NotFound(what="ballot", id=ballot_id)
    latest = await latest_head(session, signer, ballot_id)
    heads = sorted(
        (
            _head_of(row)
            for row in (
                await session.scalars(
                    select(TreeHead).where(
                        TreeHead.ballot_id == ballot_id, TreeHead.tree_size <= latest.tree_size
                    )
                )
            ).all()
        ),
        key=lambda head: head.tree_size,
    )
    if not heads or heads[-1].tree_size != latest.tree_size:
        heads.append(latest)
    board_format = (
        tally_board.FORMAT_PAPER if ballot.paper_counted_at is not None else tally_board.FORMAT
    )
    yield tally_board.header_line(
        tally_board.make_header(board_ballot_id(ballot_id), signer.public_key, board_format)
    )
    position = 0
    while position < len(heads) and heads[position].tree_size == 0:
        yield tally_board.tree_head_line(heads[position])
        position += 1
    result = await session.stream(
        select(BoardLeaf.index, BoardLeaf.data)
        .where(BoardLeaf.ballot_id == ballot_id, BoardLeaf.index < latest.tree_size)
        .order_by(BoardLeaf.index)
        .execution_options(yield_per=5000)
    )
    async for index, data in result:
        yield tally_board.leaf_line(index, data.encode("utf-8"))
        while position < len(heads) and heads[position].tree_size == index + 1:
            yield tally_board.tree_head_line(heads[position])
            position += 1


async def board_file(session: AsyncSession, signer: Signer, ballot_id: int) -> bytes:
    """The whole board file in memory (for tests and small boards)."""
    return b"".join([line async for line in board_lines(session, signer, ballot_id)])
