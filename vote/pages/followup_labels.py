"""Words for coordination and follow-up: organisations' kinds, actions' kinds and statuses, and
the decision record's sentences for parties, issues, agreements and actions."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from ballots.errors import N_
from ballots.followup.actions import beijing_today
from vote.i18n import gettext_

ORGANISATION_KIND_LABELS = {
    "department": N_("Government department"),
    "company": N_("Company"),
    "property": N_("Property management"),
    "agency": N_("Service agency"),
    "other": N_("Other"),
}
ACTION_KIND_LABELS = {
    "agreement": N_("Agreed action"),
    "rectification": N_("Rectification"),
    "milestone": N_("Milestone"),
}
ACTION_STATUS_LABELS = {
    "open": N_("Not started"),
    "in_progress": N_("In progress"),
    "done": N_("Done"),
}
EVENT_LABELS = {
    "party.added": N_("Party added"),
    "party.removed": N_("Party removed"),
    "issue.added": N_("Issue added"),
    "position.set": N_("Position recorded"),
    "agreement": N_("Agreement reached"),
    "agreement.corrected": N_("Agreement corrected"),
    "agreement.withdrawn": N_("Agreement withdrawn (recorded in error)"),
    "action.created": N_("Follow-up action set"),
    "action.status": N_("Follow-up action status changed"),
    "action.progress": N_("Progress reported"),
    "action.due_changed": N_("Follow-up deadline changed"),
}


def _label(table: dict[str, str], key: str) -> str:
    return gettext_(table[key]) if key in table else key


def organisation_kind_label(kind: str) -> str:
    return _label(ORGANISATION_KIND_LABELS, kind)


def action_kind_label(kind: str) -> str:
    return _label(ACTION_KIND_LABELS, kind)


def action_status_label(status: str) -> str:
    return _label(ACTION_STATUS_LABELS, status)


def due_date(day: date | None) -> str:
    """A due date as residents write it (2026年3月9日 / 9 March 2026), or "no deadline"."""
    if day is None:
        return gettext_("No deadline")
    return gettext_("%(year)s-%(month)s-%(day)s") % {
        "year": day.year,
        "month": day.month,
        "day": day.day,
    }


def record_day(at: datetime | None) -> str:
    """The Beijing date of a recorded moment, as :func:`due_date` writes a date."""
    if at is None:
        return ""
    return due_date(beijing_today(at))


def record_entry(kind: str, payload: dict[str, Any]) -> tuple[str, list[str]] | None:
    """The decision record's sentence and details for a coordination or follow-up event, or
    ``None`` for another kind. Nothing here names a person's phone or contact."""
    if kind not in EVENT_LABELS:
        return None
    what = gettext_(EVENT_LABELS[kind])
    details: list[str] = []
    if kind in ("party.added", "party.removed"):
        details = [str(payload.get("name", ""))]
    elif kind == "issue.added":
        details = [str(payload.get("title", ""))]
    elif kind == "position.set":
        details = [
            gettext_("%(party)s on “%(issue)s”: %(text)s")
            % {
                "party": payload.get("party", ""),
                "issue": payload.get("issue", ""),
                "text": payload.get("text", "") or gettext_("(withdrawn)"),
            }
        ]
    elif kind == "agreement":
        details = [str(payload.get("text", ""))]
        if payload.get("issue"):
            details.append(gettext_("On: %(issue)s") % {"issue": payload["issue"]})
    elif kind == "agreement.corrected":
        details = [
            gettext_("Now: %(text)s") % {"text": payload.get("text", "")},
            gettext_("Before: %(text)s") % {"text": payload.get("old_text", "")},
        ]
        if payload.get("reason"):
            details.append(gettext_("Why: %(reason)s") % {"reason": payload["reason"]})
    elif kind == "agreement.withdrawn":
        details = [
            str(payload.get("text", "")),
            gettext_("Why: %(reason)s") % {"reason": payload.get("reason", "")},
        ]
    elif kind == "action.created":
        if payload.get("action_kind") == "rectification":
            what = action_kind_label("rectification")
        due = payload.get("due_on")
        details = [
            str(payload.get("title", "")),
            gettext_("Responsible: %(owner)s; due %(due)s")
            % {
                "owner": payload.get("owner", ""),
                "due": due_date(date.fromisoformat(due))
                if isinstance(due, str)
                else due_date(None),
            },
        ]
    elif kind == "action.status":
        details = [
            gettext_("“%(title)s”: %(status)s")
            % {
                "title": payload.get("title", ""),
                "status": action_status_label(str(payload.get("status", ""))),
            }
        ]
    elif kind == "action.progress":
        details = [
            gettext_("“%(title)s”: %(progress)s%% done")
            % {"title": payload.get("title", ""), "progress": payload.get("progress", 0)}
        ]
    elif kind == "action.due_changed":
        due = payload.get("due_on")
        details = [
            gettext_("“%(title)s”: now due %(due)s")
            % {
                "title": payload.get("title", ""),
                "due": due_date(date.fromisoformat(due))
                if isinstance(due, str)
                else due_date(None),
            }
        ]
    return what, details
