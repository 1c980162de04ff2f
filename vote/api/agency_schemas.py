"""Request and response bodies of the agency API (bounded as the service's limits are)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Literal

import msgspec

from ballots.agency.demands import CONTACT_MAX, NOTE_MAX, REPLY_MAX, TEXT_MAX
from ballots.agency.stats import Rates
from ballots.models import Demand, DemandEvent
from ballots.models.bounds import SAFE_TEXT, Id

DemandText = Annotated[str, msgspec.Meta(min_length=1, max_length=TEXT_MAX, pattern=SAFE_TEXT)]
Contact = Annotated[str, msgspec.Meta(max_length=CONTACT_MAX, pattern=SAFE_TEXT)]
Note = Annotated[str, msgspec.Meta(max_length=NOTE_MAX, pattern=SAFE_TEXT)]
ReplyText = Annotated[str, msgspec.Meta(min_length=1, max_length=REPLY_MAX, pattern=SAFE_TEXT)]
Token = Annotated[str, msgspec.Meta(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9_-]+$")]
Secret = Annotated[str, msgspec.Meta(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]
"""The secret part of a private link (after ``/d/r/``); sent in the body, never in a URL."""
MatterTitle = Annotated[str, msgspec.Meta(max_length=200, pattern=SAFE_TEXT)]
Rating = Literal["satisfied", "basic", "unsatisfied"]


def utc(at: datetime | None) -> datetime | None:
    if at is None:
        return None
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)


class DemandIn(msgspec.Struct, forbid_unknown_fields=True):
    """A resident's demand from the poster ``token`` (no account; the contact is optional and
    never public)."""

    token: Token
    category_id: Id
    text: DemandText
    contact: Contact = ""


class SecretIn(msgspec.Struct, forbid_unknown_fields=True):
    secret: Secret


class RatingIn(msgspec.Struct, forbid_unknown_fields=True):
    secret: Secret
    rating: Rating


class ForwardIn(msgspec.Struct, forbid_unknown_fields=True):
    organisation_id: Id
    note: Note = ""


class ReplyIn(msgspec.Struct, forbid_unknown_fields=True):
    text: ReplyText
    resolved: bool


class NoteIn(msgspec.Struct, forbid_unknown_fields=True):
    note: Note = ""


class EscalateIn(msgspec.Struct, forbid_unknown_fields=True):
    title: MatterTitle = ""


class PosterIn(msgspec.Struct, forbid_unknown_fields=True):
    building: Annotated[str, msgspec.Meta(max_length=64, pattern=SAFE_TEXT)] = ""


class EventOut(msgspec.Struct):
    at: datetime
    kind: str
    by: str
    note: str

    @classmethod
    def of(cls, event: DemandEvent, *, public: bool) -> EventOut:
        payload = event.payload or {}
        note = str(payload.get("text") or payload.get("note") or payload.get("organisation") or "")
        by = "" if public else str(payload.get("by", ""))
        if public and event.kind in ("reminded", "forwarded"):
            note = str(payload.get("organisation", "")) if event.kind == "forwarded" else ""
        return cls(at=utc(event.at) or event.at, kind=event.kind, by=by, note=note)


class SubmittedOut(msgspec.Struct):
    """The demand's number and the secret of its private link (shown only now: keep it)."""

    number: str
    secret: str
    link: str
    due_at: datetime


class StatusOut(msgspec.Struct):
    """What the resident sees through their private link (no names, no contact)."""

    number: str
    category: str
    text: str
    state: str
    received_at: datetime
    due_at: datetime | None
    reply: str
    resolved: bool | None
    rating: Rating | None
    can_rate: bool
    events: list[EventOut]


class DemandOut(msgspec.Struct):
    """A demand as chairs see it."""

    id: int
    number: str
    unit_id: int
    building: str
    category: str
    text: str
    contact: str
    has_photo: bool
    state: str
    received_at: datetime
    due_at: datetime | None
    overdue_days: int
    first_receiver: str
    organisation_id: int | None
    reply: str
    resolved: bool | None
    rating: Rating | None
    escalated_matter_id: int | None
    events: list[EventOut] = msgspec.field(default_factory=list)

    @classmethod
    def of(
        cls,
        demand: Demand,
        *,
        number: str,
        category: str,
        first_receiver: str,
        overdue: int,
        events: list[EventOut] | None = None,
    ) -> DemandOut:
        rating: Rating | None = demand.rating  # type: ignore[assignment]
        return cls(
            id=demand.id,
            number=number,
            unit_id=demand.unit_id,
            building=demand.building,
            category=category,
            text=demand.text,
            contact=demand.contact,
            has_photo=demand.photo is not None,
            state=demand.state,
            received_at=utc(demand.received_at) or demand.received_at,
            due_at=utc(demand.due_at),
            overdue_days=overdue,
            first_receiver=first_receiver,
            organisation_id=demand.organisation_id,
            reply=demand.reply,
            resolved=demand.resolved,
            rating=rating,
            escalated_matter_id=demand.escalated_matter_id,
            events=events or [],
        )


class DemandPage(msgspec.Struct):
    demands: list[DemandOut]
    total: int
    offset: int
    limit: int


class RatesOut(msgspec.Struct):
    unit_id: int
    unit_name: str
    received: int
    responded: int
    replied: int
    resolved: int
    rated: int
    satisfied: int
    response_rate: float | None
    resolution_rate: float | None
    satisfaction_rate: float | None

    @classmethod
    def of(cls, rates: Rates) -> RatesOut:
        return msgspec.convert(msgspec.to_builtins(rates), cls)


class StatsOut(msgspec.Struct):
    """三率 per unit for a period. 响应率 = accepted within 24 h / received; 解决率 = replied
    resolved / replied; 满意率 = (满意 + 基本满意) / rated; all of the demands received in the
    period (Beijing time); null when there is nothing to divide by."""

    period: str
    year: int
    number: int
    start: datetime
    end: datetime
    units: list[RatesOut]


class CategoryOut(msgspec.Struct):
    id: int
    name: str
    deadline_days: int
    active: bool


class PosterOut(msgspec.Struct):
    id: int
    building: str
    token: str
    link: str
    active: bool
