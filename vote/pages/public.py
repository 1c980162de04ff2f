"""Public pages: the start page, a ballot's page with its published result, a matter's record."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from litestar import Router, get
from litestar.params import QueryParameter
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

import ballots.errors as domain_errors
from ballots import board
from ballots.lifecycle import ballot_spec
from ballots.matter_links import links_of, referrals_of
from ballots.matters import get_matter
from ballots.notices.notices import notices_of
from vote.api.params import IdParam, SearchParam
from vote.api.public import public_ballot, public_matter, published_result
from vote.i18n import DEFAULT_LOCALE, gettext_, normalise_locale
from vote.pages.coordination_record import coordination_record, record_helpers
from vote.pages.decision_record import record_story
from vote.pages.errors import page
from vote.pages.listings import home_context
from vote.pages.matter_link_labels import link_kind_label
from vote.pages.notice_labels import notice_status_line
from vote.pages.opinions import hearings_of
from vote.pages.receipts import check_page, check_typed
from vote.pages.tie_steps import step_words
from vote.web import AppContext


@get("/", name="home")
async def home(
    db: AsyncSession,
    unit: SearchParam = "",
    open_page: SearchParam = "",
    results_page: SearchParam = "",
    matters_page: SearchParam = "",
) -> Template:
    """Ballots open now, recent results and matters by unit, filtered by residential area."""
    pages = {"open_page": open_page, "results_page": results_page, "matters_page": matters_page}
    status, context = await home_context(db, unit, pages)
    return page("home.html", status_code=status, **context)


@get("/ballots/{ballot_id:int}", name="ballot-page")
async def ballot_page(db: AsyncSession, ballot_id: IdParam) -> Template:
    """A ballot as residents read it: its state and, once published, the result in words; the
    material for checking the count is on its audit page."""
    ballot = await public_ballot(db, ballot_id)
    matter = await get_matter(db, ballot.matter_id)
    return page(
        "ballot.html",
        ballot=ballot,
        matter=matter,
        result=published_result(ballot),
        spec=ballot_spec(ballot),
        has_board=bool(ballot.log_size),
        hearings=await hearings_of(db, ballot.matter_id),
        participants=await board.participation_list(db, ballot.id)
        if ballot.publish_participation and ballot.state in ("closed", "published")
        else None,
    )


@get("/ballots/{ballot_id:int}/audit", name="audit-page")
async def audit_page(db: AsyncSession, ctx: AppContext, ballot_id: IdParam) -> Template:
    """What anyone needs to check a ballot's count: its signed board, the tie-break seed and
    every draw, the result as data, and how to recount with ``tally verify``."""
    ballot = await public_ballot(db, ballot_id)
    result = published_result(ballot)
    spec = ballot_spec(ballot)
    pairs = list(zip(spec.questions, result["questions"], strict=False)) if result else []
    head = await board.latest_head(db, ctx.signer, ballot.id) if ballot.log_size else None
    return page(
        "audit.html",
        ballot=ballot,
        result=result,
        draws=[
            (question, tie, step_words(tie["step"]))
            for question, counted in pairs
            for tie in counted["tie_breaks"]
        ],
        head=head,
        signed_at=datetime.fromtimestamp(head.timestamp / 1000, UTC) if head else None,
        key_id=ctx.signer.key_id,
        public_key=ctx.signer.public_key_b64,
    )


@get("/matters/{matter_id:int}", name="matter-page")
async def matter_page(db: AsyncSession, matter_id: IdParam) -> Template:
    """A matter's decision record, told as a story (printable for the notice board)."""
    matter, unit, ballots, events = await public_matter(db, matter_id)
    return page(
        "matter.html",
        matter=matter,
        unit=unit,
        story=record_story(matter, ballots, events),
        coordination=await coordination_record(db, matter.id),
        links=await links_of(db, matter.id),
        referrals=await referrals_of(db, matter.id),
        link_kind_label=link_kind_label,
        **record_helpers(),
        notices=await notices_of(db, matter.id, published_only=True),
        notice_status_line=notice_status_line,
    )


def _problem_catalogue() -> list[tuple[str, int, str]]:
    seen: dict[str, tuple[str, int, str]] = {}
    stack: list[type[domain_errors.DomainError]] = [domain_errors.DomainError]
    while stack:
        cls = stack.pop()
        stack.extend(cls.__subclasses__())
        seen.setdefault(cls.type, (cls.type, cls.status, gettext_(cls.title)))
    from vote.problems import FRAMEWORK_PROBLEMS

    for status, (slug, title) in FRAMEWORK_PROBLEMS.items():
        seen.setdefault(slug, (slug, status, gettext_(title)))
    for slug, title in (
        ("malformed-json", "The body is not valid JSON"),
        ("invalid-body", "The body does not match the expected fields"),
        ("internal-error", "Something went wrong on our side"),
    ):
        seen.setdefault(slug, (slug, 400 if slug != "internal-error" else 500, gettext_(title)))
    return sorted(seen.values())


@get("/problems", name="problems")
async def problems() -> Template:
    return page("problems.html", problems=_problem_catalogue(), selected="")


@get("/problems/{slug:str}", name="problem")
async def problem(slug: str) -> Template:
    catalogue = _problem_catalogue()
    if slug not in {entry[0] for entry in catalogue}:
        raise domain_errors.NotFound(what="problem type", id=slug)
    return page("problems.html", problems=catalogue, selected=slug)


@get("/lang/{code:str}", name="language")
async def choose_language(
    code: str, next_path: Annotated[str, QueryParameter(name="next")] = "/"
) -> Redirect:
    """Switch the interface language and go back; the choice is kept in a cookie."""
    locale = normalise_locale(code) or DEFAULT_LOCALE
    target = next_path if next_path.startswith("/") and not next_path.startswith("//") else "/"
    redirect = Redirect(path=target)
    redirect.set_cookie("lang", locale, max_age=365 * 24 * 3600, samesite="lax", httponly=True)
    return redirect


router = Router(
    path="/",
    route_handlers=[
        home,
        ballot_page,
        audit_page,
        check_page,
        check_typed,
        matter_page,
        problems,
        problem,
        choose_language,
    ],
    include_in_schema=False,
)
