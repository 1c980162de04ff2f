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


def test_the_appraisal_firm_template_needs_a_quorum_and_a_majority() -> None:
    """The template follows docs/counting.md: more than half the households take part, and a firm
    needs more than half of the valid votes (else a runoff)."""
    path = next(p for p in EXAMPLES if p.name == "appraisal-firm.json")
    draft = msgspec.json.decode(path.read_bytes(), type=BallotDraft)
    spec = msgspec.json.decode(_spec_from_draft(draft))
    assert spec["validity"] == {"quorum": "simple", "majority": "valid"}
    assert spec["voting_unit"] == "household"


def test_a_draft_without_validity_keeps_its_spec_unchanged() -> None:
    path = next(p for p in EXAMPLES if p.name == "evaluation.json")
    spec = msgspec.json.decode(
        _spec_from_draft(msgspec.json.decode(path.read_bytes(), type=BallotDraft))
    )
    assert "validity" not in spec
