"""What every rule shares: the counting context, rule-parameter parsing and result scaffolding.

A rule is a function ``(Context) -> QuestionResult``. Parameters come from ``Question.rule`` (a
JSON object); :class:`Context` reads them with defaults and raises :class:`~tally.spec.SpecError`
naming ``questions[i].rule.KEY`` when one is wrong, and rejects keys the rule does not know.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

from tally.profile import Profile
from tally.result import Electorate, OptionResult, Outcome, QuestionResult
from tally.spec import Question, SpecError, Validity
from tally.ties import TieBreaker

NAMED_THRESHOLDS: dict[str, tuple[Fraction, bool]] = {
    "simple": (Fraction(1, 2), True),
    "two_thirds": (Fraction(2, 3), False),
    "three_quarters": (Fraction(3, 4), False),
}
"""Named thresholds: (fraction, strict). Simple majority is strictly more than half."""


@dataclass
class Context:
    """Everything a rule needs to count one question."""

    question: Question
    index: int
    profile: Profile
    ties: TieBreaker
    electorate: Electorate | None
    weighted: bool
    used: dict[str, object] = field(default_factory=dict)
    validity: Validity | None = None

    @property
    def rule(self) -> dict[str, object]:
        """The raw rule parameters of the question."""
        return self.question.rule

    def where(self, key: str) -> str:
        """The spec path of a rule parameter, for error messages."""
        return f"questions[{self.index}].rule.{key}"

    def allow(self, *keys: str) -> None:
        """Reject rule parameters other than ``name`` and ``keys``."""
        for key in self.rule:
            if key != "name" and key not in keys:
                known = ", ".join(sorted(keys)) or "none"
                raise SpecError(self.where(key), f"unknown parameter (this rule takes: {known})")

    def integer(self, key: str, default: int, low: int, high: int) -> int:
        """An integer parameter within ``low..high``."""
        value = self.rule.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise SpecError(self.where(key), f"must be an integer from {low} to {high}")
        self.used[key] = value
        return value

    def flag(self, key: str, default: bool) -> bool:
        """A true/false parameter."""
        value = self.rule.get(key, default)
        if not isinstance(value, bool):
            raise SpecError(self.where(key), "must be true or false")
        self.used[key] = value
        return value

    def choice(self, key: str, default: str, choices: tuple[str, ...]) -> str:
        """A parameter taking one of ``choices``."""
        value = self.rule.get(key, default)
        if value not in choices:
            raise SpecError(self.where(key), f"must be one of {', '.join(choices)}")
        assert isinstance(value, str)
        self.used[key] = value
        return value

    def number(self, key: str, default: float | None, low: float, high: float) -> float | None:
        """An optional number within ``low..high`` (``None`` when absent and no default)."""
        value = self.rule.get(key, default)
        if value is None:
            return None
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not low <= value <= high
        ):
            raise SpecError(self.where(key), f"must be a number from {low:g} to {high:g}")
        self.used[key] = value
        return float(value)

    def threshold(self, key: str, default: str) -> tuple[Fraction, bool]:
        """A threshold: a name from :data:`NAMED_THRESHOLDS` or a fraction in (0, 1].

        A numeric threshold is inclusive (``>=``) unless ``strict`` is true.
        """
        value = self.rule.get(key, default)
        if isinstance(value, str):
            if value not in NAMED_THRESHOLDS:
                names = ", ".join(NAMED_THRESHOLDS)
                raise SpecError(self.where(key), f"must be a number or one of {names}")
            self.used[key] = value
            return NAMED_THRESHOLDS[value]
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= 1:
            raise SpecError(self.where(key), "must be a fraction above 0 and at most 1")
        self.used[key] = value
        return Fraction(value).limit_denominator(10_000), self.flag("strict", False)

    def option_ids(self, key: str, default: list[str]) -> list[str]:
        """A list of this question's option ids."""
        value = self.rule.get(key, default)
        known = {option.id for option in self.question.options}
        if (
            not isinstance(value, list)
            or not value
            or not all(isinstance(item, str) and item in known for item in value)
        ):
            raise SpecError(
                self.where(key), "must be a non-empty list of this question's option ids"
            )
        self.used[key] = list(value)
        return [str(item) for item in value]

    def result(
        self,
        rule: str,
        outcome: Outcome,
        message: str,
        winners: list[str],
        options: list[OptionResult],
    ) -> QuestionResult:
        """Scaffold a :class:`QuestionResult` with this question's valid and blank figures."""
        profile = self.profile
        return QuestionResult(
            question=self.question.id,
            kind=self.question.kind,
            rule=rule,
            outcome=outcome,
            message=message,
            winners=winners,
            valid=profile.valid,
            blank=profile.blank,
            valid_weight=profile.valid_weight,
            blank_weight=profile.blank_weight,
            options=options,
            params=dict(self.used),
            tie_breaks=self.ties.draws,
        )


def share(part: float, whole: float) -> float:
    """``part / whole``, or 0 when ``whole`` is 0."""
    return part / whole if whole > 0 else 0.0


def label(context: Context, option_id: str) -> str:
    """An option's label, for human-readable messages."""
    for option in context.question.options:
        if option.id == option_id:
            return option.label
    return option_id


def first_choices(profile: Profile) -> tuple[dict[str, float], dict[str, int]]:
    """Weighted and counted first choices per option (only options that got any)."""
    votes: dict[str, float] = {}
    ballots: dict[str, int] = {}
    for answer, weight in profile.weights.items():
        if answer:
            votes[answer[0]] = votes.get(answer[0], 0.0) + weight
            ballots[answer[0]] = ballots.get(answer[0], 0) + profile.counts[answer]
    return votes, ballots


def approvals(profile: Profile) -> tuple[dict[str, float], dict[str, int]]:
    """Weighted and counted approvals per option (every option in an answer)."""
    votes: dict[str, float] = {}
    ballots: dict[str, int] = {}
    for answer, weight in profile.weights.items():
        count = profile.counts[answer]
        for option in answer:
            votes[option] = votes.get(option, 0.0) + weight
            ballots[option] = ballots.get(option, 0) + count
    return votes, ballots


def option_results(
    context: Context,
    votes: dict[str, float],
    ballots: dict[str, int],
    winners: list[str] | None = None,
) -> list[OptionResult]:
    """Per-option figures in the spec's option order."""
    elected = set(winners or ())
    whole = context.profile.valid_weight
    return [
        OptionResult(
            id=option.id,
            votes=votes.get(option.id, 0.0),
            ballots=ballots.get(option.id, 0),
            share=share(votes.get(option.id, 0.0), whole),
            elected=option.id in elected,
            score=option.score,
            cost=option.cost,
        )
        for option in context.question.options
    ]


def join(context: Context, option_ids: list[str]) -> str:
    """Labels joined for a message: "A", "A and B", "A, B and C"."""
    labels = [label(context, option_id) for option_id in option_ids]
    if len(labels) <= 1:
        return "".join(labels)
    return ", ".join(labels[:-1]) + " and " + labels[-1]


def top(context: Context, votes: dict[str, float], places: int, step: str) -> list[str]:
    """All options best first by ``votes``; a tie across the cut at ``places`` is drawn."""
    scores = {option.id: votes.get(option.id, 0.0) for option in context.question.options}
    return context.ties.rank(scores, step, places=places)


def electorate(context: Context, required: bool) -> Electorate | None:
    """The electorate from ``count(..., electorate=)`` or the rule's ``electorate_size`` and
    ``electorate_area`` parameters; a :class:`SpecError` when ``required`` and neither is given."""
    if context.electorate is not None:
        return context.electorate
    size = context.rule.get("electorate_size")
    area = context.rule.get("electorate_area", 0.0)
    if size is None:
        if required:
            raise SpecError(
                context.where("electorate_size"),
                "this rule needs the electorate: pass it to count() (CLI: --electorate-size and "
                "--electorate-area) or set electorate_size and electorate_area",
            )
        return None
    if isinstance(size, bool) or not isinstance(size, int) or size <= 0:
        raise SpecError(context.where("electorate_size"), "must be a positive integer")
    if isinstance(area, bool) or not isinstance(area, int | float) or area < 0:
        raise SpecError(context.where("electorate_area"), "must be a number >= 0")
    context.used["electorate_size"] = size
    context.used["electorate_area"] = area
    return Electorate(size=size, area=float(area))
