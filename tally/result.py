"""The input records and the structured result of a count.

:class:`Record` is one counted ballot (answers, weight, voting unit). :class:`BallotResult` holds
one :class:`QuestionResult` per spec question with per-option figures, the outcome, every round
where the rule has rounds, the threshold checks, and every tie that was broken. All of it is
plain msgspec structs, so ``msgspec.json.encode(result)`` gives the published JSON.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Literal

import msgspec

from tally.ties import TieBreak

RESULT_FORMAT = "tally-result/1"

Outcome = Literal[
    "elected",
    "passed",
    "rejected",
    "failed",
    "no-quorum",
    "runoff",
    "reported",
    "no-valid-votes",
]


class Record(msgspec.Struct, forbid_unknown_fields=True):
    """One counted ballot.

    ``answers`` maps question id to option ids (preference order for ranked questions).
    ``weight`` is 1 or the voter's weight (exclusive floor area when the spec weighs by area).
    ``unit`` is the voting unit id (owner or household); records sharing a unit are one head
    for rules that count heads (Civil Code dual thresholds). Empty means the record is its own unit.
    """

    answers: dict[str, list[str]]
    weight: float = 1.0
    unit: str = ""


class Electorate(msgspec.Struct, forbid_unknown_fields=True):
    """Everyone eligible: ``size`` heads (owners or households) holding ``area`` m² in total."""

    size: int
    area: float = 0.0


class OptionResult(msgspec.Struct):
    """Figures of one option.

    ``votes`` is the weighted support the rule reports (first preferences for ranked questions,
    approvals for multiple and budget questions); ``ballots`` the number of ballots behind it;
    ``share`` is ``votes`` over the question's valid weight. ``points`` holds Borda points,
    ``score`` a rating level's score, ``cost`` a budget project's cost, ``heads`` the voting
    units (owners) behind the option where heads are counted.
    """

    id: str
    votes: float
    ballots: int
    share: float
    elected: bool = False
    points: float | None = None
    score: float | None = None
    cost: int | None = None
    heads: int | None = None


class Round(msgspec.Struct):
    """One round of a rule that has rounds (instant runoff, budget selection).

    ``tallies`` are the figures this round is decided on (IRV: continuing votes; greedy: votes;
    equal shares: the price per unit of utility, lower is better). ``transfers`` says where the
    votes of this round's eliminated options went (``"exhausted"`` when no preference was left).
    """

    number: int
    tallies: dict[str, float]
    eliminated: list[str] = msgspec.field(default_factory=list)
    elected: list[str] = msgspec.field(default_factory=list)
    transfers: dict[str, float] = msgspec.field(default_factory=dict)
    exhausted: float = 0.0
    remaining: float | None = None
    note: str = ""


class Check(msgspec.Struct):
    """One threshold test: ``value / base`` compared with ``required``."""

    name: str
    value: float
    base: float
    ratio: float
    required: float
    comparison: Literal[">", ">="]
    passed: bool


class QuestionResult(msgspec.Struct):
    """The count of one question.

    ``valid``/``blank`` count ballots (``valid_weight``/``blank_weight`` their weights); a blank
    ballot answered with no option. ``winners`` are the elected options in order; ``ranking`` a
    full order where the rule gives one. ``params`` are the rule parameters after defaults.
    """

    question: str
    kind: str
    rule: str
    outcome: Outcome
    message: str
    winners: list[str]
    valid: int
    blank: int
    valid_weight: float
    blank_weight: float
    options: list[OptionResult]
    params: dict[str, object] = msgspec.field(default_factory=dict)
    ranking: list[str] = msgspec.field(default_factory=list)
    runoff: list[str] = msgspec.field(default_factory=list)
    rounds: list[Round] = msgspec.field(default_factory=list)
    checks: list[Check] = msgspec.field(default_factory=list)
    tie_breaks: list[TieBreak] = msgspec.field(default_factory=list)
    pairwise: dict[str, dict[str, float]] | None = None
    strongest_paths: dict[str, dict[str, float]] | None = None
    satisfaction_rate: float | None = None
    mean_score: float | None = None
    heads: int | None = None
    spent: float | None = None


class BallotResult(msgspec.Struct):
    """The count of a whole ballot: one :class:`QuestionResult` per spec question, in order."""

    questions: list[QuestionResult]
    ballots: int
    weight: float
    tie_seed: str
    electorate: Electorate | None = None
    format: str = RESULT_FORMAT


def check(name: str, value: float, base: float, required: Fraction, strict: bool) -> Check:
    """Build a :class:`Check` of ``value / base`` against ``required`` (``>`` when strict).

    The comparison is exact (rational arithmetic), so 1000 of 1500 is exactly two thirds.
    """
    ratio = value / base if base > 0 else 0.0
    exact_value = Fraction(value)
    bound = required * Fraction(base)
    passed = base > 0 and (exact_value > bound if strict else exact_value >= bound)
    return Check(
        name=name,
        value=value,
        base=base,
        ratio=ratio,
        required=float(required),
        comparison=">" if strict else ">=",
        passed=passed,
    )
