"""The checks after the pass over the leaves: header, root, signatures, casts, close, proofs.

Each ``check_*`` finishes one or more named checks in :class:`~._findings.Findings`.
"""

from __future__ import annotations

import base64
import binascii
import math
from typing import TYPE_CHECKING

import msgspec

from tally.board._findings import Findings
from tally.board._format import (
    TreeHead,
    check_ballot_id,
    iso_time,
    key_id,
    parse_time,
    tree_head_message,
)
from tally.board._read import Board
from tally.board._scan import Scan
from tally.merkle import verify_consistency, verify_inclusion
from tally.receipts import ReceiptCodeError, read_receipt, receipt_code

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

NO_CRYPTOGRAPHY = (
    "signatures cannot be checked: the cryptography package is not installed "
    "(install tally with its signatures extra: pip install './tally[signatures]')"
)


def check_header(board: Board, key: bytes | None, findings: Findings) -> Ed25519PublicKey | None:
    """The header's ballot id and key; returns the key to check signatures with."""
    header = board.header
    try:
        check_ballot_id(header.ballot_id)
    except ValueError as error:
        findings.fail("manifest", f"header ballot_id: {error}")
    try:
        raw = base64.b64decode(header.public_key, validate=True)
    except (binascii.Error, ValueError):
        raw = b""
    public_key = None
    if len(raw) != 32:
        findings.fail("manifest", "header public_key: not a base64 32-byte Ed25519 key")
    else:
        if header.key_id != key_id(raw):
            findings.fail("manifest", f"header key_id: {header.key_id!r} is not {key_id(raw)!r}")
        public_key = _public_key(raw, findings)
        if key is not None and raw != key:
            findings.fail(
                "signatures",
                f"the board's key {header.key_id} is not the key given ({key_id(key)})",
            )
    if not board.leaves:
        findings.fail("manifest", "the board has no leaves: leaf 0 must be the setup event")
    return public_key


def _public_key(raw: bytes, findings: Findings) -> Ed25519PublicKey | None:
    """The Ed25519 key, or ``None`` (a failed ``signatures`` check) without `cryptography`."""
    try:
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
    except ImportError:
        findings.fail("signatures", NO_CRYPTOGRAPHY)
        return None
    return Ed25519PublicKey.from_public_bytes(raw)


def check_root(scan: Scan) -> None:
    """Every tree head signs the root of its prefix; the last covers every leaf."""
    board, log, findings = scan.board, scan.log, scan.findings
    heads = board.tree_heads
    size = len(board.leaves)
    if not heads:
        findings.fail("root", "the board has no signed tree head")
    previous: TreeHead | None = None
    for head, line in zip(heads, board.head_lines, strict=True):
        if not 0 <= head.tree_size <= size:
            findings.fail(
                "root",
                f"line {line}: tree head of size {head.tree_size}, but the board has {size} leaves",
            )
            continue
        if previous is not None and (
            head.tree_size < previous.tree_size or head.timestamp < previous.timestamp
        ):
            findings.fail("root", f"line {line}: tree heads must not go back in size or time")
        previous = head
        root = log.root(head.tree_size).hex()
        if head.root_hash != root:
            findings.fail(
                "root",
                f"line {line}: the tree head of size {head.tree_size} signs root "
                f"{head.root_hash}, but the leaves give {root}",
            )
    latest = board.latest
    if latest is not None and latest.tree_size != size:
        findings.fail(
            "root",
            f"the last tree head covers {latest.tree_size} leaves, the board has {size}",
        )
    findings.outcome(
        "root",
        f"the root of all {size} leaves is {log.root().hex()}, as the last of "
        f"{len(heads)} tree head(s) signs; every tree head matches its prefix",
    )


def signature_ok(board: Board, public_key: Ed25519PublicKey | None, head: TreeHead) -> bool:
    """Whether ``head`` is signed by ``public_key`` for this board's ballot."""
    if public_key is None:
        return False
    from cryptography.exceptions import InvalidSignature

    try:
        signature = base64.b64decode(head.signature, validate=True)
        message = tree_head_message(
            ballot_id=board.header.ballot_id,
            tree_size=head.tree_size,
            root_hash=head.root_hash,
            timestamp=head.timestamp,
        )
        public_key.verify(signature, message)
    except (InvalidSignature, binascii.Error, ValueError):
        return False
    return True


def check_signatures(
    board: Board, public_key: Ed25519PublicKey | None, key: bytes | None, findings: Findings
) -> None:
    """Every tree head's signature verifies with the header's key."""
    if public_key is None:
        if "signatures" in findings.failed:
            findings.outcome("signatures", "")
        else:
            findings.skip("signatures", "no usable public key in the header")
        return
    for head, line in zip(board.tree_heads, board.head_lines, strict=True):
        if not signature_ok(board, public_key, head):
            findings.fail(
                "signatures",
                f"line {line}: the signature of the tree head of size {head.tree_size} "
                f"does not verify with key {board.header.key_id}",
            )
    given = "" if key is None else " (the key given)"
    findings.outcome(
        "signatures",
        f"{len(board.tree_heads)} tree head signature(s) verify with key "
        f"{board.header.key_id}{given}",
    )


def check_casts(scan: Scan) -> None:
    """Finish ``casts``, ``revoting`` and ``electorate`` from what the pass found."""
    findings = scan.findings
    setup = scan.setup
    if setup is None:
        for name in ("casts", "revoting", "electorate"):
            findings.skip(name, "no manifest")
        return
    casts = len(scan.cast_trackers)
    if scan.max_hour is not None and scan.close is not None:
        closed = parse_time(scan.close.closed_at)
        if closed is not None and scan.max_hour > closed:
            findings.fail("casts", f"a cast's hour {iso_time(scan.max_hour)} is after closed_at")
    if scan.max_hour is not None and scan.cancel is not None:
        cancelled = parse_time(scan.cancel.cancelled_at)
        if cancelled is not None and scan.max_hour > cancelled:
            findings.fail("casts", f"a cast's hour {iso_time(scan.max_hour)} is after cancelled_at")
    findings.outcome(
        "casts",
        f"{casts} cast(s) valid under the manifest ({len(scan.answer_table)} distinct answers)",
    )
    counted = scan.counted
    findings.outcome(
        "revoting",
        f"{counted} counted: the last cast of each voting unit"
        + (f", {casts - counted} replaced" if casts > counted else ""),
    )
    electorate = setup.electorate
    counted = scan.total_counted  # with the paper batch's valid sheets
    if counted > electorate.size:
        findings.fail(
            "electorate",
            f"{counted} counted ballots exceed the electorate of {electorate.size}",
        )
    detail = f"{counted} counted ballots of an electorate of {electorate.size}"
    if scan.paper_records:
        detail += f" ({len(scan.paper_records)} on paper)"
    if setup.spec.weighting == "area":
        weights = scan.cast_weights
        total = math.fsum(
            [weights[number] for number in scan.unit_cast.values()]
            + [record.weight for record in scan.paper_records]
        )
        if total > electorate.area * (1 + 1e-9) + 1e-9:
            findings.fail(
                "electorate",
                f"the counted weight {total:g} exceeds the electorate area {electorate.area:g}",
            )
        detail += f", weight {total:g} of {electorate.area:g}"
    findings.outcome("electorate", detail)


def check_close(scan: Scan) -> None:
    """``close`` counts the counted ballots and comes after opening."""
    findings = scan.findings
    close = scan.close
    if scan.cancel is not None:
        findings.skip(
            "close",
            f"the ballot was cancelled at {scan.cancel.cancelled_at} (leaf {scan.cancel_index}), "
            f"nothing is counted; reason: {scan.cancel.reason}",
        )
        return
    if close is None:
        findings.skip("close", "the ballot is not closed yet")
        return
    counted = scan.counted
    if close.counted != counted:
        findings.fail(
            "close", f"close says {close.counted} counted ballots, the casts give {counted}"
        )
    closed = parse_time(close.closed_at)
    opened = None if scan.setup is None else parse_time(scan.setup.opened_at)
    if closed is None:
        findings.fail("close", "closed_at: not an ISO 8601 time with a time zone")
    elif opened is not None and closed < opened:
        findings.fail("close", "closed_at is before opened_at")
    findings.outcome(
        "close", f"closed at {close.closed_at} (leaf {scan.close_index}) with {counted} counted"
    )


def check_participation(scan: Scan) -> None:
    """A participation list is published exactly when announced, one entry per counted ballot."""
    findings = scan.findings
    setup = scan.setup
    if setup is None:
        findings.skip("participation", "no manifest")
        return
    listed = scan.participation
    if not setup.participation:
        if listed is not None:
            findings.fail("participation", "a participation list the manifest does not announce")
            findings.outcome("participation", "")
        else:
            findings.skip("participation", "this ballot does not publish participation")
        return
    if scan.cancel is not None:
        findings.skip("participation", "the ballot was cancelled")
        return
    if scan.close is None:
        findings.skip("participation", "published at close")
        return
    if listed is None:
        if scan.result is not None:
            findings.fail(
                "participation",
                "the manifest announces a participation list; none is published",
            )
        else:
            findings.skip("participation", "not published yet")
        findings.outcome("participation", "")
        return
    counted = scan.total_counted
    if len(listed.entries) != counted:
        findings.fail(
            "participation",
            f"{len(listed.entries)} participants listed for {counted} counted ballots",
        )
    for number, entry in enumerate(listed.entries):
        if not entry.name.strip() or not entry.address.strip():
            findings.fail("participation", f"entry {number}: name and address must not be empty")
            break
    findings.outcome("participation", f"{len(listed.entries)} participants listed (masked)")


def tie_seed(scan: Scan) -> str:
    """The tie seed: the hex root of the leaves up to and including ``close``."""
    return scan.log.root(scan.close_index + 1).hex()


def check_tie_seed(scan: Scan) -> None:
    """The result (and the result inside it) names the root after close as its tie seed."""
    findings = scan.findings
    result = scan.result
    if result is None:
        findings.skip(
            "tie-seed", "the ballot was cancelled" if scan.cancel is not None else "no result yet"
        )
        return
    seed = tie_seed(scan)
    if result.tie_seed != seed:
        findings.fail(
            "tie-seed",
            f"the result's tie_seed {result.tie_seed} is not the root after close {seed}",
        )
    else:
        try:
            published = msgspec.json.decode(result.result)
        except msgspec.DecodeError:
            published = None
        inner = published.get("tie_seed") if isinstance(published, dict) else None
        if inner != seed:
            findings.fail("tie-seed", f"the published result's tie_seed {inner!r} is not {seed}")
    findings.outcome(
        "tie-seed", f"{seed}: the root of the {scan.close_index + 1} leaves up to close"
    )


def check_receipt(scan: Scan, receipt: str) -> int | None:
    """A receipt's tracker is on the board, proved by inclusion in the latest tree head.

    ``receipt`` is the tracker, or its receipt code as a resident reads it (:mod:`tally.receipts`).
    Returns the leaf index of the tracker's cast when it is found.
    """
    findings = scan.findings
    tracker = receipt
    number = scan.tracker_cast.get(receipt)
    if number is None:
        try:
            tracker = read_receipt(receipt)
        except ReceiptCodeError:
            tracker = receipt
        number = scan.tracker_cast.get(tracker)
    latest = scan.board.latest
    if number is None:
        findings.fail("receipt", f"tracker {tracker!r} is not on the board")
        findings.outcome("receipt", "")
        return None
    if latest is None or "root" in findings.failed or "signatures" in findings.failed:
        findings.fail("receipt", "no valid signed tree head to prove inclusion against")
        findings.outcome("receipt", "")
        return None
    log = scan.log
    index = scan.cast_leaves[number]
    proof = log.inclusion_proof(index, latest.tree_size)
    leaf = log.leaf_hash(index)
    if not verify_inclusion(index, latest.tree_size, leaf, proof, bytes.fromhex(latest.root_hash)):
        findings.fail("receipt", f"the inclusion proof of leaf {index} does not verify")
    counted_number = scan.unit_cast[scan.cast_units[number]]
    if counted_number == number:
        status = "it counts"
    else:
        status = (
            f"it was replaced by a later ballot of the same voter (tracker "
            f"{scan.cast_trackers[counted_number]!r}, leaf {scan.cast_leaves[counted_number]}), "
            "which counts instead"
        )
    code = receipt_code(tracker)
    named = f"tracker {tracker!r}" + ("" if code is None else f" (receipt code {code})")
    findings.outcome(
        "receipt",
        f"{named} is leaf {index}; its inclusion proof ({len(proof)} hashes) "
        f"verifies against the signed tree head of size {latest.tree_size}; {status}",
    )
    return index


def check_since(scan: Scan, public_key: Ed25519PublicKey | None, saved: TreeHead) -> None:
    """The board extends a tree head saved earlier (a consistency proof), so none was rewritten."""
    board, findings = scan.board, scan.findings
    latest = board.latest
    if not signature_ok(board, public_key, saved):
        findings.fail(
            "since",
            f"the saved tree head (size {saved.tree_size}) is not signed by key "
            f"{board.header.key_id} for ballot {board.header.ballot_id!r}",
        )
    elif latest is None:
        findings.fail("since", "the board has no tree head")
    elif saved.tree_size > latest.tree_size:
        findings.fail(
            "since",
            f"the board ({latest.tree_size} leaves) is shorter than the saved tree head "
            f"({saved.tree_size}): it was rolled back",
        )
    else:
        proof = scan.log.consistency_proof(saved.tree_size, latest.tree_size)
        try:
            old_root = bytes.fromhex(saved.root_hash)
        except ValueError:
            old_root = b""
        if not verify_consistency(
            saved.tree_size, latest.tree_size, old_root, bytes.fromhex(latest.root_hash), proof
        ):
            findings.fail(
                "since",
                f"the board is not an extension of the saved tree head of size "
                f"{saved.tree_size}: the consistency proof fails (the board was rewritten)",
            )
        findings.outcome(
            "since",
            f"the saved tree head of size {saved.tree_size} is a prefix of the board "
            f"(consistency proof of {len(proof)} hashes)",
        )
        return
    findings.outcome("since", "")
