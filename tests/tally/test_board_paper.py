"""A board with a paper batch (format ``luwan-vote-board/2``): the batch after the close holds the
returned paper ballots and their totals; ``tally verify`` checks it and recounts phone and paper
together; a tampered batch fails a named check."""

from __future__ import annotations

from datetime import timedelta

import msgspec
import pytest

import tally
from tally.board import (
    FORMAT,
    FORMAT_PAPER,
    PaperRecord,
    cast_event,
    close_event,
    make_header,
    paper_batch_event,
    participation_event,
    read_board,
    result_event,
    setup_event,
    sign_tree_head,
    verify_board,
    write_board,
)
from tally.cli import main
from tally.merkle import MerkleLog
from tests.tally.test_board import CLOSED, KEY, OPENED, PROJECTS, answers_for, failed, public_bytes

BALLOT = "ruijin-2024-paper"
PHONE = 3


def paper_records(count: int = 3) -> list[PaperRecord]:
    """``count`` returned sheets: the last one invalid, the others valid."""
    return [
        PaperRecord(
            serial=serial,
            unit=f"p{serial}",
            weight=1.0,
            invalid=serial == count,
            answers={} if serial == count else answers_for(serial),
        )
        for serial in range(1, count + 1)
    ]


def paper_board(
    records: list[PaperRecord] | None = None,
    *,
    issued: int = 4,
    batch: bytes | None = None,
    board_format: str = FORMAT_PAPER,
    participation: bool = True,
    result_records: list[tally.Record] | None = None,
) -> bytes:
    """setup, 3 casts, close, the paper batch, participation, the result counted from both."""
    sheets = paper_records() if records is None else records
    leaves = [
        setup_event(
            ballot_id=BALLOT,
            title=PROJECTS.title,
            spec=PROJECTS,
            electorate=tally.Electorate(size=10),
            opened_at=OPENED,
            participation=participation,
        )
    ]
    leaves += [
        cast_event(tracker=f"trk-{n}", answers=answers_for(n), unit=f"u{n}", hour=OPENED)
        for n in range(PHONE)
    ]
    leaves.append(close_event(closed_at=CLOSED, counted=PHONE))
    log = MerkleLog()
    for leaf in leaves:
        log.append(leaf)
    seed = log.root().hex()
    leaves.append(
        batch
        if batch is not None
        else paper_batch_event(
            counted_at=CLOSED + timedelta(hours=1), issued=issued, records=sheets
        )
    )
    records_counted = result_records
    if records_counted is None:
        records_counted = [
            tally.Record(answers=answers_for(n), weight=1.0, unit=f"u{n}") for n in range(PHONE)
        ] + [
            tally.Record(answers=sheet.answers, weight=1.0, unit=sheet.unit)
            for sheet in sheets
            if not sheet.invalid
        ]
    valid = sum(1 for sheet in sheets if not sheet.invalid)
    if participation:
        leaves.append(participation_event([(f"张*{n}", f"3号楼{n}") for n in range(PHONE + valid)]))
    spec = msgspec.structs.replace(PROJECTS, tie_seed=seed)
    counted = tally.count(spec, records_counted, tally.Electorate(size=10))
    leaves.append(result_event(result=counted, tie_seed=seed))
    log = MerkleLog()
    for leaf in leaves:
        log.append(leaf)
    head = sign_tree_head(
        KEY, ballot_id=BALLOT, tree_size=log.size, root_hash=log.root(), timestamp=1_714_600_000_000
    )
    return write_board(make_header(BALLOT, public_bytes(KEY), board_format), leaves, [head])


def test_a_board_with_a_paper_batch_passes_and_counts_phone_and_paper() -> None:
    report = verify_board(read_board(paper_board()))
    assert report.ok, report.first_failure
    assert report.counted == PHONE + 2
    assert report.check("format").detail.startswith(FORMAT_PAPER)
    assert report.check("paper").detail == (
        "4 paper ballots issued, 3 returned: 2 valid, 1 invalid; no voting unit counted twice"
    )
    assert "recounting 5 ballots" in report.check("recount").detail
    assert "paper batch" in report.check("events").detail


def test_an_empty_paper_batch_passes() -> None:
    report = verify_board(read_board(paper_board([], issued=0)))
    assert report.ok, report.first_failure
    assert "paper" in [check.name for check in report.checks]
    assert report.check("paper").detail.startswith("0 paper ballots issued")


def test_the_result_must_include_the_paper_ballots() -> None:
    phone_only = [
        tally.Record(answers=answers_for(n), weight=1.0, unit=f"u{n}") for n in range(PHONE)
    ]
    report = verify_board(read_board(paper_board(result_records=phone_only, participation=False)))
    assert failed(report) == "recount"


@pytest.mark.parametrize(
    ("records", "issued", "says"),
    [
        (paper_records(3), 2, "3 returned of 2 issued: more than issued"),
        (
            [PaperRecord(serial=1, unit="u1", weight=1.0, invalid=False, answers=answers_for(1))],
            4,
            "also has a counted cast: counted twice",
        ),
        (
            [
                PaperRecord(serial=1, unit="p", weight=1.0, invalid=False, answers=answers_for(1)),
                PaperRecord(serial=2, unit="p", weight=1.0, invalid=False, answers=answers_for(2)),
            ],
            4,
            "has another paper ballot",
        ),
        (
            [PaperRecord(serial=1, unit="p1", weight=1.0, invalid=True, answers=answers_for(1))],
            4,
            "an invalid paper ballot has no answers",
        ),
        (
            [
                PaperRecord(serial=1, unit="p1", weight=1.0, invalid=False, answers=answers_for(1)),
                PaperRecord(serial=1, unit="p2", weight=1.0, invalid=False, answers=answers_for(2)),
            ],
            4,
            "serial numbers are positive and unique",
        ),
    ],
)
def test_a_bad_paper_batch_fails_the_paper_check(
    records: list[PaperRecord], issued: int, says: str
) -> None:
    report = verify_board(read_board(paper_board(records, issued=issued, participation=False)))
    assert failed(report) == "paper", report.checks
    assert says in report.check("paper").detail
    assert report.check("recount").status == "fail"


def test_totals_that_do_not_add_up_fail() -> None:
    lying = msgspec.json.encode(
        {
            "type": "paper_batch",
            "counted_at": "2024-05-01T21:00:00Z",
            "issued": 4,
            "returned": 3,
            "valid": 3,
            "invalid": 1,
            "records": msgspec.to_builtins(paper_records(3)),
        }
    )
    report = verify_board(read_board(paper_board(batch=lying)))
    assert failed(report) == "paper"
    assert "the totals say returned 3, valid 3, invalid 1" in report.check("paper").detail


def test_a_paper_batch_needs_format_2_and_comes_before_the_result() -> None:
    report = verify_board(read_board(paper_board(board_format=FORMAT)))
    assert failed(report) == "events"
    assert "needs the board format luwan-vote-board/2" in report.check("events").detail


def test_tally_verify_on_the_command_line(
    tmp_path: object, capsys: pytest.CaptureFixture[str]
) -> None:
    from pathlib import Path

    assert isinstance(tmp_path, Path)
    good = tmp_path / "good.jsonl"
    good.write_bytes(paper_board())
    assert main(["verify", str(good)]) == 0
    assert "paper" in capsys.readouterr().out
    bad = tmp_path / "bad.jsonl"
    bad.write_bytes(paper_board(paper_records(3), issued=2, participation=False))
    assert main(["verify", str(bad)]) == 1
