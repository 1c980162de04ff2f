"""The 急难愁 proposal collection: chairs merge duplicate proposals, estimate their cost, put
them on a shortlist and turn the shortlist into a draft budget ballot in one action.

Costs are typed in 万元 and kept in whole yuan. The generated ballot is a ``budget`` question on
the notice's matter, one option per shortlisted proposal with its cost, the budget limit typed by
the chair (the source's 8–10 万元 a year per residential area), open to the adults on the roll
of the matter's unit; it is a draft for the chair to finish in the ballot editor.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

import tally
from ballots import audit
from ballots.access import Actor
from ballots.eligibility import Eligibility
from ballots.errors import N_, DomainError
from ballots.lifecycle import BallotDraft, create_ballot
from ballots.matters import add_event
from ballots.models import Ballot, Opinion
from ballots.models.bounds import BALLOT_TITLE_LENGTH
from ballots.notices.notices import notice_for, notice_unit
from ballots.notices.opinions import BadChairInput, audit_opinion, opinion_for, opinion_numbers

COST_MAX_YUAN = 1_000_000_000
ADULT_AGE = 18


class NothingShortlisted(DomainError):
    type = "nothing-shortlisted"
    status = 409
    title = N_("Nothing on the shortlist")
    detail_template = N_(
        "Put at least two proposals on the shortlist (each with its estimated cost) before "
        "making the ballot."
    )


class ShortlistWithoutCost(DomainError):
    type = "shortlist-without-cost"
    status = 409
    title = N_("A cost is missing")
    detail_template = N_(
        "Proposal No. {number} is on the shortlist without an estimated cost. Give it a cost "
        "or take it off the shortlist."
    )


def parse_wan(text: str) -> int:
    """Yuan from an amount typed in 万元 (``8``, ``9.5``, ``0.35``), or :class:`BadChairInput`."""
    cleaned = text.strip().replace(",", "").replace("，", "").removesuffix("万元").strip()
    try:
        amount = Decimal(cleaned)
    except InvalidOperation:
        raise BadChairInput(N_("Please type the amount in 万元, e.g. 3.5.")) from None
    if not amount.is_finite() or amount <= 0:
        raise BadChairInput(N_("Please type an amount above zero."))
    yuan = amount * 10_000
    if yuan != yuan.to_integral_value():
        raise BadChairInput(N_("Please give the amount to the yuan (at most four decimals)."))
    if yuan > COST_MAX_YUAN:
        raise BadChairInput(N_("This amount is too large."))
    return int(yuan)


async def _proposal(session: AsyncSession, actor: Actor, opinion_id: int) -> Opinion:
    opinion = await opinion_for(session, actor, opinion_id)
    if opinion.kind != "proposal":
        raise BadChairInput(N_("Only proposals can be merged, costed or shortlisted."))
    return opinion


async def merge(
    session: AsyncSession, actor: Actor, opinion_id: int, into_id: int | None
) -> Opinion:
    """Merge a duplicate proposal into another of the same notice (``None``: undo); the merged
    one leaves the shortlist. Audited."""
    opinion = await _proposal(session, actor, opinion_id)
    if into_id is not None:
        target = await session.get(Opinion, into_id)
        if (
            target is None
            or target.notice_id != opinion.notice_id
            or target.kind != "proposal"
            or target.id == opinion.id
        ):
            raise BadChairInput(N_("Please choose another proposal of this collection."))
        if target.merged_into_id is not None:
            raise BadChairInput(
                N_("That proposal is itself merged; merge into the one it was merged into.")
            )
        merged_here = await session.scalar(
            select(Opinion.id).where(Opinion.merged_into_id == opinion.id).limit(1)
        )
        if merged_here is not None:
            raise BadChairInput(
                N_("Other proposals are merged into this one; merge the other way round.")
            )
        opinion.shortlisted = False
    opinion.merged_into_id = into_id
    numbers = await opinion_numbers(session, opinion.notice_id)
    await audit_opinion(
        session,
        actor,
        "proposal.merge",
        opinion,
        into=numbers.get(into_id) if into_id is not None else None,
    )
    return opinion


async def set_cost(
    session: AsyncSession, actor: Actor, opinion_id: int, cost: int | None
) -> Opinion:
    """Set (or clear) a proposal's estimated cost in yuan; audited with the old cost."""
    opinion = await _proposal(session, actor, opinion_id)
    if cost is not None and not 0 < cost <= COST_MAX_YUAN:
        raise BadChairInput(N_("Please type an amount above zero."))
    old = opinion.cost
    opinion.cost = cost
    await audit_opinion(session, actor, "proposal.cost", opinion, cost=cost, old=old)
    return opinion


async def shortlist(session: AsyncSession, actor: Actor, opinion_id: int, on: bool) -> Opinion:
    """Put a proposal on the shortlist or take it off; a merged or hidden one cannot be on it.
    Audited."""
    opinion = await _proposal(session, actor, opinion_id)
    if on and opinion.merged_into_id is not None:
        raise BadChairInput(
            N_("A merged proposal cannot be shortlisted; shortlist the one it joined.")
        )
    if on and opinion.hidden_at is not None:
        raise BadChairInput(N_("A hidden proposal cannot be shortlisted."))
    opinion.shortlisted = on
    await audit_opinion(session, actor, "proposal.shortlist", opinion, on=on)
    return opinion


async def generate_budget_ballot(
    session: AsyncSession,
    actor: Actor,
    notice_id: int,
    *,
    budget_limit: int,
    title: str = "",
) -> Ballot:
    """Create the draft budget ballot of the shortlist on the notice's matter.

    Refused (changing nothing) when fewer than two proposals are shortlisted or one has no
    cost. Recorded on the matter's timeline and audited.
    """
    notice = await notice_for(session, actor, notice_id)
    if not 0 < budget_limit <= COST_MAX_YUAN:
        raise BadChairInput(N_("Please type the budget limit in 万元, above zero."))
    title = title.strip() or notice.title
    if len(title) > BALLOT_TITLE_LENGTH:
        raise BadChairInput(
            N_("Please keep it within {limit} characters."), limit=BALLOT_TITLE_LENGTH
        )
    numbers = await opinion_numbers(session, notice.id)
    chosen = list(
        await session.scalars(
            select(Opinion)
            .where(
                Opinion.notice_id == notice.id,
                Opinion.kind == "proposal",
                Opinion.shortlisted.is_(True),
                Opinion.merged_into_id.is_(None),
                Opinion.hidden_at.is_(None),
            )
            .order_by(Opinion.id)
        )
    )
    if len(chosen) < 2:
        raise NothingShortlisted()
    for proposal in chosen:
        if proposal.cost is None:
            raise ShortlistWithoutCost(number=numbers[proposal.id])
    question = tally.Question(
        id="projects",
        kind="budget",
        prompt="请选择您支持的实事项目（总金额不超过预算）",
        options=[
            tally.Option(
                id=f"p{numbers[proposal.id]}",
                label=proposal.title or proposal.text[:100],
                description=proposal.text,
                cost=proposal.cost,
            )
            for proposal in chosen
        ],
        min_choices=1,
        budget_limit=budget_limit,
    )
    draft = BallotDraft(
        title=title, questions=[question], eligibility=Eligibility(min_age=ADULT_AGE)
    )
    ballot = await create_ballot(session, actor, notice.matter_id, draft)
    unit = await notice_unit(session, notice)
    add_event(
        session,
        notice.matter_id,
        "proposals.ballot",
        ballot_id=ballot.id,
        actor=actor.name,
        notice_id=notice.id,
        proposals=[numbers[proposal.id] for proposal in chosen],
    )
    audit.record(
        session,
        actor,
        "proposal.generate_ballot",
        f"notice:{notice.id}",
        unit.id,
        ballot_id=ballot.id,
        proposals=[numbers[proposal.id] for proposal in chosen],
        budget_limit=budget_limit,
    )
    await session.flush()
    return ballot
