"""The counting rules, by question kind and name, and each kind's default rule.

``Question.rule["name"]`` picks the rule; an empty ``rule`` means the kind's default:
single → plurality, multiple → approval, yesno → majority, rating → satisfaction,
ranked → irv, budget → greedy.
"""

from __future__ import annotations

from collections.abc import Callable

from tally.result import QuestionResult
from tally.rules.approval import approval
from tally.rules.borda import borda
from tally.rules.budget import equal_shares, greedy
from tally.rules.common import Context
from tally.rules.dual_threshold import dual_threshold
from tally.rules.irv import irv
from tally.rules.plurality import plurality
from tally.rules.rating import satisfaction
from tally.rules.schulze import schulze
from tally.rules.yesno import majority

Rule = Callable[[Context], QuestionResult]

RULES: dict[str, dict[str, Rule]] = {
    "single": {"plurality": plurality},
    "multiple": {"approval": approval},
    "yesno": {"majority": majority, "dual_threshold": dual_threshold},
    "rating": {"satisfaction": satisfaction},
    "ranked": {"irv": irv, "schulze": schulze, "borda": borda},
    "budget": {"greedy": greedy, "mes": equal_shares},
}
DEFAULT_RULES: dict[str, str] = {
    "single": "plurality",
    "multiple": "approval",
    "yesno": "majority",
    "rating": "satisfaction",
    "ranked": "irv",
    "budget": "greedy",
}
UNIT_RULES = frozenset({"dual_threshold"})
"""Rules that count heads and so need records grouped by voting unit."""
ALWAYS_WEIGHTED = frozenset({"dual_threshold"})
"""Rules that always use the record weight (floor area), whatever the spec's ``weighting``."""

__all__ = ["ALWAYS_WEIGHTED", "DEFAULT_RULES", "RULES", "UNIT_RULES", "Context", "Rule"]
