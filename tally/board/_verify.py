""":func:`verify_board`: run every check of a board in order and report each one."""

from __future__ import annotations

from tally.board._checks import (
    check_casts,
    check_close,
    check_header,
    check_participation,
    check_receipt,
    check_root,
    check_signatures,
    check_since,
    check_tie_seed,
)
from tally.board._findings import Findings, VerifyReport
from tally.board._format import TreeHead
from tally.board._paper import check_paper
from tally.board._read import Board
from tally.board._recount import check_recount
from tally.board._scan import scan_board


def verify_board(
    board: Board,
    *,
    receipt: str | None = None,
    since: TreeHead | None = None,
    key: bytes | None = None,
) -> VerifyReport:
    """Run every check on ``board`` in order and report each (see ``docs/bulletin-board.md``).

    ``receipt``: a tracker, or its receipt code (:mod:`tally.receipts`), whose inclusion to prove
    against the latest signed tree head.
    ``since``: a tree head saved earlier; the board must extend it (consistency proof).
    ``key``: the service's raw 32-byte public key, obtained elsewhere; the header must carry it.
    """
    findings = Findings()
    findings.results["format"] = ("pass", f"{board.header.format}, {len(board.leaves)} leaves")
    public_key = check_header(board, key, findings)
    scan = scan_board(board, findings)
    check_root(scan)
    check_signatures(board, public_key, key, findings)
    check_paper(scan)
    check_casts(scan)
    check_close(scan)
    check_participation(scan)
    check_tie_seed(scan)
    check_recount(scan)
    receipt_index = None if receipt is None else check_receipt(scan, receipt)
    if since is not None:
        check_since(scan, public_key, since)
    closed = scan.close is not None
    return VerifyReport(
        checks=findings.checks(),
        ballot_id=board.header.ballot_id,
        tree_size=len(board.leaves),
        root_hash=scan.log.root().hex(),
        closed=closed,
        counted=scan.total_counted if closed else None,
        receipt_index=receipt_index,
        cancelled_at=None if scan.cancel is None else scan.cancel.cancelled_at,
        cancel_reason=None if scan.cancel is None else scan.cancel.reason,
    )
