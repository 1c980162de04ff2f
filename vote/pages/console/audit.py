"""Console: the audit log of the chair's units — filter by unit, chair, action and dates
(Beijing time), every entry reachable page by page."""

from __future__ import annotations

import json
import math
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

from litestar import Request, get
from litestar.response import Template
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ballots import audit, chairs, units
from ballots.access import Actor, require
from ballots.errors import N_
from ballots.models import Unit
from vote.api.params import SearchParam
from vote.i18n import gettext_
from vote.pages.console.layout import Errors, console_page, console_router
from vote.pages.console.matters import parse_id, unit_choices
from vote.pages.times import start_of_day
from vote.web import AppContext

ACTION_LABELS = {
    "ballot.cancel": N_("Ballot cancelled"),
    "ballot.close": N_("Voting closed"),
    "ballot.create": N_("Ballot prepared"),
    "ballot.open": N_("Voting opened"),
    "ballot.publish": N_("Result published"),
    "ballot.schedule": N_("Ballot scheduled"),
    "ballot.update": N_("Ballot changed"),
    "chair.change_password": N_("Own password chosen"),
    "chair.create": N_("Chair added"),
    "chair.disable": N_("Chair disabled"),
    "chair.enable": N_("Chair enabled again"),
    "chair.login": N_("Logged in"),
    "chair.logout": N_("Logged out"),
    "chair.recovery_code_used": N_("Logged in with a recovery code"),
    "chair.recovery_codes_replaced": N_("New recovery codes made"),
    "chair.reenrol_totp": N_("Authenticator enrolled again"),
    "chair.reset_password": N_("Password reset"),
    "chair.role": N_("Role changed"),
    "credential.reissue": N_("Voting code replaced"),
    "credential.revoke": N_("Voting code revoked"),
    "invitations.issue": N_("Invitations printed"),
    "invitations.reprint": N_("Invitations reprinted"),
    "matter.create": N_("Matter recorded"),
    "matter.note": N_("Note added"),
    "matter.update": N_("Title or description changed"),
    "meeting.create": N_("Meeting planned"),
    "meeting.update": N_("Meeting plan changed"),
    "meeting.minutes": N_("Meeting minutes saved"),
    "meeting.checkin_opened": N_("Meeting check-in opened"),
    "meeting.ended": N_("Meeting ended"),
    "ballot.meeting": N_("Ballot held at a meeting"),
    "meeting.file_add": N_("File attached to the minutes"),
    "meeting.file_delete": N_("File removed from the minutes"),
    "meeting.speaker_add": N_("Asked to speak"),
    "meeting.speaker_mark": N_("Speaker's state changed"),
    "opinion.adoption": N_("Decision on an opinion published"),
    "opinion.group": N_("Opinion filed under a heading"),
    "opinion.group_add": N_("Heading for opinions added"),
    "opinion.hide": N_("Opinion hidden from the public"),
    "opinion.reply": N_("Reply to an opinion published"),
    "opinion.unhide": N_("Opinion shown again"),
    "proposal.cost": N_("Proposal's estimated cost set"),
    "proposal.generate_ballot": N_("Practical-projects ballot made from the shortlist"),
    "proposal.merge": N_("Proposal merged"),
    "proposal.shortlist": N_("Proposal shortlist changed"),
    "roll.import": N_("Roll imported"),
    "token.create": N_("API token created"),
    "token.revoke": N_("API token revoked"),
    "unit.create": N_("Unit added"),
    "unit.rename": N_("Unit renamed"),
}
PAGE_SIZE = 50
MAX_PAGE = 10_000_000


def _day(errors: Errors, name: str, value: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        errors[name] = gettext_("A date like 2026-05-01, please.")
        return None


def action_label(action: str) -> str:
    """An audit action in words, or its code when it has no label."""
    return gettext_(ACTION_LABELS[action]) if action in ACTION_LABELS else action


def details_text(details: dict[str, Any]) -> str:
    """An entry's details on one line, as the reader can check them."""
    return json.dumps(details, ensure_ascii=False, sort_keys=True, default=str)[:500]


@get("/audit", name="console-audit")
async def audit_log(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    actor: Actor,
    unit: SearchParam = "",
    chair: SearchParam = "",
    action: SearchParam = "",
    since: SearchParam = "",
    until: SearchParam = "",
    page: SearchParam = "1",
) -> Template:
    require(actor, "read", actor.unit_path)
    errors: Errors = {}
    unit_id = parse_id(unit) if unit else None
    if unit and unit_id is None:
        errors["unit"] = gettext_("Choose a unit from the list.")
    if unit_id is not None:
        require(actor, "read", (await units.get_unit(db, unit_id)).path)
    visible_chairs = sorted(
        (found.username, found.id) for found, _ in await chairs.list_chairs(db, actor.unit_path)
    )
    chair_id = parse_id(chair) if chair else None
    if chair and chair_id not in {id_ for _, id_ in visible_chairs}:
        errors["chair"] = gettext_("Choose a chair from the list.")
        chair_id = None
    actions = await audit.actions_seen(db, actor)
    if action and action not in actions:
        errors["action"] = gettext_("Choose an action from the list.")
    first, last = _day(errors, "since", since), _day(errors, "until", until)
    if first and last and last < first:
        errors["until"] = gettext_("The last day cannot be before the first.")
    number = parse_id(page) or 0
    if not 1 <= number <= MAX_PAGE:
        errors["page"] = gettext_("There is no such page.")
        number = 1
    found = await audit.search(
        db,
        actor,
        unit_id=unit_id if "unit" not in errors else None,
        chair_id=chair_id,
        action=action if "action" not in errors else "",
        since=start_of_day(first) if first and "since" not in errors else None,
        until=start_of_day(last + timedelta(days=1)) if last and "until" not in errors else None,
        offset=(number - 1) * PAGE_SIZE,
        limit=PAGE_SIZE,
    )
    filters = {"unit": unit, "chair": chair, "action": action, "since": since, "until": until}
    kept = {key: value for key, value in filters.items() if value}
    pages = max(1, math.ceil(found.total / PAGE_SIZE))
    names = {id_: name for id_, name in await db.execute(select(Unit.id, Unit.name))}
    return console_page(
        request,
        ctx,
        actor,
        "console/audit.html",
        section="audit",
        status_code=422 if errors else 200,
        entries=found.entries,
        total=found.total,
        page=number,
        pages=pages,
        link=lambda n: "/chair/audit?" + urlencode(kept | {"page": n}),
        units=await unit_choices(db, actor),
        chairs=[(id_, name) for name, id_ in visible_chairs],
        actions=[(name, f"{action_label(name)} ({name})") for name in actions],
        action_label=action_label,
        unit_names=names,
        details_text=details_text,
        form=filters,
        errors=errors,
    )


router = console_router([audit_log])
