"""A counted result in words a resident reads: one sentence per question saying what was
decided and whether it counts, every percentage named by its base ("of the valid votes", "of
all eligible households"), the threshold checks with a tick or a cross and a word, the warnings
(low turnout, a draw, a close result) and the rows of the figures table.

Pure: it reads a ``tally`` spec and result and the request's language, never the database.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import msgspec
from markupsafe import Markup

import tally
from ballots.errors import N_
from ballots.lifecycle import ballot_spec
from ballots.models import Ballot
from tally.ties import METHOD
from vote.i18n import current_locale, gettext_
from vote.pages.charts import Bar, bar_chart
from vote.pages.labels import money, number, option_label, outcome_label

Who = Literal["household", "person", "owner"]
Base = Literal["valid", "participants", "electorate", "taking-part-area", "all-area", "continuing"]
Tone = Literal["ok", "warn", "bad", "info"]

CHECKMARK, CROSS = "✔", "✘"


# --- Small words ------------------------------------------------------------------------------

COUNT_OF = {
    "household": (N_("%(n)s household"), N_("%(n)s households")),
    "person": (N_("%(n)s person"), N_("%(n)s people")),
    "owner": (N_("%(n)s owner"), N_("%(n)s owners")),
}
TAKING_PART = {
    "household": N_("Households taking part"),
    "person": N_("People taking part"),
    "owner": N_("Owners taking part"),
}
SHARE_OF: dict[tuple[Base, Who | None], str] = {
    ("valid", None): N_("%(pct)s of the valid votes"),
    ("participants", "household"): N_("%(pct)s of the households that took part"),
    ("participants", "person"): N_("%(pct)s of the people who took part"),
    ("participants", "owner"): N_("%(pct)s of the owners who took part"),
    ("electorate", "household"): N_("%(pct)s of all eligible households"),
    ("electorate", "person"): N_("%(pct)s of all eligible people"),
    ("electorate", "owner"): N_("%(pct)s of all owners"),
    ("taking-part-area", None): N_("%(pct)s of the floor area taking part"),
    ("all-area", None): N_("%(pct)s of all the floor area"),
    ("continuing", None): N_("%(pct)s of the votes still in the count"),
}
"""A percentage and what it is a share of, in one phrase: "占有效票 90.9%"."""
BASE_NAME: dict[tuple[Base, Who | None], str] = {
    ("valid", None): N_("of the valid votes"),
    ("participants", "household"): N_("of the households that took part"),
    ("participants", "person"): N_("of the people who took part"),
    ("participants", "owner"): N_("of the owners who took part"),
    ("electorate", "household"): N_("of all eligible households"),
    ("electorate", "person"): N_("of all eligible people"),
    ("electorate", "owner"): N_("of all owners"),
    ("taking-part-area", None): N_("of the floor area taking part"),
    ("all-area", None): N_("of all the floor area"),
    ("continuing", None): N_("of the votes still in the count"),
}
"""The base alone, for a table's column and the notes: "占有效票"."""
NEEDS: dict[tuple[str, float], tuple[str, str]] = {
    (">", 1 / 2): (N_("more than half"), N_("not more than half")),
    (">=", 1 / 2): (N_("at least half"), N_("less than half")),
    (">=", 2 / 3): (N_("at least two thirds"), N_("less than two thirds")),
    (">=", 3 / 4): (N_("at least three quarters"), N_("less than three quarters")),
}
"""A requirement as (met, missed): "超过半数" / "未超过半数"."""
NEEDS_FIGURE = {
    ">": (N_("more than %(value)s"), N_("not more than %(value)s")),
    ">=": (N_("at least %(value)s"), N_("less than %(value)s")),
}
CHECK_LABELS = {
    "turnout": N_("Turnout"),
    "area": N_("Floor area taking part"),
    "owners": N_("Owners taking part"),
    "absolute-majority": N_("The leading option"),
    "yes": N_("Yes votes"),
    "approval-heads": N_("Owners in favour"),
    "approval-area": N_("Floor area in favour"),
    "satisfaction-rate": N_("Satisfied"),
    "mean-score": N_("Mean score"),
}
CHECK_LINE = N_("%(label)s: %(share)s; %(required)s needed")
MET, NOT_MET = N_("✔ met"), N_("✘ not met")


def percent(ratio: float, *, against: float | None = None) -> str:
    """``ratio`` as a percentage with one decimal (``90.9%``, ``50%``); with ``against``, as
    many more decimals as it takes not to look equal to it when it is not."""
    places = 1
    while True:
        shown = f"{ratio * 100:.{places}f}".rstrip("0").rstrip(".")
        if against is None or ratio == against or places >= 4:
            return f"{shown}%"
        if shown != f"{against * 100:.{places}f}".rstrip("0").rstrip("."):
            return f"{shown}%"
        places += 1


def score(value: float) -> str:
    """A mean score: at most two decimals, no trailing zeros (``2.2``, ``3``)."""
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _fill(message: str, **params: object) -> str:
    return gettext_(message) % params


def count_of(who: Who, value: float) -> str:
    """``24 households`` / ``24 户``."""
    one, many = COUNT_OF[who]
    return _fill(one if value == 1 else many, n=number(value))


def votes_of(value: float, *, weighted: bool) -> str:
    """``10 votes`` / ``10 票``; floor area where votes weigh by area."""
    if weighted:
        return _fill(N_("%(n)s m²"), n=number(value))
    return _fill(N_("%(n)s vote") if value == 1 else N_("%(n)s votes"), n=number(value))


def share_of(
    base: Base, ratio: float, who: Who | None = None, *, against: float | None = None
) -> str:
    """A percentage with its base in words: ``占有效票 90.9%`` / ``90.9% of the valid votes``."""
    key = (base, who if base in ("participants", "electorate") else None)
    return _fill(SHARE_OF[key], pct=percent(ratio, against=against))


def base_name(base: Base, who: Who | None = None) -> str:
    key = (base, who if base in ("participants", "electorate") else None)
    return gettext_(BASE_NAME[key])


def needs(comparison: str, required: float, *, met: bool = True, figure: str = "") -> str:
    """A requirement in words: ``more than half``, ``at least 80%``, ``not more than half``."""
    for (sign, bound), (yes, no) in NEEDS.items():
        if not figure and sign == comparison and abs(required - bound) < 1e-9:
            return gettext_(yes if met else no)
    yes, no = NEEDS_FIGURE.get(comparison, NEEDS_FIGURE[">="])
    return _fill(yes if met else no, value=figure or percent(required))


def quoted(name: str) -> str:
    return f"“{name}”"


def join_names(names: list[str], *, last_word: str = N_("%(some)s and %(last)s")) -> str:
    """``“A”、“B”和“C”`` / ``“A”, “B” and “C”``."""
    if not names:
        return ""
    if len(names) == 1:
        return names[0]
    comma = "、" if current_locale.get() == "zh_CN" else ", "
    return _fill(last_word, some=comma.join(names[:-1]), last=names[-1])


# --- What the page shows ----------------------------------------------------------------------


@dataclass(frozen=True)
class CheckLine:
    """A threshold test in words: ``参与率：占全部有投票资格户数 61.5%，要求超过半数`` and whether
    it was met (``✔ 达到`` / ``✘ 未达到``)."""

    text: str
    passed: bool
    verdict: str


@dataclass(frozen=True)
class Row:
    """One option's line in the figures table (and bar in the chart)."""

    label: str
    votes: str
    votes_text: str
    share: str
    labelled: str
    fraction: float
    chosen: bool
    mark: str = ""
    extra: str = ""


@dataclass(frozen=True)
class QuestionWords:
    """Everything a resident reads about one question's result."""

    sentence: str
    tone: Tone
    checks: list[CheckLine] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)
    votes_header: str = ""
    share_header: str = ""
    extra_header: str = ""
    chart_label: str = ""
    question_id: str = ""

    def chart(self, prefix: str = "chart") -> Markup:
        """The rows as an SVG bar chart named by :attr:`chart_label`."""
        bars = [
            Bar(
                label=row.label,
                count=row.votes_text,
                share=row.share,
                fraction=row.fraction,
                chosen=row.chosen,
            )
            for row in self.rows
        ]
        return bar_chart(bars, self.chart_label, f"{prefix}-{self.question_id}")


@dataclass(frozen=True)
class ResultWords:
    """A ballot's result: who took part, then each question's words with its spec question."""

    took_part: str
    questions: list[tuple[tally.Question, QuestionWords]]


@dataclass(frozen=True)
class _Setting:
    """What the words need besides the counted question."""

    question: tally.Question
    result: tally.QuestionResult
    who: Who
    weighted: bool
    names: dict[str, str]

    def name(self, option_id: str) -> str:
        return quoted(self.names.get(option_id, option_id))

    def votes(self, value: float) -> str:
        return votes_of(value, weighted=self.weighted)

    def option(self, option_id: str) -> tally.OptionResult | None:
        return next((item for item in self.result.options if item.id == option_id), None)

    def check(self, *names: str) -> tally.Check | None:
        return next((item for item in self.result.checks if item.name in names), None)


def _who(spec_voting_unit: str, result: tally.QuestionResult) -> Who:
    if result.rule == "dual_threshold":
        return "owner"
    return "household" if spec_voting_unit == "household" else "person"


def question_words(
    question: tally.Question,
    result: tally.QuestionResult | Mapping[str, Any],
    *,
    voting_unit: str = "person",
    weighted: bool = False,
) -> QuestionWords:
    """One question's result in words, in the current request's language."""
    if not isinstance(result, tally.QuestionResult):
        result = msgspec.convert(result, tally.QuestionResult)
    setting = _Setting(
        question=question,
        result=result,
        who=_who(voting_unit, result),
        # art. 278 counts floor area whatever the ballot's weighting
        weighted=weighted or result.rule == "dual_threshold",
        names={option.id: option_label(question, option) for option in question.options},
    )
    sentence, tone = _sentence(setting)
    rows, votes_header, share_header, extra_header = _rows(setting)
    return QuestionWords(
        sentence=sentence,
        tone=tone,
        checks=[_check_line(setting, item) for item in result.checks],
        warnings=_warnings(setting),
        notes=_notes(setting),
        rows=rows,
        votes_header=votes_header,
        share_header=share_header,
        extra_header=extra_header,
        chart_label=_chart_label(question, rows),
        question_id=question.id,
    )


def result_words(
    spec: tally.BallotSpec, result: tally.BallotResult | Mapping[str, Any], electorate: int | None
) -> ResultWords:
    """A whole ballot's result in words: who took part, then each question."""
    if not isinstance(result, tally.BallotResult):
        result = msgspec.convert(result, tally.BallotResult)
    who: Who = "household" if spec.voting_unit == "household" else "person"
    size = result.electorate.size if result.electorate is not None else electorate
    if size:
        took_part = _fill(
            N_("Took part: %(count)s out of %(total)s eligible — %(share)s."),
            count=count_of(who, result.ballots),
            total=count_of(who, size),
            share=share_of("electorate", result.ballots / size, who),
        )
    else:
        took_part = _fill(N_("Took part: %(count)s."), count=count_of(who, result.ballots))
    weighted = spec.weighting == "area"
    return ResultWords(
        took_part=took_part,
        questions=[
            (
                question,
                question_words(question, counted, voting_unit=spec.voting_unit, weighted=weighted),
            )
            for question, counted in zip(spec.questions, result.questions, strict=False)
        ],
    )


# --- The sentence -----------------------------------------------------------------------------


def _sentence(setting: _Setting) -> tuple[str, Tone]:
    result = setting.result
    outcome = result.outcome
    if outcome == "no-quorum":
        return _no_quorum(setting), "bad"
    if outcome == "no-valid-votes":
        if result.kind == "yesno":
            return gettext_(N_("Nobody voted yes or no, so nothing was decided.")), "bad"
        return gettext_(N_("No valid votes were cast, so nothing was decided.")), "bad"
    if result.kind == "yesno" and outcome in ("passed", "rejected"):
        return _yes_no(setting), "ok" if outcome == "passed" else "bad"
    if outcome == "runoff":
        return _runoff(setting), "warn"
    if result.kind == "single" and outcome == "failed":
        return _no_majority_failed(setting), "bad"
    if result.kind == "rating" and outcome in ("passed", "failed", "reported"):
        tone: Tone = "ok" if outcome == "passed" else "bad" if outcome == "failed" else "info"
        return _with_draw(setting, _rating(setting)), tone
    if outcome == "elected":
        if result.kind == "budget":
            return _with_draw(setting, _budget(setting)), "ok"
        return _with_draw(setting, _elected(setting)), "ok"
    return outcome_label(outcome), "info"


def _no_quorum(setting: _Setting) -> str:
    result = setting.result
    failed = [
        item for item in result.checks if _participation(setting, item.name) and not item.passed
    ]
    if not failed:  # a yes/no rule's own quorum without a check kept: say it plainly
        return gettext_(N_("Too few took part, so this vote does not count."))
    item = failed[0]
    basis = _participation(setting, item.name)
    missed = needs(item.comparison, item.required, met=False)
    if basis == "area":
        return _fill(
            N_("%(who)s: %(count)s, %(share)s — %(missed)s. This vote does not count."),
            who=gettext_(N_("Floor area taking part")),
            count=votes_of(item.value, weighted=True),
            share=share_of("all-area", item.ratio, against=item.required),
            missed=missed,
        )
    return _fill(
        N_("%(who)s: %(count)s, %(share)s — %(missed)s. This vote does not count."),
        who=gettext_(TAKING_PART[setting.who]),
        count=count_of(setting.who, item.value),
        share=share_of("electorate", item.ratio, setting.who, against=item.required),
        missed=missed,
    )


def _participation(setting: _Setting, name: str) -> str:
    """``heads`` or ``area`` for a check that measures who took part, else ``""``."""
    if name in ("quorum-heads", "participation-heads"):
        return "heads"
    if name in ("quorum-area", "participation-area"):
        return "area"
    if name == "quorum":
        return "area" if setting.weighted else "heads"
    return ""


def _yes_no(setting: _Setting) -> str:
    result = setting.result
    if result.rule == "dual_threshold":
        heads, area = setting.check("approval-heads"), setting.check("approval-area")
        assert heads is not None and area is not None
        passed = result.outcome == "passed"
        message = (
            N_(
                "In favour: %(heads)s, %(heads_share)s, holding %(area)s, %(area_share)s. "
                "Both had to be %(required)s: passed."
            )
            if passed
            else N_(
                "In favour: %(heads)s, %(heads_share)s, holding %(area)s, %(area_share)s. "
                "Both had to be %(required)s: not passed."
            )
        )
        return _fill(
            message,
            heads=count_of("owner", heads.value),
            heads_share=share_of("participants", heads.ratio, "owner", against=heads.required),
            area=votes_of(area.value, weighted=True),
            area_share=share_of("taking-part-area", area.ratio, against=area.required),
            required=needs(heads.comparison, heads.required),
        )
    approval = next((item for item in result.checks if item.name.startswith("yes-of-")), None)
    if approval is None:
        return outcome_label(result.outcome)
    passed = result.outcome == "passed"
    message = (
        N_("Yes: %(votes)s, %(share)s — %(measure)s: passed.")
        if passed
        else N_("Yes: %(votes)s, %(share)s — %(measure)s: not passed.")
    )
    return _fill(
        message,
        votes=setting.votes(approval.value),
        share=_approval_share(setting, approval),
        measure=needs(approval.comparison, approval.required, met=approval.passed),
    )


def _approval_share(setting: _Setting, approval: tally.Check) -> str:
    base, who = _approval_base(setting, approval)
    return share_of(base, approval.ratio, who, against=approval.required)


def _majority_base(setting: _Setting) -> tuple[Base, Who | None]:
    validity = setting.result.validity
    base = validity.majority if validity is not None and validity.majority != "none" else "valid"
    if base == "participants":
        return ("participants", setting.who)
    if base == "electorate":
        return ("electorate", setting.who)
    return ("valid", None)


def _majority_share(setting: _Setting, item: tally.Check) -> str:
    base, who = _majority_base(setting)
    return share_of(base, item.ratio, who, against=item.required)


def _leader(setting: _Setting) -> tally.OptionResult:
    return max(setting.result.options, key=lambda option: option.votes)


def _runoff(setting: _Setting) -> str:
    majority = setting.check("absolute-majority")
    leader = _leader(setting)
    return _fill(
        N_(
            "No option has %(required)s: the leader, %(name)s, has %(votes)s, %(share)s. "
            "A second round between %(names)s is needed."
        ),
        required=needs(majority.comparison, majority.required) if majority else needs(">", 0.5),
        name=setting.name(leader.id),
        votes=setting.votes(leader.votes),
        share=_majority_share(setting, majority) if majority else share_of("valid", leader.share),
        names=join_names([setting.name(option) for option in setting.result.runoff]),
    )


def _no_majority_failed(setting: _Setting) -> str:
    majority = setting.check("absolute-majority")
    leader = _leader(setting)
    return _fill(
        N_(
            "%(name)s has %(votes)s, %(share)s — %(measure)s — and no other option got votes "
            "for a second round: nothing was chosen."
        ),
        name=setting.name(leader.id),
        votes=setting.votes(leader.votes),
        share=_majority_share(setting, majority) if majority else share_of("valid", leader.share),
        measure=needs(majority.comparison, majority.required, met=False)
        if majority
        else needs(">", 0.5, met=False),
    )


def _elected(setting: _Setting) -> str:
    result = setting.result
    winners = result.winners
    if not winners:
        return gettext_(N_("Nothing was chosen."))
    if result.kind == "ranked":
        return _ranked(setting)
    if len(winners) > 1:
        described = []
        for winner in winners:
            option = setting.option(winner)
            votes = option.votes if option else 0.0
            described.append(
                _fill(
                    N_("%(name)s (%(votes)s, %(share)s)"),
                    name=setting.name(winner),
                    votes=setting.votes(votes),
                    share=share_of("valid", option.share if option else 0.0),
                )
            )
        return _fill(
            N_("The %(n)s options with the most votes are chosen: %(names)s."),
            n=len(winners),
            names=join_names(described),
        )
    option = setting.option(winners[0])
    assert option is not None
    majority = setting.check("absolute-majority")
    if majority is not None and majority.passed:
        return _fill(
            N_("%(name)s is chosen: %(votes)s, %(share)s — %(measure)s."),
            name=setting.name(option.id),
            votes=setting.votes(option.votes),
            share=_majority_share(setting, majority),
            measure=needs(majority.comparison, majority.required),
        )
    return _fill(
        N_("%(name)s has the most votes and is chosen: %(votes)s, %(share)s."),
        name=setting.name(option.id),
        votes=setting.votes(option.votes),
        share=share_of("valid", option.share),
    )


def _ranked(setting: _Setting) -> str:
    result = setting.result
    winners = result.winners
    if len(winners) > 1:
        return _fill(
            N_("Chosen, in order: %(names)s."),
            names=join_names([setting.name(winner) for winner in winners]),
        )
    winner = winners[0]
    if result.rule == "irv" and result.rounds:
        last = result.rounds[-1]
        continuing = sum(last.tallies.values())
        votes = last.tallies.get(winner, 0.0)
        return _fill(
            N_("%(name)s is chosen in round %(round)s of the count with %(votes)s, %(share)s."),
            name=setting.name(winner),
            round=last.number,
            votes=setting.votes(votes),
            share=share_of("continuing", votes / continuing if continuing else 0.0),
        )
    if result.rule == "borda":
        option = setting.option(winner)
        return _fill(
            N_("%(name)s has the most points and is chosen: %(points)s."),
            name=setting.name(winner),
            points=_fill(N_("%(n)s points"), n=number((option.points or 0.0) if option else 0.0)),
        )
    return _fill(
        N_("%(name)s is chosen: compared with every other option in turn, it comes first."),
        name=setting.name(winner),
    )


def _budget(setting: _Setting) -> str:
    result, question = setting.result, setting.question
    winners = result.winners
    if not winners:
        return gettext_(N_("No project could be funded."))
    costs = {option.id: option.cost or 0 for option in question.options}
    spent = int(result.spent) if result.spent is not None else sum(costs[w] for w in winners)
    message = (
        N_("One project is funded, costing %(spent)s of the %(limit)s budget: %(names)s.")
        if len(winners) == 1
        else N_("%(n)s projects are funded, costing %(spent)s of the %(limit)s budget: %(names)s.")
    )
    return _fill(
        message,
        n=len(winners),
        spent=money(spent),
        limit=money(question.budget_limit or 0),
        names=join_names([setting.name(winner) for winner in winners]),
    )


def _satisfied_levels(setting: _Setting) -> str:
    satisfied = setting.result.params.get("satisfied")
    ids = [str(item) for item in satisfied] if isinstance(satisfied, list) else []
    return join_names(
        [setting.name(option) for option in ids], last_word=N_("%(some)s or %(last)s")
    )


def _rating(setting: _Setting) -> str:
    result = setting.result
    rate = result.satisfaction_rate or 0.0
    mean = score(result.mean_score or 0.0)
    rate_check, mean_check = setting.check("satisfaction-rate"), setting.check("mean-score")
    passed = result.outcome == "passed"
    first = rate_check
    if rate_check is None or (not passed and rate_check.passed and mean_check is not None):
        first = mean_check
    if result.outcome == "reported" or first is None:
        return _fill(
            N_("%(levels)s: %(share)s; mean score %(mean)s."),
            levels=_satisfied_levels(setting),
            share=share_of("valid", rate),
            mean=mean,
        )
    if first.name == "mean-score":
        message = (
            N_("Mean score %(mean)s — %(measure)s: passed.")
            if passed
            else N_("Mean score %(mean)s — %(measure)s: not passed.")
        )
        return _fill(
            message,
            mean=mean,
            measure=needs(
                first.comparison, first.required, met=first.passed, figure=score(first.required)
            ),
        )
    message = (
        N_("%(levels)s: %(share)s — %(measure)s: passed.")
        if passed
        else N_("%(levels)s: %(share)s — %(measure)s: not passed.")
    )
    return _fill(
        message,
        levels=_satisfied_levels(setting),
        share=share_of("valid", rate, against=first.required),
        measure=needs(first.comparison, first.required, met=first.passed),
    )


def _draws(result: tally.QuestionResult) -> list[tally.TieBreak]:
    return [tie for tie in result.tie_breaks if tie.method == METHOD]


def _with_draw(setting: _Setting, sentence: str) -> str:
    """The sentence, and that a public draw decided, when one did."""
    draws = _draws(setting.result)
    if not setting.result.drawn or not draws:
        return sentence
    said = _fill(
        N_("%(tied)s were tied, and a public draw decided."),
        tied=join_names([setting.name(option) for option in draws[0].tied]),
    )
    return f"{sentence}{'' if current_locale.get() == 'zh_CN' else ' '}{said}"


# --- Checks, warnings, notes ------------------------------------------------------------------


def _check_line(setting: _Setting, item: tally.Check) -> CheckLine:
    return CheckLine(
        text=check_text(setting, item),
        passed=item.passed,
        verdict=gettext_(MET if item.passed else NOT_MET),
    )


def check_text(setting: _Setting, item: tally.Check) -> str:
    """A threshold test as words, without its verdict."""
    name = item.name
    basis = _participation(setting, name)
    label, share = "", ""
    if basis == "heads":
        label = CHECK_LABELS["owners" if setting.who == "owner" else "turnout"]
        share = share_of("electorate", item.ratio, setting.who, against=item.required)
    elif basis == "area":
        label = CHECK_LABELS["area"]
        share = share_of("all-area", item.ratio, against=item.required)
    elif name == "absolute-majority":
        label, share = CHECK_LABELS[name], _majority_share(setting, item)
    elif name.startswith("yes-of-"):
        label, share = CHECK_LABELS["yes"], _approval_share(setting, item)
    elif name == "approval-heads":
        label = CHECK_LABELS[name]
        share = share_of("participants", item.ratio, "owner", against=item.required)
    elif name == "approval-area":
        label = CHECK_LABELS[name]
        share = share_of("taking-part-area", item.ratio, against=item.required)
    elif name == "satisfaction-rate":
        label, share = CHECK_LABELS[name], share_of("valid", item.ratio, against=item.required)
    elif name == "mean-score":
        return _fill(
            CHECK_LINE,
            label=gettext_(CHECK_LABELS[name]),
            share=score(item.value),
            required=needs(item.comparison, item.required, figure=score(item.required)),
        )
    else:
        label, share = N_("A threshold"), percent(item.ratio, against=item.required)
    return _fill(
        CHECK_LINE,
        label=gettext_(label),
        share=share,
        required=needs(item.comparison, item.required),
    )


def _warnings(setting: _Setting) -> list[str]:
    said: list[str] = []
    for warning in setting.result.warnings:
        if isinstance(warning, tally.LowTurnout):
            said.append(_low_turnout(setting, warning))
        elif isinstance(warning, tally.DecidedByLot):
            said.append(
                _fill(
                    N_(
                        "%(tied)s were tied; a public draw decided, in the order %(order)s. The "
                        "draw uses a number that exists only once voting has closed (the "
                        "fingerprint of the public record), so nobody could steer it, and anyone "
                        "can repeat it."
                    ),
                    tied=join_names([setting.name(option) for option in warning.tied]),
                    order=join_names(
                        [setting.name(option) for option in warning.order],
                        last_word=N_("%(some)s, then %(last)s"),
                    ),
                )
            )
        elif isinstance(warning, tally.CloseMargin):
            if warning.margin == 0 and setting.result.drawn:
                continue  # a tie: the draw says it
            margin = (
                _fill(N_("%(n)s points"), n=number(warning.margin))
                if setting.result.rule == "borda"
                else setting.votes(warning.margin)
            )
            said.append(
                _fill(
                    N_("A close result: %(first)s is only %(margin)s ahead of %(second)s."),
                    first=setting.name(warning.first),
                    second=setting.name(warning.second),
                    margin=margin,
                )
            )
        elif isinstance(warning, tally.CloseToThreshold):
            item = setting.check(warning.check)
            if item is not None and item.name != "mean-score":
                said.append(_close_to_line(setting, item))
        # no-quorum and no-majority are what the sentence says
    return said


def _close_to_line(setting: _Setting, item: tally.Check) -> str:
    """A test decided narrowly, and how few it would have taken to decide it the other way
    (with the base held as it is)."""
    bound = item.required * item.base
    by_area = _participation(setting, item.name) == "area" or item.name == "approval-area"
    by_area = by_area or (setting.weighted and not item.name.endswith("-heads"))
    if by_area:
        amount = votes_of(round(abs(item.value - bound), 2), weighted=True)
    else:
        gap = item.value - bound if item.passed else bound - item.value
        # how many whole heads or votes fewer (or more) flip the comparison
        strict_side = (item.comparison == ">") == item.passed
        steps = math.ceil(gap) if strict_side else math.floor(gap) + 1
        steps = max(1, steps)
        if _participation(setting, item.name) == "heads" or item.name == "approval-heads":
            amount = count_of(setting.who, steps)
        else:
            amount = setting.votes(steps)
    message = (
        N_("Close to the line: %(check)s. With %(amount)s fewer it would not have been met.")
        if item.passed
        else N_("Close to the line: %(check)s. With %(amount)s more it would have been met.")
    )
    return _fill(message, check=check_text(setting, item), amount=amount)


def _low_turnout(setting: _Setting, warning: tally.LowTurnout) -> str:
    if warning.basis == "area":
        count, total = (
            votes_of(warning.took_part, weighted=True),
            votes_of(warning.electorate, weighted=True),
        )
        share = share_of("all-area", warning.turnout)
    else:
        count = count_of(setting.who, warning.took_part)
        total = count_of(setting.who, warning.electorate)
        share = share_of("electorate", warning.turnout, setting.who)
    return _fill(
        N_(
            "Fewer than half took part: %(count)s out of %(total)s, %(share)s. By this ballot's "
            "rules the result still counts, but it speaks only for those who took part."
        ),
        count=count,
        total=total,
        share=share,
    )


def _bases(setting: _Setting) -> list[tuple[Base, Who | None]]:
    """Every base a percentage of this question is shown against, in order of first use."""
    found: list[tuple[Base, Who | None]] = [_table_base(setting)]
    for item in setting.result.checks:
        basis = _participation(setting, item.name)
        if basis == "heads":
            found.append(("electorate", setting.who))
        elif basis == "area":
            found.append(("all-area", None))
        elif item.name == "absolute-majority":
            found.append(_majority_base(setting))
        elif item.name.startswith("yes-of-"):
            found.append(_approval_base(setting, item))
        elif item.name == "approval-heads":
            found.append(("participants", "owner"))
        elif item.name == "approval-area":
            found.append(("taking-part-area", None))
    return list(dict.fromkeys(found))


BASE_NOTES: dict[Base, str] = {
    "participants": N_(
        "“%(base)s” counts every ballot returned, blank ones and abstentions included."
    ),
    "electorate": N_("“%(base)s” counts everyone entitled to vote, whether they voted or not."),
    "taking-part-area": N_(
        "“%(base)s” is the floor area of everyone who took part, abstentions included."
    ),
    "all-area": N_("“%(base)s” is the floor area of everyone entitled to vote."),
}


def _notes(setting: _Setting) -> list[str]:
    """Why the percentages on this question differ: each base it uses, in a sentence."""
    result = setting.result
    notes: list[str] = []
    if result.rule == "dual_threshold":
        notes.append(
            gettext_(
                N_(
                    "Owners' decisions count twice: by owners and by the floor area they hold. "
                    "Taking part is measured against all owners and all the floor area; being "
                    "in favour against the owners and the floor area taking part."
                )
            )
        )
    for base, who in _bases(setting):
        if base == "valid" and result.kind == "yesno":
            notes.append(
                gettext_(
                    N_(
                        "“Of the valid votes” counts yes and no only. An abstention counts as "
                        "taking part but not as a valid vote, so the same yes votes are a larger "
                        "share of the valid votes than of everyone who took part."
                    )
                )
            )
        elif base == "valid":
            notes.append(
                gettext_(
                    N_(
                        "“Of the valid votes” counts the ballots that chose something; a blank "
                        "ballot counts as taking part but not as a valid vote."
                    )
                )
            )
        elif base in BASE_NOTES:
            notes.append(_fill(BASE_NOTES[base], base=base_name(base, who)))
    if result.kind in ("multiple", "budget"):
        notes.append(
            gettext_(
                N_(
                    "Each voter could choose several options, so the percentages add up to more "
                    "than a hundred."
                )
            )
        )
    if result.rule == "irv":
        notes.append(
            gettext_(
                N_(
                    "Ranked voting: in each round the option with the fewest votes drops out and "
                    "its ballots go to their next choice, until one option has more than half of "
                    "the votes still in the count."
                )
            )
        )
    if result.rule == "mes":
        notes.append(
            gettext_(
                N_(
                    "Projects are chosen by equal shares: each voter holds an equal share of the "
                    "budget, and a project is funded when its supporters can pay for it together."
                )
            )
        )
    elif result.rule == "greedy":
        notes.append(
            gettext_(
                N_(
                    "Projects are funded in order of votes while the money lasts; a project that "
                    "no longer fits is skipped."
                )
            )
        )
    return notes


# --- The figures table ------------------------------------------------------------------------


def _rows(setting: _Setting) -> tuple[list[Row], str, str, str]:
    """The table's rows and its column headers; yes/no shares on the base the rule decided on,
    so that a yes percentage in the table is the one in the sentence."""
    result, question = setting.result, setting.question
    if result.kind == "ranked":
        votes_header = gettext_(N_("First choices"))
    else:
        votes_header = gettext_(N_("Area (m²)") if setting.weighted else N_("Votes"))
    base = _table_base(setting)
    approval = _yes_no_approval(setting)
    extra_header = ""
    if result.rule == "borda":
        extra_header = gettext_(N_("Points"))
    elif result.rule == "dual_threshold":
        extra_header = gettext_(N_("Owners"))
    elif result.kind == "budget":
        extra_header = gettext_(N_("Cost"))
    chosen_mark = gettext_(N_("funded") if result.kind == "budget" else N_("chosen"))
    rows = []
    for option in question.options:
        figures = setting.option(option.id)
        votes = figures.votes if figures else 0.0
        fraction = figures.share if figures else 0.0
        counted = True
        if approval is not None:
            if option.id == "abstain" and base[0] == "valid":
                counted = False
            else:
                fraction = votes / approval.base if approval.base > 0 else 0.0
        chosen = bool(figures and figures.elected) and result.kind != "yesno"
        extra = ""
        if result.rule == "borda" and figures is not None:
            extra = number(figures.points or 0.0)
        elif result.rule == "dual_threshold" and figures is not None:
            extra = number(figures.heads or 0)
        elif result.kind == "budget":
            extra = money(option.cost or 0)
        rows.append(
            Row(
                label=option_label(question, option),
                votes=number(votes),
                votes_text=setting.votes(votes),
                share=percent(fraction) if counted else gettext_(N_("not counted")),
                labelled=share_of(base[0], fraction, base[1])
                if counted
                else gettext_(N_("not counted as a valid vote")),
                fraction=max(0.0, min(1.0, fraction)) if counted else 0.0,
                chosen=chosen,
                mark=chosen_mark if chosen else "",
                extra=extra,
            )
        )
    return rows, votes_header, _capital(base_name(*base)), extra_header


def _yes_no_approval(setting: _Setting) -> tally.Check | None:
    """The approval test whose base a yes/no question's table uses (its own rule's, or art.
    278's by area)."""
    if setting.result.rule == "majority":
        return next((c for c in setting.result.checks if c.name.startswith("yes-of-")), None)
    if setting.result.rule == "dual_threshold":
        return setting.check("approval-area")
    return None


def _table_base(setting: _Setting) -> tuple[Base, Who | None]:
    approval = _yes_no_approval(setting)
    if approval is None:
        return ("valid", None)
    if approval.name == "approval-area":
        return ("taking-part-area", None)
    return _approval_base(setting, approval)


def _approval_base(setting: _Setting, approval: tally.Check) -> tuple[Base, Who | None]:
    base = approval.name.removeprefix("yes-of-")
    if base == "participants":
        return ("taking-part-area", None) if setting.weighted else ("participants", setting.who)
    if base == "electorate":
        return ("all-area", None) if setting.weighted else ("electorate", setting.who)
    return ("valid", None)


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _chart_label(question: tally.Question, rows: list[Row]) -> str:
    """The chart's text alternative: every bar's figures in one sentence."""
    separator = "；" if current_locale.get() == "zh_CN" else "; "
    bars = separator.join(
        _fill(
            N_("%(option)s: %(votes)s, %(share)s"),
            option=row.label,
            votes=row.votes_text,
            share=row.labelled,
        )
        for row in rows
    )
    return _fill(N_("Bar chart: %(prompt)s. %(bars)s."), prompt=question.prompt, bars=bars)


def readable_result(ballot: Ballot, result: Mapping[str, Any] | None) -> ResultWords | None:
    """A ballot's counted ``result`` in words (a template helper: the result page and the chair's
    preview before publishing); ``None`` without a result."""
    if result is None:
        return None
    return result_words(ballot_spec(ballot), result, ballot.electorate_size)
