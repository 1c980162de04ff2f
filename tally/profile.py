"""Aggregating records into profiles: the distinct answers to one question and their weights.

Counting works on distinct answers, not on ballots: a million ranked ballots over eight options
collapse to at most 8! = 40,320 distinct rankings, and every rule then runs on those. A
:class:`Profile` holds, per distinct answer (a tuple of option ids, empty for a blank ballot),
the number of ballots and their summed weight. Rules that count heads (Civil Code dual
thresholds) also get the answers grouped by voting unit.
"""

from __future__ import annotations

import gc
import math
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from itertools import repeat
from operator import attrgetter, itemgetter, methodcaller

from tally.result import Record
from tally.spec import BallotSpec

Answer = tuple[str, ...]
_answers_of = attrgetter("answers")
_weight_of = attrgetter("weight")
_first = itemgetter(0)
_second = itemgetter(1)


@dataclass
class Profile:
    """The distinct answers to one question with ballot counts and summed weights.

    A profile is built once and then only read: the totals are computed on first use and kept.
    """

    question_id: str
    counts: dict[Answer, int] = field(default_factory=dict)
    weights: dict[Answer, float] = field(default_factory=dict)
    units: dict[str, dict[Answer, float]] | None = None

    @cached_property
    def ballots(self) -> int:
        """All ballots, blank included."""
        return sum(self.counts.values())

    @cached_property
    def valid(self) -> int:
        """Ballots that chose at least one option."""
        return self.ballots - self.blank

    @cached_property
    def valid_weight(self) -> float:
        """Summed weight of ballots that chose at least one option."""
        if () not in self.weights:
            return math.fsum(self.weights.values())
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


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a count builds its many small, acyclic objects
    (decoded records, answer tuples); it is restored as it was afterwards. Without this the
    collector walks the growing heap again and again and decoding takes twice as long.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


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
    generator works. The total weight is the records' summed weight when some question is
    weighted, else the number of records (as every record then weighs 1).
    """
    question_ids = [question.id for question in spec.questions]
    fast = not weighted and not unit_questions
    if fast and (len(question_ids) == 1 or isinstance(records, Sequence)):
        return _count_unweighted(question_ids, records)
    return build_weighted_profiles(
        spec,
        zip(records, repeat(1)),
        weighted=weighted,
        unit_questions=unit_questions,
    )


def build_weighted_profiles(
    spec: BallotSpec,
    counted: Iterable[tuple[Record, int]],
    *,
    weighted: frozenset[str] = frozenset(),
    unit_questions: frozenset[str] = frozenset(),
) -> tuple[list[Profile], int, float]:
    """Like :func:`build_profiles`, from ``(record, multiplicity)`` pairs.

    A pair stands for ``multiplicity`` identical records (a positive integer), so input that is
    already collapsed costs one step per distinct record. Each answer's summed weight is exact
    (correctly rounded, :func:`math.fsum`), so grouping identical records changes nothing: the
    pairs give bit for bit the profiles of the expanded records (in the same order).
    """
    question_ids = [question.id for question in spec.questions]
    if not weighted and not unit_questions:
        return _count_unweighted_pairs(question_ids, counted)
    profiles = [Profile(question_id) for question_id in question_ids]
    terms: list[dict[Answer, list[float]] | None] = []
    unit_terms: list[dict[str, dict[Answer, list[float]]] | None] = []
    for profile in profiles:
        terms.append({} if profile.question_id in weighted else None)
        unit_terms.append({} if profile.question_id in unit_questions else None)
    plan = list(zip(question_ids, profiles, terms, unit_terms, strict=True))
    total_records = 0
    total_terms: list[float] = []
    for record, multiplicity in counted:
        if type(multiplicity) is not int or multiplicity < 1:
            raise ValueError(f"record {total_records + 1}: multiplicity must be a positive integer")
        weight = record.weight
        if not (weight >= 0 and math.isfinite(weight)):
            raise ValueError(f"record {total_records + 1}: weight must be a finite number >= 0")
        copies = [weight] * multiplicity
        answers = record.answers
        for question_id, profile, weights, units in plan:
            answer = tuple(answers.get(question_id, ()))
            counts = profile.counts
            counts[answer] = counts.get(answer, 0) + multiplicity
            if weights is not None:
                pile = weights.get(answer)
                if pile is None:
                    weights[answer] = copies[:]
                else:
                    pile.extend(copies)
            if units is not None:
                unit_weight = weight if weights is not None else 1.0
                if record.unit:
                    by_answer = units.setdefault(record.unit, {})
                    by_answer.setdefault(answer, []).extend([unit_weight] * multiplicity)
                else:
                    for number in range(total_records, total_records + multiplicity):
                        units[f"\x00{number}"] = {answer: [unit_weight]}
        total_records += multiplicity
        total_terms.extend(copies)
    for profile, weights, units in zip(profiles, terms, unit_terms, strict=True):
        if weights is None:
            profile.weights = {answer: float(count) for answer, count in profile.counts.items()}
        else:
            profile.weights = {answer: math.fsum(pile) for answer, pile in weights.items()}
        if units is not None:
            profile.units = {
                unit: {answer: math.fsum(pile) for answer, pile in by_answer.items()}
                for unit, by_answer in units.items()
            }
    return profiles, total_records, math.fsum(total_terms)


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


def _count_unweighted_pairs(
    question_ids: list[str], counted: Iterable[tuple[Record, int]]
) -> tuple[list[Profile], int, float]:
    """Fast path of :func:`build_weighted_profiles` when no question uses weights or units."""
    pairs = counted if isinstance(counted, list) else list(counted)
    multiplicities = list(map(_second, pairs))
    if multiplicities and (set(map(type, multiplicities)) != {int} or min(multiplicities) < 1):
        for number, multiplicity in enumerate(multiplicities, start=1):
            if type(multiplicity) is not int or multiplicity < 1:
                raise ValueError(f"record {number}: multiplicity must be a positive integer")
    weights = list(map(_weight_of, map(_first, pairs)))
    # Quick test first (a sum that is finite has no inf or nan); the exact one names the record.
    if weights and not (min(weights) >= 0 and math.isfinite(sum(weights))):
        for number, weight in enumerate(weights, start=1):
            if not _usable_weight(weight):
                raise ValueError(f"record {number}: weight must be a finite number >= 0")
    answers = list(map(_answers_of, map(_first, pairs)))
    profiles = []
    for question_id in question_ids:
        keys = list(map(tuple, map(methodcaller("get", question_id, ()), answers)))
        counts = dict(zip(keys, multiplicities, strict=True))
        if len(counts) < len(keys):  # some answers repeat: add their multiplicities up
            counts = {}
            for answer, multiplicity in zip(keys, multiplicities, strict=True):
                counts[answer] = counts.get(answer, 0) + multiplicity
        profiles.append(
            Profile(
                question_id,
                counts=counts,
                weights=dict(zip(counts, map(float, counts.values()), strict=True)),
            )
        )
    total = sum(multiplicities)
    return profiles, total, float(total)


def _usable_weight(weight: float) -> bool:
    return weight >= 0 and math.isfinite(weight)
