"""``count``: the entry point that turns a spec and its records into a :class:`BallotResult`.

It checks the spec, works out each question's rule, aggregates the records once into distinct
answers (see :mod:`tally.profile`), and runs each rule. Records are trusted to have passed
:func:`tally.spec.check_answers`; ``records`` may be any iterable and is read once.
"""

from __future__ import annotations

from collections.abc import Iterable

from tally.profile import build_profiles
from tally.result import BallotResult, Electorate, Record
from tally.rules import ALWAYS_WEIGHTED, DEFAULT_RULES, RULES, UNIT_RULES, Context, Rule
from tally.spec import BallotSpec, Question, SpecError, check_spec
from tally.ties import TieBreaker


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
    check_spec(spec)
    if electorate is not None and (electorate.size <= 0 or electorate.area < 0):
        raise SpecError("electorate", "size must be positive and area not negative")
    names = [rule_name(question, index) for index, question in enumerate(spec.questions)]
    rules: list[Rule] = [
        RULES[question.kind][name] for question, name in zip(spec.questions, names, strict=True)
    ]
    weighted = frozenset(
        question.id
        for question, name in zip(spec.questions, names, strict=True)
        if spec.weighting == "area" or name in ALWAYS_WEIGHTED
    )
    unit_questions = frozenset(
        question.id
        for question, name in zip(spec.questions, names, strict=True)
        if name in UNIT_RULES
    )
    profiles, ballots, total_weight = build_profiles(
        spec, records, weighted=weighted, unit_questions=unit_questions
    )
    results = []
    for index, (question, rule, profile) in enumerate(
        zip(spec.questions, rules, profiles, strict=True)
    ):
        context = Context(
            question=question,
            index=index,
            profile=profile,
            ties=TieBreaker(spec.tie_seed, question.id),
            electorate=electorate,
            weighted=question.id in weighted,
        )
        results.append(rule(context))
    return BallotResult(
        questions=results,
        ballots=ballots,
        weight=total_weight if spec.weighting == "area" else float(ballots),
        tie_seed=spec.tie_seed,
        electorate=electorate,
    )
