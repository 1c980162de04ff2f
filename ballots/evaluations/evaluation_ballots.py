"""Evaluation ballots: one action drafts a ballot on an evaluation matter with one rating
question per chosen subject (满意 / 基本满意 / 不满意, scores 3 / 2 / 1) and records which question
rates which subject for which year; an existing ballot's rating question can be linked too.

Comments are not asked: ``tally`` has no free-text question kind (a ballot counts choices only),
so residents' comments go to the hearing's opinions instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

import tally
from ballots import audit
from ballots.access import Actor, require
from ballots.eligibility import Eligibility
from ballots.errors import N_, InvalidInput, NotFound
from ballots.evaluations.subjects import ancestor_ids, get_subject
from ballots.lifecycle import BallotDraft, ballot_spec, create_ballot, get_ballot
from ballots.matters import get_matter
from ballots.models import Ballot, EvaluationSubject, SubjectRating
from ballots.models.bounds import BALLOT_TITLE_LENGTH
from ballots.units import get_unit

BEIJING = ZoneInfo("Asia/Shanghai")
LEVELS = (("good", "满意", 3.0), ("fair", "基本满意", 2.0), ("poor", "不满意", 1.0))
"""The three-level scale: option id, label (ballot text, in Chinese as residents read it), score."""
MAX_SUBJECTS = 30
YEAR_MIN, YEAR_MAX = 2000, 2100


def this_year() -> int:
    """The current year in Beijing time."""
    return datetime.now(BEIJING).year


def _check_year(year: int) -> int:
    if not YEAR_MIN <= year <= YEAR_MAX:
        raise InvalidInput(
            N_("The year must be between {low} and {high}."), low=YEAR_MIN, high=YEAR_MAX
        )
    return year


def question_id(subject: EvaluationSubject) -> str:
    """The rating question id for ``subject`` in a drafted evaluation ballot."""
    return f"s{subject.id}"


def rating_question(subject: EvaluationSubject) -> tally.Question:
    """The rating question for ``subject`` on the three-level scale."""
    return tally.Question(
        id=question_id(subject),
        kind="rating",
        prompt=subject.name,
        options=[tally.Option(id=oid, label=label, score=score) for oid, label, score in LEVELS],
    )


async def create_evaluation_ballot(
    session: AsyncSession,
    actor: Actor,
    *,
    matter_id: int,
    subject_ids: Sequence[int],
    title: str,
    year: int | None = None,
    eligibility: Eligibility | None = None,
) -> Ballot:
    """Draft an evaluation ballot on an evaluation matter rating each subject once, and record
    the subject ratings for ``year`` (default: this year in Beijing time); audited."""
    matter = await get_matter(session, matter_id)
    unit = await get_unit(session, matter.unit_id)
    require(actor, "manage_ballots", unit.path)
    if matter.kind != "evaluation":
        raise InvalidInput(N_("An evaluation ballot belongs on an evaluation matter."))
    title = title.strip()
    if not title:
        raise InvalidInput(N_("Please give the title."))
    if len(title) > BALLOT_TITLE_LENGTH:
        raise InvalidInput(
            N_("The title must be at most {limit} characters."), limit=BALLOT_TITLE_LENGTH
        )
    year = _check_year(year if year is not None else this_year())
    unique = list(dict.fromkeys(subject_ids))
    if not unique:
        raise InvalidInput(N_("Choose at least one subject to evaluate."))
    if len(unique) > MAX_SUBJECTS:
        raise InvalidInput(N_("At most {limit} subjects in one evaluation."), limit=MAX_SUBJECTS)
    subjects = []
    for subject_id in unique:
        subject = await get_subject(session, subject_id)
        if subject.unit_id not in ancestor_ids(unit) or not subject.active:
            raise NotFound(what="evaluation subject", id=subject_id)
        subjects.append(subject)
    draft = BallotDraft(
        title=title,
        questions=[rating_question(subject) for subject in subjects],
        eligibility=eligibility or Eligibility(min_age=18),
    )
    ballot = await create_ballot(session, actor, matter.id, draft)
    for subject in subjects:
        session.add(
            SubjectRating(
                subject_id=subject.id,
                ballot_id=ballot.id,
                question_id=question_id(subject),
                year=year,
            )
        )
    await session.flush()
    audit.record(
        session,
        actor,
        "evaluation.create_ballot",
        f"ballot:{ballot.id}",
        unit.id,
        subjects=[subject.id for subject in subjects],
        year=year,
    )
    return ballot


def _check_rating_question(ballot: Ballot, qid: str) -> None:
    for question in ballot_spec(ballot).questions:
        if question.id == qid:
            scores = {option.score for option in question.options}
            if question.kind != "rating" or len(question.options) != 3 or len(scores) != 3:
                raise InvalidInput(
                    N_("Only a rating question with three levels can rate a subject.")
                )
            return
    raise InvalidInput(N_("The ballot has no question {question}."), question=qid)


async def link_rating(
    session: AsyncSession,
    actor: Actor,
    *,
    ballot_id: int,
    question_id: str,
    subject_id: int,
    year: int,
) -> SubjectRating:
    """Record that an existing ballot's three-level rating question rates ``subject_id`` in
    ``year``; the ballot must be in the subject's unit or below it; audited."""
    ballot = await get_ballot(session, ballot_id)
    matter = await get_matter(session, ballot.matter_id)
    unit = await get_unit(session, matter.unit_id)
    require(actor, "manage_ballots", unit.path)
    subject = await get_subject(session, subject_id)
    if subject.unit_id not in ancestor_ids(unit):
        raise NotFound(what="evaluation subject", id=subject_id)
    year = _check_year(year)
    _check_rating_question(ballot, question_id)
    taken = await session.scalar(
        select(SubjectRating.id).where(
            SubjectRating.ballot_id == ballot.id, SubjectRating.question_id == question_id
        )
    )
    if taken is not None:
        raise InvalidInput(N_("This question already rates a subject."))
    rating = SubjectRating(
        subject_id=subject.id, ballot_id=ballot.id, question_id=question_id, year=year
    )
    session.add(rating)
    await session.flush()
    audit.record(
        session,
        actor,
        "evaluation.link",
        f"ballot:{ballot.id}",
        unit.id,
        subject=subject.id,
        question=question_id,
        year=year,
    )
    return rating


async def ratings_of(session: AsyncSession, subject_id: int) -> Sequence[SubjectRating]:
    """Every rating question of ``subject_id``, oldest ballot first."""
    query = select(SubjectRating).where(SubjectRating.subject_id == subject_id)
    return (await session.scalars(query.order_by(SubjectRating.ballot_id))).all()


async def ratings_of_ballot(session: AsyncSession, ballot_id: int) -> Sequence[SubjectRating]:
    """The subject ratings of one ballot, in question order of creation."""
    query = select(SubjectRating).where(SubjectRating.ballot_id == ballot_id)
    return (await session.scalars(query.order_by(SubjectRating.id))).all()
