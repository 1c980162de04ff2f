"""Public evaluation pages (mobile first): per year, every evaluated subject with its rates
(published results only) as a table and a bar chart; a subject's history with each evaluation,
its rates and the rectification items (整改) with their status."""

from __future__ import annotations

from litestar import Router, get
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from ballots.errors import NotFound
from ballots.evaluations import rates, rectification, subjects
from ballots.evaluations.rates import Counts
from ballots.models import EvaluationSubject
from ballots.units import get_unit
from vote.api.params import IdParam
from vote.pages.errors import page
from vote.pages.evaluation_labels import evaluation_helpers, rates_chart


@get("/evaluations", name="evaluations")
async def evaluations_page(db: AsyncSession) -> Template:
    """Every year with published evaluations, newest first: subjects by satisfaction."""
    found = await rates.evaluations(db)
    by_id: dict[int, EvaluationSubject] = {}
    for evaluation in found:
        if evaluation.subject_id not in by_id:
            by_id[evaluation.subject_id] = await subjects.get_subject(db, evaluation.subject_id)
    years = []
    for year, per_subject in rates.by_year(found).items():
        rows: list[tuple[EvaluationSubject, Counts]] = sorted(
            ((by_id[subject_id], counts) for subject_id, counts in per_subject.items()),
            key=lambda row: (-(row[1].satisfaction or 0.0), row[0].name),
        )
        years.append((year, rows, rates_chart(rows, year, f"chart-{year}")))
    return page("evaluations.html", years=years, **evaluation_helpers())


@get("/evaluations/subjects/{subject_id:int}", name="evaluation-subject")
async def subject_page(db: AsyncSession, subject_id: IdParam) -> Template:
    """A subject's history: each published evaluation with its rates, and its rectification
    items; a subject never evaluated in public is not found."""
    subject = await subjects.get_subject(db, subject_id)
    found = await rates.evaluations(db, [subject.id])
    if not found:
        raise NotFound(what="evaluation subject", id=subject_id)
    unit = await get_unit(db, subject.unit_id)
    return page(
        "evaluation_subject.html",
        subject=subject,
        unit=unit,
        evaluations=list(reversed(found)),
        rectifications=await rectification.rectifications_of(db, subject.id),
        is_overdue=rectification.is_overdue,
        **evaluation_helpers(),
    )


router = Router(path="/", route_handlers=[evaluations_page, subject_page], include_in_schema=False)
