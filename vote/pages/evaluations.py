"""Public evaluation pages (mobile first): one year at a time (links to the others), its
evaluated subjects with their rates (published results only) a page at a time, as a table and a
bar chart; a subject's history with each evaluation,
its rates and the rectification items (整改) with their status."""

from __future__ import annotations

from typing import Annotated

from litestar import Router, get
from litestar.params import Parameter
from litestar.response import Template
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ballots.errors import NotFound
from ballots.evaluations import rates, rectification, subjects
from ballots.evaluations.rates import Counts
from ballots.models import EvaluationSubject
from ballots.units import get_unit
from vote.api.params import IdParam
from vote.pages.errors import page
from vote.pages.evaluation_labels import evaluation_helpers, rates_chart
from vote.pages.paging import PAGE_SIZE, last_page, pager

YearQuery = Annotated[int, Parameter(ge=2000, le=2100)]
PageQuery = Annotated[int, Parameter(query="page", ge=1, le=100_000)]


@get("/evaluations", name="evaluations")
async def evaluations_page(
    db: AsyncSession, year: YearQuery | None = None, page_number: PageQuery = 1
) -> Template:
    """One year with published evaluations (``year``, the newest by default, links to the
    others): its subjects by satisfaction, :data:`~vote.pages.paging.PAGE_SIZE` a page."""
    per_year = rates.by_year(await rates.evaluations(db))
    years = list(per_year)  # newest first
    if not years:
        return page("evaluations.html", years=[], shown=None, **evaluation_helpers())
    if year is not None and year not in per_year:
        raise NotFound(what="year of evaluations", id=year)
    shown = year if year is not None else years[0]
    per_subject = per_year[shown]
    found = await db.scalars(
        select(EvaluationSubject).where(EvaluationSubject.id.in_(list(per_subject)))
    )
    by_id = {subject.id: subject for subject in found}
    rows: list[tuple[EvaluationSubject, Counts]] = sorted(
        ((by_id[subject_id], counts) for subject_id, counts in per_subject.items()),
        key=lambda row: (-(row[1].satisfaction or 0.0), row[0].name, row[0].id),
    )
    last = last_page(len(rows))
    number = min(page_number, last)
    listed = rows[(number - 1) * PAGE_SIZE : number * PAGE_SIZE]
    return page(
        "evaluations.html",
        years=years,
        shown=shown,
        total=len(rows),
        rows=listed,
        chart=rates_chart(listed, shown, f"chart-{shown}"),
        **pager("/evaluations", number, last, year=shown),
        **evaluation_helpers(),
    )


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
