"""Console: the full ballot editor — every question kind, counting method, validity rule,
eligibility rule and the schedule, for a new ballot or a draft being edited — and the live
count of who is eligible while the chair types.

Without JavaScript every step is a form post: "add a question", "remove this question" and
"count who is eligible" re-render the form with the typing kept; with it, ``builder.js`` asks
``/chair/matters/{id}/eligible`` as the eligibility fields change.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import msgspec
from litestar import Request, get, post
from litestar.response import Response, Template
from sqlalchemy.ext.asyncio import AsyncSession

from ballots import lifecycle, matters, units
from ballots.access import Actor, require
from ballots.ballot_form import (
    KIND_LABELS,
    MAJORITY_LABELS,
    MAX_QUESTIONS,
    METHOD_LABELS,
    QUESTION_FIELDS,
    QUORUM_BY_LABELS,
    QUORUM_CHOICES,
    Message,
    blank_form,
    draft_from_form,
    draft_of,
    eligibility_from_form,
    field_names,
    form_from_draft,
    question_count,
)
from ballots.eligibility import Eligibility, compute_electorate, electorate_totals
from ballots.errors import DomainError
from ballots.models import Ballot, Matter, Unit
from ballots.models.roll import RESIDENT_ROLES
from vote.api.params import IdParam, SearchParam
from vote.i18n import gettext_
from vote.pages.console.layout import Errors, Form, console_page, console_router, message_of
from vote.pages.console.matters import matter_detail_page
from vote.pages.console.roll import RESIDENT_ROLES as RESIDENT_ROLE_LABELS
from vote.pages.console.schedule import parse_typed_time, typed_time
from vote.pages.labels import state_label
from vote.web import AppContext

ROLE_FIELDS = tuple(f"role_{role}" for role in RESIDENT_ROLES)


def _translated(errors: dict[str, Message]) -> Errors:
    return {
        field: gettext_(message) % params if params else gettext_(message)
        for field, (message, params) in errors.items()
    }


async def _place(db: AsyncSession, actor: Actor, matter_id: int) -> tuple[Matter, Unit, list[Unit]]:
    """The matter, its unit (which the chair must manage) and the units under it."""
    matter = await matters.get_matter(db, matter_id)
    unit = await units.get_unit(db, matter.unit_id)
    require(actor, "manage_ballots", unit.path)
    below = [found for found in await units.list_units(db, unit.path) if found.id != unit.id]
    return matter, unit, below


async def _count(
    db: AsyncSession, unit: Unit, rules: Eligibility, voting_unit: str, weighting: str
) -> tuple[int, int]:
    voters = await compute_electorate(
        db, rules, unit, voting_unit, datetime.now(UTC).date(), weighting=weighting
    )
    return len(voters), electorate_totals(voters)[0]


async def _read_form(request: Request[Any, Any, Any], unit_ids: list[int]) -> Form:
    posted = await request.form()

    def value(name: str) -> str:
        found = posted.get(name, "")
        return found if isinstance(found, str) else ""

    form = {"questions": value("questions")}
    for name in field_names(form, unit_ids):
        form[name] = value(name)
    for name in ("action", "opens_at", "closes_at"):
        form[name] = value(name)
    return form


def _question_blocks(form: Form) -> list[dict[str, Any]]:
    return [
        {"index": index, "kind": form.get(f"q{index}_kind", "single") or "single"}
        for index in range(1, question_count(form) + 1)
    ]


async def _editor(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    actor: Actor,
    matter_id: int,
    *,
    form: Form,
    ballot: Ballot | None = None,
    errors: Errors | None = None,
    error: str = "",
    status_code: int = 200,
) -> Template:
    matter, unit, below = await _place(db, actor, matter_id)
    fixed_electorate = ballot is not None and bool((ballot.eligibility or {}).get("electorate_of"))
    eligible = None
    if not fixed_electorate:
        rules, voting_unit, weighting, problems = eligibility_from_form(
            form, [found.id for found in below]
        )
        if not problems:
            eligible = await _count(db, unit, rules, voting_unit, weighting)
    return console_page(
        request,
        ctx,
        actor,
        "console/ballot_editor.html",
        section="matters",
        status_code=status_code,
        matter=matter,
        unit=unit,
        below=below,
        depth_of=lambda found: found.path.count("/") - unit.path.count("/"),
        ballot=ballot,
        fixed_electorate=fixed_electorate,
        action=(
            f"/chair/ballots/{ballot.id}/edit"
            if ballot
            else f"/chair/matters/{matter.id}/ballots/custom"
        ),
        blocks=_question_blocks(form),
        method_choices=[
            (kind, [(key, gettext_(label)) for key, label in methods.items()])
            for kind, methods in METHOD_LABELS.items()
        ],
        max_questions=MAX_QUESTIONS,
        kinds=[(key, gettext_(label)) for key, label in KIND_LABELS.items()],
        quorums=[(key, gettext_(label)) for key, label in QUORUM_CHOICES.items()],
        quorum_bys=[(key, gettext_(label)) for key, label in QUORUM_BY_LABELS.items()],
        majorities=[(key, gettext_(label)) for key, label in MAJORITY_LABELS.items()],
        roles=[(role, gettext_(RESIDENT_ROLE_LABELS[role])) for role in RESIDENT_ROLES],
        form=form,
        errors=errors or {},
        error=error,
        eligible=eligible,
    )


def _rearranged(form: Form, action: str) -> Form | None:
    """The form after "add a question" or "remove question N", or None for other actions."""
    count = question_count(form)
    if action == "add" and count < MAX_QUESTIONS:
        return form | {"questions": str(count + 1), f"q{count + 1}_kind": "single"}
    if action.startswith("remove:") and action[7:].isdigit() and count > 1:
        gone = int(action[7:])
        if not 1 <= gone <= count:
            return form
        moved = {key: value for key, value in form.items() if not key.startswith("q")}
        for new, old in enumerate((i for i in range(1, count + 1) if i != gone), start=1):
            for name in QUESTION_FIELDS:
                moved[f"q{new}_{name}"] = form.get(f"q{old}_{name}", "")
        moved["questions"] = str(count - 1)
        return moved
    if action in ("add", "refresh") or action.startswith("remove:"):
        return form
    return None


async def _save(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    actor: Actor,
    matter_id: int,
    ballot: Ballot | None,
) -> Template:
    _, _, below = await _place(db, actor, matter_id)
    unit_ids = [found.id for found in below]
    form = await _read_form(request, unit_ids)
    rearranged = _rearranged(form, form["action"])
    if rearranged is not None:
        return await _editor(request, db, ctx, actor, matter_id, form=rearranged, ballot=ballot)
    if form["action"] == "count":  # without JavaScript: the count, nothing saved
        return await _editor(request, db, ctx, actor, matter_id, form=form, ballot=ballot)
    draft, problems = draft_from_form(form, unit_ids)
    errors = _translated(problems)
    opens_at = parse_typed_time(form["opens_at"], "opens_at", errors)
    closes_at = parse_typed_time(form["closes_at"], "closes_at", errors)
    if errors or draft is None:
        return await _editor(
            request,
            db,
            ctx,
            actor,
            matter_id,
            form=form,
            ballot=ballot,
            errors=errors,
            status_code=422,
        )
    if ballot is not None and (ballot.eligibility or {}).get("electorate_of"):
        # A runoff's electorate is the first round's, frozen: the editor does not change it.
        draft.eligibility = msgspec.convert(ballot.eligibility, type=Eligibility)
    draft.opens_at, draft.closes_at = opens_at, closes_at
    try:
        if ballot is None:
            saved = await lifecycle.create_ballot(db, actor, matter_id, draft)
        else:
            saved = await lifecycle.update_ballot(db, actor, ballot.id, draft)
        await db.commit()
    except DomainError as refused:
        await db.rollback()
        if ballot is not None:
            await db.refresh(ballot)
        # A schedule refusal names its field (opens_at, closes_at): shown beside it.
        field = str(refused.params.get("field", ""))
        errors = {field: message_of(refused)} if field in ("opens_at", "closes_at") else {}
        return await _editor(
            request,
            db,
            ctx,
            actor,
            matter_id,
            form=form,
            ballot=ballot,
            errors=errors,
            error="" if errors else message_of(refused),
            status_code=refused.status,
        )
    message = (
        gettext_("The ballot “%(title)s” is drafted. Check it, then open voting.")
        if ballot is None
        else gettext_("The draft “%(title)s” is saved.")
    ) % {"title": saved.title}
    return await matter_detail_page(request, db, ctx, actor, matter_id, message=message)


@get("/matters/{matter_id:int}/ballots/custom", name="console-ballot-custom")
async def new_custom_form(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    actor: Actor,
    matter_id: IdParam,
    kind: SearchParam = "single",
) -> Template:
    form = blank_form(kind if kind in KIND_LABELS else "single")
    return await _editor(request, db, ctx, actor, matter_id, form=form)


@post("/matters/{matter_id:int}/ballots/custom")
async def new_custom(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    actor: Actor,
    matter_id: IdParam,
) -> Template:
    return await _save(request, db, ctx, actor, matter_id, None)


async def _draft_ballot(db: AsyncSession, actor: Actor, ballot_id: int) -> Ballot:
    ballot = await lifecycle.get_ballot(db, ballot_id)
    unit = await lifecycle.ballot_unit(db, ballot)
    require(actor, "manage_ballots", unit.path)
    return ballot


async def _edit_page(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    actor: Actor,
    ballot: Ballot,
) -> Template:
    _, _, below = await _place(db, actor, ballot.matter_id)
    form = form_from_draft(
        draft_of(lifecycle.ballot_spec(ballot), ballot), [found.id for found in below]
    )
    form["opens_at"], form["closes_at"] = typed_time(ballot.opens_at), typed_time(ballot.closes_at)
    error = ""
    if ballot.state != "draft":
        error = gettext_("This ballot is %(state)s: only a draft can be changed.") % {
            "state": state_label(ballot.state)
        }
    return await _editor(
        request,
        db,
        ctx,
        actor,
        ballot.matter_id,
        form=form,
        ballot=ballot,
        error=error,
        status_code=409 if error else 200,
    )


@get("/ballots/{ballot_id:int}/edit", name="console-ballot-edit")
async def edit_form(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    actor: Actor,
    ballot_id: IdParam,
) -> Template:
    return await _edit_page(request, db, ctx, actor, await _draft_ballot(db, actor, ballot_id))


@post("/ballots/{ballot_id:int}/edit")
async def edit(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    actor: Actor,
    ballot_id: IdParam,
) -> Template:
    ballot = await _draft_ballot(db, actor, ballot_id)
    if ballot.state != "draft":
        return await _edit_page(request, db, ctx, actor, ballot)
    return await _save(request, db, ctx, actor, ballot.matter_id, ballot)


class EligibleCount(msgspec.Struct):
    """Who is eligible under the rules being typed."""

    people: int
    votes: int
    text: str
    errors: dict[str, str]


@get("/matters/{matter_id:int}/eligible", name="console-eligible-count")
async def eligible_count(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    actor: Actor,
    matter_id: IdParam,
) -> Response[EligibleCount]:
    _, unit, below = await _place(db, actor, matter_id)
    typed = {key: value for key, value in request.query_params.items() if isinstance(value, str)}
    rules, voting_unit, weighting, problems = eligibility_from_form(
        typed, [found.id for found in below]
    )
    errors = _translated(problems)
    people = votes = 0
    if not errors:
        people, votes = await _count(db, unit, rules, voting_unit, weighting)
    text = (
        gettext_("Eligible now: %(people)s residents, %(votes)s votes.")
        % {"people": people, "votes": votes}
        if not errors
        else gettext_("Correct the marked fields to count who is eligible.")
    )
    return Response(
        EligibleCount(people=people, votes=votes, text=text, errors=errors),
        headers={"cache-control": "no-store"},
    )


router = console_router([new_custom_form, new_custom, edit_form, edit, eligible_count])
