"""The ballot spec: questions, options and the answers a voter may give.

This module is the shared contract between the server (``ballots/``), the bulletin board and
outside auditors. A :class:`BallotSpec` is plain JSON (encoded with msgspec); an answer to one
question is always a list of option ids (ordered for ranked questions), so every question kind
shares one record shape. :func:`check_answers` says exactly which rule an answer breaks;
:func:`answer_errors` lists every one at once (a form shows each beside its question).
"""

from __future__ import annotations

from typing import Literal

import msgspec

QuestionKind = Literal["single", "multiple", "yesno", "rating", "ranked", "budget"]
QUESTION_KINDS: tuple[QuestionKind, ...] = (
    "single",
    "multiple",
    "yesno",
    "rating",
    "ranked",
    "budget",
)
YESNO_OPTION_IDS = ("yes", "no", "abstain")
QUORUM_NAMES = ("simple", "two_thirds", "three_quarters")
"""Named quorums: more than 1/2, at least 2/3, at least 3/4 (a number means "at least")."""

Answers = dict[str, list[str]]
"""A voter's answers: question id -> chosen option ids (in preference order for ranked)."""


class Option(msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True):
    """One choice of a question.

    ``cost`` is used by budget questions (whole yuan); ``score`` by rating questions
    (for example 满意 = 3, 基本满意 = 2, 不满意 = 1).
    """

    id: str
    label: str
    description: str = ""
    cost: int | None = None
    score: float | None = None


class Validity(msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True):
    """When a question's result stands: a participation quorum and an absolute majority.

    ``quorum`` is the share of the electorate that must take part (blank ballots take part):
    a number means at least that fraction, or one of ``"simple"`` (more than 1/2),
    ``"two_thirds"`` (at least 2/3), ``"three_quarters"`` (at least 3/4); ``quorum_by`` says
    whether it is measured in ``heads`` (ballots), ``area`` (their floor area; the spec must
    weigh by area) or ``both``. ``majority`` (single-choice questions with one winner) makes
    the leader need more than half of the ``valid`` votes, of the ``participants`` (blank
    ballots included) or of the ``electorate``; without it the outcome is a runoff.
    The defaults (no quorum, no majority) change nothing. See ``docs/counting.md``.
    """

    quorum: float | str | None = None
    quorum_by: Literal["heads", "area", "both"] = "heads"
    majority: Literal["none", "valid", "participants", "electorate"] = "none"


class Question(msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True):
    """One question of a ballot.

    ``min_choices``/``max_choices`` bound how many options a voter picks (ranked: how many
    they rank). ``budget_limit`` is the total cost a budget answer may not exceed.
    ``rule`` holds counting-rule parameters for ``tally``; an empty dict means the kind's
    default rule. ``validity``, when set, replaces the ballot's :class:`Validity` for this
    question.
    """

    id: str
    kind: QuestionKind
    prompt: str
    options: list[Option]
    min_choices: int = 1
    max_choices: int | None = None
    budget_limit: int | None = None
    rule: dict[str, object] = msgspec.field(default_factory=dict)
    validity: Validity | None = None

    @property
    def choice_bounds(self) -> tuple[int, int]:
        """The (min, max) number of options an answer may contain."""
        if self.kind in ("single", "yesno", "rating"):
            return (1, 1)
        upper = len(self.options) if self.max_choices is None else self.max_choices
        return (self.min_choices, upper)


class BallotSpec(msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True):
    """Everything needed to validate and count a ballot's records.

    ``validity`` is the default every question inherits unless it sets its own (its
    ``majority`` applies to the single-choice questions with one winner; its quorum to every
    question except ``dual_threshold`` ones, which have art. 278's own).
    """

    questions: list[Question]
    title: str = ""
    voting_unit: Literal["person", "household"] = "person"
    weighting: Literal["none", "area"] = "none"
    tie_seed: str = ""
    validity: Validity | None = None


class SpecError(ValueError):
    """A ballot spec that cannot be used; ``field`` names where the problem is."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class AnswerError(ValueError):
    """An answer that breaks a rule of its question.

    ``code`` is stable and machine-readable (``unknown-option``, ``too-few-choices``,
    ``too-many-choices``, ``duplicate-choice``, ``over-budget``, ``missing-answer``,
    ``unknown-question``); ``question`` is the question id.
    """

    def __init__(self, code: str, question: str, message: str, **params: object) -> None:
        super().__init__(f"{question}: {message}")
        self.code = code
        self.question = question
        self.message = message
        self.params = params


def check_spec(spec: BallotSpec) -> None:
    """Raise :class:`SpecError` when the spec is inconsistent (ids, bounds, costs, levels)."""
    if not spec.questions:
        raise SpecError("questions", "a ballot needs at least one question")
    if spec.validity is not None:
        _check_validity(spec, spec.validity, "validity")
    seen_questions: set[str] = set()
    for index, question in enumerate(spec.questions):
        where = f"questions[{index}]"
        if not question.id:
            raise SpecError(f"{where}.id", "is empty")
        if question.id in seen_questions:
            raise SpecError(f"{where}.id", f"duplicate question id {question.id!r}")
        seen_questions.add(question.id)
        if not question.prompt.strip():
            raise SpecError(f"{where}.prompt", "is empty")
        _check_options(question, where)
        if question.validity is not None:
            _check_validity(spec, question.validity, f"{where}.validity")


def _check_validity(spec: BallotSpec, validity: Validity, where: str) -> None:
    quorum = validity.quorum
    if isinstance(quorum, str):
        if quorum not in QUORUM_NAMES:
            names = ", ".join(QUORUM_NAMES)
            raise SpecError(f"{where}.quorum", f"must be a number or one of {names}")
    elif quorum is not None and (isinstance(quorum, bool) or not 0 < quorum <= 1):
        raise SpecError(f"{where}.quorum", "must be a fraction above 0 and at most 1")
    if quorum is not None and validity.quorum_by != "heads" and spec.weighting != "area":
        raise SpecError(
            f"{where}.quorum_by",
            "a quorum by area needs the ballot weighed by area (weighting: area)",
        )


def _check_options(question: Question, where: str) -> None:
    option_ids = [option.id for option in question.options]
    if question.kind == "yesno":
        if sorted(option_ids) != sorted(YESNO_OPTION_IDS):
            raise SpecError(
                f"{where}.options", "a yes/no question has the options yes, no, abstain"
            )
        return
    if len(question.options) < 2:
        raise SpecError(f"{where}.options", "a question needs at least two options")
    if len(set(option_ids)) != len(option_ids):
        raise SpecError(f"{where}.options", "option ids must be unique")
    for option_index, option in enumerate(question.options):
        if not option.id or not option.label.strip():
            raise SpecError(f"{where}.options[{option_index}]", "id and label must not be empty")
    low, high = question.choice_bounds
    if low < 0 or high < max(low, 1) or high > len(question.options):
        raise SpecError(
            f"{where}.max_choices",
            f"choice bounds {low}..{high} do not fit {len(question.options)} options",
        )
    if question.kind == "budget":
        if question.budget_limit is None or question.budget_limit <= 0:
            raise SpecError(f"{where}.budget_limit", "a budget question needs a positive limit")
        for option_index, option in enumerate(question.options):
            if option.cost is None or option.cost <= 0:
                raise SpecError(
                    f"{where}.options[{option_index}].cost", "every budget option needs a cost"
                )
    if question.kind == "rating":
        for option_index, option in enumerate(question.options):
            if option.score is None:
                raise SpecError(
                    f"{where}.options[{option_index}].score", "every rating level needs a score"
                )


def yesno_options(yes: str = "Yes", no: str = "No", abstain: str = "Abstain") -> list[Option]:
    """The three fixed options of a yes/no/abstain question."""
    return [
        Option(id="yes", label=yes),
        Option(id="no", label=no),
        Option(id="abstain", label=abstain),
    ]


def check_answers(spec: BallotSpec, answers: Answers) -> None:
    """Raise :class:`AnswerError` for the first answer that breaks its question's rules."""
    questions = {question.id: question for question in spec.questions}
    for question_id in answers:
        if question_id not in questions:
            raise AnswerError("unknown-question", question_id, "no such question")
    for question in spec.questions:
        chosen = answers.get(question.id)
        if chosen is None:
            raise AnswerError("missing-answer", question.id, "this question is not answered")
        check_answer(question, chosen)


def answer_errors(spec: BallotSpec, answers: Answers) -> list[AnswerError]:
    """Every rule the answers break, at most one per question, in :func:`check_answers`' order.

    :func:`check_answers` raises the first of these; a form shows them all at once, each beside
    its question.
    """
    questions = {question.id for question in spec.questions}
    found = [
        AnswerError("unknown-question", question_id, "no such question")
        for question_id in answers
        if question_id not in questions
    ]
    for question in spec.questions:
        chosen = answers.get(question.id)
        if chosen is None:
            found.append(
                AnswerError("missing-answer", question.id, "this question is not answered")
            )
            continue
        try:
            check_answer(question, chosen)
        except AnswerError as error:
            found.append(error)
    return found


def check_answer(question: Question, chosen: list[str]) -> None:
    """Raise :class:`AnswerError` if ``chosen`` breaks a rule of ``question``."""
    options = {option.id: option for option in question.options}
    for option_id in chosen:
        if option_id not in options:
            raise AnswerError(
                "unknown-option", question.id, f"no such option {option_id!r}", option=option_id
            )
    if len(set(chosen)) != len(chosen):
        raise AnswerError("duplicate-choice", question.id, "an option is chosen more than once")
    low, high = question.choice_bounds
    if len(chosen) < low:
        raise AnswerError(
            "too-few-choices", question.id, f"choose at least {low}", minimum=low, given=len(chosen)
        )
    if len(chosen) > high:
        raise AnswerError(
            "too-many-choices",
            question.id,
            f"choose at most {high}",
            maximum=high,
            given=len(chosen),
        )
    if question.kind == "budget" and question.budget_limit is not None:
        total = sum(options[option_id].cost or 0 for option_id in chosen)
        if total > question.budget_limit:
            raise AnswerError(
                "over-budget",
                question.id,
                f"total cost {total} exceeds the limit {question.budget_limit}",
                total=total,
                limit=question.budget_limit,
            )


def decode_spec(data: bytes | str) -> BallotSpec:
    """Decode and check a spec from JSON; raise :class:`SpecError` naming the bad field."""
    try:
        spec = msgspec.json.decode(data, type=BallotSpec)
    except msgspec.ValidationError as error:
        raise SpecError("spec", str(error)) from error
    except msgspec.DecodeError as error:
        raise SpecError("spec", f"not valid JSON: {error}") from error
    check_spec(spec)
    return spec
