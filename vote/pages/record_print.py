"""``/matters/{id}/record``: one printable timeline across a matter and every matter connected
to it by links and referrals, however many steps away (the hearing that proposed a project, its
selection, coordination, evaluation, rectification; the street's record of an area's referral),
each step named by its matter, oldest first; above it, where each implementation milestone of
those matters stands (status, due date and progress)."""

from __future__ import annotations

from dataclasses import dataclass

from litestar import Router, get
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from ballots.followup import actions as followup
from ballots.matter_links import links_of, referrals_of
from ballots.matters import get_matter
from ballots.models import Action
from vote.api.params import IdParam
from vote.api.public import public_matter
from vote.pages.decision_record import Entry, record_story
from vote.pages.errors import page
from vote.pages.followup_labels import action_status_label, due_date


@dataclass(frozen=True)
class MatterEntry:
    """A step of the combined timeline and the matter it belongs to."""

    matter_id: int
    matter_title: str
    unit_name: str
    entry: Entry


MAX_MATTERS = 30
"""At most this many matters on one timeline, the nearest first (a street matter that many
areas referred up stays one printable sheet)."""


async def connected_matters(db: AsyncSession, matter_id: int) -> list[int]:
    """The matter and every matter reached through links and referrals, however many steps
    away (the hearing → selection → project → coordination → evaluation → rectification), the
    nearest first, at most :data:`MAX_MATTERS`."""
    found = [matter_id]
    queue = [matter_id]
    while queue and len(found) < MAX_MATTERS:
        current = queue.pop(0)
        neighbours = [link.matter_id for link in await links_of(db, current)]
        neighbours += [referral.matter_id for referral in await referrals_of(db, current)]
        for other in neighbours:
            if other not in found and len(found) < MAX_MATTERS:
                found.append(other)
                queue.append(other)
    return found


@dataclass(frozen=True)
class Milestone:
    """An implementation milestone as it stands, with the matter it belongs to."""

    matter_title: str
    action: Action
    overdue: bool
    days: int


async def milestones_of(db: AsyncSession, matter_id: int) -> list[Milestone]:
    """The implementation milestones of the matter and the matters connected to it, by due date."""
    today = followup.beijing_today()
    found: list[Milestone] = []
    for each in await connected_matters(db, matter_id):
        matter = await get_matter(db, each)
        for action in await followup.actions_of(db, matter_id=each, kind="milestone"):
            found.append(
                Milestone(
                    matter_title=matter.title,
                    action=action,
                    overdue=followup.is_overdue(action, today),
                    days=followup.days_overdue(action, today),
                )
            )
    return found


async def combined_entries(db: AsyncSession, matter_id: int) -> list[MatterEntry]:
    """The steps of the matter and of every matter connected to it, oldest first."""
    found: list[MatterEntry] = []
    for each in await connected_matters(db, matter_id):
        matter, unit, ballots, events = await public_matter(db, each)
        for entry in record_story(matter, ballots, events).entries:
            found.append(MatterEntry(matter.id, matter.title, unit.name, entry))
    return sorted(found, key=lambda item: (item.entry.at, item.matter_id))


@get("/matters/{matter_id:int}/record", name="matter-record")
async def matter_record(db: AsyncSession, matter_id: IdParam) -> Template:
    """The combined timeline, printable."""
    matter, unit, _, _ = await public_matter(db, matter_id)
    return page(
        "matter_record.html",
        matter=matter,
        unit=unit,
        entries=await combined_entries(db, matter.id),
        milestones=await milestones_of(db, matter.id),
        action_status_label=action_status_label,
        due_date=due_date,
    )


router = Router(path="/", route_handlers=[matter_record], include_in_schema=False)
