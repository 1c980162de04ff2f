"""Request and response bodies of the JSON API (plain msgspec Structs)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Annotated, Any, Literal

import msgspec

import tally
from ballots.chairs import API_TOKEN_LIFETIME, API_TOKEN_MAX_LIFETIME
from ballots.copying import CopyDropped
from ballots.eligibility import Eligibility
from ballots.matter_links import LinkView, ReferralView
from ballots.models import Ballot, Matter, MatterEvent, Unit
from ballots.models.bounds import (
    SAFE_TEXT,
    Id,
    ShortText,
    Text,
    Title,
    TokenName,
    UnitCode,
    UnitName,
    Username,
)
from vote.api.matter_link_schemas import PublicLinkOut, PublicReferralOut

Credential = Annotated[str, msgspec.Meta(max_length=100, pattern=SAFE_TEXT)]
"""A voting code as typed or pasted (its format is checked when it is used)."""


class UnitIn(msgspec.Struct, forbid_unknown_fields=True):
    name: UnitName
    code: UnitCode
    level: Literal["district", "street", "area"]
    parent_id: Id | None = None


class UnitOut(msgspec.Struct):
    id: int
    name: str
    code: str
    level: str
    parent_id: int | None

    @classmethod
    def of(cls, unit: Unit) -> UnitOut:
        return cls(
            id=unit.id, name=unit.name, code=unit.code, level=unit.level, parent_id=unit.parent_id
        )


class MatterIn(msgspec.Struct, forbid_unknown_fields=True):
    unit_id: Id
    kind: Literal["hearing", "coordination", "evaluation", "agency", "practical", "selection"]
    title: Title
    description: Text = ""


class MatterListItem(msgspec.Struct):
    """A matter in the chair's list."""

    id: int
    unit_id: int
    kind: str
    title: str
    created_at: datetime

    @classmethod
    def of(cls, matter: Matter) -> MatterListItem:
        return cls(
            id=matter.id,
            unit_id=matter.unit_id,
            kind=matter.kind,
            title=matter.title,
            created_at=matter.created_at,
        )


class NoteIn(msgspec.Struct, forbid_unknown_fields=True):
    text: Annotated[Text, msgspec.Meta(min_length=1)]


class EventOut(msgspec.Struct):
    at: datetime
    kind: str
    ballot_id: int | None
    actor: str
    payload: dict[str, Any]

    @classmethod
    def of(cls, event: MatterEvent) -> EventOut:
        return cls(
            at=event.at,
            kind=event.kind,
            ballot_id=event.ballot_id,
            actor=event.actor,
            payload=event.payload,
        )


class BallotSummary(msgspec.Struct):
    id: int
    matter_id: int
    title: str
    state: str
    voting_unit: str
    revoting: bool
    electorate_size: int | None
    electorate_area: float | None
    opened_at: datetime | None
    closed_at: datetime | None
    published_at: datetime | None
    opens_at: datetime | None = None
    """When the service opens the ballot by itself (UTC)."""
    closes_at: datetime | None = None
    """When the service closes the ballot by itself (UTC)."""

    @classmethod
    def of(cls, ballot: Ballot) -> BallotSummary:
        return cls(
            id=ballot.id,
            matter_id=ballot.matter_id,
            title=ballot.title,
            state=ballot.state,
            voting_unit=ballot.voting_unit,
            revoting=ballot.revoting,
            electorate_size=ballot.electorate_size,
            electorate_area=ballot.electorate_area,
            opened_at=ballot.opened_at,
            closed_at=ballot.closed_at,
            published_at=ballot.published_at,
            opens_at=ballot.opens_at,
            closes_at=ballot.closes_at,
        )


class ScheduleIn(msgspec.Struct, forbid_unknown_fields=True):
    """When a ballot opens and closes by itself: RFC 3339 times with their offset
    (``2026-12-05T18:00:00+08:00``); ``null`` or left out means by hand. An open ballot keeps
    its opening time and may only change its closing time."""

    opens_at: Annotated[datetime, msgspec.Meta(tz=True)] | None = None
    closes_at: Annotated[datetime, msgspec.Meta(tz=True)] | None = None


class CancelIn(msgspec.Struct, forbid_unknown_fields=True):
    """Why a ballot is cancelled: shown on the timeline and, for an open ballot, on its public
    board as the final event."""

    reason: Annotated[str, msgspec.Meta(min_length=1, max_length=500, pattern=SAFE_TEXT)]


class BallotOut(msgspec.Struct):
    ballot: BallotSummary
    spec: tally.BallotSpec
    eligibility: Eligibility | None = None
    result: tally.BallotResult | None = None


class CopyIn(msgspec.Struct, forbid_unknown_fields=True):
    """Where a copy of a ballot goes: a unit within the chair's units and, optionally, one of
    that unit's matters (without one, a new matter with the source matter's kind and title)."""

    unit_id: Id
    matter_id: Id | None = None


class BallotCopyOut(BallotOut, kw_only=True):
    """The new draft, and what the copy left out of its source (eligibility units outside the
    target unit, building names, a runoff's frozen electorate, the schedule)."""

    dropped: CopyDropped


class MatterOut(msgspec.Struct):
    """A matter's decision record. ``links`` and ``referrals`` show how it relates to other
    matters, at its level and across levels (both ways; empty when it has none)."""

    id: int
    unit_id: int
    unit_name: str
    kind: str
    title: str
    description: str
    created_at: datetime
    ballots: list[BallotSummary]
    timeline: list[EventOut]
    links: list[PublicLinkOut] = []
    referrals: list[PublicReferralOut] = []

    @classmethod
    def of(
        cls,
        matter: Matter,
        unit: Unit,
        ballots: list[Ballot],
        events: list[MatterEvent],
        links: Sequence[LinkView] = (),
        referrals: Sequence[ReferralView] = (),
    ) -> MatterOut:
        return cls(
            id=matter.id,
            unit_id=matter.unit_id,
            unit_name=unit.name,
            kind=matter.kind,
            title=matter.title,
            description=matter.description,
            created_at=matter.created_at,
            ballots=[BallotSummary.of(b) for b in ballots],
            timeline=[EventOut.of(e) for e in events],
            links=[PublicLinkOut.of(link) for link in links],
            referrals=[PublicReferralOut.of(referral) for referral in referrals],
        )


class CastIn(msgspec.Struct, forbid_unknown_fields=True):
    """A vote: the credential from the invitation and an answer per question."""

    credential: Credential
    answers: Annotated[
        dict[ShortText, Annotated[list[ShortText], msgspec.Meta(max_length=1000)]],
        msgspec.Meta(max_length=100),
    ]
    submission_id: ShortText = ""


class CredentialIn(msgspec.Struct, forbid_unknown_fields=True):
    credential: Credential


class LoginIn(msgspec.Struct, forbid_unknown_fields=True):
    username: Username
    password: Annotated[str, msgspec.Meta(max_length=1024, pattern=SAFE_TEXT)]
    totp: Annotated[str, msgspec.Meta(max_length=16, pattern=SAFE_TEXT)]


class LoginOut(msgspec.Struct):
    """A login session. With ``must_change_password`` the session may do nothing until the
    chair has chosen their own password on the console (a 403 ``password-change-required``)."""

    token: str
    username: str
    role: str
    unit_id: int
    must_change_password: bool = False
    recovery_codes_left: int = 0


class TokenIn(msgspec.Struct, forbid_unknown_fields=True):
    """A new API token: what it is for, read-only or full, and how many days it lives."""

    name: Annotated[TokenName, msgspec.Meta(min_length=1)]
    scope: Literal["full", "read"] = "full"
    expires_in_days: Annotated[int, msgspec.Meta(ge=1, le=API_TOKEN_MAX_LIFETIME.days)] = (
        API_TOKEN_LIFETIME.days
    )


class TokenOut(msgspec.Struct):
    """A new API token; ``token`` is shown this once and never again."""

    token: str
    name: str
    id: int
    scope: str
    created_at: datetime
    expires_at: datetime


class TokenInfoOut(msgspec.Struct):
    """An API token in a list: what it is and whether it still works, never the secret."""

    id: int
    name: str
    scope: str
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    active: bool


class MeOut(msgspec.Struct):
    username: str
    role: str
    unit_path: str


class AuditOut(msgspec.Struct):
    id: int
    at: datetime
    actor: str
    action: str
    target: str
    unit_id: int | None
    source: str
    details: dict[str, Any]
