"""Request and response bodies of the coordination, follow-up actions and organisations API
(plain msgspec Structs, bounded as the services are)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

import msgspec

from ballots.coordination import agreements, issues, parties
from ballots.followup import actions as followup
from ballots.models import Action, Agreement, Issue, Organisation, Party, Position
from ballots.models.bounds import SAFE_TEXT, Id
from ballots.organisations import CONTACT_MAX, NAME_MAX, PHONE_MAX
from vote.api.meeting_schemas import utc


def _text(max_length: int, min_length: int = 0) -> object:
    return msgspec.Meta(min_length=min_length, max_length=max_length, pattern=SAFE_TEXT)


OrganisationName = Annotated[str, _text(NAME_MAX, 1)]
ContactName = Annotated[str, _text(CONTACT_MAX)]
Phone = Annotated[str, _text(PHONE_MAX)]
OrganisationKind = Literal["department", "company", "property", "agency", "other"]
PartyName = Annotated[str, _text(parties.NAME_MAX)]
PartyContact = Annotated[str, _text(parties.CONTACT_MAX)]
IssueTitle = Annotated[str, _text(issues.TITLE_MAX, 1)]
PositionText = Annotated[str, _text(issues.POSITION_MAX)]
AgreementText = Annotated[str, _text(agreements.TEXT_MAX, 1)]
CorrectionReason = Annotated[str, _text(agreements.REASON_MAX)]
WithdrawalReason = Annotated[str, _text(agreements.REASON_MAX, 1)]
ActionTitle = Annotated[str, _text(followup.TITLE_MAX, 1)]
Owner = Annotated[str, _text(followup.OWNER_MAX)]
Note = Annotated[str, _text(followup.NOTE_MAX)]
ActionKind = Literal["agreement", "rectification", "milestone"]
ActionStatus = Literal["open", "in_progress", "done"]
Percent = Annotated[int, msgspec.Meta(ge=0, le=100)]


class OrganisationIn(msgspec.Struct, forbid_unknown_fields=True):
    """An organisation: its name (unique in the unit), kind and contact person."""

    name: OrganisationName
    kind: OrganisationKind = "department"
    contact_name: ContactName = ""
    contact_phone: Phone = ""
    active: bool = True


class OrganisationOut(msgspec.Struct):
    """An organisation a unit may choose; ``inherited`` when it is kept by a unit above."""

    id: int
    unit_id: int
    name: str
    kind: str
    contact_name: str
    contact_phone: str
    active: bool
    inherited: bool

    @classmethod
    def of(cls, organisation: Organisation, unit_id: int) -> OrganisationOut:
        return cls(
            id=organisation.id,
            unit_id=organisation.unit_id,
            name=organisation.name,
            kind=organisation.kind,
            contact_name=organisation.contact_name,
            contact_phone=organisation.contact_phone,
            active=organisation.active,
            inherited=organisation.unit_id != unit_id,
        )


class OrganisationPage(msgspec.Struct):
    """A slice of a unit's organisations: ``total`` counts all of them, page on with
    ``offset``."""

    organisations: list[OrganisationOut]
    total: int
    offset: int
    limit: int


class PartyIn(msgspec.Struct, forbid_unknown_fields=True):
    """A party: an organisation offered to the matter's unit (``organisation_id``; the name and
    contact default to the organisation's), or a side named by ``name``."""

    name: PartyName = ""
    organisation_id: Id | None = None
    contact: PartyContact = ""


class PartyOut(msgspec.Struct):
    id: int
    name: str
    organisation_id: int | None
    contact: str

    @classmethod
    def of(cls, party: Party) -> PartyOut:
        return cls(
            id=party.id,
            name=party.name,
            organisation_id=party.organisation_id,
            contact=party.contact,
        )


class IssueIn(msgspec.Struct, forbid_unknown_fields=True):
    title: IssueTitle


class IssueOut(msgspec.Struct):
    id: int
    title: str

    @classmethod
    def of(cls, issue: Issue) -> IssueOut:
        return cls(id=issue.id, title=issue.title)


class PositionIn(msgspec.Struct, forbid_unknown_fields=True):
    """What the party holds on the issue; empty text removes the position."""

    text: PositionText


class PositionOut(msgspec.Struct):
    issue_id: int
    party_id: int
    text: str

    @classmethod
    def of(cls, position: Position) -> PositionOut:
        return cls(issue_id=position.issue_id, party_id=position.party_id, text=position.text)


class AgreementIn(msgspec.Struct, forbid_unknown_fields=True):
    """What was agreed, optionally on one of the matter's issues, at one of its meetings."""

    text: AgreementText
    issue_id: Id | None = None
    meeting_id: Id | None = None


class AgreementCorrectionIn(msgspec.Struct, forbid_unknown_fields=True):
    """The corrected wording of an agreement and, optionally, why it was corrected."""

    text: AgreementText
    reason: CorrectionReason = ""


class AgreementWithdrawalIn(msgspec.Struct, forbid_unknown_fields=True):
    """Why an agreement is withdrawn (it was recorded in error)."""

    reason: WithdrawalReason


class AgreementWordingOut(msgspec.Struct):
    """An earlier wording of an agreement and from when it stood."""

    text: str
    since: datetime


class AgreementOut(msgspec.Struct):
    """An agreement: its current text, its earlier wordings (oldest first) and when it was
    last corrected, and whether, when and why it was withdrawn."""

    id: int
    text: str
    issue_id: int | None
    meeting_id: int | None
    agreed_at: datetime
    corrected_at: datetime | None = None
    earlier: list[AgreementWordingOut] = msgspec.field(default_factory=list)
    withdrawn: bool = False
    withdrawn_at: datetime | None = None
    withdrawn_reason: str = ""

    @classmethod
    def of(cls, agreement: Agreement) -> AgreementOut:
        return cls(
            id=agreement.id,
            text=agreement.text,
            issue_id=agreement.issue_id,
            meeting_id=agreement.meeting_id,
            agreed_at=utc(agreement.agreed_at),
        )

    @classmethod
    def of_record(cls, record: agreements.AgreementRecord) -> AgreementOut:
        agreement = record.agreement
        return cls(
            id=agreement.id,
            text=agreement.text,
            issue_id=agreement.issue_id,
            meeting_id=agreement.meeting_id,
            agreed_at=utc(agreement.agreed_at),
            corrected_at=utc(record.corrected_at) if record.corrected_at else None,
            earlier=[
                AgreementWordingOut(text=wording.text, since=utc(wording.since))
                for wording in record.earlier
            ],
            withdrawn=record.withdrawn,
            withdrawn_at=utc(record.withdrawn_at) if record.withdrawn_at else None,
            withdrawn_reason=record.withdrawn_reason,
        )


class ActionIn(msgspec.Struct, forbid_unknown_fields=True):
    """A follow-up action: what, who (a person's name, or an organisation offered to the unit)
    and by when (a date in Beijing). On a matter ``kind`` is ``milestone`` or
    ``rectification``; an agreement's actions are always ``agreement``."""

    title: ActionTitle
    kind: ActionKind = "milestone"
    owner: Owner = ""
    organisation_id: Id | None = None
    due_on: date | None = None
    note: Note = ""


class ActionStatusIn(msgspec.Struct, forbid_unknown_fields=True):
    """The new status: ``open`` → ``in_progress`` → ``done``; ``done`` → ``in_progress``
    reopens."""

    status: ActionStatus


class ActionProgressIn(msgspec.Struct, forbid_unknown_fields=True):
    progress: Percent


class ActionOut(msgspec.Struct):
    """A follow-up action; ``overdue`` and ``days_overdue`` are as of today in Beijing."""

    id: int
    kind: str
    matter_id: int | None
    agreement_id: int | None
    subject_id: int | None
    title: str
    owner: str
    organisation_id: int | None
    due_on: date | None
    status: str
    progress: int
    note: str
    created_at: datetime
    done_at: datetime | None
    overdue: bool
    days_overdue: int

    @classmethod
    def of(cls, action: Action, today: date) -> ActionOut:
        return cls(
            id=action.id,
            kind=action.kind,
            matter_id=action.matter_id,
            agreement_id=action.agreement_id,
            subject_id=action.subject_id,
            title=action.title,
            owner=action.owner,
            organisation_id=action.organisation_id,
            due_on=action.due_on,
            status=action.status,
            progress=action.progress,
            note=action.note,
            created_at=utc(action.created_at),
            done_at=utc(action.done_at) if action.done_at is not None else None,
            overdue=followup.is_overdue(action, today),
            days_overdue=followup.days_overdue(action, today),
        )


class CoordinationOut(msgspec.Struct):
    """A coordination matter's parties, issues, positions, agreements and their actions."""

    parties: list[PartyOut]
    issues: list[IssueOut]
    positions: list[PositionOut]
    agreements: list[AgreementOut]
    actions: list[ActionOut]


class OverdueOut(msgspec.Struct):
    """An overdue action with the unit and matter it belongs to."""

    action: ActionOut
    days: int
    unit_id: int
    unit_name: str
    matter_id: int | None
    matter_title: str


class OverduePage(msgspec.Struct):
    """A slice of the overdue actions: ``total`` counts all of them, page on with ``offset``."""

    actions: list[OverdueOut]
    total: int
    offset: int
    limit: int
