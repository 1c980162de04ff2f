"""One reconciled count per ballot: every channel (phone, paper, proxy) against the electorate.

:func:`reconcile` gathers the figures a chair and an observer check before a result is published
— electorate, present at the meeting, phone ballots, paper ballots issued / returned / valid /
invalid, votes by proxy, ballots counted — and the reasons, in words, why they do not balance.
Publishing is refused while any reason stands (:func:`publish_refusal`). Every figure is derived
from the stored rows; nothing here is stored.
"""

from __future__ import annotations

from typing import Any

import msgspec
from sqlalchemy import and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ballots.errors import N_, DomainError
from ballots.meetings.proxies import proxy_votes
from ballots.meetings.quorum import count_quorum
from ballots.models import Ballot, Cast, Elector, Meeting, PaperIssue, Participation
from ballots.paper.status import paper_status, publish_block


class Imbalance(msgspec.Struct, frozen=True):
    """One reason the count does not balance: a message id and its parameters."""

    message: str
    params: dict[str, Any]


class Reconciliation(msgspec.Struct, frozen=True):
    """A ballot's channels side by side.

    ``electorate``: voting units in the frozen electorate; ``present`` and ``represented``: units
    checked in at the meeting the ballot is held at, and units represented there by a present
    proxy holder (None for a ballot held at no meeting); ``phone``: counted phone ballots;
    ``paper_*``: paper ballots printed, issued, returned (entered by two chairs), valid, invalid,
    and counted (joined the count); ``proxy``: counted votes cast by a proxy holder (phone or
    paper, already inside ``phone`` and ``paper_counted``); ``counted``: voting units whose ballot
    counts; ``not_voted``: electorate minus counted; ``balanced``: ``imbalances`` is empty.
    """

    ballot_id: int
    state: str
    electorate: int
    present: int | None
    represented: int | None
    phone: int
    paper_printed: int
    paper_issued: int
    paper_returned: int
    paper_valid: int
    paper_invalid: int
    paper_counted: int
    paper_agreed: bool
    proxy: int
    counted: int
    not_voted: int
    imbalances: list[Imbalance]
    balanced: bool


class CountDoesNotBalance(DomainError):
    type = "count-does-not-balance"
    status = 409
    title = N_("The count does not balance")
    detail_template = N_("The count does not balance yet: {reasons}")


async def _counted_by_channel(session: AsyncSession, ballot_id: int) -> dict[str, int]:
    rows = await session.execute(
        select(Cast.channel, func.count())
        .select_from(Participation)
        .join(Cast, Cast.id == Participation.cast_id)
        .where(Participation.ballot_id == ballot_id)
        .group_by(Cast.channel)
    )
    return {str(channel): int(count) for channel, count in rows.all()}


async def _electorate(session: AsyncSession, ballot_id: int) -> int:
    count = await session.scalar(
        select(func.count(func.distinct(Elector.count_key))).where(Elector.ballot_id == ballot_id)
    )
    return int(count or 0)


async def _phone_on_paper(session: AsyncSession, ballot_id: int) -> int:
    """Voting units counted by phone although a paper ballot was issued for them."""
    count = await session.scalar(
        select(func.count())
        .select_from(Participation)
        .join(Cast, Cast.id == Participation.cast_id)
        .join(
            PaperIssue,
            and_(
                PaperIssue.ballot_id == Participation.ballot_id,
                PaperIssue.count_key == Participation.count_key,
            ),
        )
        .where(Participation.ballot_id == ballot_id, Cast.channel != "paper")
    )
    return int(count or 0)


async def reconcile(session: AsyncSession, ballot: Ballot) -> Reconciliation:
    """The ballot's reconciliation now (no access check: callers check who asks)."""
    imbalances: list[Imbalance] = []
    electorate = await _electorate(session, ballot.id)
    by_channel = await _counted_by_channel(session, ballot.id)
    paper_counted = by_channel.pop("paper", 0)
    phone = sum(by_channel.values())
    counted = phone + paper_counted
    paper = await paper_status(session, ballot)
    present = represented = None
    if ballot.meeting_id is not None:
        meeting = await session.get(Meeting, ballot.meeting_id)
        if meeting is not None:
            quorum = await count_quorum(session, meeting)
            for held in quorum.ballots:
                if held.ballot_id == ballot.id:
                    present = held.present
            represented = quorum.represented
    proxy = len(await proxy_votes(session, ballot.id))

    block = publish_block(paper)
    if block is not None:
        imbalances.append(Imbalance(block[0], dict(block[1])))
    if paper.returned > paper.issued:
        imbalances.append(
            Imbalance(
                N_("{returned} paper ballots were entered but only {issued} were issued."),
                {"returned": paper.returned, "issued": paper.issued},
            )
        )
    if paper.counted_at is not None and paper_counted != paper.valid:
        imbalances.append(
            Imbalance(
                N_("{counted} paper ballots are in the count but {valid} valid ones were entered."),
                {"counted": paper_counted, "valid": paper.valid},
            )
        )
    if counted > electorate:
        imbalances.append(
            Imbalance(
                N_("{counted} ballots are counted but the electorate has only {electorate}."),
                {"counted": counted, "electorate": electorate},
            )
        )
    doubled = await _phone_on_paper(session, ballot.id)
    if doubled:
        imbalances.append(
            Imbalance(
                N_("{count} voters were counted by phone although they were given a paper ballot."),
                {"count": doubled},
            )
        )
    return Reconciliation(
        ballot_id=ballot.id,
        state=ballot.state,
        electorate=electorate,
        present=present,
        represented=represented,
        phone=phone,
        paper_printed=paper.printed,
        paper_issued=paper.issued,
        paper_returned=paper.returned,
        paper_valid=paper.valid,
        paper_invalid=paper.invalid,
        paper_counted=paper_counted,
        paper_agreed=paper.agreed,
        proxy=proxy,
        counted=counted,
        not_voted=max(0, electorate - counted),
        imbalances=imbalances,
        balanced=not imbalances,
    )


async def publish_refusal(session: AsyncSession, ballot: Ballot) -> CountDoesNotBalance | None:
    """The refusal to publish ``ballot`` while its count does not balance, or None."""
    found = await reconcile(session, ballot)
    if found.balanced:
        return None
    first = found.imbalances[0]
    return CountDoesNotBalance(first.message, **first.params)
