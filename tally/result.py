"""The input records and the structured result of a count.

:class:`Record` is one counted ballot (answers, weight, voting unit). :class:`BallotResult` holds
one :class:`QuestionResult` per spec question with per-option figures, the outcome, every round
where the rule has rounds, the threshold checks, every tie that was broken, the turnout and the
warnings a chair reads before publishing. All of it is plain msgspec structs, so
``msgspec.json.encode(result)`` gives the published JSON.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Literal

import msgspec

from tally.spec import Validity
from tally.ties import TieBreak

RESULT_FORMAT = "tally-result/2"
"""Version 2 added ``validity``, ``turnout``, ``drawn`` and ``warnings`` to each question."""
LEGACY_FORMATS = {"tally-result/1": ("validity", "turnout", "drawn", "warnings")}
"""Earlier result formats and the question fields they did not have yet."""

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


class Turnout(msgspec.Struct):
    """Who took part in a question: ``heads`` (ballots, or owners for ``dual_threshold``) and
    their ``area`` where records carry floor area, against the electorate where it is known."""

    heads: int
    area: float | None = None
    electorate_heads: int | None = None
    electorate_area: float | None = None
    heads_rate: float | None = None
    area_rate: float | None = None


class NoQuorum(msgspec.Struct, tag_field="code", tag="no-quorum"):
    """Too few took part: ``took_part`` of ``electorate`` (``turnout``), ``required`` needed."""

    basis: Literal["heads", "area"]
    took_part: float
    electorate: float
    turnout: float
    required: float


class LowTurnout(msgspec.Struct, tag_field="code", tag="low-turnout"):
    """Turnout below ``below`` (half the electorate), though no quorum rule failed."""

    basis: Literal["heads", "area"]
    took_part: float
    electorate: float
    turnout: float
    below: float


class NoMajority(msgspec.Struct, tag_field="code", tag="no-majority"):
    """The leader has ``share`` of the ``base``, more than ``required`` was needed; ``runoff``
    names the options of the runoff (empty when no other option got votes)."""

    leader: str
    share: float
    required: float
    base: str
    runoff: list[str]


class DecidedByLot(msgspec.Struct, tag_field="code", tag="decided-by-lot"):
    """A tie was settled by the public draw from the tie seed: ``tied`` options at ``step``."""

    step: str
    tied: list[str]
    order: list[str]


class CloseMargin(msgspec.Struct, tag_field="code", tag="close-margin"):
    """``first`` beat ``second`` (the last chosen and the first not chosen) by ``margin`` votes,
    ``margin_share`` of the valid votes."""

    first: str
    second: str
    margin: float
    margin_share: float


class CloseToThreshold(msgspec.Struct, tag_field="code", tag="close-to-threshold"):
    """A threshold test (``check``) decided narrowly: ``ratio`` against ``required``; ``margin``
    is how far ``value`` is from the bound, in votes, heads or m²."""

    check: str
    passed: bool
    ratio: float
    required: float
    margin: float


ResultWarning = NoQuorum | LowTurnout | NoMajority | DecidedByLot | CloseMargin | CloseToThreshold
"""A machine-readable warning for the chair's preview and the public page (see ``code``)."""


class QuestionResult(msgspec.Struct):
    """The count of one question.

    ``valid``/``blank`` count ballots (``valid_weight``/``blank_weight`` their weights); a blank
    ballot answered with no option. ``winners`` are the elected options in order; ``ranking`` a
    full order where the rule gives one. ``params`` are the rule parameters after defaults.
    ``validity`` is the rule set that applied (after inheriting the ballot's), ``turnout`` who
    took part, ``drawn`` whether a tie was settled by the public draw, and ``warnings`` what a
    chair should read before publishing.
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
    validity: Validity | None = None
    turnout: Turnout | None = None
    drawn: bool = False
    warnings: list[ResultWarning] = msgspec.field(default_factory=list)


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
