"""Aggregating records into profiles: the distinct answers to one question and their weights.

Counting works on distinct answers, not on ballots: a million ranked ballots over eight options
collapse to at most 8! = 40,320 distinct rankings, and every rule then runs on those. A
:class:`Profile` holds, per distinct answer (a tuple of option ids, empty for a blank ballot),
the number of ballots and their summed weight. Rules that count heads (Civil Code dual
thresholds) also get the answers grouped by voting unit.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from operator import attrgetter, methodcaller

from tally.result import Record
from tally.spec import BallotSpec

Answer = tuple[str, ...]
_answers_of = attrgetter("answers")


@dataclass
class Profile:
    """The distinct answers to one question with ballot counts and summed weights."""

    question_id: str
    counts: dict[Answer, int] = field(default_factory=dict)
    weights: dict[Answer, float] = field(default_factory=dict)
    units: dict[str, dict[Answer, float]] | None = None

    @property
    def ballots(self) -> int:
        """All ballots, blank included."""
        return sum(self.counts.values())

    @property
    def valid(self) -> int:
        """Ballots that chose at least one option."""
        return sum(count for answer, count in self.counts.items() if answer)

    @property
    def valid_weight(self) -> float:
        """Summed weight of ballots that chose at least one option."""
        return math.fsum(weight for answer, weight in self.weights.items() if answer)

    @property
    def blank(self) -> int:
        """Ballots that chose no option (or did not answer this question)."""
        return self.counts.get((), 0)

    @property
    def blank_weight(self) -> float:
        """Summed weight of blank ballots."""
        return self.weights.get((), 0.0)

    def ballots_for(self, option: str) -> int:
        """Ballots whose answer contains ``option`` (anywhere in it)."""
        return sum(count for answer, count in self.counts.items() if option in answer)


def build_profiles(
    spec: BallotSpec,
    records: Iterable[Record],
    *,
    weighted: frozenset[str] = frozenset(),
    unit_questions: frozenset[str] = frozenset(),
) -> tuple[list[Profile], int, float]:
    """Aggregate ``records`` into one profile per spec question.

    Returns the profiles, the number of records and their total weight. Records weigh 1 except
    in the questions listed in ``weighted``. Questions in ``unit_questions`` also get per-unit
    answers; a record with an empty unit is its own unit. ``records`` is read once, so a
    generator works.
    """
    question_ids = [question.id for question in spec.questions]
    fast = not weighted and not unit_questions
    if fast and (len(question_ids) == 1 or isinstance(records, Sequence)):
        return _count_unweighted(question_ids, records)
    profiles = [Profile(question_id) for question_id in question_ids]
    plan = [(profile, profile.question_id in weighted) for profile in profiles]
    for profile in profiles:
        if profile.question_id in unit_questions:
            profile.units = {}
    total_records = 0
    total_weight = 0.0
    for record in records:
        if not (record.weight >= 0 and math.isfinite(record.weight)):
            raise ValueError(f"record {total_records + 1}: weight must be a finite number >= 0")
        unit = record.unit or f"\x00{total_records}"
        total_records += 1
        total_weight += record.weight
        answers = record.answers
        for profile, weighs in plan:
            weight = record.weight if weighs else 1.0
            answer = tuple(answers.get(profile.question_id, ()))
            profile.counts[answer] = profile.counts.get(answer, 0) + 1
            profile.weights[answer] = profile.weights.get(answer, 0.0) + weight
            if profile.units is not None:
                by_answer = profile.units.setdefault(unit, {})
                by_answer[answer] = by_answer.get(answer, 0.0) + weight
    return profiles, total_records, total_weight


def _count_unweighted(
    question_ids: list[str], records: Iterable[Record]
) -> tuple[list[Profile], int, float]:
    """Fast path: unweighted counting with C-level iteration (``Counter`` over ``map``)."""
    profiles = []
    total = 0
    for question_id in question_ids:
        getter = methodcaller("get", question_id, ())
        counts: Counter[Answer] = Counter(map(tuple, map(getter, map(_answers_of, records))))
        total = sum(counts.values())
        profiles.append(
            Profile(
                question_id,
                counts=dict(counts),
                weights={answer: float(count) for answer, count in counts.items()},
            )
        )
    return profiles, total, float(total)
