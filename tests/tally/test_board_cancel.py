"""A cancelled ballot's board: it ends with a ``cancel`` event and its reason, which verifies as a
final event; anything after it, or a cancellation without a reason, fails a named check."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

import tally
from tally.board import (
    Cancel,
    cancellation_event,
    cast_event,
    close_event,
    decode_event,
    make_header,
    read_board,
    setup_event,
    sign_tree_head,
    verify_board,
    write_board,
)
from tally.cli import main
from tally.merkle import MerkleLog
from tests.tally.test_board import (
    KEY,
    OPENED,
    PROJECTS,
    answers_for,
    failed,
    join,
    lines_of,
    public_bytes,
    renumber,
)

CANCELLED = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
REASON = "施工方案变更,重新听证后再表决"


def cancelled_board(casts: int = 3, *, after: list[bytes] | None = None) -> bytes:
    """A board: setup, ``casts`` casts, the cancellation (and ``after`` it), each signed."""
    ballot_id = "ruijin-2024-9"
    leaves = [
        setup_event(
            ballot_id=ballot_id,
            title=PROJECTS.title,
            spec=PROJECTS,
            electorate=tally.Electorate(size=20),
            opened_at=OPENED,
        )
    ]
    leaves += [
        cast_event(tracker=f"trk-{n}", answers=answers_for(n), unit=f"u{n}", hour=OPENED)
        for n in range(casts)
    ]
    leaves.append(cancellation_event(cancelled_at=CANCELLED, reason=REASON))
    leaves += after or []
    log = MerkleLog()
    for leaf in leaves:
        log.append(leaf)
    head = sign_tree_head(
        KEY,
        ballot_id=ballot_id,
        tree_size=log.size,
        root_hash=log.root(),
        timestamp=1_714_564_800_000,
    )
    return write_board(make_header(ballot_id, public_bytes(KEY)), leaves, [head])


@pytest.mark.parametrize("casts", [0, 3])
def test_a_cancelled_board_verifies_as_cancelled_with_its_reason(casts: int) -> None:
    report = verify_board(read_board(cancelled_board(casts)))
    assert report.ok, report.first_failure
    assert report.cancelled_at == "2024-05-01T12:00:00Z"
    assert report.cancel_reason == REASON
    assert not report.closed and report.counted is None
    assert REASON in report.check("close").detail
    assert report.check("close").status == "skip"
    assert report.check("recount").detail == "the ballot was cancelled"
    assert "cancel" in report.check("events").detail


def test_the_cancellation_event_bytes() -> None:
    data = cancellation_event(cancelled_at=CANCELLED, reason="停电")
    assert (
        data == '{"type":"cancel","cancelled_at":"2024-05-01T12:00:00Z","reason":"停电"}'.encode()
    )
    assert decode_event(data) == Cancel(cancelled_at="2024-05-01T12:00:00Z", reason="停电")
    for bad in ("", "   ", "x" * 501, "a\x00b"):
        with pytest.raises(ValueError):
            cancellation_event(cancelled_at=CANCELLED, reason=bad)


def test_an_event_after_the_cancellation_fails_the_events_check() -> None:
    late_cast = cast_event(tracker="late", answers=answers_for(1), unit="u9", hour=CANCELLED)
    report = verify_board(read_board(cancelled_board(after=[late_cast])))
    assert failed(report) == "events"
    assert "a cast event is not allowed after the cancellation" in report.check("events").detail
    again = cancellation_event(cancelled_at=CANCELLED, reason="again")
    report = verify_board(read_board(cancelled_board(after=[again])))
    assert "a cancel event is not allowed after the cancellation" in report.check("events").detail


def test_a_result_after_the_cancellation_fails() -> None:
    closing = close_event(closed_at=CANCELLED, counted=3)
    report = verify_board(read_board(cancelled_board(after=[closing])))
    assert failed(report) == "events"
    assert "a close event is not allowed after the cancellation" in report.check("events").detail
    # A forger who cuts the cancellation out to publish a result breaks the signed root.
    lines = lines_of(cancelled_board())
    cancel_at = next(
        n for n, line in enumerate(lines) if line.get("data", "").startswith('{"type":"cancel"')
    )
    lines[cancel_at]["data"] = json.dumps({"type": "result", "tie_seed": "0" * 64, "result": {}})
    report = verify_board(read_board(join(renumber(lines))))
    assert failed(report) == "events"
    assert "a result event is not allowed while voting" in report.check("events").detail


def test_a_cancellation_after_close_or_without_a_reason_fails() -> None:
    lines = lines_of(cancelled_board(0))
    cancel_line = lines[2]
    cancel_line["data"] = json.dumps(
        {"type": "cancel", "cancelled_at": "2024-05-01T12:00:00Z", "reason": " "}
    )
    report = verify_board(read_board(join(renumber(lines))))
    assert report.check("events").status == "fail"
    assert "the reason must not be empty" in report.check("events").detail
    cancel_line["data"] = json.dumps(
        {"type": "cancel", "cancelled_at": "2024-04-01T12:00:00Z", "reason": "x"}
    )
    report = verify_board(read_board(join(renumber(lines))))
    assert "cancelled_at is before opened_at" in report.check("events").detail
    closing = close_event(closed_at=CANCELLED, counted=0)
    lines.insert(2, {"kind": "leaf", "index": 0, "hash": "", "data": closing.decode()})
    report = verify_board(read_board(join(renumber(lines))))
    assert "a cancel event is not allowed after close" in report.check("events").detail


def test_tally_verify_says_the_ballot_was_cancelled(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    board = tmp_path / "board.jsonl"
    board.write_bytes(cancelled_board())
    assert main(["verify", str(board)]) == 0
    out = capsys.readouterr().out
    assert (
        f"the ballot was cancelled at 2024-05-01T12:00:00Z: nothing is counted; reason: {REASON}"
        in out
    )
    assert main(["verify", str(board), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["cancel_reason"] == REASON


def test_the_documented_cancel_event_is_what_the_builder_makes() -> None:
    text = (Path(__file__).resolve().parents[2] / "docs" / "bulletin-board.md").read_text(
        encoding="utf-8"
    )
    section = text.split("### `cancel`", 1)[1]
    example = section.split("```json\n", 1)[1].split("```", 1)[0].strip()
    made = cancellation_event(cancelled_at=CANCELLED, reason="停电")
    assert example.encode() == made
    assert "| `reason` |" in section and "500" in section
