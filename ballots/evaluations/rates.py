"""Satisfaction rates from published results only, the way 12345 measures them.

For each rating question that rates a subject, the stored ``tally`` result gives the weight of
each level; the levels are ordered by score (满意 highest, 不满意 lowest). The satisfaction rate
is (满意 + 基本满意) / valid ratings, 满意率 is 满意 / valid ratings and 不满意率 is
不满意 / valid ratings. A year's rates add the counts of every published evaluation that year.
A subject is flagged for rectification (整改) when its satisfaction rate is below
:data:`SATISFACTION_FLOOR` or its 不满意率 above :data:`DISSATISFIED_CEILING`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ballots.models import Ballot, EvaluationSubject, SubjectRating

SATISFACTION_FLOOR = 0.80
"""Below this satisfaction rate a subject needs rectification."""
DISSATISFIED_CEILING = 0.20
"""Above this share of 不满意 a subject needs rectification."""


@dataclass(frozen=True)
class Counts:
    """Weights of the three levels and of all valid ratings."""

    very: float = 0.0
    fair: float = 0.0
    poor: float = 0.0
    valid: float = 0.0

    def __add__(self, other: Counts) -> Counts:
        return Counts(
            self.very + other.very,
            self.fair + other.fair,
            self.poor + other.poor,
            self.valid + other.valid,
        )

    @property
    def satisfaction(self) -> float | None:
        """(满意 + 基本满意) / valid, or None without valid ratings."""
        return (self.very + self.fair) / self.valid if self.valid > 0 else None

    @property
    def very_satisfied(self) -> float | None:
        """满意 / valid, or None without valid ratings."""
        return self.very / self.valid if self.valid > 0 else None

    @property
    def dissatisfied(self) -> float | None:
        """不满意 / valid, or None without valid ratings."""
        return self.poor / self.valid if self.valid > 0 else None

    @property
    def flagged(self) -> bool:
        """Poorly rated: satisfaction below the floor or 不满意 above the ceiling."""
        if self.valid <= 0:
            return False
        return (self.very + self.fair) < SATISFACTION_FLOOR * self.valid or (
            self.poor > DISSATISFIED_CEILING * self.valid
        )


@dataclass(frozen=True)
class Evaluation:
    """One published evaluation of a subject: the ballot, when it was published, the counts."""

    subject_id: int
    ballot_id: int
    ballot_title: str
    year: int
    published_at: datetime
    counts: Counts


def counts_of(result_text: str, question_id: str) -> Counts | None:
    """The three levels' weights of ``question_id`` in a stored ``tally`` result, or None."""
    result: dict[str, Any] = json.loads(result_text)
    for question in result.get("questions", []):
        if question.get("question") != question_id:
            continue
        options = sorted(question.get("options", []), key=lambda o: -(o.get("score") or 0.0))
        if len(options) != 3:
            return None
        very, fair, poor = (float(option.get("votes", 0.0)) for option in options)
        return Counts(very, fair, poor, float(question.get("valid_weight", 0.0)))
    return None


async def evaluations(
    session: AsyncSession, subject_ids: Sequence[int] | None = None
) -> list[Evaluation]:
    """Every published evaluation (of ``subject_ids``, or all), oldest first; unpublished,
    cancelled and open ballots are left out."""
    query = (
        select(SubjectRating, Ballot)
        .join(Ballot, Ballot.id == SubjectRating.ballot_id)
        .where(
            Ballot.state == "published",
            Ballot.published_at.is_not(None),
            Ballot.result.is_not(None),
        )
    )
    if subject_ids is not None:
        query = query.where(SubjectRating.subject_id.in_(list(subject_ids) or [-1]))
    found = []
    for rating, ballot in (await session.execute(query.order_by(Ballot.published_at))).all():
        assert ballot.result is not None and ballot.published_at is not None
        counts = counts_of(ballot.result, rating.question_id)
        if counts is not None:
            found.append(
                Evaluation(
                    rating.subject_id,
                    ballot.id,
                    ballot.title,
                    rating.year,
                    ballot.published_at,
                    counts,
                )
            )
    return found


def by_year(found: Sequence[Evaluation]) -> dict[int, dict[int, Counts]]:
    """Year → subject id → the year's added counts."""
    years: dict[int, dict[int, Counts]] = {}
    for evaluation in found:
        per_subject = years.setdefault(evaluation.year, {})
        per_subject[evaluation.subject_id] = (
            per_subject.get(evaluation.subject_id, Counts()) + evaluation.counts
        )
    return dict(sorted(years.items(), reverse=True))


async def yearly_rates(
    session: AsyncSession, subjects: Sequence[EvaluationSubject]
) -> dict[int, dict[int, Counts]]:
    """Year (newest first) → subject id → counts, for ``subjects``, published results only."""
    return by_year(await evaluations(session, [subject.id for subject in subjects]))


async def latest(session: AsyncSession, subject_id: int) -> Evaluation | None:
    """The subject's latest published evaluation, if any."""
    found = await evaluations(session, [subject_id])
    return found[-1] if found else None


async def pending_ratings(session: AsyncSession, subject_id: int) -> Sequence[SubjectRating]:
    """The subject's rating questions whose ballot is not published yet."""
    query = (
        select(SubjectRating)
        .join(Ballot, Ballot.id == SubjectRating.ballot_id)
        .where(SubjectRating.subject_id == subject_id, Ballot.state != "published")
    )
    return (await session.scalars(query)).all()
