"""Residents' demands: sent from a poster without an account, followed and rated through a
private link, and handled by chairs — the first to receive a demand stays responsible for it
(首问首接首办); every step is a :class:`DemandEvent` and every chair's step is audited.

States, in plain words: ``received`` (waiting for a chair), ``accepted`` (a chair took it on),
``forwarded`` (passed to an organisation), ``replied``, ``escalated`` (taken to a coordination
matter), ``closed`` (rated by the resident, or closed by a chair).
"""

from __future__ import annotations

import hashlib
import hmac
import math
import secrets
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import msgspec
from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from ballots import audit
from ballots.access import Actor, require
from ballots.agency.errors import (
    DemandAlreadyRated,
    DemandLinkUnknown,
    DemandNotReplied,
    DemandStateConflict,
)
from ballots.agency.posters import poster_by_token
from ballots.errors import N_, InvalidInput, NotFound
from ballots.matters import create_matter
from ballots.models import Chair, Demand, DemandCategory, DemandEvent, Matter, Unit
from ballots.organisations import check_offered
from ballots.units import get_unit
from ballots.uploads import IMAGE_TYPES, StoredFile

TEXT_MAX = 2000
CONTACT_MAX = 100
NOTE_MAX = 1000
REPLY_MAX = 4000
SECRET_BYTES = 24  # 32 URL-safe characters
RATINGS = ("satisfied", "basic", "unsatisfied")
OPEN_STATES = ("received", "accepted", "forwarded", "escalated")
STATES = ("received", "accepted", "forwarded", "replied", "escalated", "closed")
BEIJING = ZoneInfo("Asia/Shanghai")


def _now(now: datetime | None) -> datetime:
    return now if now is not None else datetime.now(UTC)


def _aware(at: datetime) -> datetime:
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)


def access_hash(key: bytes, secret: str) -> bytes:
    """The stored form of a demand's private-link secret (a keyed hash)."""
    return hmac.new(key, b"demand:" + secret.encode("utf-8", "replace"), hashlib.sha256).digest()


def _clean(value: str, maximum: int, what: str, *, required: bool) -> str:
    value = value.strip()
    if required and not value:
        raise InvalidInput(N_("Please fill in the {what}."), what=what)
    if len(value) > maximum:
        raise InvalidInput(
            N_("The {what} must be at most {limit} characters."), what=what, limit=maximum
        )
    if "\x00" in value or any("\ud800" <= ch <= "\udfff" for ch in value):
        raise InvalidInput(N_("The {what} contains characters that cannot be stored."), what=what)
    return value


def _event(
    session: AsyncSession,
    demand: Demand,
    kind: str,
    actor: Actor | None,
    at: datetime,
    **payload: object,
) -> None:
    session.add(
        DemandEvent(
            demand_id=demand.id,
            at=at,
            kind=kind,
            chair_id=actor.chair_id if actor is not None else None,
            payload={"by": actor.name, **payload} if actor is not None else dict(payload),
        )
    )


def is_overdue(demand: Demand, now: datetime | None = None) -> bool:
    """True when the demand is still waiting for its reply after its deadline."""
    return (
        demand.state in OPEN_STATES
        and demand.due_at is not None
        and _now(now) > _aware(demand.due_at)
    )


def overdue_days(demand: Demand, now: datetime | None = None) -> int:
    """Whole days (rounded up) the demand is past its deadline; 0 when it is not overdue."""
    if not is_overdue(demand, now) or demand.due_at is None:
        return 0
    late = _now(now) - _aware(demand.due_at)
    return max(1, math.ceil(late / timedelta(days=1)))


async def demand_number(session: AsyncSession, demand: Demand) -> str:
    """The demand's number as residents and chairs read it: its Beijing day and its place
    among that day's demands in the unit (``20261202-3``)."""
    received = _aware(demand.received_at).astimezone(BEIJING)
    start = datetime(received.year, received.month, received.day, tzinfo=BEIJING).astimezone(UTC)
    place = await session.scalar(
        select(func.count(Demand.id)).where(
            Demand.unit_id == demand.unit_id,
            Demand.received_at >= start,
            Demand.id <= demand.id,
        )
    )
    return f"{received:%Y%m%d}-{place or 1}"


async def submit_demand(
    session: AsyncSession,
    key: bytes,
    *,
    token: str,
    category_id: int,
    text: str,
    contact: str = "",
    photo: StoredFile | None = None,
    now: datetime | None = None,
) -> tuple[Demand, str]:
    """Receive a resident's demand from the poster ``token``; return it and the secret of its
    private link (only its keyed hash is kept). Its deadline comes from the category."""
    at = _now(now)
    poster, unit = await poster_by_token(session, token)
    category = await session.get(DemandCategory, category_id)
    if category is None or category.unit_id != unit.id or not category.active:
        raise InvalidInput(N_("Please choose one of the categories offered."))
    text = _clean(text, TEXT_MAX, "text", required=True)
    contact = _clean(contact, CONTACT_MAX, "contact", required=False)
    if photo is not None and photo.content_type not in IMAGE_TYPES:
        raise InvalidInput(N_("The photo must be a JPG, PNG or WebP image."))
    secret = secrets.token_urlsafe(SECRET_BYTES)
    demand = Demand(
        unit_id=unit.id,
        poster_id=poster.id,
        building=poster.building,
        category_id=category.id,
        text=text,
        photo=photo.stored_as if photo else None,
        photo_type=photo.content_type if photo else None,
        contact=contact,
        access_hash=access_hash(key, secret),
        received_at=at,
        due_at=at + timedelta(days=category.deadline_days),
        state="received",
    )
    session.add(demand)
    await session.flush()
    _event(session, demand, "received", None, at, category=category.name)
    await session.flush()
    return demand, secret


async def demand_by_secret(session: AsyncSession, key: bytes, secret: str) -> Demand:
    """The demand whose private link has ``secret``, or :class:`DemandLinkUnknown`."""
    if not secret or len(secret) > 64:
        raise DemandLinkUnknown()
    demand = await session.scalar(
        select(Demand).where(Demand.access_hash == access_hash(key, secret))
    )
    if demand is None:
        raise DemandLinkUnknown()
    return demand


async def rate_demand(
    session: AsyncSession, key: bytes, secret: str, rating: str, *, now: datetime | None = None
) -> Demand:
    """The resident rates the handling, once, after the reply; the demand is then closed."""
    demand = await demand_by_secret(session, key, secret)
    if rating not in RATINGS:
        raise InvalidInput(N_("The rating must be one of: {choices}."), choices=", ".join(RATINGS))
    if demand.rating is not None:
        raise DemandAlreadyRated()
    if demand.replied_at is None:
        raise DemandNotReplied()
    at = _now(now)
    demand.rating, demand.rated_at = rating, at
    if demand.state != "closed":
        demand.state, demand.closed_at = "closed", at
    _event(session, demand, "rated", None, at, rating=rating)
    await session.flush()
    return demand


async def history(session: AsyncSession, demand_id: int) -> Sequence[DemandEvent]:
    """A demand's events, oldest first."""
    query = select(DemandEvent).where(DemandEvent.demand_id == demand_id)
    return (await session.scalars(query.order_by(DemandEvent.at, DemandEvent.id))).all()


async def get_demand(
    session: AsyncSession, actor: Actor, demand_id: int, *, manage: bool = False
) -> tuple[Demand, Unit]:
    """A demand in the actor's subtree, and its unit."""
    demand = await session.get(Demand, demand_id)
    if demand is None:
        raise NotFound(what="ID", id=demand_id)
    unit = await get_unit(session, demand.unit_id)
    require(actor, "manage_ballots" if manage else "read", unit.path)
    return demand, unit


def _refuse_unless(demand: Demand, step: str, *states: str) -> None:
    if demand.state not in states:
        raise DemandStateConflict(state=demand.state, step=step)


def _take_on(session: AsyncSession, actor: Actor, demand: Demand, at: datetime) -> None:
    """The first chair to act on a demand becomes its first receiver, for good."""
    if demand.first_receiver_id is not None:
        return
    if actor.chair_id is None:
        raise InvalidInput(N_("Only a chair can receive a demand."))
    demand.first_receiver_id, demand.accepted_at = actor.chair_id, at
    if demand.state == "received":
        demand.state = "accepted"
    _event(session, demand, "accepted", actor, at)


def _audit(
    session: AsyncSession, actor: Actor, demand: Demand, step: str, **details: object
) -> None:
    audit.record(
        session, actor, f"agency.demand.{step}", f"demand:{demand.id}", demand.unit_id, **details
    )


async def accept_demand(
    session: AsyncSession, actor: Actor, demand_id: int, *, now: datetime | None = None
) -> Demand:
    """A chair takes the demand on and becomes its first receiver (首问首接首办)."""
    demand, _unit = await get_demand(session, actor, demand_id, manage=True)
    _refuse_unless(demand, "accepted", "received")
    if demand.first_receiver_id is not None:
        raise DemandStateConflict(state=demand.state, step="accepted")
    _take_on(session, actor, demand, _now(now))
    _audit(session, actor, demand, "accept")
    await session.flush()
    return demand


async def forward_demand(
    session: AsyncSession,
    actor: Actor,
    demand_id: int,
    *,
    organisation_id: int,
    note: str = "",
    now: datetime | None = None,
) -> Demand:
    """Pass the demand to an organisation the unit may choose, with a note."""
    demand, unit = await get_demand(session, actor, demand_id, manage=True)
    _refuse_unless(demand, "forwarded", "received", "accepted", "forwarded", "escalated")
    organisation = await check_offered(session, unit, organisation_id)
    note = _clean(note, NOTE_MAX, "note", required=False)
    at = _now(now)
    _take_on(session, actor, demand, at)
    demand.organisation_id, demand.forwarded_at = organisation.id, at
    if demand.state != "escalated":
        demand.state = "forwarded"
    _event(session, demand, "forwarded", actor, at, organisation=organisation.name, note=note)
    _audit(session, actor, demand, "forward", organisation_id=organisation.id)
    await session.flush()
    return demand


async def reply_demand(
    session: AsyncSession,
    actor: Actor,
    demand_id: int,
    *,
    text: str,
    resolved: bool,
    now: datetime | None = None,
) -> Demand:
    """Reply to the resident, saying whether the problem is resolved; a reply may be amended
    until the resident has rated it (the first reply's time counts)."""
    demand, _unit = await get_demand(session, actor, demand_id, manage=True)
    if demand.rating is not None:
        raise DemandAlreadyRated()
    _refuse_unless(demand, "replied", "received", "accepted", "forwarded", "escalated", "replied")
    text = _clean(text, REPLY_MAX, "reply", required=True)
    at = _now(now)
    _take_on(session, actor, demand, at)
    demand.reply, demand.resolved, demand.state = text, resolved, "replied"
    if demand.replied_at is None:
        demand.replied_at = at
    _event(session, demand, "replied", actor, at, text=text, resolved=resolved)
    _audit(session, actor, demand, "reply", resolved=resolved)
    await session.flush()
    return demand


async def remind_demand(
    session: AsyncSession,
    actor: Actor,
    demand_id: int,
    *,
    note: str = "",
    now: datetime | None = None,
) -> Demand:
    """催办: record a reminder to whoever is handling the demand."""
    demand, _unit = await get_demand(session, actor, demand_id, manage=True)
    _refuse_unless(demand, "reminded", *OPEN_STATES)
    note = _clean(note, NOTE_MAX, "note", required=False)
    _event(session, demand, "reminded", actor, _now(now), note=note)
    _audit(session, actor, demand, "remind")
    await session.flush()
    return demand


async def close_demand(
    session: AsyncSession,
    actor: Actor,
    demand_id: int,
    *,
    note: str = "",
    now: datetime | None = None,
) -> Demand:
    """Close the demand (e.g. replied and the resident will not rate, or a duplicate)."""
    demand, _unit = await get_demand(session, actor, demand_id, manage=True)
    _refuse_unless(demand, "closed", *OPEN_STATES, "replied")
    note = _clean(note, NOTE_MAX, "note", required=False)
    at = _now(now)
    _take_on(session, actor, demand, at)
    demand.state, demand.closed_at = "closed", at
    _event(session, demand, "closed", actor, at, note=note)
    _audit(session, actor, demand, "close")
    await session.flush()
    return demand


async def escalate_demand(
    session: AsyncSession,
    actor: Actor,
    demand_id: int,
    *,
    title: str = "",
    now: datetime | None = None,
) -> tuple[Demand, Matter]:
    """Take the demand to a coordination meeting: a new ``coordination`` matter in its unit.

    A matter's record is public and a demand is not: the matter is named by the chair's
    ``title`` (or the demand's number) and says only which demand it came from, never the
    resident's own words."""
    demand, _unit = await get_demand(session, actor, demand_id, manage=True)
    _refuse_unless(demand, "escalated", "received", "accepted", "forwarded", "replied")
    number = await demand_number(session, demand)
    title = _clean(title, 200, "title", required=False) or f"协调：诉求 {number}"
    at = _now(now)
    _take_on(session, actor, demand, at)
    matter = await create_matter(
        session,
        actor,
        unit_id=demand.unit_id,
        kind="coordination",
        title=title,
        description=f"由居民诉求 {number} 提交协调会。",
    )
    demand.escalated_matter_id, demand.state = matter.id, "escalated"
    _event(session, demand, "escalated", actor, at, matter_id=matter.id, title=title)
    _audit(session, actor, demand, "escalate", matter_id=matter.id)
    await session.flush()
    return demand, matter


class InboxPage(msgspec.Struct, frozen=True):
    """One page of demands (waiting ones first, overdue among them first, then newest) and how
    many match."""

    demands: list[Demand]
    total: int
    offset: int
    limit: int


async def inbox(
    session: AsyncSession,
    actor: Actor,
    *,
    unit_id: int | None = None,
    state: str = "",
    overdue_only: bool = False,
    offset: int = 0,
    limit: int = 50,
    now: datetime | None = None,
) -> InboxPage:
    """The demands of the actor's subtree (or of ``unit_id`` and below), filtered by state."""
    path = actor.unit_path
    if unit_id is not None:
        unit = await get_unit(session, unit_id)
        require(actor, "read", unit.path)
        path = unit.path
    else:
        require(actor, "read", path)
    if state and state not in STATES and state != "open":
        raise InvalidInput(
            N_("The state must be one of: {choices}."), choices=", ".join(("open", *STATES))
        )
    query = select(Demand).join(Unit, Unit.id == Demand.unit_id).where(Unit.path.startswith(path))
    if state == "open":
        query = query.where(Demand.state.in_(OPEN_STATES))
    elif state:
        query = query.where(Demand.state == state)
    at = _now(now)
    if overdue_only:
        query = query.where(Demand.state.in_(OPEN_STATES), Demand.due_at < at)
    total = await session.scalar(select(func.count()).select_from(query.subquery())) or 0
    waiting = or_(Demand.state == "received", Demand.state == "accepted")
    ordered = query.order_by(
        (Demand.state.in_(OPEN_STATES)).desc(),
        waiting.desc(),
        Demand.received_at.desc(),
        Demand.id.desc(),
    )
    found = list((await session.scalars(ordered.offset(offset).limit(limit))).all())
    return InboxPage(demands=found, total=total, offset=offset, limit=limit)


class DemandLabels(msgspec.Struct, frozen=True):
    """What a page or answer shows beside a demand: its number, its category's name and the
    first receiver's name (empty until a chair takes it on)."""

    number: str
    category: str
    first_receiver: str


async def labels_of(session: AsyncSession, demand: Demand) -> DemandLabels:
    category = await session.get(DemandCategory, demand.category_id) if demand.category_id else None
    chair = await session.get(Chair, demand.first_receiver_id) if demand.first_receiver_id else None
    return DemandLabels(
        number=await demand_number(session, demand),
        category=category.name if category else "",
        first_receiver=(chair.display_name or chair.username) if chair else "",
    )
