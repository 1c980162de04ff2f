"""RFC 9162 Merkle trees: hashes, roots, inclusion and consistency proofs, and an append-only log.

Hashing follows RFC 9162 §2.1 (the same as Certificate Transparency, RFC 6962):

- leaf hash ``SHA-256(0x00 ‖ data)``, interior node ``SHA-256(0x01 ‖ left ‖ right)``;
- the root of an empty tree is ``SHA-256()`` (the hash of the empty string);
- for ``n > 1`` leaves, with ``k`` the largest power of two smaller than ``n``, the root is the node
  hash of the root over the first ``k`` leaves and the root over the remaining ``n - k``.

Every subtree a proof needs is a range of leaves ``[start, end)`` whose ``start`` is a multiple of
a power of two at least ``end - start``; its hash is the right fold of the *perfect* subtrees
(sizes the binary digits of ``end - start``, largest first) that tile it. So a log that stores
the hash of each perfect subtree once, keyed by ``(level, index)`` (the subtree of ``2**level``
leaves starting at leaf ``index * 2**level``), can append in O(log n) and answer any root,
inclusion proof or consistency proof with O(log² n) stored hashes and no rehashing of leaves.
:class:`NodeStore` is that storage (:class:`MemoryNodeStore` in memory; the server backs it
with a database table), :class:`CompactRange` the right edge needed to append, and
:class:`MerkleLog` ties them together. The ``*_keys`` / ``*_from_nodes`` functions let a caller
fetch the needed hashes itself (for example with one asynchronous query) and build the proof.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from typing import Protocol

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()
"""The root hash of the empty tree: SHA-256 of the empty string."""

NodeKey = tuple[int, int]
"""``(level, index)``: the perfect subtree of ``2**level`` leaves from leaf ``index * 2**level``."""

Range = tuple[int, int]
"""``(start, end)``: the leaves ``start`` up to, not including, ``end``."""

_sha256 = hashlib.sha256


def leaf_hash(data: bytes) -> bytes:
    """``SHA-256(0x00 ‖ data)``: the hash of a leaf holding ``data``."""
    return _sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """``SHA-256(0x01 ‖ left ‖ right)``: the hash of an interior node."""
    return _sha256(b"\x01" + left + right).digest()


def _largest_power_of_two_below(n: int) -> int:
    """The largest power of two strictly smaller than ``n`` (``n >= 2``)."""
    return 1 << ((n - 1).bit_length() - 1)


def perfect_subtrees(start: int, end: int) -> list[NodeKey]:
    """The perfect subtrees tiling ``[start, end)``, left to right (largest first).

    ``start`` must be a multiple of a power of two at least ``end - start`` (true of every range
    a root or proof needs); then the range's hash is the right fold of these subtrees' hashes.
    """
    keys: list[NodeKey] = []
    size = end - start
    position = start
    for level in range(size.bit_length() - 1, -1, -1):
        if size >> level & 1:
            keys.append((level, position >> level))
            position += 1 << level
    return keys


def fold(hashes: Sequence[bytes]) -> bytes:
    """The right fold ``node(h0, node(h1, ... node(h_{n-2}, h_{n-1})))``; empty gives the empty root."""
    if not hashes:
        return EMPTY_ROOT
    result = hashes[-1]
    for value in reversed(hashes[:-1]):
        result = _sha256(b"\x01" + value + result).digest()
    return result


# --- Plain functions over a list of leaf hashes ------------------------------------------------


def root_from_leaf_hashes(hashes: Sequence[bytes]) -> bytes:
    """The Merkle tree hash (MTH) of a tree whose leaf hashes are ``hashes``."""
    compact = CompactRange()
    for value in hashes:
        compact.append(value)
    return compact.root()


def merkle_root(leaves: Iterable[bytes]) -> bytes:
    """The Merkle tree hash of the leaves' data (each is hashed with :func:`leaf_hash`)."""
    compact = CompactRange()
    for data in leaves:
        compact.append(leaf_hash(data))
    return compact.root()


def inclusion_proof(index: int, hashes: Sequence[bytes]) -> list[bytes]:
    """The RFC 9162 inclusion proof of leaf ``index`` in the tree of leaf hashes ``hashes``."""
    return MerkleLog.from_leaf_hashes(hashes).inclusion_proof(index)


def consistency_proof(old_size: int, hashes: Sequence[bytes]) -> list[bytes]:
    """The RFC 9162 consistency proof from the first ``old_size`` leaves to all of ``hashes``."""
    return MerkleLog.from_leaf_hashes(hashes).consistency_proof(old_size)


# --- Proof shapes: which subtree ranges a proof is made of -------------------------------------


def inclusion_ranges(index: int, size: int) -> list[Range]:
    """The leaf ranges whose hashes form the inclusion proof of ``index`` in a tree of ``size``.

    In proof order (from the leaf up), per RFC 9162 §2.1.3.1 ``PATH(m, D[n])``.
    """
    if not 0 <= index < size:
        raise ValueError(f"leaf index {index} is not in a tree of size {size}")
    ranges: list[Range] = []
    start, end, m = 0, size, index
    while end - start > 1:
        k = _largest_power_of_two_below(end - start)
        if m < k:
            ranges.append((start + k, end))
            end = start + k
        else:
            ranges.append((start, start + k))
            start += k
            m -= k
    ranges.reverse()
    return ranges


def consistency_ranges(old_size: int, new_size: int) -> list[Range]:
    """The leaf ranges whose hashes form the consistency proof from ``old_size`` to ``new_size``.

    In proof order, per RFC 9162 §2.1.4.1 ``PROOF(m, D[n])``; empty when ``old_size`` is 0 or
    equals ``new_size``.
    """
    if not 0 <= old_size <= new_size:
        raise ValueError(f"no consistency proof from size {old_size} to size {new_size}")
    if old_size in (0, new_size):
        return []
    ranges: list[Range] = []
    start, end, m, complete = 0, new_size, old_size, True
    while m != end - start:
        k = _largest_power_of_two_below(end - start)
        if m <= k:
            ranges.append((start + k, end))
            end = start + k
        else:
            ranges.append((start, start + k))
            start += k
            m -= k
            complete = False
    if not complete:
        ranges.append((start, end))
    ranges.reverse()
    return ranges


def ranges_keys(ranges: Iterable[Range]) -> list[NodeKey]:
    """Every perfect-subtree key needed to hash ``ranges`` (without duplicates, in order)."""
    seen: dict[NodeKey, None] = {}
    for start, end in ranges:
        for key in perfect_subtrees(start, end):
            seen[key] = None
    return list(seen)


def inclusion_proof_keys(index: int, size: int) -> list[NodeKey]:
    """The stored node keys :func:`inclusion_proof_from_nodes` needs."""
    return ranges_keys(inclusion_ranges(index, size))


def consistency_proof_keys(old_size: int, new_size: int) -> list[NodeKey]:
    """The stored node keys :func:`consistency_proof_from_nodes` needs."""
    return ranges_keys(consistency_ranges(old_size, new_size))


def root_keys(size: int) -> list[NodeKey]:
    """The stored node keys :func:`root_from_nodes` needs (also the compact range of ``size``)."""
    return perfect_subtrees(0, size)


def _hash_ranges(ranges: Iterable[Range], nodes: Mapping[NodeKey, bytes]) -> list[bytes]:
    return [fold([nodes[key] for key in perfect_subtrees(start, end)]) for start, end in ranges]


def inclusion_proof_from_nodes(
    index: int, size: int, nodes: Mapping[NodeKey, bytes]
) -> list[bytes]:
    """The inclusion proof of ``index`` in ``size`` from the stored perfect-subtree hashes."""
    return _hash_ranges(inclusion_ranges(index, size), nodes)


def consistency_proof_from_nodes(
    old_size: int, new_size: int, nodes: Mapping[NodeKey, bytes]
) -> list[bytes]:
    """The consistency proof from ``old_size`` to ``new_size`` from stored subtree hashes."""
    return _hash_ranges(consistency_ranges(old_size, new_size), nodes)


def root_from_nodes(size: int, nodes: Mapping[NodeKey, bytes]) -> bytes:
    """The root of the first ``size`` leaves from stored perfect-subtree hashes."""
    return fold([nodes[key] for key in root_keys(size)])


# --- Verification (RFC 9162 §2.1.3.2 and §2.1.4.2) ----------------------------------------------


def root_from_inclusion_proof(
    index: int, size: int, leaf: bytes, proof: Sequence[bytes]
) -> bytes | None:
    """The root implied by an inclusion proof, or ``None`` when the proof has the wrong shape."""
    if not 0 <= index < size:
        return None
    fn, sn = index, size - 1
    result = leaf
    for sibling in proof:
        if sn == 0:
            return None
        if fn & 1 or fn == sn:
            result = node_hash(sibling, result)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            result = node_hash(result, sibling)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        return None
    return result


def verify_inclusion(
    index: int, size: int, leaf: bytes, proof: Sequence[bytes], root: bytes
) -> bool:
    """Whether ``proof`` shows the leaf hash ``leaf`` at ``index`` in the tree ``(size, root)``."""
    return root_from_inclusion_proof(index, size, leaf, proof) == root


def verify_consistency(
    old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> bool:
    """Whether ``proof`` shows the tree ``(old_size, old_root)`` is a prefix of ``(new_size, new_root)``.

    An empty old tree is consistent with any tree whose old root is the empty root.
    """
    if not 0 <= old_size <= new_size:
        return False
    if old_size == new_size:
        return not proof and old_root == new_root
    if old_size == 0:
        return not proof and old_root == EMPTY_ROOT
    path = list(proof)
    if old_size & (old_size - 1) == 0:
        path.insert(0, old_root)
    if not path:
        return False
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for item in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(item, fr)
            sr = node_hash(item, sr)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            sr = node_hash(sr, item)
        fn >>= 1
        sn >>= 1
    return sn == 0 and fr == old_root and sr == new_root


# --- Incremental structures -------------------------------------------------------------------


class CompactRange:
    """The right edge of a growing tree: the roots of the perfect subtrees tiling ``[0, size)``.

    :meth:`append` adds a leaf hash in O(log n) (amortised O(1)) and returns the perfect-subtree
    nodes it completed, so a store can persist exactly those; :meth:`root` is O(log n).
    """

    __slots__ = ("hashes", "size")

    def __init__(self, size: int = 0, hashes: Sequence[bytes] = ()) -> None:
        if len(hashes) != size.bit_count():
            raise ValueError(f"a compact range of size {size} has {size.bit_count()} hashes")
        self.size = size
        self.hashes = list(hashes)

    def append(self, leaf: bytes) -> list[tuple[NodeKey, bytes]]:
        """Add a leaf hash; return the nodes completed, ``((0, index), leaf)`` first."""
        index = self.size
        created = [((0, index), leaf)]
        value = leaf
        level = 0
        hashes = self.hashes
        while index & 1:
            value = _sha256(b"\x01" + hashes.pop() + value).digest()
            level += 1
            index >>= 1
            created.append(((level, index), value))
        hashes.append(value)
        self.size += 1
        return created

    def root(self) -> bytes:
        """The Merkle tree hash of the leaves appended so far."""
        return fold(self.hashes)

    def copy(self) -> CompactRange:
        """An independent copy."""
        return CompactRange(self.size, self.hashes)


class NodeStore(Protocol):
    """Storage of perfect-subtree hashes keyed by ``(level, index)``.

    Stored nodes never change. ``get_nodes`` returns the hashes in the order of ``keys`` and
    raises :class:`KeyError` for a missing one; ``put_nodes`` stores new nodes.
    """

    def get_nodes(self, keys: Sequence[NodeKey]) -> list[bytes]:
        """The hashes of ``keys``, in order."""
        ...

    def put_nodes(self, nodes: Sequence[tuple[NodeKey, bytes]]) -> None:
        """Store ``nodes``; storing an existing node again with the same hash is harmless."""
        ...


class MemoryNodeStore:
    """A :class:`NodeStore` in memory: one byte array per level, 32 bytes a node.

    Nodes of a level must be added in index order (as an append-only log produces them).
    """

    __slots__ = ("levels",)

    def __init__(self) -> None:
        self.levels: list[bytearray] = []

    def get_nodes(self, keys: Sequence[NodeKey]) -> list[bytes]:
        """The hashes of ``keys``, in order."""
        return [self.get(level, index) for level, index in keys]

    def get(self, level: int, index: int) -> bytes:
        """One stored hash; :class:`KeyError` when it is not stored."""
        offset = index * HASH_SIZE
        if level >= len(self.levels) or index < 0 or offset >= len(self.levels[level]):
            raise KeyError((level, index))
        return bytes(self.levels[level][offset : offset + HASH_SIZE])

    def put_nodes(self, nodes: Sequence[tuple[NodeKey, bytes]]) -> None:
        """Store nodes; each must be the next of its level or equal to the stored one."""
        for (level, index), value in nodes:
            while len(self.levels) <= level:
                self.levels.append(bytearray())
            row = self.levels[level]
            offset = index * HASH_SIZE
            if offset == len(row):
                row += value
            elif offset < len(row) and row[offset : offset + HASH_SIZE] == value:
                continue
            else:
                raise ValueError(f"node {(level, index)} is out of order or differs")

    def __len__(self) -> int:
        """The number of leaves stored."""
        return len(self.levels[0]) // HASH_SIZE if self.levels else 0


class MerkleLog:
    """An append-only RFC 9162 log over a :class:`NodeStore`.

    ``MerkleLog(store, size)`` continues a log whose first ``size`` leaves are in ``store``
    (reading its compact range); appends store every completed perfect subtree. Roots of any
    earlier size and all proofs come from stored nodes without rehashing leaves.
    """

    def __init__(self, store: NodeStore | None = None, size: int = 0) -> None:
        self.store: NodeStore = MemoryNodeStore() if store is None else store
        hashes = self.store.get_nodes(root_keys(size)) if size else []
        self.compact = CompactRange(size, hashes)

    @classmethod
    def from_leaf_hashes(cls, hashes: Iterable[bytes]) -> MerkleLog:
        """A log holding these leaf hashes, in memory."""
        return cls.from_hash_bytes(b"".join(hashes))

    @classmethod
    def from_hash_bytes(cls, hashes: bytes | bytearray) -> MerkleLog:
        """A log in memory over leaf hashes given end to end, 32 bytes each.

        Built a whole level at a time (the same nodes as appending one by one, much faster):
        the next level up hashes each adjacent pair, which are 64 consecutive bytes.
        """
        if len(hashes) % HASH_SIZE:
            raise ValueError("leaf hashes are 32 bytes each")
        store = MemoryNodeStore()
        row = bytearray(hashes)
        pair = 2 * HASH_SIZE
        while row:
            store.levels.append(row)
            row = bytearray().join(
                [
                    _sha256(b"\x01" + row[i : i + pair]).digest()
                    for i in range(0, len(row) - pair + 1, pair)
                ]
            )
        return cls(store, len(hashes) // HASH_SIZE)

    @property
    def size(self) -> int:
        """The number of leaves."""
        return self.compact.size

    def append(self, data: bytes) -> int:
        """Append a leaf holding ``data``; return its index."""
        return self.append_hash(leaf_hash(data))

    def append_hash(self, leaf: bytes) -> int:
        """Append a leaf by its hash; return its index."""
        index = self.compact.size
        self.store.put_nodes(self.compact.append(leaf))
        return index

    def root(self, size: int | None = None) -> bytes:
        """The root of the first ``size`` leaves (default: all)."""
        if size is None or size == self.size:
            return self.compact.root()
        self._check_size(size)
        return fold(self.store.get_nodes(root_keys(size)))

    def leaf_hash(self, index: int) -> bytes:
        """The stored hash of leaf ``index``."""
        self._check_size(index + 1)
        return self.store.get_nodes([(0, index)])[0]

    def inclusion_proof(self, index: int, size: int | None = None) -> list[bytes]:
        """The inclusion proof of leaf ``index`` in the tree of ``size`` leaves (default: all)."""
        size = self.size if size is None else size
        self._check_size(size)
        return self._from_store(inclusion_ranges(index, size))

    def consistency_proof(self, old_size: int, new_size: int | None = None) -> list[bytes]:
        """The consistency proof from ``old_size`` leaves to ``new_size`` (default: all)."""
        new_size = self.size if new_size is None else new_size
        self._check_size(new_size)
        return self._from_store(consistency_ranges(old_size, new_size))

    def _from_store(self, ranges: list[Range]) -> list[bytes]:
        keys = ranges_keys(ranges)
        nodes = dict(zip(keys, self.store.get_nodes(keys), strict=True))
        return _hash_ranges(ranges, nodes)

    def _check_size(self, size: int) -> None:
        if not 0 <= size <= self.size:
            raise ValueError(f"the log has {self.size} leaves, not {size}")
