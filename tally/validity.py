"""Validity: which rules apply to a question, and what they make of its counted result.

:func:`effective_validity` resolves a question's :class:`~tally.spec.Validity` (its own, or the
ballot's default where it applies). :func:`apply_validity` then runs after the counting rule:
it adds the ``turnout``, the quorum checks (a failed quorum makes the outcome ``no-quorum``),
``drawn``, and the ``warnings`` for the chair's preview. Its work is per option and per check,
never per ballot. The absolute majority of single-choice questions is counted by
:mod:`tally.rules.plurality`, since it decides between ``elected`` and ``runoff``.
"""

from __future__ import annotations

from fractions import Fraction

import msgspec

from tally.profile import Profile
from tally.result import (
    Check,
    CloseMargin,
    CloseToThreshold,
    DecidedByLot,
    Electorate,
    LowTurnout,
    NoMajority,
    NoQuorum,
    QuestionResult,
    ResultWarning,
    Round,
    Turnout,
    check,
)
from tally.rules.common import NAMED_THRESHOLDS
from tally.spec import BallotSpec, Question, SpecError, Validity
from tally.ties import METHOD

LOW_TURNOUT = Fraction(1, 2)
"""Turnout below this share of the electorate gives a ``low-turnout`` warning."""
CLOSE_SHARE = 0.05
"""A margin under 5 percentage points of the base is close."""
CLOSE_VOTES = 3
"""A margin under 3 votes (or heads) is close, where votes are counted unweighted."""
ART_278_PARTICIPATION = Validity(quorum="two_thirds", quorum_by="both")
"""The participation rule ``dual_threshold`` has built in, reported as a validity."""
QUORUM_CHECKS = {
    "quorum-heads": "heads",
    "quorum-area": "area",
    "participation-heads": "heads",
    "participation-area": "area",
}
"""Checks that measure participation, by basis (``quorum`` of yes/no rules is added per count)."""
DECIDED = frozenset({"elected", "passed", "rejected", "failed", "reported"})


def effective_validity(
    spec: BallotSpec, question: Question, index: int, rule: str
) -> Validity | None:
    """The validity rules that apply to ``question`` counted by ``rule`` (``None``: none).

    A question's own ``validity`` replaces the ballot's. The ballot's default applies only where
    it can: its majority to single-choice questions with one winner, its quorum to questions not
    counted by ``dual_threshold``. Set on the question itself, either one where it cannot apply
    is a :class:`SpecError`.
    """
    own = question.validity is not None
    chosen = question.validity if own else spec.validity
    if rule == "dual_threshold":
        if own and chosen is not None and chosen.quorum is not None:
            raise SpecError(
                f"questions[{index}].validity.quorum",
                "dual_threshold has art. 278's participation rule (2/3 of area and of heads)",
            )
        return ART_278_PARTICIPATION
    if chosen is None:
        return None
    where = f"questions[{index}].validity" if own else "validity"
    if chosen.majority != "none" and question.kind != "single":
        if own:
            raise SpecError(
                f"{where}.majority", "an absolute majority applies to single-choice questions"
            )
        chosen = msgspec.structs.replace(chosen, majority="none")
    if (
        chosen.majority != "none"
        and not own
        and question.rule.get("winners", 1) != 1
        and question.kind == "single"
    ):
        chosen = msgspec.structs.replace(chosen, majority="none")
    if chosen.quorum is not None and "quorum" in question.rule:
        raise SpecError(
            f"questions[{index}].rule.quorum",
            f"conflicts with {where}.quorum: set the quorum in one place",
        )
    if chosen.quorum is None and chosen.majority == "none":
        return None
    return chosen


def needs_electorate(validity: Validity | None) -> bool:
    """Whether the rules measure against the electorate."""
    return validity is not None and (
        validity.quorum is not None or validity.majority == "electorate"
    )


def quorum_fraction(validity: Validity) -> tuple[Fraction, bool]:
    """The quorum as (fraction, strict)."""
    quorum = validity.quorum
    if isinstance(quorum, str):
        return NAMED_THRESHOLDS[quorum]
    assert quorum is not None
    return Fraction(quorum).limit_denominator(10_000), False


def apply_validity(
    result: QuestionResult,
    *,
    profile: Profile,
    electorate: Electorate | None,
    validity: Validity | None,
    weighted: bool,
) -> None:
    """Add turnout, quorum checks, ``drawn`` and ``warnings`` to a rule's ``result``."""
    voters = electorate if electorate is not None else _rule_electorate(result)
    turnout = _turnout(result, profile, voters, weighted)
    result.validity = validity
    result.turnout = turnout
    if validity is not None and validity.quorum is not None and result.rule != "dual_threshold":
        _quorum(result, validity, turnout, voters)
    result.drawn = any(tie.method == METHOD for tie in result.tie_breaks)
    result.warnings = _warnings(result, turnout, weighted)


def _rule_electorate(result: QuestionResult) -> Electorate | None:
    """The electorate a rule took from its own parameters (``electorate_size``/``_area``)."""
    size = result.params.get("electorate_size")
    area = result.params.get("electorate_area", 0.0)
    if isinstance(size, int) and isinstance(area, int | float):
        return Electorate(size=size, area=float(area))
    return None


def _turnout(
    result: QuestionResult, profile: Profile, voters: Electorate | None, weighted: bool
) -> Turnout:
    heads = (
        result.heads
        if result.rule == "dual_threshold" and result.heads is not None
        else (profile.valid + profile.blank)
    )
    area = profile.valid_weight + profile.blank_weight if weighted else None
    turnout = Turnout(heads=heads, area=area)
    if voters is not None:
        turnout.electorate_heads = voters.size
        turnout.heads_rate = heads / voters.size if voters.size > 0 else None
        if area is not None and voters.area > 0:
            turnout.electorate_area = voters.area
            turnout.area_rate = area / voters.area
    return turnout


def _quorum(
    result: QuestionResult, validity: Validity, turnout: Turnout, voters: Electorate | None
) -> None:
    if voters is None:  # checked before counting; a rule cannot drop the electorate
        raise SpecError("electorate", "a quorum needs the electorate")
    required, strict = quorum_fraction(validity)
    checks: list[Check] = []
    if validity.quorum_by in ("heads", "both"):
        checks.append(
            check("quorum-heads", float(turnout.heads), float(voters.size), required, strict)
        )
    if validity.quorum_by in ("area", "both"):
        area = turnout.area if turnout.area is not None else 0.0
        checks.append(check("quorum-area", area, voters.area, required, strict))
    result.checks = checks + result.checks
    failed = [item for item in checks if not item.passed]
    if not failed:
        return
    parts = [
        f"{_figure(item.value)} of {_figure(item.base)}"
        f"{' m²' if item.name.endswith('area') else ''} took part ({_percent(item.ratio)}), "
        f"{'more than' if strict else 'at least'} {_percent(float(required))} needed"
        for item in failed
    ]
    result.outcome = "no-quorum"
    result.message = "no quorum: " + "; ".join(parts)
    result.winners = []
    result.runoff = []
    for option in result.options:
        option.elected = False


def _warnings(result: QuestionResult, turnout: Turnout, weighted: bool) -> list[ResultWarning]:
    warnings: list[ResultWarning] = []
    for item in result.checks:
        basis = QUORUM_CHECKS.get(item.name) or (
            ("area" if weighted else "heads") if item.name == "quorum" else None
        )
        if basis is None:
            continue
        if not item.passed:
            warnings.append(
                NoQuorum(
                    basis="area" if basis == "area" else "heads",
                    took_part=item.value,
                    electorate=item.base,
                    turnout=item.ratio,
                    required=item.required,
                )
            )
    if result.outcome != "no-quorum":
        warnings.extend(_low_turnout(turnout))
    if result.outcome in ("runoff", "failed"):
        for item in result.checks:
            if item.name == "absolute-majority" and not item.passed:
                validity = result.validity
                base = validity.majority if validity and validity.majority != "none" else "valid"
                warnings.append(_no_majority(result, item, base))
    if result.outcome in DECIDED:
        warnings.extend(
            DecidedByLot(step=tie.step, tied=tie.tied, order=tie.order)
            for tie in result.tie_breaks
            if tie.method == METHOD
        )
        close = _close_margin(result, weighted)
        if close is not None:
            warnings.append(close)
    if result.outcome not in ("no-valid-votes", "no-quorum"):
        warnings.extend(_close_checks(result, weighted))
    return warnings


def _low_turnout(turnout: Turnout) -> list[ResultWarning]:
    found: list[ResultWarning] = []
    below = float(LOW_TURNOUT)
    electorate_heads = turnout.electorate_heads or 0
    if turnout.heads_rate is not None and Fraction(turnout.heads) < LOW_TURNOUT * electorate_heads:
        found.append(
            LowTurnout(
                basis="heads",
                took_part=turnout.heads,
                electorate=electorate_heads,
                turnout=turnout.heads_rate,
                below=below,
            )
        )
    area, electorate_area = turnout.area or 0.0, turnout.electorate_area or 0.0
    if turnout.area_rate is not None and Fraction(area) < LOW_TURNOUT * Fraction(electorate_area):
        found.append(
            LowTurnout(
                basis="area",
                took_part=area,
                electorate=electorate_area,
                turnout=turnout.area_rate,
                below=below,
            )
        )
    return found


def _no_majority(result: QuestionResult, item: Check, base: str) -> NoMajority:
    leader = max(result.options, key=lambda option: option.votes).id
    return NoMajority(
        leader=leader, share=item.ratio, required=item.required, base=base, runoff=result.runoff
    )


def _close_margin(result: QuestionResult, weighted: bool) -> CloseMargin | None:
    """The margin at the cut between the last chosen option and the first one not chosen."""
    chosen = len(result.winners)
    ranking = result.ranking
    if result.kind not in ("single", "multiple", "ranked") or chosen == 0:
        return None
    if len(ranking) <= chosen:
        return None
    first, second = ranking[chosen - 1], ranking[chosen]
    if result.rule == "irv":
        margin = _irv_margin(result.rounds, first)
        if margin is None:
            return None
        second, gap = margin
    elif result.rule == "schulze" and result.pairwise is not None:
        gap = result.pairwise[first][second] - result.pairwise[second][first]
    else:
        figures = {
            option.id: (option.points if result.rule == "borda" else option.votes) or 0.0
            for option in result.options
        }
        gap = figures[first] - figures[second]
    whole = result.valid_weight
    if result.rule == "borda":  # points: a share of what the valid ballots could give at most
        whole *= 1.0 if result.params.get("points") == "dowdall" else len(result.options) - 1
    share = gap / whole if whole > 0 else 0.0
    counted = not weighted and result.rule != "borda"
    if share < CLOSE_SHARE or (counted and gap < CLOSE_VOTES):
        return CloseMargin(first=first, second=second, margin=gap, margin_share=share)
    return None


def _irv_margin(rounds: list[Round], winner: str) -> tuple[str, float] | None:
    """The runner-up of the last round with two or more options, and the winner's lead."""
    for item in reversed(rounds):
        others = {option: votes for option, votes in item.tallies.items() if option != winner}
        if others and winner in item.tallies:
            runner_up = max(others, key=lambda option: others[option])
            return runner_up, item.tallies[winner] - others[runner_up]
    return None


def _close_checks(result: QuestionResult, weighted: bool) -> list[ResultWarning]:
    """Threshold tests decided within the close margin (mean scores are not votes: left out)."""
    found: list[ResultWarning] = []
    for item in result.checks:
        if item.name == "mean-score" or item.base <= 0:
            continue
        if not item.passed and item.name in QUORUM_CHECKS | {"quorum": ""}:
            continue  # already a no-quorum warning
        if not item.passed and item.name == "absolute-majority":
            continue  # already a no-majority warning
        bound = item.required * item.base
        margin = item.value - bound
        by_area = item.name.endswith("-area") or (weighted and not item.name.endswith("-heads"))
        if abs(item.ratio - item.required) < CLOSE_SHARE or (
            not by_area and abs(margin) < CLOSE_VOTES
        ):
            found.append(
                CloseToThreshold(
                    check=item.name,
                    passed=item.passed,
                    ratio=item.ratio,
                    required=item.required,
                    margin=margin,
                )
            )
    return found


def _figure(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.6g}"


def _percent(ratio: float) -> str:
    return f"{ratio * 100:.1f}".rstrip("0").rstrip(".") + "%"
