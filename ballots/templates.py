"""Ballot templates for the seed's processes: what a clerk fills in, turned into a ballot draft.

Each template fixes the question kind, who votes and the validity rules its legal basis asks for
(docs/counting.md "Legal basis and the ballot templates"); the clerk gives the title, the
prompt, the choices and, where it applies, the budget, buildings and minimum age.
"""

from __future__ import annotations

import re
from typing import Literal

import msgspec

import tally
from ballots.eligibility import Eligibility
from ballots.errors import N_
from ballots.lifecycle import BallotDraft

TEMPLATES: dict[str, str] = {
    "selection": N_("Choosing a firm (e.g. appraisal firm), one vote per household"),
    "projects": N_("The year's practical projects, within a budget"),
    "evaluation": N_("Evaluation: satisfied / basically satisfied / dissatisfied"),
    "hearing": N_("Hearing question: agree or disagree"),
    "owners": N_("Owners' decision (Civil Code art. 278), general matter"),
    "owners-major": N_("Owners' decision (Civil Code art. 278), major matter"),
}
QUORUMS = ("", "simple", "two_thirds", "three_quarters")
MAX_CHOICES = 50


class TemplateInput(msgspec.Struct):
    """What the clerk typed; ``choices`` is one choice per line."""

    template: str
    title: str
    prompt: str
    choices: str
    budget: str = ""
    buildings: str = ""
    min_age: str = ""
    quorum: str = ""


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _option_id(index: int) -> str:
    return f"o{index + 1}"


def _yuan(text: str) -> int | None:
    """An amount in yuan as typed (``250000``, ``25万``, ``25 万元``), or None."""
    cleaned = text.replace(",", "").replace("，", "").replace("元", "").strip()
    factor = 1
    if cleaned.endswith("万"):
        factor, cleaned = 10_000, cleaned[:-1].strip()
    try:
        amount = float(cleaned)
    except ValueError:
        return None
    value = round(amount * factor)
    return value if 0 < value <= 10**12 else None


def build_draft(typed: TemplateInput) -> tuple[BallotDraft | None, dict[str, str]]:
    """The ballot draft for ``typed``, or None and the errors by field (message ids)."""
    errors: dict[str, str] = {}
    if typed.template not in TEMPLATES:
        errors["template"] = N_("Choose a template from the list.")
        return None, errors
    lines = _lines(typed.choices)
    if not 1 <= len(lines) <= MAX_CHOICES and typed.template not in (
        "hearing",
        "owners",
        "owners-major",
    ):
        errors["choices"] = N_("Give between 1 and 50 choices, one per line.")
    if typed.template in ("selection",) and len(lines) < 2:
        errors["choices"] = N_("Give at least two choices, one per line.")
    quorum = typed.quorum if typed.quorum in QUORUMS else None
    if quorum is None:
        errors["quorum"] = N_("Choose a participation rule from the list.")
    min_age = None
    if typed.min_age.strip():
        if not typed.min_age.strip().isdigit() or not 0 <= int(typed.min_age) <= 150:
            errors["min_age"] = N_("A whole number of years from 0 to 150, please.")
        else:
            min_age = int(typed.min_age)
    buildings = [b for b in re.split(r"[,，、\s]+", typed.buildings.strip()) if b]
    if any(len(b) > 64 for b in buildings):
        errors["buildings"] = N_("A building name is at most 64 characters.")
    options: list[tally.Option] = []
    questions: list[tally.Question] = []
    budget = None
    if typed.template == "projects":
        budget = _yuan(typed.budget)
        if budget is None:
            errors["budget"] = N_("The budget in yuan, e.g. 1200000 or 120万.")
        for index, line in enumerate(lines):
            parts = re.split(r"[,，]", line)
            name, cost_text = ",".join(parts[:-1]).strip(), parts[-1] if len(parts) > 1 else ""
            cost = _yuan(cost_text)
            if not name or cost is None:
                errors["choices"] = N_(
                    "Each line: a project, a comma, its cost (e.g. 加装消防设备, 25万)."
                )
                break
            options.append(tally.Option(id=_option_id(index), label=name, cost=cost))
    elif typed.template == "evaluation":
        levels = [
            tally.Option(id="good", label="满意", score=3),
            tally.Option(id="fair", label="基本满意", score=2),
            tally.Option(id="poor", label="不满意", score=1),
        ]
        questions = [
            tally.Question(id=f"q{index + 1}", kind="rating", prompt=line, options=levels)
            for index, line in enumerate(lines)
        ]
    elif typed.template in ("hearing", "owners", "owners-major"):
        options = [
            tally.Option(id="yes", label="同意"),
            tally.Option(id="no", label="不同意"),
            tally.Option(id="abstain", label="弃权"),
        ]
    else:
        options = [tally.Option(id=_option_id(i), label=line) for i, line in enumerate(lines)]
    if any(len(option.label) > 200 for option in options) or any(
        len(q.prompt) > 500 for q in questions
    ):
        errors["choices"] = N_("A choice is at most 200 characters.")
    if errors:
        return None, errors
    if not questions:
        kind: Literal["single", "budget", "yesno"] = (
            "budget"
            if typed.template == "projects"
            else "single"
            if typed.template == "selection"
            else "yesno"
        )
        rule: dict[str, object] = {}
        if typed.template.startswith("owners"):
            rule = {"name": "dual_threshold", "major": typed.template == "owners-major"}
        questions = [
            tally.Question(
                id="q1",
                kind=kind,
                prompt=typed.prompt.strip() or typed.title.strip(),
                options=options,
                budget_limit=budget,
                rule=rule,
            )
        ]
    owners = typed.template.startswith("owners")
    validity = None
    if typed.template == "selection":
        validity = tally.Validity(quorum=quorum or None, majority="valid")
    elif quorum and not owners:
        validity = tally.Validity(quorum=quorum)
    draft = BallotDraft(
        title=typed.title.strip(),
        questions=questions,
        voting_unit="household" if typed.template == "selection" else "person",
        weighting="area" if owners else "none",
        eligibility=Eligibility(
            roles=["owner"] if typed.template == "selection" or owners else [],
            buildings=buildings,
            min_age=min_age,
        ),
        validity=validity,
    )
    return draft, {}
