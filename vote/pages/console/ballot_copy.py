"""Console: copy a ballot to another unit — a street office prepares an evaluation once and copies
it to each residential area, where it becomes a new draft.

The chair picks a unit of their own (in tree order; the ballot's own unit too) and, optionally, one
of that unit's matters, else a new matter with the same kind and title is recorded. Afterwards the
new draft's matter page says in plain words what the copy left out.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.response import Template
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ballots import lifecycle, matters, units
from ballots.access import Actor, require
from ballots.copying import CopyDropped, copy_ballot
from ballots.errors import DomainError, OutsideUnit
from ballots.models import Ballot, Matter, Unit
from vote.api.params import IdParam
from vote.i18n import gettext_
from vote.pages.console.layout import (
    Errors,
    Form,
    console_page,
    console_router,
    message_of,
    read_form,
)
from vote.pages.console.matters import matter_detail_page, parse_id, unit_choices
from vote.web import AppContext


async def _source(db: AsyncSession, actor: Actor, ballot_id: int) -> tuple[Ballot, Matter, Unit]:
    """The ballot to copy, its matter and unit; refused unless the chair manages ballots there."""
    ballot = await lifecycle.get_ballot(db, ballot_id)
    matter = await matters.get_matter(db, ballot.matter_id)
    unit = await units.get_unit(db, matter.unit_id)
    require(actor, "manage_ballots", unit.path)
    return ballot, matter, unit


async def matter_groups(
    db: AsyncSession, actor: Actor, choices: list[tuple[int, str]]
) -> list[tuple[str, list[tuple[int, str]]]]:
    """The matters of the chair's units, grouped by unit in tree order (units without any left
    out), newest first within a unit."""
    rows = await db.execute(
        select(Matter.id, Matter.title, Matter.unit_id)
        .join(Unit, Unit.id == Matter.unit_id)
        .where(Unit.path.startswith(actor.unit_path))
        .order_by(Matter.id.desc())
    )
    by_unit: dict[int, list[tuple[int, str]]] = {}
    for matter_id, title, unit_id in rows:
        by_unit.setdefault(unit_id, []).append((matter_id, title))
    return [
        (label.strip("\u3000"), by_unit[unit_id])
        for unit_id, label in choices
        if unit_id in by_unit
    ]


async def _copy_form(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    actor: Actor,
    ballot_id: int,
    *,
    form: Form,
    errors: Errors | None = None,
    error: str = "",
    status_code: int = 200,
) -> Template:
    ballot, matter, unit = await _source(db, actor, ballot_id)
    choices = await unit_choices(db, actor)
    return console_page(
        request,
        ctx,
        actor,
        "console/ballot_copy.html",
        section="matters",
        status_code=status_code,
        ballot=ballot,
        matter=matter,
        unit=unit,
        units=choices,
        matter_groups=await matter_groups(db, actor, choices),
        form=form,
        errors=errors or {},
        error=error,
    )


@get("/ballots/{ballot_id:int}/copy", name="console-ballot-copy")
async def copy_form(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    actor: Actor,
    ballot_id: IdParam,
) -> Template:
    return await _copy_form(request, db, ctx, actor, ballot_id, form={})


def dropped_message(dropped: CopyDropped, target: Unit, unit_names: dict[int, str]) -> str:
    """What the copy left out, in plain words (one sentence each), or that nothing was."""
    said: list[str] = []
    if dropped.units:
        names = "、".join(unit_names.get(unit_id, str(unit_id)) for unit_id in dropped.units)
        said.append(
            gettext_("Voters from %(units)s are left out: they are not in %(unit)s.")
            % {"units": names, "unit": target.name}
        )
    if dropped.buildings:
        said.append(
            gettext_(
                "The buildings %(buildings)s are left out: building numbers differ from area to "
                "area. Choose the buildings again if the copy needs them."
            )
            % {"buildings": "、".join(dropped.buildings)}
        )
    if dropped.electorate_of is not None:
        said.append(
            gettext_(
                "The first round's fixed list of voters is left out: the copy's voters come from "
                "the roll of %(unit)s."
            )
            % {"unit": target.name}
        )
    if dropped.opens_at is not None or dropped.closes_at is not None:
        said.append(
            gettext_("The opening and closing times are left out: schedule the copy again.")
        )
    if not said:
        said.append(gettext_("Everything was copied; nothing was left out."))
    return " ".join(said)


@post("/ballots/{ballot_id:int}/copy")
async def copy_to_unit(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    actor: Actor,
    ballot_id: IdParam,
) -> Template:
    await _source(db, actor, ballot_id)
    form = await read_form(request, "unit", "matter")
    errors: Errors = {}
    status_code = 422
    unit_id = parse_id(form["unit"])
    target = await db.get(Unit, unit_id) if unit_id is not None else None
    if target is None:
        errors["unit"] = gettext_("Choose a unit from the list.")
    elif not target.path.startswith(actor.unit_path):
        errors["unit"] = message_of(OutsideUnit())
        status_code = 403
    matter_id: int | None = None
    if form["matter"].strip():
        matter_id = parse_id(form["matter"])
        chosen = await db.get(Matter, matter_id) if matter_id is not None else None
        if chosen is None:
            errors["matter"] = gettext_("Choose a matter from the list.")
        elif target is not None and chosen.unit_id != target.id:
            errors["matter"] = gettext_(
                "This matter belongs to another unit. Choose one of the matters of %(unit)s, or "
                "a new matter."
            ) % {"unit": target.name}
    if errors or target is None:
        return await _copy_form(
            request, db, ctx, actor, ballot_id, form=form, errors=errors, status_code=status_code
        )
    try:
        done = await copy_ballot(db, actor, ballot_id, unit_id=target.id, matter_id=matter_id)
        await db.commit()
    except DomainError as refused:
        await db.rollback()
        return await _copy_form(
            request,
            db,
            ctx,
            actor,
            ballot_id,
            form=form,
            error=message_of(refused),
            status_code=refused.status if refused.status in (403, 409) else 422,
        )
    names = {
        unit_id: name
        for unit_id, name in await db.execute(
            select(Unit.id, Unit.name).where(Unit.id.in_(done.dropped.units))
        )
    }
    message = (
        gettext_("The ballot “%(title)s” is copied to %(unit)s as a draft.")
        % {"title": done.ballot.title, "unit": target.name}
        + " "
        + dropped_message(done.dropped, target, names)
    )
    return await matter_detail_page(request, db, ctx, actor, done.matter.id, message=message)


router = console_router([copy_form, copy_to_unit])
