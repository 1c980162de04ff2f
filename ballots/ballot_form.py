"""The full ballot editor's form: every question kind, counting method, validity rule and
eligibility rule as typed text fields, turned into a :class:`BallotDraft` and back.

The console renders these fields and posts them back as typed; :func:`draft_from_form` says,
field by field, what cannot be used (message ids with their parameters, translated by the web
layer), and :func:`form_from_draft` fills the form from a stored draft for editing. Field names:

- ballot: ``title``, ``voting_unit``, ``weighting``, ``revoting``, ``publish_participation``;
- validity: ``quorum`` (a named share, ``percent`` with ``quorum_percent``, or empty),
  ``quorum_by``, ``majority``;
- eligibility: ``role_owner``/``role_tenant``/``role_migrant``, ``unit_<id>``, ``buildings``,
  ``tags_any``, ``tags_all`` (comma separated), ``min_age``;
- questions ``q1_…`` to ``q<questions>_…``: ``kind``, ``prompt``, ``options`` (one per line:
  ``label``, ``label | description``; budget ``name, cost``; rating ``label, score``),
  ``min``, ``max``, ``winners``, ``budget``, ``method_<kind>``, ``major``, ``pass_rate`` and
  ``extra`` (settings made through the API that the editor does not show, kept as JSON).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any, Literal, cast

import msgspec

import tally
from ballots.eligibility import Eligibility
from ballots.errors import N_
from ballots.lifecycle import BallotDraft
from ballots.models.roll import RESIDENT_ROLES
from tally.spec import QUESTION_KINDS, YESNO_OPTION_IDS, QuestionKind

Form = dict[str, str]
Message = tuple[str, dict[str, object]]
"""A message id and the parameters to fill into its translation."""

MAX_QUESTIONS = 20
MAX_OPTIONS = 50
KIND_LABELS: dict[str, str] = {
    "single": N_("Choose one"),
    "multiple": N_("Choose several"),
    "yesno": N_("Agree / disagree / abstain"),
    "rating": N_("Rate (e.g. satisfied / basically satisfied / dissatisfied)"),
    "ranked": N_("Put in order of preference"),
    "budget": N_("Choose projects within a budget"),
}
METHOD_LABELS: dict[str, dict[str, str]] = {
    "ranked": {
        "irv": N_("Instant runoff: the last is dropped until one has more than half"),
        "schulze": N_("Schulze: the option preferred to every other in pairs"),
        "borda": N_("Borda: points by place"),
    },
    "budget": {
        "greedy": N_("Most votes first, while the budget lasts"),
        "mes": N_("Equal shares: every voter's share of the budget counts"),
    },
    "yesno": {
        "majority": N_("More agree than disagree"),
        "dual_threshold": N_("Owners' decision (Civil Code art. 278): heads and floor area"),
    },
}
QUORUM_CHOICES: dict[str, str] = {
    "": N_("No participation rule"),
    "simple": N_("More than half take part"),
    "two_thirds": N_("At least two thirds take part"),
    "three_quarters": N_("At least three quarters take part"),
    "percent": N_("At least this percentage takes part"),
}
QUORUM_BY_LABELS: dict[str, str] = {
    "heads": N_("Counted in votes (heads)"),
    "area": N_("Counted in floor area"),
    "both": N_("Both votes and floor area"),
}
MAJORITY_LABELS: dict[str, str] = {
    "none": N_("The most votes wins"),
    "valid": N_("More than half of the valid votes, else a second round"),
    "participants": N_("More than half of those who took part, else a second round"),
    "electorate": N_("More than half of everyone eligible, else a second round"),
}
DEFAULT_LEVELS = (("满意", 3.0), ("基本满意", 2.0), ("不满意", 1.0))
YESNO_LABELS = ("同意", "不同意", "弃权")
BALLOT_FIELDS = (
    "title",
    "voting_unit",
    "weighting",
    "revoting",
    "publish_participation",
    "quorum",
    "quorum_percent",
    "quorum_by",
    "majority",
    "buildings",
    "tags_any",
    "tags_all",
    "min_age",
    *(f"role_{role}" for role in RESIDENT_ROLES),
    "questions",
)
QUESTION_FIELDS = (
    "kind",
    "prompt",
    "options",
    "min",
    "max",
    "winners",
    "budget",
    "method_ranked",
    "method_budget",
    "method_yesno",
    "major",
    "pass_rate",
    "extra",
)
MANAGED_RULE_KEYS = frozenset({"name", "winners", "major", "pass_rate"})


class _Extra(msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True):
    rule: dict[str, int | float | str | bool] = msgspec.field(default_factory=dict)
    validity: tally.Validity | None = None


def field_names(form: Mapping[str, str], unit_ids: Iterable[int]) -> list[str]:
    """Every field the editor reads, for a form with ``form['questions']`` questions."""
    names = [*BALLOT_FIELDS, *(f"unit_{unit_id}" for unit_id in unit_ids)]
    for index in range(1, question_count(form) + 1):
        names.extend(f"q{index}_{name}" for name in QUESTION_FIELDS)
    return names


def question_count(form: Mapping[str, str]) -> int:
    """How many question blocks the form has (1 to :data:`MAX_QUESTIONS`)."""
    text = form.get("questions", "").strip()
    return min(max(int(text), 1), MAX_QUESTIONS) if text.isdigit() else 1


def blank_form(kind: str = "single") -> Form:
    """A new ballot's form: one question of ``kind``, everyone in the unit, no rules."""
    return {
        "questions": "1",
        "voting_unit": "person",
        "weighting": "none",
        "quorum_by": "heads",
        "majority": "none",
        "q1_kind": kind,
    }


def _split(text: str) -> list[str]:
    return [part for part in re.split(r"[,，、;；\s]+", text.strip()) if part]


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def yuan(text: str) -> int | None:
    """An amount in yuan as typed (``250000``, ``25万``, ``25 万元``, ``1,200,000``), or None."""
    cleaned = text.replace(",", "").replace("，", "").replace("元", "").strip()
    factor = 1
    if cleaned.endswith("万"):
        factor, cleaned = 10_000, cleaned[:-1].strip()
    try:
        amount = float(cleaned)
    except ValueError:
        return None
    if amount != amount:  # NaN
        return None
    value = round(amount * factor)
    return value if 0 < value <= 10**12 else None


def _whole(text: str, low: int, high: int) -> int | None:
    text = text.strip()
    if not text.isdigit() or len(text) > 6:
        return None
    value = int(text)
    return value if low <= value <= high else None


def _shown_number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


class _Reader:
    """Collects the errors of one form while its fields are read."""

    def __init__(self, form: Mapping[str, str]) -> None:
        self.form = form
        self.errors: dict[str, Message] = {}

    def text(self, name: str) -> str:
        return self.form.get(name, "").strip()

    def fail(self, name: str, message: str, **params: object) -> None:
        self.errors.setdefault(name, (message, params))

    def checked(self, name: str) -> bool:
        return self.form.get(name, "") not in ("", "0", "off")

    def choice(self, name: str, allowed: Iterable[str], default: str) -> str:
        value = self.text(name) or default
        if value not in allowed:
            self.fail(name, N_("Choose one of the listed answers."))
            return default
        return value

    def bounded(self, name: str, maximum: int, *, required: bool = False) -> str:
        value = self.text(name)
        if required and not value:
            self.fail(name, N_("Please fill this in."))
        elif len(value) > maximum:
            self.fail(name, N_("At most %(n)s characters, please."), n=maximum)
        elif "\x00" in value or any("\ud800" <= ch <= "\udfff" for ch in value):
            self.fail(name, N_("This contains characters that cannot be stored."))
        return value


def _options(reader: _Reader, prefix: str, kind: str) -> list[tally.Option]:
    field = f"{prefix}options"
    if kind == "yesno":
        return [
            tally.Option(id=option_id, label=label)
            for option_id, label in zip(YESNO_OPTION_IDS, YESNO_LABELS, strict=True)
        ]
    lines = _lines(reader.form.get(field, ""))
    if kind == "rating" and not lines:
        return [
            tally.Option(id=f"l{index + 1}", label=label, score=score)
            for index, (label, score) in enumerate(DEFAULT_LEVELS)
        ]
    if not 2 <= len(lines) <= MAX_OPTIONS:
        reader.fail(field, N_("Give between 2 and 50 choices, one per line."))
        return []
    options: list[tally.Option] = []
    for number, line in enumerate(lines, start=1):
        label, cost, score = line, None, None
        if kind in ("budget", "rating"):
            head, _, tail = line.replace("，", ",").rpartition(",")
            if kind == "budget":
                cost = yuan(tail)
                if not head.strip() or cost is None:
                    reader.fail(
                        field,
                        N_("Line %(n)s: a project, a comma, its cost (e.g. 加装消防设备, 25万)."),
                        n=number,
                    )
                    return []
            else:
                try:
                    score = float(tail)
                except ValueError:
                    score = None
                if not head.strip() or score is None or not -1000 <= score <= 1000:
                    reader.fail(
                        field,
                        N_("Line %(n)s: a level, a comma, its score (e.g. 满意, 3)."),
                        n=number,
                    )
                    return []
            label = head.strip()
        label, _, description = label.partition("|")
        label, description = label.strip(), description.strip()
        if not label:
            reader.fail(field, N_("Line %(n)s has no name before the “|”."), n=number)
            return []
        if len(label) > 200 or len(description) > 500:
            reader.fail(
                field,
                N_("Line %(n)s is too long: a name has at most 200 characters."),
                n=number,
            )
            return []
        options.append(
            tally.Option(
                id=f"o{number}", label=label, description=description, cost=cost, score=score
            )
        )
    labels = [option.label for option in options]
    if len(set(labels)) != len(labels):
        reader.fail(field, N_("Two choices have the same name."))
    return options


def _question(reader: _Reader, index: int) -> tally.Question | None:
    prefix = f"q{index}_"
    kind = reader.choice(f"{prefix}kind", QUESTION_KINDS, "single")
    prompt = reader.bounded(f"{prefix}prompt", 500, required=True)
    options = _options(reader, prefix, kind)
    rule: dict[str, object] = {}
    extra = _extra(reader, f"{prefix}extra")
    rule.update(extra.rule)
    methods = METHOD_LABELS.get(kind)
    if methods:
        method = reader.choice(f"{prefix}method_{kind}", methods, next(iter(methods)))
        if method != next(iter(methods)):
            rule["name"] = method
        if method == "dual_threshold":
            rule["major"] = reader.checked(f"{prefix}major")
    lowest, highest = 1, None
    if kind in ("multiple", "ranked", "budget"):
        count = max(len(options), 1)
        low_text, high_text = reader.text(f"{prefix}min"), reader.text(f"{prefix}max")
        if low_text:
            low = _whole(low_text, 0, count)
            if low is None:
                reader.fail(f"{prefix}min", N_("A whole number from 0 to %(n)s, please."), n=count)
            else:
                lowest = low
        if high_text:
            high = _whole(high_text, 1, count)
            if high is None:
                reader.fail(f"{prefix}max", N_("A whole number from 1 to %(n)s, please."), n=count)
            elif high < lowest:
                reader.fail(f"{prefix}max", N_("At most cannot be below at least."))
            else:
                highest = high
    winners_text = reader.text(f"{prefix}winners")
    if winners_text and (
        kind in ("single", "multiple") or rule.get("name") in ("schulze", "borda")
    ):
        winners = _whole(winners_text, 1, max(len(options), 1))
        if winners is None:
            reader.fail(
                f"{prefix}winners",
                N_("A whole number from 1 to %(n)s, please."),
                n=max(len(options), 1),
            )
        elif winners != 1:
            rule["winners"] = winners
    budget = None
    if kind == "budget":
        budget = yuan(reader.text(f"{prefix}budget"))
        if budget is None:
            reader.fail(f"{prefix}budget", N_("The budget in yuan, e.g. 1200000 or 120万."))
    if kind == "rating" and reader.text(f"{prefix}pass_rate"):
        rate = _whole(reader.text(f"{prefix}pass_rate"), 1, 100)
        if rate is None:
            reader.fail(f"{prefix}pass_rate", N_("A whole number from 1 to 100, please."))
        else:
            rule["pass_rate"] = rate / 100
    if not options or reader.errors.keys() & {f"{prefix}{name}" for name in QUESTION_FIELDS}:
        return None
    return tally.Question(
        id=f"q{index}",
        kind=cast(QuestionKind, kind),
        prompt=prompt,
        options=options,
        min_choices=lowest,
        max_choices=highest,
        budget_limit=budget,
        rule=rule,
        validity=extra.validity,
    )


def _extra(reader: _Reader, name: str) -> _Extra:
    text = reader.text(name)
    if not text:
        return _Extra()
    try:
        extra = msgspec.json.decode(text, type=_Extra)
    except msgspec.DecodeError:
        reader.fail(name, N_("These kept settings cannot be read; reload the editor."))
        return _Extra()
    extra.rule = {key: value for key, value in extra.rule.items() if key not in MANAGED_RULE_KEYS}
    return extra


def _validity(reader: _Reader) -> tally.Validity | None:
    quorum_name = reader.choice("quorum", QUORUM_CHOICES, "")
    quorum: float | str | None = quorum_name or None
    if quorum_name == "percent":
        percent = _whole(reader.text("quorum_percent"), 1, 100)
        if percent is None:
            reader.fail("quorum_percent", N_("A whole number from 1 to 100, please."))
            quorum = None
        else:
            quorum = percent / 100
    quorum_by = reader.choice("quorum_by", QUORUM_BY_LABELS, "heads")
    majority = reader.choice("majority", MAJORITY_LABELS, "none")
    if quorum_by != "heads" and reader.text("weighting") != "area":
        reader.fail(
            "quorum_by",
            N_("Floor area can only be counted when the ballot is weighed by floor area."),
        )
    if quorum is None and majority == "none":
        return None
    validity = tally.Validity(quorum=quorum)
    if quorum_by != "heads":  # only what differs from the default is stored
        validity.quorum_by = cast(Literal["heads", "area", "both"], quorum_by)
    if majority != "none":
        validity.majority = cast(Literal["none", "valid", "participants", "electorate"], majority)
    return validity


def _eligibility(reader: _Reader, unit_ids: Iterable[int]) -> Eligibility:
    buildings = _split(reader.text("buildings"))
    tags_any, tags_all = _split(reader.text("tags_any")), _split(reader.text("tags_all"))
    for name, values in (("buildings", buildings), ("tags_any", tags_any), ("tags_all", tags_all)):
        if any(len(value) > 64 for value in values):
            reader.fail(name, N_("Each name is at most 64 characters."))
        if len(values) > 200:
            reader.fail(name, N_("At most %(n)s names, please."), n=200)
    min_age = None
    if reader.text("min_age"):
        min_age = _whole(reader.text("min_age"), 0, 150)
        if min_age is None:
            reader.fail("min_age", N_("A whole number of years from 0 to 150, please."))
    return Eligibility(
        units=[unit_id for unit_id in unit_ids if reader.checked(f"unit_{unit_id}")],
        buildings=buildings,
        roles=[role for role in RESIDENT_ROLES if reader.checked(f"role_{role}")],
        min_age=min_age,
        tags_any=tags_any,
        tags_all=tags_all,
    )


def eligibility_from_form(
    form: Mapping[str, str], unit_ids: Iterable[int]
) -> tuple[Eligibility, str, str, dict[str, Message]]:
    """Only the eligibility part (for counting who is eligible while the chair types): the
    rules, the voting unit, the weighting and the errors."""
    reader = _Reader(form)
    rules = _eligibility(reader, unit_ids)
    voting_unit = reader.choice("voting_unit", ("person", "household"), "person")
    weighting = reader.choice("weighting", ("none", "area"), "none")
    return rules, voting_unit, weighting, reader.errors


def draft_from_form(
    form: Mapping[str, str], unit_ids: Iterable[int]
) -> tuple[BallotDraft | None, dict[str, Message]]:
    """The draft the form describes, or None and every error by field name.

    ``unit_ids`` are the units under the matter's unit a chair may restrict the vote to.
    The schedule is not read here: the web layer parses times in the unit's zone.
    """
    reader = _Reader(form)
    title = reader.bounded("title", 300, required=True)
    voting_unit = reader.choice("voting_unit", ("person", "household"), "person")
    weighting = reader.choice("weighting", ("none", "area"), "none")
    validity = _validity(reader)
    eligibility = _eligibility(reader, unit_ids)
    questions = [_question(reader, index) for index in range(1, question_count(form) + 1)]
    if reader.errors:
        return None, reader.errors
    draft = BallotDraft(
        title=title,
        questions=[question for question in questions if question is not None],
        revoting=reader.checked("revoting"),
        voting_unit=cast(Literal["person", "household"], voting_unit),
        weighting=cast(Literal["none", "area"], weighting),
        eligibility=eligibility,
        publish_participation=reader.checked("publish_participation"),
        validity=validity,
    )
    try:
        tally.check_spec(
            tally.BallotSpec(
                questions=draft.questions,
                title=title,
                voting_unit=draft.voting_unit,
                weighting=draft.weighting,
                validity=validity,
            )
        )
    except tally.SpecError as problem:
        field = _spec_field(problem.field)
        reader.fail(
            field, N_("This does not fit the question: %(problem)s."), problem=problem.message
        )
        return None, reader.errors
    return draft, {}


def _spec_field(path: str) -> str:
    """The form field for a spec path such as ``questions[1].max_choices``."""
    found = re.match(r"questions\[(\d+)\]\.(\w+)", path)
    if not found:
        return "quorum" if path.startswith("validity") else "title"
    field = {"max_choices": "max", "budget_limit": "budget", "prompt": "prompt"}.get(
        found.group(2), "options"
    )
    return f"q{int(found.group(1)) + 1}_{field}"


def form_from_draft(draft: BallotDraft, unit_ids: Iterable[int]) -> Form:
    """The form fields that show ``draft`` in the editor."""
    rules = draft.eligibility
    form: Form = {
        "title": draft.title,
        "voting_unit": draft.voting_unit,
        "weighting": draft.weighting,
        "revoting": "on" if draft.revoting else "",
        "publish_participation": "on" if draft.publish_participation else "",
        "buildings": "，".join(rules.buildings),
        "tags_any": "，".join(rules.tags_any),
        "tags_all": "，".join(rules.tags_all),
        "min_age": "" if rules.min_age is None else str(rules.min_age),
        "questions": str(len(draft.questions)),
        "quorum_by": "heads",
        "majority": "none",
    }
    for role in rules.roles:
        form[f"role_{role}"] = "on"
    for unit_id in unit_ids:
        if unit_id in rules.units:
            form[f"unit_{unit_id}"] = "on"
    if draft.validity is not None:
        quorum = draft.validity.quorum
        if isinstance(quorum, str):
            form["quorum"] = quorum
        elif quorum is not None:
            form["quorum"], form["quorum_percent"] = "percent", _shown_number(quorum * 100)
        form["quorum_by"], form["majority"] = draft.validity.quorum_by, draft.validity.majority
    for index, question in enumerate(draft.questions, start=1):
        form.update({f"q{index}_{name}": value for name, value in _question_form(question).items()})
    return form


def _question_form(question: tally.Question) -> Form:
    rule = dict(question.rule)
    form: Form = {"kind": question.kind, "prompt": question.prompt}
    lines = []
    for option in question.options:
        line = option.label + (f" | {option.description}" if option.description else "")
        if question.kind == "budget" and option.cost is not None:
            line += f", {option.cost}"
        if question.kind == "rating" and option.score is not None:
            line += f", {_shown_number(option.score)}"
        lines.append(line)
    form["options"] = "" if question.kind == "yesno" else "\n".join(lines)
    if question.kind in ("multiple", "ranked", "budget"):
        form["min"] = str(question.min_choices)
        form["max"] = "" if question.max_choices is None else str(question.max_choices)
    if question.budget_limit is not None:
        form["budget"] = str(question.budget_limit)
    if "name" in rule:
        form[f"method_{question.kind}"] = str(rule["name"])
    if rule.get("major"):
        form["major"] = "on"
    if "winners" in rule:
        form["winners"] = str(rule["winners"])
    if "pass_rate" in rule and isinstance(rule["pass_rate"], int | float):
        form["pass_rate"] = _shown_number(float(rule["pass_rate"]) * 100)
    kept = {
        key: value
        for key, value in rule.items()
        if key not in MANAGED_RULE_KEYS and isinstance(value, int | float | str | bool)
    }
    if kept or question.validity is not None:
        form["extra"] = msgspec.json.encode(_Extra(rule=kept, validity=question.validity)).decode()
    return form


def draft_of(spec: tally.BallotSpec, ballot: Any) -> BallotDraft:
    """A stored ballot (its spec and row) as the draft the editor starts from."""
    return BallotDraft(
        title=ballot.title,
        questions=spec.questions,
        revoting=ballot.revoting,
        voting_unit=spec.voting_unit,
        weighting=spec.weighting,
        eligibility=msgspec.convert(ballot.eligibility or {}, type=Eligibility),
        publish_participation=ballot.publish_participation,
        validity=spec.validity,
    )
