"""Words and figures for evaluations (评议) on pages: subject kinds, rectification statuses,
rates as percentages, and the rates bar chart (satisfaction per subject, drawn on the server)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from markupsafe import Markup

from ballots.errors import N_
from ballots.evaluations.rates import DISSATISFIED_CEILING, SATISFACTION_FLOOR, Counts
from ballots.models import Action, EvaluationSubject
from vote.i18n import gettext_
from vote.pages.charts import Bar, bar_chart
from vote.pages.labels import number

KIND_LABELS = {
    "agency": N_("Service agency"),
    "project": N_("Practical project"),
    "staff": N_("Staff member"),
    "team": N_("Team"),
}
STATUS_LABELS = {
    "open": N_("Not started"),
    "in_progress": N_("In progress"),
    "done": N_("Done"),
}
MOVE_LABELS = {
    "in_progress": N_("Mark as in progress"),
    "done": N_("Mark as done"),
    "open": N_("Reopen"),
}


def subject_kind_label(kind: str) -> str:
    return gettext_(KIND_LABELS.get(kind, kind))


def status_label(action: Action) -> str:
    return gettext_(STATUS_LABELS.get(action.status, action.status))


def percent(rate: float | None) -> str:
    """A rate as a percentage with one decimal (``85.0%``), or a dash without ratings."""
    return "—" if rate is None else f"{rate * 100:.1f}%"


def threshold_line() -> str:
    """The rectification rule in words."""
    return gettext_(
        "Rectification is due when the satisfaction rate is below %(floor)s or more than "
        "%(ceiling)s are dissatisfied."
    ) % {"floor": percent(SATISFACTION_FLOOR), "ceiling": percent(DISSATISFIED_CEILING)}


def rates_chart(
    rows: Sequence[tuple[EvaluationSubject, Counts]], year: int, chart_id: str
) -> Markup:
    """Satisfaction rate per subject as bars; the text alternative reads every figure."""
    bars = [
        Bar(
            label=subject.name,
            count=gettext_("%(n)s ratings") % {"n": number(counts.valid)},
            share=percent(counts.satisfaction),
            fraction=counts.satisfaction or 0.0,
        )
        for subject, counts in rows
    ]
    alternative = gettext_("Satisfaction rates in %(year)s: %(figures)s") % {
        "year": year,
        "figures": gettext_(", ").join(
            f"{subject.name} {percent(counts.satisfaction)}" for subject, counts in rows
        ),
    }
    return bar_chart(bars, alternative, chart_id)


def evaluation_helpers() -> dict[str, Any]:
    """What evaluation templates call."""
    return {
        "subject_kind_label": subject_kind_label,
        "status_label": status_label,
        "percent": percent,
        "threshold_line": threshold_line,
        "move_labels": {key: gettext_(label) for key, label in MOVE_LABELS.items()},
    }
