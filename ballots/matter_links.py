"""The decision record across matters and levels: links between matters (a hearing that proposed a
project → its selection ballot → implementation → coordination → evaluation → rectification) and
referrals of a matter up to the unit above or down to a unit below.

A link or a referral shows on both records, read from one row (never stored twice). A referral
opens a new matter in the receiving unit, with the same kind and title, and notes it on both
timelines.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Literal

import msgspec
from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from ballots import audit
from ballots.access import Actor, require
from ballots.errors import N_, DomainError, InvalidInput
from ballots.matters import add_event, get_matter
from ballots.models import Matter, MatterLink, Referral, Unit
from ballots.models.bounds import LONG_TEXT_LENGTH
from ballots.units import get_unit

LINK_KINDS = (
    "proposed",
    "selected",
    "implements",
    "coordination",
    "evaluation",
    "rectification",
    "related",
)
"""How ``from`` led to ``to``: it proposed it, selected it, is implemented by it, needed a
coordination, was evaluated, needed a rectification, or is otherwise related."""

REASON_MAX = 2000


class AlreadyLinked(DomainError):
    type = "already-linked"
    status = 409
    title = N_("Already linked")
    detail_template = N_("These two matters are already linked.")


class NotALevelAway(DomainError):
    type = "not-a-level-away"
    status = 422
    title = N_("Refer one level up or down")
    detail_template = N_(
        "A matter is referred to the unit directly above its own, or to one directly below it."
    )


class LinkView(msgspec.Struct, frozen=True):
    """A link as one record shows it: the other matter, how they relate, and which way
    (``outgoing``: this matter led to the other)."""

    link_id: int
    matter_id: int
    title: str
    unit_name: str
    kind: str
    outgoing: bool
    created_at: datetime


class ReferralView(msgspec.Struct, frozen=True):
    """A referral as one record shows it: from where to where, why and when (``outgoing``: this
    matter was referred; otherwise this matter was opened by the referral)."""

    referral_id: int
    matter_id: int
    title: str
    from_unit: str
    to_unit: str
    reason: str
    referred_at: datetime
    outgoing: bool
    direction: Literal["up", "down"] = "up"
    """``up``: to the unit directly above the referring one; ``down``: to one below it."""


async def _managed(session: AsyncSession, actor: Actor, matter_id: int) -> tuple[Matter, Unit]:
    matter = await get_matter(session, matter_id)
    unit = await get_unit(session, matter.unit_id)
    require(actor, "manage_ballots", unit.path)
    return matter, unit


async def link_matters(
    session: AsyncSession, actor: Actor, from_matter_id: int, to_matter_id: int, kind: str
) -> MatterLink:
    """Record that one matter led to another (both within the actor's units); audited and on
    both timelines."""
    if kind not in LINK_KINDS:
        raise InvalidInput(
            N_("The kind of link must be one of: {choices}."), choices=", ".join(LINK_KINDS)
        )
    if from_matter_id == to_matter_id:
        raise InvalidInput(N_("A matter cannot be linked to itself."))
    source, unit = await _managed(session, actor, from_matter_id)
    target, _ = await _managed(session, actor, to_matter_id)
    taken = await session.scalar(
        select(MatterLink.id).where(
            or_(
                (MatterLink.from_matter_id == source.id) & (MatterLink.to_matter_id == target.id),
                (MatterLink.from_matter_id == target.id) & (MatterLink.to_matter_id == source.id),
            )
        )
    )
    if taken is not None:
        raise AlreadyLinked()
    link = MatterLink(
        from_matter_id=source.id, to_matter_id=target.id, kind=kind, chair_id=actor.chair_id
    )
    session.add(link)
    try:
        await session.flush()
    except IntegrityError:  # a link made at the same moment
        await session.rollback()
        raise AlreadyLinked() from None
    add_event(
        session,
        source.id,
        "matter.linked",
        actor=actor.name,
        link=kind,
        to=target.id,
        title=target.title,
    )
    add_event(
        session,
        target.id,
        "matter.linked",
        actor=actor.name,
        link=kind,
        source=source.id,
        title=source.title,
    )
    audit.record(
        session,
        actor,
        "matter.link",
        f"matter:{source.id}",
        unit.id,
        to_matter_id=target.id,
        kind=kind,
    )
    return link


async def unlink_matters(session: AsyncSession, actor: Actor, link_id: int) -> None:
    """Remove a link made by mistake (the audit log keeps it)."""
    link = await session.get(MatterLink, link_id)
    if link is None:
        raise InvalidInput(N_("There is no such link between matters."))
    source, unit = await _managed(session, actor, link.from_matter_id)
    await _managed(session, actor, link.to_matter_id)
    await session.delete(link)
    audit.record(
        session,
        actor,
        "matter.unlink",
        f"matter:{source.id}",
        unit.id,
        to_matter_id=link.to_matter_id,
        kind=link.kind,
    )
    await session.flush()


async def links_of(session: AsyncSession, matter_id: int) -> list[LinkView]:
    """Every link of a matter, both ways, oldest first."""
    found: list[LinkView] = []
    for outgoing in (True, False):
        mine = MatterLink.from_matter_id if outgoing else MatterLink.to_matter_id
        other = MatterLink.to_matter_id if outgoing else MatterLink.from_matter_id
        result = await session.execute(
            select(MatterLink, Matter, Unit)
            .join(Matter, Matter.id == other)
            .join(Unit, Unit.id == Matter.unit_id)
            .where(mine == matter_id)
        )
        for link, matter, unit in result.all():
            found.append(
                LinkView(
                    link_id=link.id,
                    matter_id=matter.id,
                    title=matter.title,
                    unit_name=unit.name,
                    kind=link.kind,
                    outgoing=outgoing,
                    created_at=link.created_at,
                )
            )
    return sorted(found, key=lambda view: (view.created_at, view.link_id))


async def refer_matter(
    session: AsyncSession, actor: Actor, matter_id: int, to_unit_id: int, reason: str
) -> Matter:
    """Refer a matter to the unit directly above or below its own: a new matter (same kind and
    title) is opened there; the referral shows on both records. Audited."""
    matter, unit = await _managed(session, actor, matter_id)
    target = await get_unit(session, to_unit_id)
    if target.id != unit.parent_id and target.parent_id != unit.id:
        raise NotALevelAway()
    reason = reason.strip()
    if not reason:
        raise InvalidInput(N_("Please give the reason for the referral."))
    if len(reason) > min(REASON_MAX, LONG_TEXT_LENGTH):
        raise InvalidInput(N_("The reason must be at most {limit} characters."), limit=REASON_MAX)
    opened = Matter(
        unit_id=target.id,
        kind=matter.kind,
        title=matter.title,
        description=reason,
    )
    session.add(opened)
    await session.flush()
    session.add(
        Referral(
            matter_id=matter.id,
            to_unit_id=target.id,
            new_matter_id=opened.id,
            reason=reason,
            chair_id=actor.chair_id,
        )
    )
    add_event(session, opened.id, "created", actor=actor.name, title=opened.title)
    add_event(
        session, matter.id, "matter.referred", actor=actor.name, to_unit=target.name, reason=reason
    )
    add_event(
        session,
        opened.id,
        "matter.referred_here",
        actor=actor.name,
        from_unit=unit.name,
        reason=reason,
    )
    audit.record(
        session,
        actor,
        "matter.refer",
        f"matter:{matter.id}",
        unit.id,
        to_unit_id=target.id,
        new_matter_id=opened.id,
    )
    await session.flush()
    return opened


async def referrals_of(session: AsyncSession, matter_id: int) -> Sequence[ReferralView]:
    """The referrals a matter made and the one that opened it, oldest first."""
    found: list[ReferralView] = []
    result = await session.execute(
        select(Referral).where(
            or_(Referral.matter_id == matter_id, Referral.new_matter_id == matter_id)
        )
    )
    for referral in result.scalars().all():
        source = await get_matter(session, referral.matter_id)
        opened = await get_matter(session, referral.new_matter_id)
        from_unit = await get_unit(session, source.unit_id)
        to_unit = await get_unit(session, referral.to_unit_id)
        outgoing = referral.matter_id == matter_id
        other = opened if outgoing else source
        found.append(
            ReferralView(
                referral_id=referral.id,
                matter_id=other.id,
                title=other.title,
                from_unit=from_unit.name,
                to_unit=to_unit.name,
                reason=referral.reason,
                referred_at=referral.referred_at,
                outgoing=outgoing,
                direction="up" if from_unit.parent_id == to_unit.id else "down",
            )
        )
    return sorted(found, key=lambda view: (view.referred_at, view.referral_id))
