"""tally.merkle against RFC 9162's definitions, Certificate Transparency's test vectors and a naive
recursive reference: every (index, size) inclusion proof and (old, new) consistency proof up to
size 70, random sizes with hypothesis, the node store and the compact range."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tally.merkle import (
    EMPTY_ROOT,
    CompactRange,
    MemoryNodeStore,
    MerkleLog,
    consistency_proof,
    consistency_proof_from_nodes,
    consistency_proof_keys,
    inclusion_proof,
    inclusion_proof_from_nodes,
    inclusion_proof_keys,
    leaf_hash,
    merkle_root,
    node_hash,
    root_from_leaf_hashes,
    root_from_nodes,
    root_keys,
    verify_consistency,
    verify_inclusion,
)

# Certificate Transparency's reference leaves and roots (certificate-transparency-go).
CT_LEAVES = [
    bytes.fromhex(text)
    for text in (
        "",
        "00",
        "10",
        "2021",
        "3031",
        "40414243",
        "5051525354555657",
        "606162636465666768696a6b6c6d6e6f",
    )
]
CT_ROOTS = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]
CT_INCLUSION = {
    (0, 8): [
        "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
    ],
    (5, 8): [
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    ],
    (2, 3): [
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    ],
    (1, 5): [
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
    ],
}
CT_CONSISTENCY = {
    (1, 8): [
        "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
    ],
    (6, 8): [
        "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    ],
    (2, 5): [
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
    ],
}


# --- The naive reference: RFC 9162 §2.1 written as recursion over the leaf data ---------------


def sha(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def split(n: int) -> int:
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def mth(leaves: list[bytes]) -> bytes:
    if not leaves:
        return sha(b"")
    if len(leaves) == 1:
        return sha(b"\x00" + leaves[0])
    k = split(len(leaves))
    return sha(b"\x01" + mth(leaves[:k]) + mth(leaves[k:]))


def path(m: int, leaves: list[bytes]) -> list[bytes]:
    if len(leaves) <= 1:
        return []
    k = split(len(leaves))
    if m < k:
        return [*path(m, leaves[:k]), mth(leaves[k:])]
    return [*path(m - k, leaves[k:]), mth(leaves[:k])]


def subproof(m: int, leaves: list[bytes], complete: bool) -> list[bytes]:
    n = len(leaves)
    if m == n:
        return [] if complete else [mth(leaves)]
    k = split(n)
    if m <= k:
        return [*subproof(m, leaves[:k], complete), mth(leaves[k:])]
    return [*subproof(m - k, leaves[k:], False), mth(leaves[:k])]


def leaves_of(n: int) -> list[bytes]:
    return [f"leaf {i}".encode() for i in range(n)]


# --- Tests --------------------------------------------------------------------------------------


def test_hashing_rules() -> None:
    assert leaf_hash(b"abc") == sha(b"\x00abc")
    assert node_hash(b"L" * 32, b"R" * 32) == sha(b"\x01" + b"L" * 32 + b"R" * 32)
    assert EMPTY_ROOT.hex() == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    assert merkle_root([]) == EMPTY_ROOT
    assert MerkleLog().root() == EMPTY_ROOT


def test_small_trees_by_hand() -> None:
    a, b, c = b"a", b"b", b"c"
    ha, hb, hc = sha(b"\x00a"), sha(b"\x00b"), sha(b"\x00c")
    assert merkle_root([a]) == ha
    assert merkle_root([a, b]) == sha(b"\x01" + ha + hb)
    # Three leaves: the split is at 2, so c is hashed in alone on the right.
    assert merkle_root([a, b, c]) == sha(b"\x01" + sha(b"\x01" + ha + hb) + hc)
    assert inclusion_proof(2, [ha, hb, hc]) == [sha(b"\x01" + ha + hb)]
    assert inclusion_proof(0, [ha, hb, hc]) == [hb, hc]
    assert consistency_proof(2, [ha, hb, hc]) == [hc]


def test_certificate_transparency_vectors() -> None:
    hashes = [leaf_hash(leaf) for leaf in CT_LEAVES]
    for size in range(1, 9):
        assert root_from_leaf_hashes(hashes[:size]).hex() == CT_ROOTS[size - 1]
    for (index, size), expected in CT_INCLUSION.items():
        proof = inclusion_proof(index, hashes[:size])
        assert [item.hex() for item in proof] == expected
        assert verify_inclusion(
            index, size, hashes[index], proof, bytes.fromhex(CT_ROOTS[size - 1])
        )
    for (old, new), expected in CT_CONSISTENCY.items():
        proof = consistency_proof(old, hashes[:new])
        assert [item.hex() for item in proof] == expected
        assert verify_consistency(
            old, new, bytes.fromhex(CT_ROOTS[old - 1]), bytes.fromhex(CT_ROOTS[new - 1]), proof
        )


def test_every_proof_up_to_size_70_matches_the_reference() -> None:
    all_leaves = leaves_of(70)
    log = MerkleLog()
    roots = [EMPTY_ROOT]
    for data in all_leaves:
        log.append(data)
        roots.append(log.root())
    for size in range(0, 71):
        leaves = all_leaves[:size]
        assert roots[size] == mth(leaves) == log.root(size)
        for index in range(size):
            proof = log.inclusion_proof(index, size)
            assert proof == path(index, leaves)
            assert verify_inclusion(index, size, leaf_hash(leaves[index]), proof, roots[size])
        for old in range(0, size + 1):
            proof = log.consistency_proof(old, size)
            expected = [] if old in (0, size) else subproof(old, leaves, True)
            assert proof == expected
            assert verify_consistency(old, size, roots[old], roots[size], proof)


def test_wrong_proofs_fail() -> None:
    leaves = leaves_of(13)
    log = MerkleLog()
    for data in leaves:
        log.append(data)
    root = log.root()
    proof = log.inclusion_proof(5)
    leaf = leaf_hash(leaves[5])
    assert verify_inclusion(5, 13, leaf, proof, root)
    assert not verify_inclusion(6, 13, leaf, proof, root)
    assert not verify_inclusion(5, 13, leaf_hash(b"other"), proof, root)
    assert not verify_inclusion(5, 13, leaf, proof[:-1], root)
    assert not verify_inclusion(5, 13, leaf, [*proof, proof[0]], root)
    assert not verify_inclusion(13, 13, leaf, proof, root)
    bad = [proof[0][::-1], *proof[1:]]
    assert not verify_inclusion(5, 13, leaf, bad, root)
    old_root = log.root(7)
    consistency = log.consistency_proof(7)
    assert verify_consistency(7, 13, old_root, root, consistency)
    assert not verify_consistency(7, 13, root, root, consistency)
    assert not verify_consistency(6, 13, old_root, root, consistency)
    assert not verify_consistency(7, 13, old_root, root, consistency[:-1])
    assert not verify_consistency(7, 13, old_root, root, [])
    assert not verify_consistency(13, 7, root, old_root, consistency)
    assert verify_consistency(13, 13, root, root, [])
    assert not verify_consistency(13, 13, root, old_root, [])
    assert verify_consistency(0, 13, EMPTY_ROOT, root, [])


def test_a_rewritten_log_is_not_consistent() -> None:
    leaves = leaves_of(20)
    honest = MerkleLog.from_leaf_hashes(leaf_hash(data) for data in leaves)
    saved_size, saved_root = 12, honest.root(12)
    leaves[3] = b"changed"
    rewritten = MerkleLog.from_leaf_hashes(leaf_hash(data) for data in leaves)
    proof = rewritten.consistency_proof(saved_size)
    assert not verify_consistency(saved_size, 20, saved_root, rewritten.root(), proof)


@settings(max_examples=60, deadline=None)
@given(st.integers(min_value=1, max_value=3000), st.data())
def test_random_sizes(size: int, data: st.DataObject) -> None:
    leaves = leaves_of(size)
    log = MerkleLog.from_leaf_hashes(leaf_hash(item) for item in leaves)
    root = log.root()
    assert root == mth(leaves)
    index = data.draw(st.integers(min_value=0, max_value=size - 1))
    proof = log.inclusion_proof(index)
    assert proof == path(index, leaves)
    assert verify_inclusion(index, size, leaf_hash(leaves[index]), proof, root)
    old = data.draw(st.integers(min_value=1, max_value=size))
    consistency = log.consistency_proof(old)
    assert verify_consistency(old, size, mth(leaves[:old]), root, consistency)


def test_store_backed_log_continues_and_proves_from_nodes() -> None:
    store = MemoryNodeStore()
    first = MerkleLog(store)
    for data in leaves_of(37):
        first.append(data)
    # A new process picks the log up from the store alone.
    second = MerkleLog(store, size=37)
    assert second.root() == first.root()
    for data in leaves_of(100)[37:]:
        second.append(data)
    reference = leaves_of(100)
    assert second.root() == mth(reference)
    assert len(store) == 100
    # A caller fetching the nodes itself (e.g. one database query) gets the same proofs.
    keys = inclusion_proof_keys(41, 90)
    nodes = dict(zip(keys, store.get_nodes(keys), strict=True))
    assert inclusion_proof_from_nodes(41, 90, nodes) == path(41, reference[:90])
    keys = consistency_proof_keys(37, 90)
    nodes = dict(zip(keys, store.get_nodes(keys), strict=True))
    assert consistency_proof_from_nodes(37, 90, nodes) == subproof(37, reference[:90], True)
    keys = root_keys(77)
    nodes = dict(zip(keys, store.get_nodes(keys), strict=True))
    assert root_from_nodes(77, nodes) == mth(reference[:77])
    assert second.leaf_hash(99) == leaf_hash(reference[99])
    with pytest.raises(KeyError):
        store.get(0, 100)
    with pytest.raises(ValueError):
        second.root(101)


def test_compact_range_reports_the_nodes_it_completes() -> None:
    compact = CompactRange()
    created = []
    for data in leaves_of(8):
        created.extend(key for key, _ in compact.append(leaf_hash(data)))
    assert created == [
        (0, 0),
        (0, 1),
        (1, 0),
        (0, 2),
        (0, 3),
        (1, 1),
        (2, 0),
        (0, 4),
        (0, 5),
        (1, 2),
        (0, 6),
        (0, 7),
        (1, 3),
        (2, 1),
        (3, 0),
    ]
    assert compact.root() == mth(leaves_of(8))
    assert len(compact.hashes) == 1
    with pytest.raises(ValueError):
        CompactRange(3, [b"x" * 32])


def test_a_log_built_level_by_level_stores_the_same_nodes_as_appending() -> None:
    for size in range(0, 70):
        hashes = [leaf_hash(data) for data in leaves_of(size)]
        appended = MerkleLog()
        for value in hashes:
            appended.append_hash(value)
        built = MerkleLog.from_hash_bytes(b"".join(hashes))
        assert isinstance(appended.store, MemoryNodeStore)
        assert isinstance(built.store, MemoryNodeStore)
        assert built.store.levels == appended.store.levels
        assert built.size == size
        assert built.root() == appended.root() == mth(leaves_of(size))
    with pytest.raises(ValueError):
        MerkleLog.from_hash_bytes(b"\x00" * 33)
