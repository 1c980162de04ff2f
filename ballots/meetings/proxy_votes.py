"""Which counted votes a proxy holder cast for a grantor (委托), derived from what is stored and
never recorded twice.

A counted phone vote on a ballot that requires check-in, cast with the grantor's own credential,
while the grantor is not checked in but the holder of their active proxy is (the only way the
cast path accepts such a vote); or a counted paper ballot issued to the holder
(``PaperIssue.proxy_id``). The grantor checking in after their holder voted for them makes such a
phone vote look like their own: check-in decides who is present, and this reads it as it is now.
"""

from __future__ import annotations

import msgspec
from sqlalchemy import and_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from ballots.models import Attendance, Ballot, Elector, PaperIssue, Participation, Proxy, Resident


class ProxyVote(msgspec.Struct, frozen=True):
    """A counted vote that a proxy holder cast for a grantor."""

    grantor_id: int
    holder_id: int
    holder_name: str


async def proxy_votes(session: AsyncSession, ballot_id: int) -> list[ProxyVote]:
    """The counted votes of a ballot that a proxy holder cast for a grantor (see the module
    docstring for how they are known); empty for a ballot held at no meeting."""
    ballot = await session.get(Ballot, ballot_id)
    if ballot is None or ballot.meeting_id is None:
        return []
    meeting_id = ballot.meeting_id
    holder = aliased(Resident)
    attending = select(Attendance.resident_id).where(Attendance.meeting_id == meeting_id)
    found: dict[int, ProxyVote] = {}
    if ballot.requires_checkin:
        rows = await session.execute(
            select(Proxy.grantor_id, Proxy.holder_id, holder.name)
            .join(holder, holder.id == Proxy.holder_id)
            .join(Elector, Elector.resident_id == Proxy.grantor_id)
            .join(Participation, Participation.elector_id == Elector.id)
            .where(
                Participation.ballot_id == ballot.id,
                Elector.ballot_id == ballot.id,
                Proxy.meeting_id == meeting_id,
                Proxy.revoked_at.is_(None),
                Proxy.holder_id.in_(attending),
                Proxy.grantor_id.not_in(attending),
            )
        )
        for grantor_id, holder_id, name in rows.all():
            found[grantor_id] = ProxyVote(
                grantor_id=grantor_id, holder_id=holder_id, holder_name=name
            )
    paper = await session.execute(
        select(Elector.resident_id, Proxy.holder_id, holder.name)
        .select_from(PaperIssue)
        .join(Proxy, Proxy.id == PaperIssue.proxy_id)
        .join(holder, holder.id == Proxy.holder_id)
        .join(
            Participation,
            and_(
                Participation.ballot_id == PaperIssue.ballot_id,
                Participation.count_key == PaperIssue.count_key,
            ),
        )
        .join(Elector, Elector.id == Participation.elector_id)
        .where(PaperIssue.ballot_id == ballot.id)
    )
    for grantor_id, holder_id, name in paper.all():
        found[grantor_id] = ProxyVote(grantor_id=grantor_id, holder_id=holder_id, holder_name=name)
    return list(found.values())
