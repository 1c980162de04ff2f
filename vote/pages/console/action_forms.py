"""Console: what the coordination page and a matter's follow-up page share about a follow-up
action — reading its fields as typed (each refusal beside its field), reading a progress in
percent, placing a domain refusal beside the field it concerns, and the page that changes an
action."""

from __future__ import annotations

from datetime import date
from typing import Any

from litestar import Request
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from ballots.access import Actor, require
from ballots.errors import DomainError, InvalidInput, NotFound
from ballots.followup import actions as followup
from ballots.models import Action
from ballots.organisations import organisations_for
from vote.i18n import gettext_
from vote.pages.console.layout import Errors, Form, check_text, console_page, message_of
from vote.pages.console.matters import parse_id
from vote.web import AppContext

FIELDS = ("title", "owner", "organisation_id", "due_on", "note")
"""The fields of the form that adds or changes an action."""


def parse_day(value: str, name: str, errors: Errors) -> date | None:
    """A date typed as 2026-03-09 (or left empty), else an error beside field ``name``."""
    value = value.strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        errors[name] = gettext_("Please give a date like 2026-03-09.")
        return None


def typed_action(form: Form, errors: Errors) -> dict[str, Any]:
    """The action's fields as typed, each refusal noted beside its field: the keyword
    arguments of ``create_action`` and ``update_action``."""
    title = check_text(errors, "title", form["title"], maximum=followup.TITLE_MAX)
    owner = check_text(errors, "owner", form["owner"], maximum=followup.OWNER_MAX, required=False)
    note = check_text(errors, "note", form["note"], maximum=followup.NOTE_MAX, required=False)
    organisation_id = parse_id(form["organisation_id"]) if form["organisation_id"] else None
    if form["organisation_id"] and organisation_id is None:
        errors["organisation_id"] = gettext_("Choose an organisation from the list.")
    due_on = parse_day(form["due_on"], "due_on", errors)
    if not owner and organisation_id is None and "owner" not in errors:
        errors["owner"] = gettext_("Name who is responsible, or choose an organisation.")
    return {
        "title": title,
        "owner": owner,
        "organisation_id": organisation_id,
        "due_on": due_on,
        "note": note,
    }


def typed_progress(typed: str, errors: Errors, field: str) -> int | None:
    """A progress typed as a whole number of percent (``60`` or ``60%``), else None with the
    refusal beside ``field``."""
    digits = typed.strip().rstrip("%").strip()
    progress = int(digits) if digits.isascii() and digits.isdigit() else -1
    if 0 <= progress <= 100:
        return progress
    errors[field] = gettext_("A whole number from 0 to 100, please.")
    return None


def place_refusal(refused: DomainError, errors: Errors, field: str) -> None:
    """A refusal of the input goes beside ``field`` (an organisation not offered here beside
    the organisation's); any other refusal (another unit's matter) is raised again."""
    if isinstance(refused, NotFound) and field == "organisation_id":
        errors[field] = gettext_("Choose an organisation from the list.")
    elif isinstance(refused, InvalidInput):
        errors[field] = message_of(refused)
    else:
        raise refused


def refused_field(fields: dict[str, Any]) -> str:
    """Where a refusal of the action's fields is shown: beside the organisation when one was
    chosen (it may not be offered here), else beside the title."""
    return "organisation_id" if fields["organisation_id"] else "title"


async def edit_page(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    actor: Actor,
    action: Action,
    *,
    back_url: str,
    back_label: str,
    form_action: str,
    form: Form | None = None,
    errors: Errors | None = None,
    error: str = "",
    status_code: int = 200,
    context: dict[str, Any],
) -> Template:
    """The page that changes ``action`` (a chair who manages its unit only), returning to
    ``back_url``; ``context`` holds the labels and choices its template uses."""
    unit = await followup.action_unit(db, action)
    require(actor, "manage_ballots", unit.path)
    return console_page(
        request,
        ctx,
        actor,
        "console/action_edit.html",
        section="matters",
        status_code=status_code,
        action=action,
        back_url=back_url,
        back_label=back_label,
        form_action=form_action,
        organisations=list(await organisations_for(db, unit)),
        form=form
        or {
            "title": action.title,
            "owner": action.owner,
            "organisation_id": str(action.organisation_id or ""),
            "due_on": action.due_on.isoformat() if action.due_on else "",
            "note": action.note,
        },
        errors=errors or {},
        error=error,
        **context,
    )
