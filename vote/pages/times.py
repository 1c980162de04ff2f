"""Showing times: stored in UTC, shown in the unit's zone (Beijing time by default)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from babel.dates import format_datetime

from ballots.errors import N_
from vote.i18n import current_locale, gettext_

DEFAULT_ZONE = "Asia/Shanghai"
ZONE_NAMES = {"Asia/Shanghai": N_("Beijing time")}


def local_time(at: datetime | None, zone: str = DEFAULT_ZONE, *, seconds: bool = False) -> str:
    """``at`` as the wall-clock time in ``zone``, named: ``2026-05-01 14:00 北京时间``."""
    if at is None:
        return ""
    if at.tzinfo is None:  # stored values are UTC
        at = at.replace(tzinfo=UTC)
    shown = at.astimezone(ZoneInfo(zone))
    name = gettext_(ZONE_NAMES[zone]) if zone in ZONE_NAMES else zone
    return f"{shown:%Y-%m-%d %H:%M{':%S' if seconds else ''}} {name}"


def deadline_time(at: datetime | str | None, zone: str = DEFAULT_ZONE) -> str:
    """``at`` (a datetime, or ISO text as timeline events keep it) as residents read a
    deadline, in ``zone``: ``2026年12月5日 18:00（北京时间）``, ``5 December 2026, 18:00 (Beijing
    time)``."""
    if not at:
        return ""
    if isinstance(at, str):
        at = datetime.fromisoformat(at)
    if at.tzinfo is None:  # stored values are UTC
        at = at.replace(tzinfo=UTC)
    shown = at.astimezone(ZoneInfo(zone))
    # A date pattern in Unicode's notation (babel), translated like any message.
    pattern = gettext_(N_("d MMMM y, HH:mm"))
    when = format_datetime(shown, pattern, locale=current_locale.get())
    name = gettext_(ZONE_NAMES[zone]) if zone in ZONE_NAMES else zone
    return gettext_(N_("%(when)s (%(zone)s)")) % {"when": when, "zone": name}


def start_of_day(day: date, zone: str = DEFAULT_ZONE) -> datetime:
    """The UTC instant a calendar day begins in ``zone`` (for date filters)."""
    return datetime.combine(day, time(0), tzinfo=ZoneInfo(zone)).astimezone(UTC)
