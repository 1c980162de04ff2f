"""The statistics table as the console shows and exports it: one column list (header labels in
the reader's language), the rows as cell values, and the same rows as CSV (UTF-8 with a BOM, so
Excel reads Chinese) or as an XLSX workbook (openpyxl), with a file name naming unit and period."""

from __future__ import annotations

import csv
import io

from openpyxl import Workbook

from ballots.agency.stats import Period
from ballots.errors import N_
from ballots.statistics import Statistics, UnitFigures, days_of
from vote.i18n import gettext_

COLUMNS = (
    N_("Unit"),
    N_("Hearings"),
    N_("Coordination meetings"),
    N_("Evaluation meetings"),
    N_("Demands received"),
    N_("Demands replied"),
    N_("Replied on time"),
    N_("Satisfaction rate (%)"),
    N_("Ballots opened"),
    N_("Average turnout (%)"),
    N_("Projects chosen"),
    N_("Cost of projects chosen (yuan)"),
)


def percent(rate: float | None) -> float | None:
    """A rate as a percentage with one decimal, ``None`` when there is nothing to divide by."""
    return None if rate is None else round(rate * 100, 1)


def header() -> list[str]:
    return [gettext_(column) for column in COLUMNS]


def cells(row: UnitFigures) -> list[str | int | float | None]:
    """One row's cells, in the order of :data:`COLUMNS`."""
    name = row.unit_name + (gettext_(N_(" (total)")) if row.total else "")
    return [
        name,
        row.hearings,
        row.coordination_meetings,
        row.evaluation_meetings,
        row.demands_received,
        row.demands_replied,
        row.demands_replied_on_time,
        percent(row.satisfaction_rate),
        row.ballots_opened,
        percent(row.average_turnout),
        row.projects_chosen,
        row.projects_cost,
    ]


def period_name(when: Period) -> str:
    """``2026``, ``2026-Q4``, ``2026-03`` or ``2026-01-15_2026-02-14`` (used in file names)."""
    if when.kind == "range":
        first, last = days_of(when)
        return f"{first.isoformat()}_{last.isoformat()}"
    if when.kind == "quarter":
        return f"{when.year}-Q{when.number}"
    if when.kind == "month":
        return f"{when.year}-{when.number:02d}"
    return str(when.year)


def file_name(stats: Statistics, when: Period, extension: str) -> str:
    return f"{stats.unit_name}-{gettext_(N_('statistics'))}-{period_name(when)}.{extension}"


def as_csv(stats: Statistics) -> bytes:
    """The table as CSV: a header row, then one row per unit; UTF-8 with a byte order mark."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header())
    for row in stats.rows:
        writer.writerow(["" if value is None else value for value in cells(row)])
    return "\ufeff".encode() + out.getvalue().encode()


def as_xlsx(stats: Statistics) -> bytes:
    """The table as one worksheet: a header row, then one row per unit."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = gettext_(N_("statistics"))[:31]
    sheet.append(header())
    for row in stats.rows:
        sheet.append(cells(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
