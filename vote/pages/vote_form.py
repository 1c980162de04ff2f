"""The voting form as a resident fills it: fields to answers and back, and every mistake in words.

Field names: ``q:<question id>`` holds the chosen option ids (radio buttons, check boxes); a
ranked question has one select per candidate, ``q:<question id>:rank:<option id>`` holding the
place given to it (empty: not ranked), so every candidate stays in view without JavaScript. The
code from the invitation comes as five ``code`` boxes of five digits (or one ``credential``
field). Messages use the question's prompt and option labels, never ids, and amounts in 万元.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from typing import Any

from babel.lists import format_list

from ballots.credentials import GROUP, credential_digits, format_credential
from ballots.errors import N_
from tally import BallotSpec, Question
from tally.spec import AnswerError, answer_errors
from vote.i18n import current_locale, gettext_
from vote.pages.labels import money, option_name

Form = dict[str, list[str]]
SINGLE_KINDS = ("single", "yesno", "rating")
CODE_GROUPS = 5


@dataclass
class Filled:
    """What a posted form says: the answers, the places typed for ranked questions (kept as typed
    to show again) and the mistakes found while reading it (question id -> message)."""

    answers: dict[str, list[str]] = field(default_factory=dict)
    ranks: dict[str, dict[str, str]] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)


def yuan(amount: int) -> str:
    """An amount as :func:`money` writes it, kept on one line (``130\u00a0万元``)."""
    return money(amount).replace(" ", "\u00a0")


def first(form: Form, name: str) -> str:
    """The first value of ``name`` in the form, or ''."""
    values = form.get(name) or [""]
    return values[0]


def rank_field(question: Question, option_id: str) -> str:
    """The name of the select giving ``option_id`` its place in ranked ``question``."""
    return f"q:{question.id}:rank:{option_id}"


def read_form(spec: BallotSpec, form: Form) -> Filled:
    """The answers in a posted form, with any place given twice reported beside its question."""
    filled = Filled()
    for question in spec.questions:
        if question.kind == "ranked":
            _read_ranked(question, form, filled)
        else:
            filled.answers[question.id] = [v for v in form.get(f"q:{question.id}", []) if v]
    return filled


def _read_ranked(question: Question, form: Form, filled: Filled) -> None:
    typed = {
        option.id: first(form, rank_field(question, option.id)).strip()
        for option in question.options
    }
    if not any(rank_field(question, option.id) in form for option in question.options):
        # A form from before the per-candidate selects: ``q:<id>:<n>`` holds the n-th choice.
        ranked: list[str] = []
        for position in range(question.choice_bounds[1]):
            ranked.extend([v for v in form.get(f"q:{question.id}:{position}", []) if v][:1])
        filled.answers[question.id] = ranked
        filled.ranks[question.id] = {o: str(ranked.index(o) + 1) for o in ranked}
        return
    filled.ranks[question.id] = typed
    places: dict[int, list[str]] = {}
    for option in question.options:
        text = typed[option.id]
        if not text:
            continue
        place = int(text) if text.isascii() and text.isdigit() else 0
        if not 1 <= place <= len(question.options):
            filled.errors[question.id] = gettext_(
                "Please choose a place for each candidate from the list, or leave it unranked."
            )
            continue
        places.setdefault(place, []).append(option.id)
    filled.answers[question.id] = [o for place in sorted(places) for o in places[place]]
    for place in sorted(places):
        if len(places[place]) > 1 and question.id not in filled.errors:
            names = format_list(
                [f"“{option_name(o, question)}”" for o in places[place]],
                locale=current_locale.get(),
            )
            filled.errors[question.id] = gettext_(
                "%(options)s are all in place %(place)s. Give each place to one candidate only."
            ) % {"options": names, "place": place}


def question_errors(spec: BallotSpec, filled: Filled) -> dict[str, str]:
    """Every question's mistake in plain words (question id -> message), all at once."""
    errors = dict(filled.errors)
    by_id = {question.id: question for question in spec.questions}
    for error in answer_errors(spec, filled.answers):
        question = by_id.get(error.question)
        if question is not None and question.id not in errors:
            errors[question.id] = answer_message(question, error)
    return errors


def answer_message(question: Question, error: AnswerError) -> str:
    """What is wrong with an answer to ``question``, in the reader's language."""
    params: dict[str, Any] = dict(error.params)
    code = error.code
    low, high = question.choice_bounds
    given = int(params.get("given", 0))
    if code == "missing-answer" or (code == "too-few-choices" and given == 0):
        if question.kind in SINGLE_KINDS:
            return gettext_("Please choose one.")
        if question.kind == "ranked":
            return gettext_("Please put candidates in order: at least %(n)s.") % {"n": low}
        return gettext_("Please choose at least %(n)s.") % {"n": low}
    if code == "too-few-choices":
        message = (
            N_("Rank at least %(minimum)s candidates: you ranked %(given)s.")
            if question.kind == "ranked"
            else N_("Choose at least %(minimum)s: you chose %(given)s.")
        )
        return gettext_(message) % {"minimum": low, "given": given}
    if code == "too-many-choices":
        if question.kind in SINGLE_KINDS:
            return gettext_("Please choose only one.")
        message = (
            N_("Rank at most %(maximum)s candidates: you ranked %(given)s.")
            if question.kind == "ranked"
            else N_("Choose at most %(maximum)s: you chose %(given)s.")
        )
        return gettext_(message) % {"maximum": high, "given": given}
    if code == "over-budget":
        return gettext_(
            "The projects you chose cost %(total)s together, more than the budget of %(limit)s. "
            "Please leave one out."
        ) % {"total": yuan(int(params["total"])), "limit": yuan(int(params["limit"]))}
    if code == "duplicate-choice":
        return gettext_("Each candidate can be chosen only once.")
    return gettext_("One of the choices is not on this question. Please choose again.")


def form_fields(spec: BallotSpec, answers: dict[str, list[str]]) -> list[tuple[str, str]]:
    """``answers`` as the form's fields, for the review page to post back unchanged."""
    fields: list[tuple[str, str]] = []
    for question in spec.questions:
        chosen = answers.get(question.id, [])
        if question.kind == "ranked":
            fields.extend(
                (rank_field(question, option_id), str(place))
                for place, option_id in enumerate(chosen, start=1)
            )
        else:
            fields.extend((f"q:{question.id}", option_id) for option_id in chosen)
    return fields


def credential_of(form: Form) -> str:
    """The code as posted: the ``credential`` field, else the five boxes joined."""
    given = first(form, "credential").strip()
    if given:
        return given[:200]
    return "-".join(box.strip() for box in form.get("code", [])[:CODE_GROUPS])[:200]


def code_groups(credential: str) -> list[str]:
    """The code's digits in the five boxes, as far as they go (a mistyped code stays to fix)."""
    digits = "".join(c for c in unicodedata.normalize("NFKC", credential) if c.isdigit())
    digits = "".join(c for c in digits if c.isascii())
    last = GROUP * (CODE_GROUPS - 1)
    groups = [digits[i : i + GROUP] for i in range(0, last, GROUP)]
    return [*groups, digits[last:]]


def shown_credential(credential: str) -> str:
    """A well-formed code as printed on the invitation (``12345-67890-…``), else ''."""
    digits = credential_digits(credential)
    return format_credential(digits) if digits else ""


@dataclass
class ReviewRow:
    """One question on the review page: its prompt and the choices in words."""

    number: int
    prompt: str
    kind: str
    chosen: list[str]
    total: str = ""
    limit: str = ""


def review_rows(spec: BallotSpec, answers: dict[str, list[str]]) -> list[ReviewRow]:
    """The answers in words, question by question (costs and the total for a budget)."""
    rows = []
    for number, question in enumerate(spec.questions, start=1):
        chosen = answers.get(question.id, [])
        costs = {option.id: option.cost or 0 for option in question.options}
        labels = [option_name(option_id, question) for option_id in chosen]
        row = ReviewRow(number=number, prompt=question.prompt, kind=question.kind, chosen=labels)
        if question.kind == "budget":
            row.chosen = [
                gettext_("%(option)s (%(cost)s)") % {"option": label, "cost": yuan(costs[o])}
                for label, o in zip(labels, chosen, strict=True)
            ]
            row.total = yuan(sum(costs[option_id] for option_id in chosen))
            row.limit = yuan(question.budget_limit or 0)
        rows.append(row)
    return rows


def counter_texts(question: Question) -> dict[str, str]:
    """The texts the page's script shows as the resident chooses, with ``[n]``, ``[total]``,
    ``[option]``, ``[cost]`` and ``[left]`` for it to fill in (no JavaScript: none shown)."""
    if question.kind in SINGLE_KINDS:
        return {}
    low, high = question.choice_bounds
    n = "[n]"
    if question.kind == "ranked":
        count = gettext_("%(n)s ranked, at most %(max)s") % {"n": n, "max": high}
    elif low == high:
        count = gettext_("%(n)s chosen of the %(max)s to choose") % {"n": n, "max": high}
    elif low > 1:
        count = gettext_("%(n)s chosen: at least %(min)s, at most %(max)s") % {
            "n": n,
            "min": low,
            "max": high,
        }
    else:
        count = gettext_("%(n)s chosen, at most %(max)s") % {"n": n, "max": high}
    texts = {
        "count": count,
        "full": gettext_("You have already chosen %(max)s. To choose another, first remove one.")
        % {"max": high},
        "full-note": gettext_("Limit reached"),
    }
    if question.kind == "ranked":
        option, place = "[option]", "[n]"
        texts.update(
            {
                "full": gettext_(
                    "You have already ranked %(max)s. To add another, first remove one."
                )
                % {"max": high},
                "ranked": gettext_("Your order (favourite first)"),
                "others": gettext_("Not ranked"),
                "empty": gettext_("Nothing ranked yet: add candidates below, favourite first."),
                "up": gettext_("Move up"),
                "down": gettext_("Move down"),
                "remove": gettext_("Remove"),
                "add": gettext_("Add to my order"),
                "place": gettext_("Place %(n)s") % {"n": place},
                "moved": gettext_("“%(option)s” is now in place %(n)s.")
                % {"option": option, "n": place},
                "added": gettext_("“%(option)s” added in place %(n)s.")
                % {"option": option, "n": place},
                "removed": gettext_("“%(option)s” is no longer ranked.") % {"option": option},
            }
        )
    if question.kind == "budget":
        texts["total"] = gettext_("%(total)s chosen of %(limit)s") % {
            "total": "[total]",
            "limit": yuan(question.budget_limit or 0),
        }
        texts["over"] = gettext_(
            "“%(option)s” costs %(cost)s, more than the %(left)s left in the budget. To choose "
            "it, first remove another project."
        ) % {"option": "[option]", "cost": "[cost]", "left": "[left]"}
        texts["over-note"] = gettext_("More than the budget left")
    return texts
