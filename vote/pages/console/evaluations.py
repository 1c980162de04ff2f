"""Console: evaluations (评议). The register of subjects (add, edit, deactivate), drafting an
evaluation ballot for chosen subjects on an evaluation matter, a subject's page with its history
(published rates, pending ballots), flagged when poorly rated, its rectification items (add and
move), and linking an existing ballot's rating question to it."""

from __future__ import annotations

from datetime import date
from typing import Any

from litestar import Request, get, post
from litestar.response import Redirect, Template
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ballots import matters, units
from ballots.access import Actor, require
from ballots.errors import DomainError, InvalidInput, NotFound, OutsideUnit
from ballots.evaluations import evaluation_ballots, rates, rectification, subjects
from ballots.followup.actions import NOTE_MAX, OWNER_MAX, TITLE_MAX
from ballots.lifecycle import ballot_spec
from ballots.listings import Window
from ballots.models import Ballot, EvaluationSubject, Matter, Organisation, SubjectRating, Unit
from ballots.models.bounds import BALLOT_TITLE_LENGTH, LONG_TEXT_LENGTH
from vote.api.params import IdParam, PageParam
from vote.i18n import gettext_
from vote.pages.console.layout import (
    Errors,
    Form,
    check_text,
    console_page,
    console_router,
    message_of,
    read_form,
)
from vote.pages.evaluation_labels import KIND_LABELS, evaluation_helpers
from vote.pages.paging import one_page, pager
from vote.web import AppContext

SUBJECT_FIELDS = ("unit_id", "kind", "name", "description", "organisation_id", "matter_id")
BALLOT_FIELDS = ("evaluation_matter", "title", "year")
ACTION_FIELDS = ("title", "owner", "owner_organisation", "due_on", "note")


def kind_choices() -> list[tuple[str, str]]:
    return [(key, gettext_(label)) for key, label in KIND_LABELS.items()]


def _int(value: str) -> int | None:
    value = value.strip()
    return int(value) if value.isdigit() and len(value) < 12 else None


async def _organisations(db: AsyncSession, actor: Actor) -> list[Organisation]:
    """Organisations of the chair's units and of the units above them."""
    above = [int(part) for part in actor.unit_path.strip("/").split("/") if part]
    query = (
        select(Organisation)
        .join(Unit, Unit.id == Organisation.unit_id)
        .where(Organisation.active.is_(True))
        .where(Unit.path.startswith(actor.unit_path) | Organisation.unit_id.in_(above or [-1]))
        .order_by(Organisation.name)
    )
    return list((await db.scalars(query)).all())


async def _register(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    actor: Actor,
    *,
    form: Form | None = None,
    errors: Errors | None = None,
    ballot_form: Form | None = None,
    ballot_errors: Errors | None = None,
    chosen: list[int] | None = None,
    error: str = "",
    status_code: int = 200,
    page_number: int = 1,
) -> Template:
    require(actor, "read", actor.unit_path)
    every = await subjects.subjects_within(db, actor.unit_path)
    unit_names = {u.id: u.name for u in await units.list_units(db, "/")}
    latest: dict[int, rates.Evaluation] = {}
    for evaluation in await rates.evaluations(db, [subject.id for subject in every]):
        latest[evaluation.subject_id] = evaluation  # oldest first: the last one stays
    flagged = [
        subject
        for subject in every
        if (last := latest.get(subject.id)) is not None and last.counts.flagged
    ]

    async def fetch(offset: int, limit: int) -> Window[EvaluationSubject]:
        return await subjects.subjects_window(db, actor.unit_path, offset, limit)

    listed, shown_page, last_one = await one_page(fetch, page_number)
    managed = await units.list_units(db, actor.unit_path)
    all_matters = await matters.list_matters(db, actor.unit_path)
    return console_page(
        request,
        ctx,
        actor,
        "console/evaluations.html",
        section="evaluations",
        status_code=status_code,
        subjects=listed.items,
        total=listed.total,
        offered=[subject for subject in every if subject.active],
        latest=latest,
        flagged=flagged,
        unit_names=unit_names,
        unit_choices=[(str(u.id), u.name) for u in managed],
        kinds=kind_choices(),
        organisation_choices=[(str(o.id), o.name) for o in await _organisations(db, actor)],
        project_choices=[(str(m.id), m.title) for m in all_matters if m.kind == "practical"],
        evaluation_matters=[(str(m.id), m.title) for m in all_matters if m.kind == "evaluation"],
        form=form or {"kind": "agency"},
        errors=errors or {},
        ballot_form=ballot_form or {"year": str(evaluation_ballots.this_year())},
        ballot_errors=ballot_errors or {},
        chosen=chosen or [],
        error=error,
        **pager("/chair/evaluations", shown_page, last_one),
        **evaluation_helpers(),
    )


@get("/evaluations", name="console-evaluations")
async def register(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    actor: Actor,
    page: PageParam = 1,
) -> Template:
    """The register, :data:`~vote.pages.paging.PAGE_SIZE` subjects a page (those needing
    rectification all listed above it)."""
    return await _register(request, db, ctx, actor, page_number=page)


def _subject_form(form: Form, errors: Errors) -> tuple[str, str, int | None, int | None]:
    name = check_text(errors, "name", form["name"], maximum=subjects.NAME_MAX)
    description = check_text(
        errors, "description", form["description"], maximum=LONG_TEXT_LENGTH, required=False
    )
    if form["kind"] not in subjects.SUBJECT_KINDS:
        errors["kind"] = gettext_("Choose from the list.")
    organisation_id = _int(form["organisation_id"])
    if form["organisation_id"] and organisation_id is None:
        errors["organisation_id"] = gettext_("Choose from the list.")
    matter_id = _int(form["matter_id"])
    if form["matter_id"] and matter_id is None:
        errors["matter_id"] = gettext_("Choose from the list.")
    return name, description, organisation_id, matter_id


def _refusal_field(refused: DomainError) -> str | None:
    """Which field a refusal is about, to show it beside that field."""
    if isinstance(refused, NotFound):
        what = refused.params.get("what")
        return {"organisation": "organisation_id", "matter": "matter_id"}.get(str(what))
    return None


@post("/evaluations/subjects")
async def add_subject(
    request: Request[Any, Any, Any], db: AsyncSession, ctx: AppContext, actor: Actor
) -> Template | Redirect:
    form = await read_form(request, *SUBJECT_FIELDS)
    errors: Errors = {}
    name, description, organisation_id, matter_id = _subject_form(form, errors)
    unit_id = _int(form["unit_id"])
    if unit_id is None:
        errors["unit_id"] = gettext_("Choose from the list.")
    if errors or unit_id is None:
        return await _register(request, db, ctx, actor, form=form, errors=errors, status_code=422)
    try:
        subject = await subjects.add_subject(
            db,
            actor,
            unit_id=unit_id,
            kind=form["kind"],
            name=name,
            description=description,
            organisation_id=organisation_id,
            matter_id=matter_id,
        )
        await db.commit()
    except DomainError as refused:
        await db.rollback()
        field = _refusal_field(refused)
        if field:
            errors[field] = gettext_("Choose from the list.")
        return await _register(
            request,
            db,
            ctx,
            actor,
            form=form,
            errors=errors,
            error="" if field else message_of(refused),
            status_code=422,
        )
    return Redirect(path=f"/chair/evaluations/subjects/{subject.id}", status_code=303)


@post("/evaluations/ballots")
async def create_ballot(
    request: Request[Any, Any, Any], db: AsyncSession, ctx: AppContext, actor: Actor
) -> Template | Redirect:
    form = await read_form(request, *BALLOT_FIELDS)
    chosen = [
        number
        for value in (await request.form()).getall("subject_id")
        if isinstance(value, str) and (number := _int(value)) is not None
    ]
    errors: Errors = {}
    title = check_text(errors, "title", form["title"], maximum=BALLOT_TITLE_LENGTH)
    matter_id = _int(form["evaluation_matter"])
    if matter_id is None:
        errors["evaluation_matter"] = gettext_("Choose from the list.")
    year = _int(form["year"])
    if year is None or not evaluation_ballots.YEAR_MIN <= year <= evaluation_ballots.YEAR_MAX:
        errors["year"] = gettext_("Give a year such as 2026.")
    if not chosen:
        errors["subject_id"] = gettext_("Choose at least one subject to evaluate.")
    if errors or matter_id is None:
        return await _register(
            request,
            db,
            ctx,
            actor,
            ballot_form=form,
            ballot_errors=errors,
            chosen=chosen,
            status_code=422,
        )
    try:
        ballot = await evaluation_ballots.create_evaluation_ballot(
            db, actor, matter_id=matter_id, subject_ids=chosen, title=title, year=year
        )
        await db.commit()
    except DomainError as refused:
        await db.rollback()
        return await _register(
            request,
            db,
            ctx,
            actor,
            ballot_form=form,
            chosen=chosen,
            ballot_errors={"evaluation_matter": message_of(refused)}
            if isinstance(refused, InvalidInput) and "matter" in refused.detail_msgid
            else {"subject_id": message_of(refused)},
            status_code=422,
        )
    return Redirect(path=f"/chair/ballots/{ballot.id}/edit", status_code=303)


async def _link_choices(db: AsyncSession, unit: Unit) -> list[tuple[str, str]]:
    """Three-level rating questions of ballots in the subject's unit and below, not yet linked."""
    taken = {(r.ballot_id, r.question_id) for r in (await db.scalars(select(SubjectRating))).all()}
    query = (
        select(Ballot)
        .join(Matter, Matter.id == Ballot.matter_id)
        .join(Unit, Unit.id == Matter.unit_id)
        .where(Unit.path.startswith(unit.path), Ballot.state != "cancelled")
        .order_by(Ballot.id.desc())
        .limit(200)
    )
    choices = []
    for ballot in (await db.scalars(query)).all():
        for question in ballot_spec(ballot).questions:
            rates_three = question.kind == "rating" and len(question.options) == 3
            if rates_three and (ballot.id, question.id) not in taken:
                choices.append(
                    (f"{ballot.id}:{question.id}", f"{ballot.title} — {question.prompt}")
                )
    return choices


async def _subject_page(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    actor: Actor,
    subject: EvaluationSubject,
    *,
    form: Form | None = None,
    errors: Errors | None = None,
    action_form: Form | None = None,
    action_errors: Errors | None = None,
    link_form: Form | None = None,
    link_errors: Errors | None = None,
    message: str = "",
    error: str = "",
    status_code: int = 200,
) -> Template:
    unit = await units.get_unit(db, subject.unit_id)
    found = await rates.evaluations(db, [subject.id])
    pending = await rates.pending_ratings(db, subject.id)
    pending_ballots = [await db.get(Ballot, r.ballot_id) for r in pending]
    all_matters = await matters.list_matters(db, actor.unit_path)
    return console_page(
        request,
        ctx,
        actor,
        "console/evaluation_subject.html",
        section="evaluations",
        status_code=status_code,
        subject=subject,
        unit=unit,
        evaluations=list(reversed(found)),
        pending=[b for b in pending_ballots if b is not None],
        flagged=bool(found) and found[-1].counts.flagged,
        rectifications=await rectification.rectifications_of(db, subject.id),
        is_overdue=rectification.is_overdue,
        kinds=kind_choices(),
        organisation_choices=[(str(o.id), o.name) for o in await _organisations(db, actor)],
        project_choices=[(str(m.id), m.title) for m in all_matters if m.kind == "practical"],
        link_choices=await _link_choices(db, unit),
        form=form
        or {
            "kind": subject.kind,
            "name": subject.name,
            "description": subject.description,
            "organisation_id": str(subject.organisation_id or ""),
            "matter_id": str(subject.matter_id or ""),
            "active": "1" if subject.active else "",
        },
        errors=errors or {},
        action_form=action_form or {},
        action_errors=action_errors or {},
        link_form=link_form or {"year": str(evaluation_ballots.this_year())},
        link_errors=link_errors or {},
        message=message,
        error=error,
        **evaluation_helpers(),
    )


async def _managed_subject(db: AsyncSession, actor: Actor, subject_id: int) -> EvaluationSubject:
    subject, _ = await subjects.subject_for(db, actor, subject_id, "read")
    return subject


@get("/evaluations/subjects/{subject_id:int}", name="console-evaluation-subject")
async def subject_page(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    actor: Actor,
    subject_id: IdParam,
) -> Template:
    subject = await _managed_subject(db, actor, subject_id)
    return await _subject_page(request, db, ctx, actor, subject)


@post("/evaluations/subjects/{subject_id:int}")
async def edit_subject(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    actor: Actor,
    subject_id: IdParam,
) -> Template:
    subject = await _managed_subject(db, actor, subject_id)
    form = await read_form(request, *SUBJECT_FIELDS, "active")
    errors: Errors = {}
    name, description, organisation_id, matter_id = _subject_form(form, errors)
    if errors:
        return await _subject_page(
            request, db, ctx, actor, subject, form=form, errors=errors, status_code=422
        )
    try:
        await subjects.update_subject(
            db,
            actor,
            subject.id,
            kind=form["kind"],
            name=name,
            description=description,
            organisation_id=organisation_id,
            matter_id=matter_id,
            active=form["active"] == "1",
        )
        await db.commit()
    except DomainError as refused:
        await db.rollback()
        subject = await subjects.get_subject(db, subject_id)
        field = _refusal_field(refused)
        if field:
            errors[field] = gettext_("Choose from the list.")
        return await _subject_page(
            request,
            db,
            ctx,
            actor,
            subject,
            form=form,
            errors=errors,
            error="" if field else message_of(refused),
            status_code=422,
        )
    return await _subject_page(
        request, db, ctx, actor, subject, message=gettext_("Saved: %(name)s.") % {"name": name}
    )


@post("/evaluations/subjects/{subject_id:int}/rectifications")
async def add_rectification(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    actor: Actor,
    subject_id: IdParam,
) -> Template:
    subject = await _managed_subject(db, actor, subject_id)
    form = await read_form(request, *ACTION_FIELDS)
    errors: Errors = {}
    title = check_text(errors, "title", form["title"], maximum=TITLE_MAX)
    owner = check_text(errors, "owner", form["owner"], maximum=OWNER_MAX, required=False)
    note = check_text(errors, "note", form["note"], maximum=NOTE_MAX, required=False)
    organisation_id = _int(form["owner_organisation"])
    if form["owner_organisation"] and organisation_id is None:
        errors["owner_organisation"] = gettext_("Choose from the list.")
    if not owner and organisation_id is None and "owner" not in errors:
        errors["owner"] = gettext_("Name who is responsible: a person or an organisation.")
    due_on = None
    if form["due_on"]:
        try:
            due_on = date.fromisoformat(form["due_on"])
        except ValueError:
            errors["due_on"] = gettext_("Give a date such as 2027-03-31.")
    if errors:
        return await _subject_page(
            request,
            db,
            ctx,
            actor,
            subject,
            action_form=form,
            action_errors=errors,
            status_code=422,
        )
    try:
        await rectification.add_rectification(
            db,
            actor,
            subject_id=subject.id,
            title=title,
            owner=owner,
            organisation_id=organisation_id,
            due_on=due_on,
            note=note,
        )
        await db.commit()
    except DomainError as refused:
        await db.rollback()
        subject = await subjects.get_subject(db, subject_id)
        return await _subject_page(
            request,
            db,
            ctx,
            actor,
            subject,
            action_form=form,
            action_errors={"title": message_of(refused)},
            status_code=422,
        )
    return await _subject_page(
        request, db, ctx, actor, subject, message=gettext_("Rectification item added.")
    )


@post("/evaluations/rectifications/{action_id:int}/status")
async def move_rectification(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    actor: Actor,
    action_id: IdParam,
) -> Template:
    action = await rectification.get_rectification(db, action_id)
    assert action.subject_id is not None
    subject = await _managed_subject(db, actor, action.subject_id)
    form = await read_form(request, "status")
    try:
        await rectification.move_rectification(db, actor, action.id, form["status"])
        await db.commit()
    except (InvalidInput, OutsideUnit) as refused:
        await db.rollback()
        subject = await subjects.get_subject(db, subject.id)
        return await _subject_page(
            request, db, ctx, actor, subject, error=message_of(refused), status_code=422
        )
    return await _subject_page(request, db, ctx, actor, subject, message=gettext_("Saved."))


@post("/evaluations/subjects/{subject_id:int}/link")
async def link_rating(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    actor: Actor,
    subject_id: IdParam,
) -> Template:
    subject = await _managed_subject(db, actor, subject_id)
    form = await read_form(request, "question", "year")
    errors: Errors = {}
    ballot_part, _, question_id = form["question"].partition(":")
    ballot_id = _int(ballot_part)
    if ballot_id is None or not question_id:
        errors["question"] = gettext_("Choose from the list.")
    year = _int(form["year"])
    if year is None or not evaluation_ballots.YEAR_MIN <= year <= evaluation_ballots.YEAR_MAX:
        errors["year"] = gettext_("Give a year such as 2026.")
    if errors or ballot_id is None or year is None:
        return await _subject_page(
            request,
            db,
            ctx,
            actor,
            subject,
            link_form=form,
            link_errors=errors,
            status_code=422,
        )
    try:
        await evaluation_ballots.link_rating(
            db,
            actor,
            ballot_id=ballot_id,
            question_id=question_id,
            subject_id=subject.id,
            year=year,
        )
        await db.commit()
    except DomainError as refused:
        await db.rollback()
        subject = await subjects.get_subject(db, subject_id)
        return await _subject_page(
            request,
            db,
            ctx,
            actor,
            subject,
            link_form=form,
            link_errors={"question": message_of(refused)},
            status_code=422,
        )
    return await _subject_page(request, db, ctx, actor, subject, message=gettext_("Saved."))


router = console_router(
    [
        register,
        add_subject,
        create_ballot,
        subject_page,
        edit_subject,
        add_rectification,
        move_rectification,
        link_rating,
    ]
)
