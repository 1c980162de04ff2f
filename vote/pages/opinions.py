"""Public pages of a notice's opinions and proposals, for residents' phones:
``/notices/{id}/opinions`` (the form while the notice is up, or why it is closed, and the list
with replies and adoption, names only where chosen) and ``/notices/{id}/report`` (the printable
hearing report: opinions by heading with adoption counts and replies).

The form posts without a session, like the voting form; its limits are the API's
(:func:`vote.api.opinions.send`). A refusal returns the form with the reason beside the field.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from litestar import Request, Router, get, post
from litestar.datastructures import CacheControlHeader
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from ballots.errors import N_, DomainError, MistypedCredential, NotFound, UnknownCredential
from ballots.listings import Window
from ballots.matters import get_matter
from ballots.models import Notice
from ballots.notices import opinions
from ballots.notices.notices import is_up, notice_unit, notices_of
from ballots.notices.opinions import (
    BadOpinion,
    CodeRequired,
    NotOnNoticeRoll,
    ResidentLimitReached,
)
from vote.api.opinions import public_notice, send
from vote.api.params import IdParam, PageParam
from vote.guards import TooManyFailedCodes
from vote.i18n import gettext_
from vote.pages.console.layout import message_of
from vote.pages.errors import page
from vote.pages.paging import one_page
from vote.web import AppContext

FORM_MAX_BYTES = 32 * 1024
PER_PAGE = 50
ADOPTION_LABELS = {
    "adopted": N_("Adopted"),
    "partly": N_("Partly adopted"),
    "not_adopted": N_("Not adopted"),
    "undecided": N_("Not yet decided"),
}


def adoption_label(state: str | None) -> str:
    """An adoption decision in words."""
    return gettext_(ADOPTION_LABELS.get(state or "undecided", ADOPTION_LABELS["undecided"]))


def closed_reason(notice: Notice) -> str:
    """Why the form is not offered, in words (empty while it is)."""
    if is_up(notice):
        return ""
    if notice.withdrawn_at is not None:
        return gettext_("This notice was withdrawn; it no longer takes opinions.")
    if datetime.now(UTC) < notice.starts_at:
        return gettext_("Opinions are taken from the start of the notice period.")
    return gettext_("The notice period has ended; opinions are no longer taken.")


async def _context(db: AsyncSession, notice: Notice, page_number: int = 1) -> dict[str, Any]:
    async def fetch(offset: int, limit: int) -> Window[opinions.PublicOpinion]:
        return await opinions.opinions_window(db, notice.id, offset, limit)

    listed, shown, last = await one_page(fetch, page_number, PER_PAGE)
    return {
        "page": shown,
        "last": last,
        "base": f"/notices/{notice.id}/opinions?",
        "total": listed.total,
        "listed": listed.items,
        "notice": notice,
        "matter": await get_matter(db, notice.matter_id),
        "unit": await notice_unit(db, notice),
        "proposals": notice.collects == "proposals",
        "closed": closed_reason(notice),
        "adoption_label": adoption_label,
    }


async def _page(
    db: AsyncSession,
    notice_id: int,
    *,
    form: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    sent: int = 0,
    page_number: int = 1,
    status_code: int = 200,
) -> Template:
    notice = await public_notice(db, notice_id)
    return page(
        "opinions.html",
        status_code=status_code,
        form=form or {},
        errors=errors or {},
        sent=sent,
        **await _context(db, notice, page_number),
    )


@get(
    "/notices/{notice_id:int}/opinions",
    name="notice-opinions",
    cache_control=CacheControlHeader(no_store=True),
)
async def opinions_page(db: AsyncSession, notice_id: IdParam, page: PageParam = 1) -> Template:
    """The form (or why it is closed) and the list, :data:`PER_PAGE` opinions a page."""
    return await _page(db, notice_id, page_number=page)


def _field_of(error: DomainError) -> str:
    if isinstance(
        error,
        MistypedCredential
        | UnknownCredential
        | TooManyFailedCodes
        | CodeRequired
        | NotOnNoticeRoll
        | ResidentLimitReached,
    ):
        return "credential"
    if isinstance(error, BadOpinion) and "title" in (error.detail_msgid or ""):
        return "title"
    if isinstance(error, BadOpinion):
        return "text"
    return "form"


@post(
    "/notices/{notice_id:int}/opinions",
    request_max_body_size=FORM_MAX_BYTES,
    cache_control=CacheControlHeader(no_store=True),
)
async def send_opinion(
    request: Request[Any, Any, Any], db: AsyncSession, ctx: AppContext, notice_id: IdParam
) -> Template:
    """Send the form; the list again with "received as No. N", or the form with the reason."""
    raw = await request.form()
    form = {
        name: str(raw.get(name) or "")[:limit]
        for name, limit in (
            ("title", opinions.PROPOSAL_TITLE_MAX * 2),
            ("text", opinions.OPINION_TEXT_MAX * 2),
            ("credential", 100),
        )
    }
    show_name = raw.get("show_name") == "1"
    try:
        number = await send(
            request,
            db,
            ctx,
            notice_id,
            text=form["text"],
            title=form["title"],
            credential=form["credential"],
            show_name=show_name,
        )
    except NotFound:
        raise
    except DomainError as error:
        await db.rollback()
        kept = {"title": form["title"], "text": form["text"]}
        if show_name:
            kept["show_name"] = "1"
        return await _page(
            db,
            notice_id,
            form=kept,
            errors={_field_of(error): message_of(error)},
            status_code=error.status,
        )
    return await _page(db, notice_id, sent=number)


@get("/notices/{notice_id:int}/report", name="notice-report")
async def report_page(db: AsyncSession, notice_id: IdParam) -> Template:
    """The hearing report, printable for the notice board."""
    notice = await public_notice(db, notice_id)
    groups = await opinions.hearing_report(db, notice.id)
    return page(
        "hearing_report.html",
        groups=groups,
        totals=opinions.adoption_totals(groups),
        states=list(ADOPTION_LABELS),
        **await _context(db, notice),
    )


async def hearings_of(db: AsyncSession, matter_id: int) -> list[Notice]:
    """A matter's published notices that took opinions or proposals, for the ballot page's
    links to their hearing report or proposal list (oldest first)."""
    found = await notices_of(db, matter_id, published_only=True)
    return [n for n in reversed(found) if n.collects in ("opinions", "proposals")]


router = Router(
    path="/", route_handlers=[opinions_page, send_opinion, report_page], include_in_schema=False
)
