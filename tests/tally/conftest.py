"""A small closed, signed board file and its counting inputs, for the command-line tests."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

import tally
from tally.board import (
    cast_event,
    close_event,
    make_header,
    result_event,
    setup_event,
    sign_tree_head,
    write_board,
)
from tally.merkle import MerkleLog

OPENED = datetime(2024, 5, 1, 8, 30, tzinfo=UTC)
CLOSED = datetime(2024, 5, 1, 20, 0, tzinfo=UTC)
SPEC = {
    "questions": [
        {"id": "q", "kind": "single", "prompt": "?", "options": [
            {"id": "a", "label": "A"}, {"id": "b", "label": "B"}]}
    ]
}  # fmt: skip
CHOICES = ["a", "b", "b"]


@dataclass
class SmallBoard:
    """Files in one folder: ``board.jsonl``, ``spec.json`` and ``records.jsonl``."""

    folder: Path
    board: Path
    spec: Path
    records: Path
    tracker: str


@pytest.fixture
def small_board(tmp_path: Path) -> SmallBoard:
    """Three ballots for options a, b, b on one question; closed, counted, signed."""
    key = Ed25519PrivateKey.generate()
    spec = tally.BallotSpec(
        questions=[
            tally.Question(
                id="q",
                kind="single",
                prompt="?",
                options=[tally.Option(id="a", label="A"), tally.Option(id="b", label="B")],
            )
        ]
    )
    electorate = tally.Electorate(size=5)
    leaves = [
        setup_event(
            ballot_id="small-1",
            title="small",
            spec=spec,
            electorate=electorate,
            opened_at=OPENED,
        )
    ]
    records = []
    for number, choice in enumerate(CHOICES):
        answers = {"q": [choice]}
        leaves.append(
            cast_event(tracker=f"t{number}", answers=answers, unit=f"u{number}", hour=OPENED)
        )
        records.append(tally.Record(answers=answers))
    leaves.append(close_event(closed_at=CLOSED, counted=len(CHOICES)))
    log = MerkleLog()
    for data in leaves:
        log.append(data)
    seed = log.root().hex()
    seeded = tally.BallotSpec(questions=spec.questions, tie_seed=seed)
    result = tally.count(seeded, records, electorate)
    leaves.append(result_event(result=result, tie_seed=seed))
    log.append(leaves[-1])
    public = key.public_key().public_bytes_raw()
    head = sign_tree_head(
        key, ballot_id="small-1", tree_size=log.size, root_hash=log.root(), timestamp=1
    )
    board = tmp_path / "board.jsonl"
    board.write_bytes(write_board(make_header("small-1", public), leaves, [head]))
    (tmp_path / "spec.json").write_text(json.dumps(SPEC))
    lines = "".join(json.dumps({"answers": {"q": [choice]}}) + "\n" for choice in CHOICES)
    (tmp_path / "records.jsonl").write_text(lines)
    return SmallBoard(
        folder=tmp_path,
        board=board,
        spec=tmp_path / "spec.json",
        records=tmp_path / "records.jsonl",
        tracker="t1",
    )
