"""Opinions and proposals on a notice over JSON: residents send them (public, rate-limited) and
read the public list and hearing report; chairs group, reply, decide adoption, hide, merge,
cost, shortlist and generate the budget ballot of the shortlist.

Sending counts against two limits, neither aimed at a meeting room on one Wi-Fi: a wrong
well-formed voting code counts against the address like any voting-code guess
(:func:`vote.guards.code_attempt`), and every submission counts against a generous per-notice,
per-address cap (:data:`SUBMISSIONS_PER_MINUTE` a minute, :data:`SUBMISSIONS_PER_HOUR` an hour,
ten times that from a trusted network); an identified resident has their own cap in the domain.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Annotated, Any, Literal

import msgspec
from litestar import Request, Router, get, post
from litestar.di import Provide
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED
from sqlalchemy.ext.asyncio import AsyncSession

from ballots.access import Actor
from ballots.errors import N_, DomainError, NotFound
from ballots.models import Notice
from ballots.models.bounds import SAFE_TEXT, Id
from ballots.notices import opinions, proposals
from ballots.notices.notices import get_notice, is_up, notice_for
from vote.api.params import CountParam, IdParam, LimitParam
from vote.api.schemas import Credential
from vote.guards import submission_attempt, submission_rules
from vote.web import AppContext, client_ip, provide_actor

SUBMISSIONS_PER_MINUTE = 30
SUBMISSIONS_PER_HOUR = 300

OpinionText = Annotated[
    str, msgspec.Meta(max_length=opinions.OPINION_TEXT_MAX * 2, pattern=SAFE_TEXT)
]
ShortTitle = Annotated[
    str, msgspec.Meta(max_length=opinions.PROPOSAL_TITLE_MAX * 2, pattern=SAFE_TEXT)
]
ChairText = Annotated[str, msgspec.Meta(max_length=opinions.REPLY_MAX * 2, pattern=SAFE_TEXT)]
Wan = Annotated[str, msgspec.Meta(max_length=32, pattern=SAFE_TEXT)]


class TooManySubmissions(DomainError):
    type = "too-many-opinions"
    status = 429
    title = N_("Too many opinions from your network")
    detail_template = N_(
        "Many opinions were just sent from your network. Please try again in {seconds} seconds."
    )


@asynccontextmanager
async def submission_guard(
    request: Request[Any, Any, Any], ctx: AppContext, notice_id: int, credential: str
) -> AsyncIterator[None]:
    """Check the address's per-notice caps and the voting code's guess limit around one
    submission; a submission counts only once it is saved."""
    address = client_ip(request, ctx.settings)
    rules = submission_rules(
        f"opinion:{notice_id}",
        address,
        ctx.settings,
        per_minute=SUBMISSIONS_PER_MINUTE,
        per_hour=SUBMISSIONS_PER_HOUR,
    )
    async with submission_attempt(
        ctx, address, credential, rules, lambda seconds: TooManySubmissions(seconds=seconds)
    ):
        yield


async def send(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    notice_id: int,
    *,
    text: str,
    title: str,
    credential: str,
    show_name: bool,
) -> int:
    """Save a resident's opinion or proposal under the limits; commit; its number."""
    async with submission_guard(request, ctx, notice_id, credential):
        opinion = await opinions.submit(
            db,
            ctx.secret_key,
            notice_id,
            text=text,
            title=title,
            credential=credential,
            show_name=show_name,
        )
        number = await opinions.number_of(db, opinion)
        await db.commit()
    return number


async def public_notice(db: AsyncSession, notice_id: int) -> Notice:
    """A published notice that collects something, or :class:`NotFound` (drafts stay hidden)."""
    notice = await get_notice(db, notice_id)
    if notice.published_at is None or notice.collects not in ("opinions", "proposals"):
        raise NotFound(what="notice", id=notice_id)
    return notice


class OpinionIn(msgspec.Struct, forbid_unknown_fields=True):
    """An opinion (``text``) or a proposal (``title`` and ``text``), with the voting code of the
    resident's invitation (empty: anonymous, where the notice allows it) and whether their name
    may be shown publicly."""

    text: OpinionText
    title: ShortTitle = ""
    credential: Credential = ""
    show_name: bool = False


class SentOut(msgspec.Struct):
    """The number (第N条) the opinion or proposal was given."""

    notice_id: int
    number: int


class OpinionOut(msgspec.Struct):
    """An opinion as the public reads it: its number; ``name`` only where the resident chose to
    show it; ``adoption`` one of adopted, partly, not_adopted (or null); ``merged_into`` the
    number of the proposal it joined; ``cost`` in yuan. ``id`` is for chairs' actions and
    ``hidden`` is only ever true in a chair's list."""

    id: int
    number: int
    kind: str
    title: str
    text: str
    name: str
    submitted_at: datetime
    group: str
    group_id: int | None
    reply: str
    replied_at: datetime | None
    adoption: str | None
    adoption_reason: str
    merged_into: int | None
    cost: int | None
    shortlisted: bool
    hidden: bool

    @classmethod
    def of(cls, view: opinions.PublicOpinion) -> OpinionOut:
        return cls(
            id=view.id,
            number=view.number,
            kind=view.kind,
            title=view.title,
            text=view.text,
            name=view.name,
            submitted_at=view.submitted_at,
            group=view.group,
            group_id=view.group_id,
            reply=view.reply,
            replied_at=view.replied_at,
            adoption=view.adoption,
            adoption_reason=view.adoption_reason,
            merged_into=view.merged_into,
            cost=view.cost,
            shortlisted=view.shortlisted,
            hidden=view.hidden,
        )


class GroupOut(msgspec.Struct):
    id: int
    title: str


class OpinionsOut(msgspec.Struct):
    """A notice's opinions or proposals: whether it takes them now, its headings and a slice of
    the list in the order they arrived (``total`` counts all of them, page on with ``offset``)."""

    notice_id: int
    collects: str
    anonymous: bool
    open: bool
    starts_at: datetime
    ends_at: datetime
    groups: list[GroupOut]
    opinions: list[OpinionOut]
    total: int
    offset: int
    limit: int


async def _listing(
    db: AsyncSession, notice: Notice, *, public: bool, offset: int, limit: int
) -> OpinionsOut:
    found = await opinions.opinions_window(
        db, notice.id, offset, limit, hidden=False if public else None
    )
    return OpinionsOut(
        notice_id=notice.id,
        collects=notice.collects,
        anonymous=notice.anonymous,
        open=is_up(notice),
        starts_at=notice.starts_at,
        ends_at=notice.ends_at,
        groups=[GroupOut(id=g.id, title=g.title) for g in await opinions.groups_of(db, notice.id)],
        opinions=[OpinionOut.of(view) for view in found.items],
        total=found.total,
        offset=found.offset,
        limit=found.limit,
    )


@post(
    "/notices/{notice_id:int}/opinions",
    status_code=HTTP_201_CREATED,
    summary="Send an opinion or a proposal on a notice",
)
async def submit_opinion(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    notice_id: IdParam,
    data: OpinionIn,
) -> SentOut:
    """Send an opinion (a hearing) or a proposal (a 急难愁 collection, with a title) while the
    notice is up, with one's voting code, or without where the notice allows it.

    Errors: ``not-found`` (404), ``notice-not-collecting`` and ``notice-not-up`` (409),
    ``code-required``, ``invalid-opinion`` and ``mistyped-credential`` (422),
    ``unknown-credential`` and ``not-on-notice-roll`` (403), ``opinion-limit-reached``,
    ``too-many-opinions`` and ``too-many-failed-codes`` (429).
    """
    number = await send(
        request,
        db,
        ctx,
        notice_id,
        text=data.text,
        title=data.title,
        credential=data.credential,
        show_name=data.show_name,
    )
    return SentOut(notice_id=notice_id, number=number)


@get("/notices/{notice_id:int}/opinions", summary="A notice's public opinions or proposals")
async def list_public(
    db: AsyncSession, notice_id: IdParam, offset: CountParam = 0, limit: LimitParam = 50
) -> OpinionsOut:
    """The opinions or proposals of a published notice, without names unless a resident chose
    to show theirs and without hidden ones."""
    notice = await public_notice(db, notice_id)
    return await _listing(db, notice, public=True, offset=offset, limit=limit)


class ReportGroupOut(msgspec.Struct):
    """One heading of the hearing report with its adoption counts (``undecided`` when none)."""

    title: str
    counts: dict[str, int]
    opinions: list[OpinionOut]


class ReportOut(msgspec.Struct):
    notice_id: int
    title: str
    totals: dict[str, int]
    groups: list[ReportGroupOut]


@get("/notices/{notice_id:int}/report", summary="A notice's hearing report")
async def hearing_report(db: AsyncSession, notice_id: IdParam) -> ReportOut:
    """Opinions by heading with adoption counts and replies (the public hearing report)."""
    notice = await public_notice(db, notice_id)
    groups = await opinions.hearing_report(db, notice.id)
    return ReportOut(
        notice_id=notice.id,
        title=notice.title,
        totals=opinions.adoption_totals(groups),
        groups=[
            ReportGroupOut(
                title=group.title,
                counts=group.counts,
                opinions=[OpinionOut.of(view) for view in group.opinions],
            )
            for group in groups
        ],
    )


# Chairs


@get("/notices/{notice_id:int}/opinions/all", summary="Every opinion of a notice (chairs)")
async def list_for_chair(
    db: AsyncSession,
    actor: Actor,
    notice_id: IdParam,
    offset: CountParam = 0,
    limit: LimitParam = 50,
) -> OpinionsOut:
    """Every opinion or proposal of the notice, hidden ones included (``hidden``)."""
    notice = await notice_for(db, actor, notice_id)
    return await _listing(db, notice, public=False, offset=offset, limit=limit)


class GroupIn(msgspec.Struct, forbid_unknown_fields=True):
    title: Annotated[str, msgspec.Meta(max_length=400, pattern=SAFE_TEXT)]


@post(
    "/notices/{notice_id:int}/opinion-groups",
    status_code=HTTP_201_CREATED,
    summary="Add a heading to gather opinions under",
)
async def add_group(db: AsyncSession, actor: Actor, notice_id: IdParam, data: GroupIn) -> GroupOut:
    group = await opinions.add_group(db, actor, notice_id, data.title)
    await db.commit()
    return GroupOut(id=group.id, title=group.title)


async def _one(db: AsyncSession, opinion_id: int, notice_id: int) -> OpinionOut:
    return OpinionOut.of(await opinions.view_of(db, notice_id, opinion_id))


async def _done(db: AsyncSession, opinion_id: int, notice_id: int) -> OpinionOut:
    await db.commit()
    return await _one(db, opinion_id, notice_id)


class OpinionGroupIn(msgspec.Struct, forbid_unknown_fields=True):
    """The heading to put the opinion under (null: none)."""

    group_id: Id | None


class ReplyIn(msgspec.Struct, forbid_unknown_fields=True):
    reply: ChairText


class AdoptionIn(msgspec.Struct, forbid_unknown_fields=True):
    adoption: Literal["adopted", "partly", "not_adopted"]
    reason: ChairText


class HideIn(msgspec.Struct, forbid_unknown_fields=True):
    reason: ChairText


class MergeIn(msgspec.Struct, forbid_unknown_fields=True):
    """The proposal (its id) this one duplicates (null: undo the merge)."""

    into_id: Id | None


class CostIn(msgspec.Struct, forbid_unknown_fields=True):
    """The estimated cost in 万元 as typed (e.g. ``"3.5"``); empty clears it."""

    cost_wan: Wan


class ShortlistIn(msgspec.Struct, forbid_unknown_fields=True):
    on: bool


@post("/opinions/{opinion_id:int}/group", status_code=HTTP_200_OK, summary="Group an opinion")
async def group_opinion(
    db: AsyncSession, actor: Actor, opinion_id: IdParam, data: OpinionGroupIn
) -> OpinionOut:
    opinion = await opinions.set_group(db, actor, opinion_id, data.group_id)
    return await _done(db, opinion.id, opinion.notice_id)


@post("/opinions/{opinion_id:int}/reply", status_code=HTTP_200_OK, summary="Reply publicly")
async def reply_opinion(
    db: AsyncSession, actor: Actor, opinion_id: IdParam, data: ReplyIn
) -> OpinionOut:
    opinion = await opinions.reply_to(db, actor, opinion_id, data.reply)
    return await _done(db, opinion.id, opinion.notice_id)


@post(
    "/opinions/{opinion_id:int}/adoption",
    status_code=HTTP_200_OK,
    summary="Record whether an opinion was adopted, with the reason",
)
async def adopt_opinion(
    db: AsyncSession, actor: Actor, opinion_id: IdParam, data: AdoptionIn
) -> OpinionOut:
    opinion = await opinions.set_adoption(db, actor, opinion_id, data.adoption, data.reason)
    return await _done(db, opinion.id, opinion.notice_id)


@post(
    "/opinions/{opinion_id:int}/hide",
    status_code=HTTP_200_OK,
    summary="Hide an abusive opinion (kept on record)",
)
async def hide_opinion(
    db: AsyncSession, actor: Actor, opinion_id: IdParam, data: HideIn
) -> OpinionOut:
    opinion = await opinions.hide(db, actor, opinion_id, data.reason)
    return await _done(db, opinion.id, opinion.notice_id)


@post(
    "/opinions/{opinion_id:int}/unhide",
    status_code=HTTP_200_OK,
    summary="Show a hidden opinion again",
)
async def unhide_opinion(db: AsyncSession, actor: Actor, opinion_id: IdParam) -> OpinionOut:
    opinion = await opinions.unhide(db, actor, opinion_id)
    return await _done(db, opinion.id, opinion.notice_id)


@post("/opinions/{opinion_id:int}/merge", status_code=HTTP_200_OK, summary="Merge a proposal")
async def merge_proposal(
    db: AsyncSession, actor: Actor, opinion_id: IdParam, data: MergeIn
) -> OpinionOut:
    opinion = await proposals.merge(db, actor, opinion_id, data.into_id)
    return await _done(db, opinion.id, opinion.notice_id)


@post(
    "/opinions/{opinion_id:int}/cost", status_code=HTTP_200_OK, summary="Estimate a proposal's cost"
)
async def cost_proposal(
    db: AsyncSession, actor: Actor, opinion_id: IdParam, data: CostIn
) -> OpinionOut:
    cost = proposals.parse_wan(data.cost_wan) if data.cost_wan.strip() else None
    opinion = await proposals.set_cost(db, actor, opinion_id, cost)
    return await _done(db, opinion.id, opinion.notice_id)


@post(
    "/opinions/{opinion_id:int}/shortlist",
    status_code=HTTP_200_OK,
    summary="Put a proposal on the shortlist or take it off",
)
async def shortlist_proposal(
    db: AsyncSession, actor: Actor, opinion_id: IdParam, data: ShortlistIn
) -> OpinionOut:
    opinion = await proposals.shortlist(db, actor, opinion_id, data.on)
    return await _done(db, opinion.id, opinion.notice_id)


class BudgetBallotIn(msgspec.Struct, forbid_unknown_fields=True):
    """The budget limit in 万元 as typed (e.g. ``"8"``) and the ballot's title (empty: the
    notice's)."""

    budget_wan: Wan
    title: Annotated[str, msgspec.Meta(max_length=400, pattern=SAFE_TEXT)] = ""


class BudgetBallotOut(msgspec.Struct):
    ballot_id: int
    editor: str


@post(
    "/notices/{notice_id:int}/budget-ballot",
    status_code=HTTP_201_CREATED,
    summary="Generate the draft budget ballot of the shortlist",
)
async def generate_ballot(
    db: AsyncSession, actor: Actor, notice_id: IdParam, data: BudgetBallotIn
) -> BudgetBallotOut:
    """Create a draft budget ballot on the notice's matter: one option per shortlisted proposal
    with its cost, the typed limit, open to the adults of the matter's unit.

    Errors: ``nothing-shortlisted`` and ``shortlist-without-cost`` (409),
    ``invalid-opinion-action`` (422).
    """
    ballot = await proposals.generate_budget_ballot(
        db, actor, notice_id, budget_limit=proposals.parse_wan(data.budget_wan), title=data.title
    )
    await db.commit()
    return BudgetBallotOut(ballot_id=ballot.id, editor=f"/chair/ballots/{ballot.id}/edit")


public_router = Router(
    path="/api/v1",
    route_handlers=[submit_opinion, list_public, hearing_report],
    tags=["notices"],
)
router = Router(
    path="/api/v1",
    route_handlers=[
        list_for_chair,
        add_group,
        group_opinion,
        reply_opinion,
        adopt_opinion,
        hide_opinion,
        unhide_opinion,
        merge_proposal,
        cost_proposal,
        shortlist_proposal,
        generate_ballot,
    ],
    dependencies={"actor": Provide(provide_actor)},
    tags=["chairs"],
)
