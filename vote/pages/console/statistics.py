"""The console's statistics page (/chair/statistics): figures per unit for a year, quarter or
month, or any range of days (``kind=range&from=…&to=…``, both days included), in Beijing time,
two bar charts (demands and turnout by unit) and the same table as CSV or XLSX. A malformed or
impossible range is named beside its field. Only units within the chair's own."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from litestar import Request, Response, get
from litestar.params import Parameter
from litestar.response import Template
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ballots.access import Actor
from ballots.agency.stats import Period, current_period, period
from ballots.errors import N_, DomainError, InvalidInput, NotFound
from ballots.models import Unit
from ballots.models.bounds import SAFE_TEXT
from ballots.statistics import Statistics, date_range, days_of, parse_day, statistics_of
from vote.api.params import IdParam
from vote.i18n import gettext_
from vote.pages.charts import Bar, bar_chart
from vote.pages.console.layout import console_page, console_router, message_of
from vote.pages.console.meeting_parts import attachment_headers
from vote.pages.statistics_table import as_csv, as_xlsx, cells, file_name, header, percent
from vote.web import AppContext

KindQuery = Literal["year", "quarter", "month", "range"]
FromQuery = Annotated[str, Parameter(query="from", max_length=40, pattern=SAFE_TEXT)]
ToQuery = Annotated[str, Parameter(query="to", max_length=40, pattern=SAFE_TEXT)]
YearQuery = Annotated[int, Parameter(ge=2000, le=2100)]
NumberQuery = Annotated[int, Parameter(ge=1, le=12)]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


async def _own_units(db: AsyncSession, actor: Actor) -> list[Unit]:
    query = select(Unit).where(Unit.path.startswith(actor.unit_path)).order_by(Unit.path)
    return list((await db.scalars(query)).all())


def _period(
    kind: str, year: int | None, number: int | None, first: str = "", last: str = ""
) -> Period:
    """The calendar period, or for ``range`` the days ``first`` to ``last`` (both needed);
    refusals name their field in ``params["field"]``."""
    if kind == "range":
        if not first.strip():
            raise InvalidInput(N_("Please give the first day of the range."), field="from")
        if not last.strip():
            raise InvalidInput(N_("Please give the last day of the range."), field="to")
        return date_range(parse_day(first, "from"), parse_day(last, "to"))
    this = current_period(kind)
    return period(kind, year or this.year, number or this.number)


def _day_errors(first: str, last: str) -> dict[str, str]:
    """Each missing or malformed day beside its own field (both at once)."""
    missing = {
        "from": N_("Please give the first day of the range."),
        "to": N_("Please give the last day of the range."),
    }
    errors = {}
    for text, field in ((first, "from"), (last, "to")):
        if not text.strip():
            errors[field] = gettext_(missing[field])
            continue
        try:
            parse_day(text, field)
        except DomainError as refused:
            errors[field] = message_of(refused)
    return errors


def _charts(stats: Statistics) -> list[Any]:
    rows = [r for r in stats.rows if not r.total] or stats.rows
    most = max((r.demands_received for r in rows), default=0) or 1
    demands = [
        Bar(
            r.unit_name,
            gettext_(N_("%(n)s received")) % {"n": r.demands_received},
            gettext_(N_("%(n)s replied")) % {"n": r.demands_replied},
            r.demands_received / most,
        )
        for r in rows
    ]
    turnout = [
        Bar(
            r.unit_name,
            gettext_(N_("%(n)s ballots")) % {"n": r.ballots_opened},
            "—" if r.average_turnout is None else f"{percent(r.average_turnout)}%",
            r.average_turnout or 0.0,
        )
        for r in rows
    ]
    return [
        bar_chart(demands, gettext_(N_("Demands received and replied, by unit")), "demands-chart"),
        bar_chart(turnout, gettext_(N_("Average turnout of ballots, by unit")), "turnout-chart"),
    ]


@get("/statistics", name="console-statistics")
async def statistics_page(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    actor: Actor,
    kind: KindQuery = "year",
    year: YearQuery | None = None,
    number: NumberQuery | None = None,
    unit_id: IdParam | None = None,
    first: FromQuery = "",
    last: ToQuery = "",
) -> Template:
    """The table per unit, the charts and the export links for the chosen period; a refused
    range shows this year's figures with the reason beside the date at fault."""
    units = await _own_units(db, actor)
    if not units:
        raise NotFound(what="unit", id=0)
    chosen = unit_id or units[0].id
    error = ""
    errors: dict[str, str] = {}
    try:
        when = _period(kind, year, number, first, last)
    except DomainError as refused:
        field = refused.params.get("field")
        errors = _day_errors(first, last) if kind == "range" else {}
        if not errors and field in ("from", "to"):
            errors = {str(field): message_of(refused)}
        when = current_period("year" if kind == "range" else kind)
        error = "" if errors else message_of(refused)
    stats = await statistics_of(db, actor, chosen, when)
    first_day, last_day = days_of(when)
    shown_kind = "range" if kind == "range" else when.kind
    return console_page(
        request,
        ctx,
        actor,
        "console/statistics.html",
        section="statistics",
        status_code=422 if error or errors else 200,
        error=error,
        errors=errors,
        form={
            "from": first if kind == "range" else first_day.isoformat(),
            "to": last if kind == "range" else last_day.isoformat(),
        },
        kind=shown_kind,
        first_day=first_day.isoformat(),
        last_day=last_day.isoformat(),
        refused=bool(errors),
        units=units,
        chosen=chosen,
        when=when,
        header=header(),
        rows=[cells(r) for r in stats.rows],
        charts=_charts(stats),
        years=list(range(current_period("year").year, 2019, -1)),
    )


async def _export(
    db: AsyncSession,
    actor: Actor,
    unit_id: int,
    kind: str,
    year: int | None,
    number: int | None,
    first: str = "",
    last: str = "",
) -> tuple[Statistics, Period]:
    when = _period(kind, year, number, first, last)
    return await statistics_of(db, actor, unit_id, when), when


@get("/statistics/export.csv", name="console-statistics-csv")
async def statistics_csv(
    db: AsyncSession,
    actor: Actor,
    unit_id: IdParam,
    kind: KindQuery = "year",
    year: YearQuery | None = None,
    number: NumberQuery | None = None,
    first: FromQuery = "",
    last: ToQuery = "",
) -> Response[bytes]:
    """The table as CSV (UTF-8 with a BOM, so Excel shows Chinese)."""
    stats, when = await _export(db, actor, unit_id, kind, year, number, first, last)
    headers = attachment_headers(file_name(stats, when, "csv"), "text/csv")
    return Response(as_csv(stats), media_type="text/csv; charset=utf-8", headers=headers)


@get("/statistics/export.xlsx", name="console-statistics-xlsx")
async def statistics_xlsx(
    db: AsyncSession,
    actor: Actor,
    unit_id: IdParam,
    kind: KindQuery = "year",
    year: YearQuery | None = None,
    number: NumberQuery | None = None,
    first: FromQuery = "",
    last: ToQuery = "",
) -> Response[bytes]:
    """The table as an Excel workbook."""
    stats, when = await _export(db, actor, unit_id, kind, year, number, first, last)
    headers = attachment_headers(file_name(stats, when, "xlsx"), XLSX)
    return Response(as_xlsx(stats), media_type=XLSX, headers=headers)


router = console_router([statistics_page, statistics_csv, statistics_xlsx])
