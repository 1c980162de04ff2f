"""Console: what residents sent on a notice (``/chair/notices/{id}/opinions``) — headings to
gather opinions under, a public reply, the adoption decision with its reason, hiding an abusive
one (kept, audited) and showing it again; for a 急难愁 collection also merging duplicates,
the estimated cost in 万元, the shortlist and the one action that makes the draft budget ballot
of the shortlist and opens it in the ballot editor.

Every action posts a small form; a refusal shows the page again with the reason beside the
field it is about, and changes nothing. The shown opinions come a page at a time; after an
action the page shows the page the opinion is on.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from ballots.access import Actor, can
from ballots.errors import N_, DomainError
from ballots.listings import Window
from ballots.matters import get_matter
from ballots.notices import opinions, proposals
from ballots.notices.notices import notice_for
from vote.api.params import IdParam, PageParam
from vote.i18n import gettext_
from vote.pages.console.layout import (
    Errors,
    Form,
    console_page,
    console_router,
    message_of,
    read_form,
)
from vote.pages.opinions import ADOPTION_LABELS, adoption_label
from vote.pages.paging import PAGE_SIZE, one_page, pager
from vote.web import AppContext

HIDDEN_LISTED = 200
"""The most hidden opinions the page lists (the oldest first); the heading counts them all."""


async def _page(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    actor: Actor,
    notice_id: int,
    *,
    form: Form | None = None,
    errors: Errors | None = None,
    message: str = "",
    error: str = "",
    status_code: int = 200,
    page_number: int = 1,
) -> Template:
    notice = await notice_for(db, actor, notice_id)  # fresh, also after a rollback

    async def fetch(offset: int, limit: int) -> Window[opinions.PublicOpinion]:
        return await opinions.opinions_window(db, notice.id, offset, limit)

    listed, shown_page, last = await one_page(fetch, page_number)
    hidden = await opinions.opinions_window(db, notice.id, 0, HIDDEN_LISTED, hidden=True)
    return console_page(
        request,
        ctx,
        actor,
        "console/opinions.html",
        section="matters",
        status_code=status_code,
        notice=notice,
        matter=await get_matter(db, notice.matter_id),
        proposals=notice.collects == "proposals",
        shown=listed.items,
        total=listed.total,
        hidden=hidden.items,
        hidden_total=hidden.total,
        merge_targets=(
            await opinions.merge_targets(db, notice.id) if notice.collects == "proposals" else []
        ),
        groups=await opinions.groups_of(db, notice.id),
        shortlisted=await opinions.shortlist_of(db, notice.id),
        **pager(f"/chair/notices/{notice.id}/opinions", shown_page, last),
        adoptions=[(key, gettext_(label)) for key, label in ADOPTION_LABELS.items()][:3],
        adoption_label=adoption_label,
        form=form or {},
        errors=errors or {},
        message=message,
        error=error,
        may_manage=can(actor, "manage_ballots"),
    )


@get("/notices/{notice_id:int}/opinions", name="console-notice-opinions")
async def opinions_page(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    actor: Actor,
    notice_id: IdParam,
    page: PageParam = 1,
) -> Template:
    """The shown opinions :data:`~vote.pages.paging.PAGE_SIZE` a page, the hidden ones below."""
    return await _page(request, db, ctx, actor, notice_id, page_number=page)


async def _act(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    actor: Actor,
    opinion_id: int,
    field: str,
    form: Form,
    work: Any,
    done: str,
) -> Template:
    """Run one chair action on an opinion; the page again, with the outcome or the reason
    beside ``field`` of that opinion's form."""
    opinion = await opinions.opinion_for(db, actor, opinion_id)
    notice_id = opinion.notice_id
    number = await opinions.number_of(db, opinion)
    on_page = await opinions.opinion_page_of(db, opinion, PAGE_SIZE)
    try:
        await work()
        await db.commit()
    except DomainError as refused:
        await db.rollback()
        return await _page(
            request,
            db,
            ctx,
            actor,
            notice_id,
            form={f"{name}-{opinion_id}": value for name, value in form.items()},
            errors={f"{field}-{opinion_id}": message_of(refused)},
            status_code=refused.status,
            page_number=on_page,
        )
    return await _page(
        request, db, ctx, actor, notice_id, message=done % {"n": number}, page_number=on_page
    )


@post("/opinions/{opinion_id:int}/reply")
async def reply(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    actor: Actor,
    opinion_id: IdParam,
) -> Template:
    form = await read_form(request, "reply")

    async def work() -> None:
        await opinions.reply_to(db, actor, opinion_id, form["reply"])

    return await _act(
        request,
        db,
        ctx,
        actor,
        opinion_id,
        "reply",
        form,
        work,
        gettext_("The reply to No. %(n)s is published."),
    )


@post("/opinions/{opinion_id:int}/adoption")
async def adoption(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    actor: Actor,
    opinion_id: IdParam,
) -> Template:
    form = await read_form(request, "adoption", "reason")

    async def work() -> None:
        await opinions.set_adoption(db, actor, opinion_id, form["adoption"], form["reason"])

    return await _act(
        request,
        db,
        ctx,
        actor,
        opinion_id,
        "reason",
        form,
        work,
        gettext_("The decision on No. %(n)s is published."),
    )


@post("/opinions/{opinion_id:int}/group")
async def group(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    actor: Actor,
    opinion_id: IdParam,
) -> Template:
    form = await read_form(request, "group")
    chosen = int(form["group"]) if form["group"].isdigit() and len(form["group"]) < 10 else None

    async def work() -> None:
        if form["group"] and chosen is None:
            raise opinions.BadChairInput(N_("Please choose one of this notice's headings."))
        await opinions.set_group(db, actor, opinion_id, chosen)

    return await _act(
        request,
        db,
        ctx,
        actor,
        opinion_id,
        "group",
        form,
        work,
        gettext_("No. %(n)s is filed under its heading."),
    )


@post("/opinions/{opinion_id:int}/hide")
async def hide(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    actor: Actor,
    opinion_id: IdParam,
) -> Template:
    form = await read_form(request, "hide_reason")

    async def work() -> None:
        await opinions.hide(db, actor, opinion_id, form["hide_reason"])

    return await _act(
        request,
        db,
        ctx,
        actor,
        opinion_id,
        "hide_reason",
        form,
        work,
        gettext_("No. %(n)s is hidden from the public; it is kept on record."),
    )


@post("/opinions/{opinion_id:int}/unhide")
async def unhide(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    actor: Actor,
    opinion_id: IdParam,
) -> Template:
    async def work() -> None:
        await opinions.unhide(db, actor, opinion_id)

    return await _act(
        request,
        db,
        ctx,
        actor,
        opinion_id,
        "unhide",
        {},
        work,
        gettext_("No. %(n)s is shown again."),
    )


@post("/opinions/{opinion_id:int}/merge")
async def merge(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    actor: Actor,
    opinion_id: IdParam,
) -> Template:
    form = await read_form(request, "into")
    into = int(form["into"]) if form["into"].isdigit() and len(form["into"]) < 10 else None

    async def work() -> None:
        if form["into"] and into is None:
            raise opinions.BadChairInput(N_("Please choose another proposal of this collection."))
        await proposals.merge(db, actor, opinion_id, into)

    return await _act(
        request,
        db,
        ctx,
        actor,
        opinion_id,
        "into",
        form,
        work,
        gettext_("No. %(n)s is merged.") if into else gettext_("No. %(n)s stands on its own."),
    )


@post("/opinions/{opinion_id:int}/cost")
async def cost(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    actor: Actor,
    opinion_id: IdParam,
) -> Template:
    form = await read_form(request, "cost")

    async def work() -> None:
        typed = form["cost"].strip()
        await proposals.set_cost(
            db, actor, opinion_id, proposals.parse_wan(typed) if typed else None
        )

    return await _act(
        request,
        db,
        ctx,
        actor,
        opinion_id,
        "cost",
        form,
        work,
        gettext_("The estimated cost of No. %(n)s is saved."),
    )


@post("/opinions/{opinion_id:int}/shortlist")
async def shortlist(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    actor: Actor,
    opinion_id: IdParam,
) -> Template:
    form = await read_form(request, "on")
    on = form["on"] == "1"

    async def work() -> None:
        await proposals.shortlist(db, actor, opinion_id, on)

    return await _act(
        request,
        db,
        ctx,
        actor,
        opinion_id,
        "shortlist",
        form,
        work,
        gettext_("No. %(n)s is on the shortlist.")
        if on
        else gettext_("No. %(n)s is off the shortlist."),
    )


@post("/notices/{notice_id:int}/opinion-groups")
async def add_group(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    actor: Actor,
    notice_id: IdParam,
) -> Template:
    form = await read_form(request, "group_title")
    try:
        await opinions.add_group(db, actor, notice_id, form["group_title"])
        await db.commit()
    except DomainError as refused:
        await db.rollback()
        return await _page(
            request,
            db,
            ctx,
            actor,
            notice_id,
            form=form,
            errors={"group_title": message_of(refused)},
            status_code=refused.status,
        )
    return await _page(
        request,
        db,
        ctx,
        actor,
        notice_id,
        message=gettext_("The heading “%(title)s” is added.")
        % {"title": form["group_title"].strip()},
    )


@post("/notices/{notice_id:int}/budget-ballot")
async def budget_ballot(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    actor: Actor,
    notice_id: IdParam,
) -> Template | Redirect:
    """Make the draft budget ballot of the shortlist and open it in the ballot editor."""
    form = await read_form(request, "budget", "ballot_title")
    try:
        ballot = await proposals.generate_budget_ballot(
            db,
            actor,
            notice_id,
            budget_limit=proposals.parse_wan(form["budget"]),
            title=form["ballot_title"],
        )
        await db.commit()
    except opinions.BadChairInput as refused:
        await db.rollback()
        return await _page(
            request,
            db,
            ctx,
            actor,
            notice_id,
            form=form,
            errors={"budget": message_of(refused)},
            status_code=refused.status,
        )
    except DomainError as refused:
        await db.rollback()
        return await _page(
            request,
            db,
            ctx,
            actor,
            notice_id,
            form=form,
            error=message_of(refused),
            status_code=refused.status,
        )
    return Redirect(path=f"/chair/ballots/{ballot.id}/edit", status_code=303)


router = console_router(
    [
        opinions_page,
        reply,
        adoption,
        group,
        hide,
        unhide,
        merge,
        cost,
        shortlist,
        add_group,
        budget_ballot,
    ]
)
