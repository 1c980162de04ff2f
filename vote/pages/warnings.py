"""A counted result's warnings in plain words, for the chair's confirmation before publishing.

The warnings come from ``ballots.warnings.publish_warnings`` (``tally``'s codes and figures, with
the question they are about); options are named by their labels, shares as percentages.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import tally
from ballots.errors import N_
from vote.i18n import localise

WARNING_TEXT = {
    "no-quorum": N_(
        "No quorum: {took_part} of {electorate} took part ({turnout}), and more than {required} "
        "was needed. This result decides nothing."
    ),
    "low-turnout": N_("Low turnout: only {took_part} of {electorate} took part ({turnout})."),
    "no-majority": N_(
        "No option won more than half: {leader} has {share}, more than {required} was needed. "
        "A second round between {runoff} is needed."
    ),
    "runoff": N_("No option won the majority needed: a second round is needed."),
    "failed": N_("No option can be chosen: too few votes were cast for the options."),
    "decided-by-lot": N_("Decided by lot: {tied} were tied, and the public draw decided."),
    "close-margin": N_("A close result: {first} is only {margin} votes ahead of {second}."),
    "close-to-threshold": N_(
        "Close to a threshold: the result is only {margin} from the line ({ratio} against "
        "{required})."
    ),
}


def _percent(value: object) -> str:
    return f"{float(value) * 100:.1f}%" if isinstance(value, int | float) else str(value)


def _number(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return f"{value:.2f}" if isinstance(value, float) else str(value)


def warning_text(item: Mapping[str, Any], labels: Mapping[str, str]) -> str:
    """One warning as a sentence in the request's language."""
    code = str(item.get("code", ""))

    def name(option: object) -> str:
        return labels.get(str(option), str(option))

    params = {key: _number(value) for key, value in item.items()}
    for key in ("turnout", "required", "share", "ratio", "below"):
        if key in item:
            params[key] = _percent(item[key])
    for key in ("leader", "first", "second"):
        if key in item:
            params[key] = name(item[key])
    for key in ("runoff", "tied"):
        if key in item:
            params[key] = "、".join(name(option) for option in item[key])
    return localise(WARNING_TEXT.get(code, code), params)


def option_labels(spec: tally.BallotSpec) -> dict[str, str]:
    """Option id to label, over every question of the ballot."""
    return {option.id: option.label for question in spec.questions for option in question.options}
