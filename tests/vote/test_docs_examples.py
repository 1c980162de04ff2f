"""The example ballot specs in docs/examples are valid drafts, so the operator's guide works."""

from __future__ import annotations

from pathlib import Path

import msgspec
import pytest

from ballots.lifecycle import BallotDraft, _spec_from_draft

EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "docs" / "examples").glob("*.json"))


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_example_spec_is_a_valid_draft(path: Path) -> None:
    draft = msgspec.json.decode(path.read_bytes(), type=BallotDraft)
    spec = msgspec.json.decode(_spec_from_draft(draft))
    assert spec["questions"], path.name


def test_there_are_examples() -> None:
    assert len(EXAMPLES) >= 4
