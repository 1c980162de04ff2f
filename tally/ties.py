"""Deterministic, public tie-breaking from the spec's ``tie_seed``.

When a rule must choose among tied options it orders them by
``sha256(seed + "\\x1f" + question id + "\\x1f" + step + "\\x1f" + option id)`` (hex, ascending).
Anyone holding the seed (the board supplies the closing tree-head hash) can repeat the draw, and
nobody can steer it before the seed exists. Every draw is recorded as a :class:`TieBreak` in the
result so the public page can say that a tie was broken and how.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

import msgspec

METHOD = "sha256(seed␟question␟step␟option) ascending"


class TieBreak(msgspec.Struct):
    """One tie that a rule broke: which options were tied, at which step, and the order drawn."""

    step: str
    tied: list[str]
    order: list[str]
    method: str = METHOD


def draw_key(seed: str, question: str, step: str, option: str) -> str:
    """The hex digest that orders ``option`` in the draw for ``step`` of ``question``."""
    text = "\x1f".join((seed, question, step, option))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class TieBreaker:
    """Breaks ties for one question and remembers every draw it made."""

    def __init__(self, seed: str, question: str) -> None:
        self.seed = seed
        self.question = question
        self.draws: list[TieBreak] = []

    def order(self, tied: Iterable[str], step: str) -> list[str]:
        """Order ``tied`` by the public draw; record the draw when there are two or more."""
        options = sorted(set(tied))
        if len(options) < 2:
            return options
        ordered = sorted(
            options, key=lambda option: draw_key(self.seed, self.question, step, option)
        )
        self.draws.append(TieBreak(step=step, tied=options, order=ordered))
        return ordered

    def first(self, tied: Iterable[str], step: str) -> str:
        """The option the draw puts first among ``tied``."""
        return self.order(tied, step)[0]

    def rank(
        self, scores: dict[str, float], step: str, *, descending: bool = True, places: int = 0
    ) -> list[str]:
        """All options of ``scores`` best first, ties broken by the draw.

        Only ties that matter are drawn: when ``places`` is positive, a group of equal scores is
        drawn only if it straddles position ``places`` (the cut between chosen and not chosen).
        With ``places == 0`` every group of equal scores is drawn.
        """
        groups: dict[float, list[str]] = {}
        for option, score in scores.items():
            groups.setdefault(score, []).append(option)
        ordered: list[str] = []
        for score in sorted(groups, reverse=descending):
            members = sorted(groups[score])
            start = len(ordered)
            straddles = start < places < start + len(members)
            if len(members) > 1 and (places == 0 or straddles):
                members = self.order(members, f"{step} (score {_fmt(score)})")
            ordered.extend(members)
        return ordered


def _fmt(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.6g}"
