"""What the parties agreed at a coordination matter: an agreement's text, optionally on one
issue and at one of the matter's meetings; its follow-up actions are
:mod:`ballots.followup.actions` of kind ``agreement``.

An agreement once recorded is never silently overwritten. Correcting its wording keeps the
current text on the ``agreements`` row and puts the text it replaced on the matter's timeline
(an ``agreement.corrected`` event); withdrawing one recorded in error adds an
``agreement.withdrawn`` event with the reason. :func:`agreement_records` reads those events
back: each agreement with its earlier wordings, when it was last corrected, and whether and why
it was withdrawn. Both changes are audited with the text they replaced."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ballots import audit
from ballots.access import Actor
from ballots.coordination.common import clean, coordination_matter
from ballots.coordination.issues import get_issue
from ballots.errors import N_, InvalidInput, NotFound
from ballots.matters import add_event
from ballots.models import Agreement, MatterEvent, Meeting

TEXT_MAX = 4000
REASON_MAX = 1000
CORRECTED = "agreement.corrected"
WITHDRAWN = "agreement.withdrawn"


@dataclass(frozen=True)
class Wording:
    """One wording an agreement had: its text and from when it stood."""

    text: str
    since: datetime


@dataclass(frozen=True)
class AgreementRecord:
    """An agreement as the record tells it: its current text (on the row), its earlier
    wordings (oldest first), when it was last corrected, and its withdrawal, if any."""

    agreement: Agreement
    earlier: tuple[Wording, ...] = ()
    corrected_at: datetime | None = None
    correction_reasons: tuple[str, ...] = ()
    withdrawn_at: datetime | None = None
    withdrawn_reason: str = ""

    @property
    def withdrawn(self) -> bool:
        return self.withdrawn_at is not None


async def get_agreement(session: AsyncSession, agreement_id: int) -> Agreement:
    """The agreement with ``agreement_id``, or :class:`NotFound`."""
    found = await session.get(Agreement, agreement_id)
    if found is None:
        raise NotFound(what="agreement", id=agreement_id)
    return found


async def agreements_of(session: AsyncSession, matter_id: int) -> Sequence[Agreement]:
    """A matter's agreements, oldest first."""
    query = select(Agreement).where(Agreement.matter_id == matter_id).order_by(Agreement.id)
    return (await session.scalars(query)).all()


async def add_agreement(
    session: AsyncSession,
    actor: Actor,
    matter_id: int,
    text: str,
    *,
    issue_id: int | None = None,
    meeting_id: int | None = None,
) -> Agreement:
    """Record an agreement (on an issue of the matter, at a meeting of the matter, both
    optional); audited and on the timeline."""
    matter, unit = await coordination_matter(session, actor, matter_id)
    text = clean(text, TEXT_MAX, N_("Please write down what was agreed."))
    issue_title = ""
    if issue_id is not None:
        issue = await get_issue(session, issue_id)
        if issue.matter_id != matter.id:
            raise NotFound(what="issue", id=issue_id)
        issue_title = issue.title
    if meeting_id is not None:
        meeting = await session.get(Meeting, meeting_id)
        if meeting is None or meeting.matter_id != matter.id:
            raise NotFound(what="meeting", id=meeting_id)
    agreement = Agreement(matter_id=matter.id, issue_id=issue_id, meeting_id=meeting_id, text=text)
    session.add(agreement)
    await session.flush()
    add_event(session, matter.id, "agreement", actor=actor.name, text=text, issue=issue_title)
    audit.record(session, actor, "agreement.add", f"agreement:{agreement.id}", unit.id)
    return agreement


async def _changes(session: AsyncSession, matter_id: int) -> dict[int, list[MatterEvent]]:
    """The corrections and withdrawals on a matter's timeline, by agreement, oldest first."""
    found = await session.scalars(
        select(MatterEvent)
        .where(MatterEvent.matter_id == matter_id, MatterEvent.kind.in_((CORRECTED, WITHDRAWN)))
        .order_by(MatterEvent.id)
    )
    by_agreement: dict[int, list[MatterEvent]] = {}
    for event in found:
        agreement_id = (event.payload or {}).get("agreement_id")
        if isinstance(agreement_id, int):
            by_agreement.setdefault(agreement_id, []).append(event)
    return by_agreement


def _record(agreement: Agreement, events: list[MatterEvent]) -> AgreementRecord:
    earlier: list[Wording] = []
    since = agreement.agreed_at
    corrected_at: datetime | None = None
    reasons: list[str] = []
    withdrawn_at: datetime | None = None
    withdrawn_reason = ""
    for event in events:
        payload = event.payload or {}
        if event.kind == CORRECTED:
            earlier.append(Wording(text=str(payload.get("old_text", "")), since=since))
            since = corrected_at = event.at
            if payload.get("reason"):
                reasons.append(str(payload["reason"]))
        elif event.kind == WITHDRAWN:
            withdrawn_at, withdrawn_reason = event.at, str(payload.get("reason", ""))
    return AgreementRecord(
        agreement=agreement,
        earlier=tuple(earlier),
        corrected_at=corrected_at,
        correction_reasons=tuple(reasons),
        withdrawn_at=withdrawn_at,
        withdrawn_reason=withdrawn_reason,
    )


async def agreement_records(session: AsyncSession, matter_id: int) -> list[AgreementRecord]:
    """A matter's agreements, oldest first, each with its corrections and withdrawal."""
    changes = await _changes(session, matter_id)
    return [
        _record(agreement, changes.get(agreement.id, []))
        for agreement in await agreements_of(session, matter_id)
    ]


async def agreement_record(session: AsyncSession, agreement_id: int) -> AgreementRecord:
    """One agreement with its corrections and withdrawal, or :class:`NotFound`."""
    agreement = await get_agreement(session, agreement_id)
    changes = await _changes(session, agreement.matter_id)
    return _record(agreement, changes.get(agreement.id, []))


async def _changeable(
    session: AsyncSession, actor: Actor, agreement_id: int
) -> tuple[AgreementRecord, int]:
    """The agreement and its unit's id, if ``actor`` may manage it and it stands."""
    record = await agreement_record(session, agreement_id)
    _, unit = await coordination_matter(session, actor, record.agreement.matter_id)
    if record.withdrawn:
        raise InvalidInput(N_("This agreement was withdrawn; it can no longer be changed."))
    return record, unit.id


def _reason(reason: str, *, required: bool) -> str:
    reason = reason.strip()
    if required and not reason:
        raise InvalidInput(N_("Please say why the agreement is withdrawn."))
    if len(reason) > REASON_MAX:
        raise InvalidInput(N_("The reason must be at most {limit} characters."), limit=REASON_MAX)
    return reason


async def correct_agreement(
    session: AsyncSession, actor: Actor, agreement_id: int, text: str, *, reason: str = ""
) -> Agreement:
    """Correct an agreement's wording: the row takes the new text and the timeline keeps the
    text it replaced (an ``agreement.corrected`` event), so the record shows "corrected on"
    with the earlier wording. Refused when the text is empty, too long or unchanged, and for a
    withdrawn agreement; audited with the old text. The caller commits."""
    record, unit_id = await _changeable(session, actor, agreement_id)
    agreement = record.agreement
    text = clean(text, TEXT_MAX, N_("Please write down what was agreed."))
    reason = _reason(reason, required=False)
    if text == agreement.text:
        raise InvalidInput(N_("The new wording is the same as the recorded one."))
    old = agreement.text
    agreement.text = text
    add_event(
        session,
        agreement.matter_id,
        CORRECTED,
        actor=actor.name,
        agreement_id=agreement.id,
        text=text,
        old_text=old,
        reason=reason,
    )
    audit.record(session, actor, "agreement.correct", f"agreement:{agreement.id}", unit_id, old=old)
    await session.flush()
    return agreement


async def withdraw_agreement(
    session: AsyncSession, actor: Actor, agreement_id: int, reason: str
) -> AgreementRecord:
    """Withdraw an agreement recorded in error: it stays on the record, marked withdrawn with
    ``reason`` (required), and takes no new follow-up actions. Audited. The caller commits."""
    record, unit_id = await _changeable(session, actor, agreement_id)
    agreement = record.agreement
    reason = _reason(reason, required=True)
    add_event(
        session,
        agreement.matter_id,
        WITHDRAWN,
        actor=actor.name,
        agreement_id=agreement.id,
        text=agreement.text,
        reason=reason,
    )
    audit.record(
        session, actor, "agreement.withdraw", f"agreement:{agreement.id}", unit_id, reason=reason
    )
    await session.flush()
    return await agreement_record(session, agreement.id)
