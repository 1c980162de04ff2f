"""Evaluations (评议会) for chairs: the subjects register, drafting an evaluation ballot for
chosen subjects, linking an existing rating question to a subject, satisfaction rates per
subject and year (published results only) and rectification items. The console does the same."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

import msgspec
from litestar import Router, get, post, put
from litestar.di import Provide
from litestar.params import Parameter
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED
from sqlalchemy.ext.asyncio import AsyncSession

from ballots.access import Actor
from ballots.evaluations import evaluation_ballots, rates, rectification, subjects
from ballots.evaluations.evaluation_ballots import MAX_SUBJECTS, YEAR_MAX, YEAR_MIN
from ballots.models import Action, EvaluationSubject
from ballots.models.bounds import BALLOT_TITLE_LENGTH, SAFE_TEXT, Id, Text, column_length
from vote.api.meeting_schemas import utc
from vote.api.params import CountParam, IdParam, LimitParam
from vote.web import provide_actor

Name = Annotated[
    str,
    msgspec.Meta(min_length=1, max_length=column_length(EvaluationSubject.name), pattern=SAFE_TEXT),
]
SubjectKind = Literal["agency", "project", "staff", "team"]
Year = Annotated[int, msgspec.Meta(ge=YEAR_MIN, le=YEAR_MAX)]
YearParam = Annotated[int, Parameter(ge=YEAR_MIN, le=YEAR_MAX)]
Title = Annotated[
    str, msgspec.Meta(min_length=1, max_length=BALLOT_TITLE_LENGTH, pattern=SAFE_TEXT)
]
ActionTitle = Annotated[
    str, msgspec.Meta(min_length=1, max_length=column_length(Action.title), pattern=SAFE_TEXT)
]
Owner = Annotated[str, msgspec.Meta(max_length=column_length(Action.owner), pattern=SAFE_TEXT)]
QuestionId = Annotated[str, msgspec.Meta(min_length=1, max_length=64, pattern=SAFE_TEXT)]
Status = Literal["open", "in_progress", "done"]


class SubjectIn(msgspec.Struct, forbid_unknown_fields=True):
    """A subject to register in ``unit_id`` (an organisation offered to the unit for an agency,
    the project's matter for a project, both optional)."""

    unit_id: Id
    kind: SubjectKind
    name: Name
    description: Text = ""
    organisation_id: Id | None = None
    matter_id: Id | None = None


class SubjectUpdate(msgspec.Struct, forbid_unknown_fields=True):
    """The whole subject; ``active`` false takes it off new evaluations (its history stays)."""

    kind: SubjectKind
    name: Name
    description: Text = ""
    organisation_id: Id | None = None
    matter_id: Id | None = None
    active: bool = True


class SubjectOut(msgspec.Struct):
    id: int
    unit_id: int
    kind: str
    name: str
    description: str
    organisation_id: int | None
    matter_id: int | None
    active: bool

    @classmethod
    def of(cls, subject: EvaluationSubject) -> SubjectOut:
        return cls(
            id=subject.id,
            unit_id=subject.unit_id,
            kind=subject.kind,
            name=subject.name,
            description=subject.description,
            organisation_id=subject.organisation_id,
            matter_id=subject.matter_id,
            active=subject.active,
        )


class SubjectPage(msgspec.Struct):
    """A slice of the register: ``total`` counts every subject, page on with ``offset``."""

    subjects: list[SubjectOut]
    total: int
    offset: int
    limit: int


class RatesOut(msgspec.Struct):
    """Counts of the three levels and the rates over valid ratings (null without any):
    ``satisfaction`` = (满意 + 基本满意) / valid, ``very_satisfied`` = 满意 / valid,
    ``dissatisfied`` = 不满意 / valid; ``flagged`` when below the rectification threshold."""

    satisfied: float
    fairly_satisfied: float
    dissatisfied_count: float
    valid: float
    satisfaction: float | None
    very_satisfied: float | None
    dissatisfied: float | None
    flagged: bool

    @classmethod
    def of(cls, counts: rates.Counts) -> RatesOut:
        return cls(
            satisfied=counts.very,
            fairly_satisfied=counts.fair,
            dissatisfied_count=counts.poor,
            valid=counts.valid,
            satisfaction=counts.satisfaction,
            very_satisfied=counts.very_satisfied,
            dissatisfied=counts.dissatisfied,
            flagged=counts.flagged,
        )


class YearRatesOut(msgspec.Struct):
    subject_id: int
    year: int
    rates: RatesOut


class EvaluationOut(msgspec.Struct):
    """One published evaluation of the subject."""

    ballot_id: int
    ballot_title: str
    year: int
    published_at: datetime
    rates: RatesOut


class RectificationIn(msgspec.Struct, forbid_unknown_fields=True):
    """A rectification item: what is to be done, who is responsible (a person, or an
    organisation offered to the subject's unit), by when."""

    title: ActionTitle
    owner: Owner = ""
    organisation_id: Id | None = None
    due_on: date | None = None
    note: Text = ""


class StatusIn(msgspec.Struct, forbid_unknown_fields=True):
    status: Status


class RectificationOut(msgspec.Struct):
    id: int
    subject_id: int
    title: str
    owner: str
    organisation_id: int | None
    due_on: date | None
    status: str
    overdue: bool
    note: str
    done_at: datetime | None

    @classmethod
    def of(cls, action: Action) -> RectificationOut:
        return cls(
            id=action.id,
            subject_id=action.subject_id or 0,
            title=action.title,
            owner=action.owner,
            organisation_id=action.organisation_id,
            due_on=action.due_on,
            status=action.status,
            overdue=rectification.is_overdue(action),
            note=action.note,
            done_at=utc(action.done_at) if action.done_at else None,
        )


class SubjectHistoryOut(msgspec.Struct):
    """A subject with its published evaluations (oldest first) and its rectification items."""

    subject: SubjectOut
    evaluations: list[EvaluationOut]
    rectifications: list[RectificationOut]


class EvaluationBallotIn(msgspec.Struct, forbid_unknown_fields=True):
    """Draft an evaluation ballot on an evaluation matter rating each subject (满意 / 基本满意 /
    不满意, scores 3 / 2 / 1); ``year`` defaults to this year in Beijing time. Residents'
    comments are not asked: ballots count choices only."""

    title: Title
    subject_ids: Annotated[list[Id], msgspec.Meta(min_length=1, max_length=MAX_SUBJECTS)]
    year: Year | None = None


class RatingOut(msgspec.Struct):
    subject_id: int
    ballot_id: int
    question_id: str
    year: int


class EvaluationBallotOut(msgspec.Struct):
    ballot_id: int
    ratings: list[RatingOut]


class LinkIn(msgspec.Struct, forbid_unknown_fields=True):
    """An existing ballot's three-level rating question that rates the subject in ``year``."""

    ballot_id: Id
    question_id: QuestionId
    year: Year


@get("/evaluation-subjects", summary="Evaluation subjects in your units, by kind and name")
async def list_subjects(
    db: AsyncSession, actor: Actor, offset: CountParam = 0, limit: LimitParam = 50
) -> SubjectPage:
    """The register of your units, no longer evaluated subjects included, by kind, name and id;
    ``total`` counts every subject, page on with ``offset``."""
    found = await subjects.subjects_window(db, actor.unit_path, offset, limit)
    return SubjectPage(
        subjects=[SubjectOut.of(s) for s in found.items],
        total=found.total,
        offset=found.offset,
        limit=found.limit,
    )


@post(
    "/evaluation-subjects", status_code=HTTP_201_CREATED, summary="Register an evaluation subject"
)
async def create_subject(db: AsyncSession, actor: Actor, data: SubjectIn) -> SubjectOut:
    subject = await subjects.add_subject(
        db,
        actor,
        unit_id=data.unit_id,
        kind=data.kind,
        name=data.name,
        description=data.description,
        organisation_id=data.organisation_id,
        matter_id=data.matter_id,
    )
    await db.commit()
    return SubjectOut.of(subject)


async def _history(db: AsyncSession, subject: EvaluationSubject) -> SubjectHistoryOut:
    return SubjectHistoryOut(
        subject=SubjectOut.of(subject),
        evaluations=[
            EvaluationOut(
                ballot_id=e.ballot_id,
                ballot_title=e.ballot_title,
                year=e.year,
                published_at=utc(e.published_at),
                rates=RatesOut.of(e.counts),
            )
            for e in await rates.evaluations(db, [subject.id])
        ],
        rectifications=[
            RectificationOut.of(a) for a in await rectification.rectifications_of(db, subject.id)
        ],
    )


@get(
    "/evaluation-subjects/{subject_id:int}",
    summary="A subject's history: published evaluations and rectification items",
)
async def get_subject(db: AsyncSession, actor: Actor, subject_id: IdParam) -> SubjectHistoryOut:
    subject, _ = await subjects.subject_for(db, actor, subject_id, "read")
    return await _history(db, subject)


@put("/evaluation-subjects/{subject_id:int}", summary="Change or deactivate a subject")
async def update_subject(
    db: AsyncSession, actor: Actor, subject_id: IdParam, data: SubjectUpdate
) -> SubjectOut:
    subject = await subjects.update_subject(
        db,
        actor,
        subject_id,
        kind=data.kind,
        name=data.name,
        description=data.description,
        organisation_id=data.organisation_id,
        matter_id=data.matter_id,
        active=data.active,
    )
    await db.commit()
    return SubjectOut.of(subject)


@post(
    "/matters/{matter_id:int}/evaluation-ballots",
    status_code=HTTP_201_CREATED,
    summary="Draft an evaluation ballot rating the chosen subjects",
)
async def create_evaluation_ballot(
    db: AsyncSession, actor: Actor, matter_id: IdParam, data: EvaluationBallotIn
) -> EvaluationBallotOut:
    """Refused (``invalid-input``) unless the matter is an evaluation matter; a subject that is
    inactive or not offered to the matter's unit is ``not-found``."""
    ballot = await evaluation_ballots.create_evaluation_ballot(
        db,
        actor,
        matter_id=matter_id,
        subject_ids=data.subject_ids,
        title=data.title,
        year=data.year,
    )
    await db.commit()
    ratings = await evaluation_ballots.ratings_of_ballot(db, ballot.id)
    return EvaluationBallotOut(
        ballot_id=ballot.id,
        ratings=[RatingOut(r.subject_id, r.ballot_id, r.question_id, r.year) for r in ratings],
    )


@post(
    "/evaluation-subjects/{subject_id:int}/ratings",
    status_code=HTTP_201_CREATED,
    summary="Link an existing ballot's rating question to the subject",
)
async def link_rating(
    db: AsyncSession, actor: Actor, subject_id: IdParam, data: LinkIn
) -> RatingOut:
    rating = await evaluation_ballots.link_rating(
        db,
        actor,
        ballot_id=data.ballot_id,
        question_id=data.question_id,
        subject_id=subject_id,
        year=data.year,
    )
    await db.commit()
    return RatingOut(rating.subject_id, rating.ballot_id, rating.question_id, rating.year)


@get("/evaluation-rates", summary="Satisfaction rates per subject and year (published results)")
async def list_rates(
    db: AsyncSession, actor: Actor, year: YearParam | None = None
) -> list[YearRatesOut]:
    found = await subjects.subjects_within(db, actor.unit_path)
    rows = []
    for each_year, per_subject in (await rates.yearly_rates(db, found)).items():
        if year is not None and each_year != year:
            continue
        for subject_id, counts in per_subject.items():
            rows.append(YearRatesOut(subject_id, each_year, RatesOut.of(counts)))
    return rows


@get(
    "/evaluation-subjects/{subject_id:int}/rectifications",
    summary="A subject's rectification items",
)
async def list_rectifications(
    db: AsyncSession, actor: Actor, subject_id: IdParam
) -> list[RectificationOut]:
    subject, _ = await subjects.subject_for(db, actor, subject_id, "read")
    found = await rectification.rectifications_of(db, subject.id)
    return [RectificationOut.of(action) for action in found]


@post(
    "/evaluation-subjects/{subject_id:int}/rectifications",
    status_code=HTTP_201_CREATED,
    summary="Add a rectification item (整改) to a subject",
)
async def add_rectification(
    db: AsyncSession, actor: Actor, subject_id: IdParam, data: RectificationIn
) -> RectificationOut:
    action = await rectification.add_rectification(
        db,
        actor,
        subject_id=subject_id,
        title=data.title,
        owner=data.owner,
        organisation_id=data.organisation_id,
        due_on=data.due_on,
        note=data.note,
    )
    await db.commit()
    return RectificationOut.of(action)


@post(
    "/rectifications/{action_id:int}/status",
    status_code=HTTP_200_OK,
    summary="Move a rectification item: open, in progress, done (done reopens)",
)
async def move_rectification(
    db: AsyncSession, actor: Actor, action_id: IdParam, data: StatusIn
) -> RectificationOut:
    action = await rectification.move_rectification(db, actor, action_id, data.status)
    await db.commit()
    return RectificationOut.of(action)


router = Router(
    path="/api/v1",
    route_handlers=[
        list_subjects,
        create_subject,
        get_subject,
        update_subject,
        create_evaluation_ballot,
        link_rating,
        list_rates,
        list_rectifications,
        add_rectification,
        move_rectification,
    ],
    dependencies={"actor": Provide(provide_actor)},
    tags=["chairs"],
)
