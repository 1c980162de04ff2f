"""Console: the ballot builder — a new ballot on a matter from one of the seed's templates, with
a count of who is eligible before it is created."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from litestar import Request, get, post
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from ballots import lifecycle, matters, units
from ballots.access import Actor, require
from ballots.eligibility import compute_electorate, electorate_totals
from ballots.errors import DomainError
from ballots.templates import QUORUMS, TEMPLATES, TemplateInput, build_draft
from vote.api.params import IdParam, SearchParam
from vote.i18n import gettext_
from vote.pages.console.layout import Form, console_page, console_router, message_of, read_form
from vote.pages.console.matters import matter_detail_page
from vote.web import AppContext

FIELDS = ("template", "title", "prompt", "choices", "budget", "buildings", "min_age", "quorum")
QUORUM_LABELS = {
    "": "No participation rule",
    "simple": "More than half take part",
    "two_thirds": "At least two thirds take part",
    "three_quarters": "At least three quarters take part",
}
DEFAULT_QUORUM = {"selection": "simple"}


async def _builder(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    actor: Actor,
    matter_id: int,
    *,
    form: Form,
    errors: dict[str, str] | None = None,
    error: str = "",
    eligible: tuple[int, int] | None = None,
    status_code: int = 200,
) -> Template:
    matter = await matters.get_matter(db, matter_id)
    unit = await units.get_unit(db, matter.unit_id)
    require(actor, "manage_ballots", unit.path)
    return console_page(
        request,
        ctx,
        actor,
        "console/ballot_new.html",
        section="matters",
        status_code=status_code,
        matter=matter,
        templates=[(key, gettext_(label)) for key, label in TEMPLATES.items()],
        quorums=[(key, gettext_(QUORUM_LABELS[key])) for key in QUORUMS],
        form=form,
        errors=errors or {},
        error=error,
        eligible=eligible,
    )


@get("/matters/{matter_id:int}/ballots/new", name="console-ballot-new")
async def new_ballot_form(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    actor: Actor,
    matter_id: IdParam,
    template: SearchParam = "selection",
) -> Template:
    chosen = template if template in TEMPLATES else "selection"
    form = {"template": chosen, "quorum": DEFAULT_QUORUM.get(chosen, "")}
    return await _builder(request, db, ctx, actor, matter_id, form=form)


@post("/matters/{matter_id:int}/ballots/new")
async def new_ballot(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    actor: Actor,
    matter_id: IdParam,
) -> Template:
    form = await read_form(request, *FIELDS, "action")
    draft, problems = build_draft(TemplateInput(**{name: form[name] for name in FIELDS}))
    errors = {field: gettext_(message) for field, message in problems.items()}
    if not form["title"].strip():
        errors["title"] = gettext_("Please fill this in.")
    elif len(form["title"].strip()) > 300:
        errors["title"] = gettext_("At most %(n)s characters, please.") % {"n": 300}
    if errors or draft is None:
        return await _builder(
            request, db, ctx, actor, matter_id, form=form, errors=errors, status_code=422
        )
    if form["action"] == "count":
        matter = await matters.get_matter(db, matter_id)
        unit = await units.get_unit(db, matter.unit_id)
        require(actor, "manage_ballots", unit.path)
        voters = await compute_electorate(
            db,
            draft.eligibility,
            unit,
            draft.voting_unit,
            datetime.now(UTC).date(),
            weighting=draft.weighting,
        )
        counted = (len(voters), electorate_totals(voters)[0])
        return await _builder(request, db, ctx, actor, matter_id, form=form, eligible=counted)
    try:
        ballot = await lifecycle.create_ballot(db, actor, matter_id, draft)
        await db.commit()
    except DomainError as refused:
        await db.rollback()
        return await _builder(
            request,
            db,
            ctx,
            actor,
            matter_id,
            form=form,
            error=message_of(refused),
            status_code=422,
        )
    message = gettext_("The ballot “%(title)s” is drafted. Check it, then open voting.") % {
        "title": ballot.title
    }
    return await matter_detail_page(request, db, ctx, actor, matter_id, message=message)


router = console_router([new_ballot_form, new_ballot])
