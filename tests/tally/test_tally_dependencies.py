"""Counting needs only msgspec: an auditor can run `tally count` without the crypto library,
and `tally verify` without it says the signatures cannot be checked."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.tally.conftest import SmallBoard

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = """
import sys
sys.modules["cryptography"] = None  # as if it were not installed
import tally
spec = tally.BallotSpec(questions=[tally.Question(
    id="q", kind="single", prompt="?",
    options=[tally.Option(id="a", label="A"), tally.Option(id="b", label="B")])])
result = tally.count(spec, [tally.Record(answers={"q": ["a"]}), tally.Record(answers={"q": ["a"]})])
print(result.questions[0].winners[0])
"""


def test_counting_works_without_cryptography() -> None:
    run = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "a"


def test_the_count_command_works_without_cryptography(tmp_path: Path) -> None:
    spec = {
        "questions": [
            {"id": "q", "kind": "single", "prompt": "?", "options": [
                {"id": "a", "label": "A"}, {"id": "b", "label": "B"}]}
        ]
    }  # fmt: skip
    (tmp_path / "spec.json").write_text(json.dumps(spec))
    (tmp_path / "records.jsonl").write_text('{"answers": {"q": ["b"]}}\n')
    code = "import sys; sys.modules['cryptography'] = None; from tally.cli import main; main()"
    run = subprocess.run(
        [sys.executable, "-c", code, "count", "spec.json", "records.jsonl"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
        env={"PYTHONPATH": str(ROOT)},
    )
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["questions"][0]["winners"] == ["b"]


def test_verify_without_cryptography_fails_the_signatures_check_and_says_why(
    small_board: SmallBoard,
) -> None:
    code = "import sys; sys.modules['cryptography'] = None; from tally.cli import main; sys.exit(main())"
    run = subprocess.run(
        [sys.executable, "-c", code, "verify", str(small_board.board)],
        cwd=small_board.folder,
        capture_output=True,
        text=True,
        check=False,
        env={"PYTHONPATH": str(ROOT), "PYTHONIOENCODING": "utf-8"},
    )
    assert run.returncode == 1
    assert "FAILED: signatures" in run.stderr
    assert "tally[signatures]" in run.stderr
    # Everything that needs no signature still ran and passed.
    for name in ("leaf-hashes", "root", "casts", "recount"):
        assert f"PASS  {name}" in run.stdout


def test_the_small_board_verifies_with_cryptography(small_board: SmallBoard) -> None:
    run = subprocess.run(
        [sys.executable, "-m", "tally", "verify", str(small_board.board), "--receipt", "t1"],
        cwd=small_board.folder,
        capture_output=True,
        text=True,
        check=False,
        env={"PYTHONPATH": str(ROOT), "PYTHONIOENCODING": "utf-8"},
    )
    assert run.returncode == 0, run.stdout + run.stderr
