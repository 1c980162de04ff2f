"""``count`` and ``count_weighted``: the entry points that turn a spec and its records into a
:class:`BallotResult`.

It checks the spec, works out each question's rule, aggregates the records once into distinct
answers (see :mod:`tally.profile`), and runs each rule. Records are trusted to have passed
:func:`tally.spec.check_answers`; ``records`` may be any iterable and is read once.
"""

from __future__ import annotations

from collections.abc import Iterable

from tally.profile import Profile, build_profiles, build_weighted_profiles, gc_paused
from tally.result import BallotResult, Electorate, Record
from tally.rules import ALWAYS_WEIGHTED, DEFAULT_RULES, RULES, UNIT_RULES, Context, Rule
from tally.spec import BallotSpec, Question, SpecError, check_spec
from tally.ties import TieBreaker
from tally.validity import apply_validity, effective_validity, needs_electorate


def rule_name(question: Question, index: int) -> str:
    """The rule a question is counted by; :class:`SpecError` when the name is unknown."""
    name = question.rule.get("name", DEFAULT_RULES[question.kind])
    if not isinstance(name, str) or name not in RULES[question.kind]:
        names = ", ".join(RULES[question.kind])
        raise SpecError(
            f"questions[{index}].rule.name", f"a {question.kind} question is counted by: {names}"
        )
    return name


def count(
    spec: BallotSpec, records: Iterable[Record], electorate: Electorate | None = None
) -> BallotResult:
    """Count ``records`` under ``spec``.

    ``electorate`` (heads and area of everyone eligible) is needed by quorum, electorate-based
    thresholds and Civil Code dual thresholds. Raises :class:`SpecError` for an unusable spec or
    rule parameter.
    """
    plan = _Plan(spec, electorate)
    with gc_paused():
        profiles, ballots, total_weight = build_profiles(
            spec, records, weighted=plan.weighted, unit_questions=plan.unit_questions
        )
        return plan.run(profiles, ballots, total_weight)


def count_weighted(
    spec: BallotSpec,
    counted: Iterable[tuple[Record, int]],
    electorate: Electorate | None = None,
) -> BallotResult:
    """Count pre-aggregated records: each ``(record, multiplicity)`` pair stands for
    ``multiplicity`` identical records (a positive integer).

    The result is the one :func:`count` gives for the expanded records (in the same order), bit
    for bit, but the work is per distinct record: a million ballots that hold 40,320 distinct
    rankings cost 40,320 steps. :func:`tally.lines.count_lines` feeds it from JSON Lines. Raises
    :class:`SpecError` like :func:`count`, and :class:`ValueError` for a multiplicity that is
    not a positive integer.
    """
    plan = _Plan(spec, electorate)
    with gc_paused():
        profiles, ballots, total_weight = build_weighted_profiles(
            spec, counted, weighted=plan.weighted, unit_questions=plan.unit_questions
        )
        return plan.run(profiles, ballots, total_weight)


class _Plan:
    """A checked spec with each question's rule and what its profile must hold."""

    def __init__(self, spec: BallotSpec, electorate: Electorate | None) -> None:
        check_spec(spec)
        if electorate is not None and (electorate.size <= 0 or electorate.area < 0):
            raise SpecError("electorate", "size must be positive and area not negative")
        names = [rule_name(question, index) for index, question in enumerate(spec.questions)]
        self.spec = spec
        self.electorate = electorate
        self.validity = [
            effective_validity(spec, question, index, name)
            for index, (question, name) in enumerate(zip(spec.questions, names, strict=True))
        ]
        for rules, name in zip(self.validity, names, strict=True):
            if name == "dual_threshold":
                continue  # art. 278's own participation rule; the rule finds the electorate
            if electorate is None and needs_electorate(rules):
                raise SpecError(
                    "electorate",
                    "a quorum or a majority of the electorate needs the electorate: pass it to "
                    "count() (CLI: --electorate-size and --electorate-area)",
                )
            if (
                rules is not None
                and rules.quorum is not None
                and rules.quorum_by != "heads"
                and electorate is not None
                and electorate.area <= 0
            ):
                raise SpecError("electorate.area", "a quorum by area needs the electorate's area")
        self.rules: list[Rule] = [
            RULES[question.kind][name] for question, name in zip(spec.questions, names, strict=True)
        ]
        self.weighted = frozenset(
            question.id
            for question, name in zip(spec.questions, names, strict=True)
            if spec.weighting == "area" or name in ALWAYS_WEIGHTED
        )
        self.unit_questions = frozenset(
            question.id
            for question, name in zip(spec.questions, names, strict=True)
            if name in UNIT_RULES
        )

    def run(self, profiles: list[Profile], ballots: int, total_weight: float) -> BallotResult:
        """Run every question's rule on its profile."""
        spec = self.spec
        results = []
        for index, (question, rule, profile, validity) in enumerate(
            zip(spec.questions, self.rules, profiles, self.validity, strict=True)
        ):
            weighted = question.id in self.weighted
            context = Context(
                question=question,
                index=index,
                profile=profile,
                ties=TieBreaker(spec.tie_seed, question.id),
                electorate=self.electorate,
                weighted=weighted,
                validity=validity,
            )
            result = rule(context)
            apply_validity(
                result,
                profile=profile,
                electorate=self.electorate,
                validity=validity,
                weighted=weighted,
            )
            results.append(result)
        return BallotResult(
            questions=results,
            ballots=ballots,
            weight=total_weight if spec.weighting == "area" else float(ballots),
            tie_seed=spec.tie_seed,
            electorate=self.electorate,
        )
