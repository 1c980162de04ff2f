"""Plurality for single-choice questions, with an optional absolute-majority requirement.

Parameters: ``winners`` (default 1) and ``majority`` (default false; true is the same as the
question's ``validity.majority = "valid"``). With a majority requirement the leader must hold
more than half of its base: the ``valid`` weight, the ``participants`` (blank ballots included)
or the ``electorate``. Otherwise the outcome is ``runoff`` between the top two, and every option
tied for second place joins them (nobody is drawn out of a runoff): "no majority: runoff between
A and B". Options without votes never go into a runoff; when no other option got votes the
outcome is ``failed``.
"""

from __future__ import annotations

from fractions import Fraction

from tally.result import Check, QuestionResult, check
from tally.rules.common import Context, approvals, join, option_results, top
from tally.spec import SpecError


def plurality(context: Context) -> QuestionResult:
    """Count a single-choice question by plurality."""
    context.allow("winners", "majority")
    seats = context.integer("winners", 1, 1, len(context.question.options))
    legacy = context.flag("majority", False)
    base_name = _majority_base(context, legacy, seats)
    votes, ballots = approvals(context.profile)
    if context.profile.valid == 0:
        return context.result(
            "plurality",
            "no-valid-votes",
            "no valid votes",
            [],
            option_results(context, votes, ballots),
        )
    checks = []
    if base_name != "none":
        leader_votes = max(votes.values())
        majority = check(
            "absolute-majority",
            leader_votes,
            _majority_base_value(context, base_name),
            Fraction(1, 2),
            True,
        )
        checks.append(majority)
        if not majority.passed:
            return _no_majority(context, votes, ballots, majority)
    ranking = top(context, votes, seats, "plurality order")
    winners = ranking[:seats]
    result = context.result(
        "plurality",
        "elected",
        f"elected: {join(context, winners)}",
        winners,
        option_results(context, votes, ballots, winners),
    )
    result.ranking = ranking
    result.checks = checks
    return result


def _majority_base(context: Context, legacy: bool, seats: int) -> str:
    """The base of the absolute majority ("none" without one); the rule flag means "valid"."""
    wanted = context.validity.majority if context.validity is not None else "none"
    if legacy and wanted not in ("none", "valid"):
        raise SpecError(
            context.where("majority"),
            f"conflicts with validity.majority {wanted!r}: set the majority in one place",
        )
    if wanted != "none" and seats != 1:
        raise SpecError(context.where("winners"), "an absolute majority needs exactly one winner")
    if legacy and seats != 1:
        return "none"  # as before validity existed: the flag only applies to one winner
    return "valid" if legacy else wanted


def _majority_base_value(context: Context, base_name: str) -> float:
    profile = context.profile
    if base_name == "valid":
        return profile.valid_weight
    if base_name == "participants":
        return profile.valid_weight + profile.blank_weight
    voters = context.electorate
    if voters is None:
        raise SpecError("electorate", "a majority of the electorate needs the electorate")
    return voters.area if context.weighted else float(voters.size)


def _no_majority(
    context: Context, votes: dict[str, float], ballots: dict[str, int], majority: Check
) -> QuestionResult:
    """A runoff between the top two and everyone tied for second (or ``failed``)."""
    order = {option.id: number for number, option in enumerate(context.question.options)}
    standing = sorted(
        (option for option, value in votes.items() if value > 0),
        key=lambda option: (-votes[option], order[option]),
    )
    runoff = []
    if len(standing) >= 2:
        runoff = [option for option in standing if votes[option] >= votes[standing[1]]]
    options = option_results(context, votes, ballots)
    if runoff:
        result = context.result(
            "plurality",
            "runoff",
            f"no majority: runoff between {join(context, runoff)}",
            [],
            options,
        )
    else:
        result = context.result(
            "plurality",
            "failed",
            f"no majority, and no other option got votes: {join(context, standing)} is not elected",
            [],
            options,
        )
    result.runoff = runoff
    result.checks = [majority]
    return result
