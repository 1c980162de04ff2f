"""Builders shared by the rule tests: specs from short option lists, records from tallies."""

from __future__ import annotations

from collections.abc import Iterable

from tally import BallotSpec, Option, Question, Record
from tally.spec import QuestionKind


def spec_of(
    kind: QuestionKind,
    options: Iterable[str] | list[Option],
    rule: dict[str, object] | None = None,
    *,
    seed: str = "seed",
    weighting: str = "none",
    **question: object,
) -> BallotSpec:
    """A one-question spec ``q`` of ``kind`` over ``options`` (ids double as labels)."""
    built = [
        option if isinstance(option, Option) else Option(id=option, label=option)
        for option in options
    ]
    return BallotSpec(
        questions=[
            Question(id="q", kind=kind, prompt="?", options=built, rule=rule or {}, **question)  # type: ignore[arg-type]
        ],
        tie_seed=seed,
        weighting=weighting,  # type: ignore[arg-type]
    )


def records_of(*groups: tuple[int, list[str]] | tuple[int, list[str], float]) -> list[Record]:
    """``(count, answer[, weight])`` groups expanded to records for question ``q``."""
    records = []
    for group in groups:
        count, answer = group[0], group[1]
        weight = group[2] if len(group) == 3 else 1.0  # type: ignore[misc]
        records.extend(Record(answers={"q": list(answer)}, weight=weight) for _ in range(count))
    return records
