"""Words for notices (公示) on pages: their state, what they collect, their template, their items'
labels and the period line residents read, all in the reader's language (Beijing time)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from ballots.errors import N_
from ballots.models import Notice
from ballots.notices.items import CurrentItem
from ballots.notices.templates import TEMPLATE_LABELS
from vote.i18n import gettext_
from vote.pages.times import deadline_time, local_time

COLLECTS_LABELS = {
    "none": N_("Nothing (a notice only)"),
    "opinions": N_("Opinions on the plan (a hearing)"),
    "proposals": N_("Problems and projects (a proposal collection)"),
}
STATE_LABELS = {
    "draft": N_("Draft, not public"),
    "scheduled": N_("Published, the notice period has not begun"),
    "up": N_("On notice"),
    "ended": N_("Notice period over"),
    "withdrawn": N_("Withdrawn"),
}


def notice_state(notice: Notice, now: datetime | None = None) -> str:
    """``draft``, ``scheduled``, ``up``, ``ended`` or ``withdrawn``."""
    now = now or datetime.now(UTC)
    if notice.published_at is None:
        return "draft"
    if notice.withdrawn_at is not None:
        return "withdrawn"
    if now < notice.starts_at:
        return "scheduled"
    return "up" if now < notice.ends_at else "ended"


def notice_state_label(notice: Notice) -> str:
    return gettext_(STATE_LABELS[notice_state(notice)])


def notice_status_line(notice: Notice) -> str:
    """What a resident reads about the period: 公示中，截止…, 公示已结束, withdrawn when."""
    state = notice_state(notice)
    if state == "up":
        return gettext_("On notice until %(at)s") % {"at": deadline_time(notice.ends_at)}
    if state == "scheduled":
        return gettext_("On notice from %(at)s") % {"at": deadline_time(notice.starts_at)}
    if state == "ended":
        return gettext_("The notice period is over")
    if state == "withdrawn":
        return gettext_("Withdrawn on %(at)s") % {"at": local_time(notice.withdrawn_at)}
    return notice_state_label(notice)  # a draft


def collects_label(collects: str) -> str:
    return gettext_(COLLECTS_LABELS.get(collects, collects))


def template_label(template: str) -> str:
    return gettext_(TEMPLATE_LABELS.get(template, template))


def item_label(item: CurrentItem) -> str:
    """A fixed item's label in the reader's language; the chair's own heading as typed."""
    return gettext_(item.label) if item.fixed else item.label


def size_text(size: int) -> str:
    """A file size as residents read it (KB or MB)."""
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB"
    return f"{max(1, round(size / 1024))} KB"


NOTICE_LABELS: dict[str, Any] = {
    "notice_state": notice_state,
    "notice_state_label": notice_state_label,
    "notice_status_line": notice_status_line,
    "collects_label": collects_label,
    "template_label": template_label,
    "item_label": item_label,
    "size_text": size_text,
}
