"""What a matter's public record shows of its coordination and follow-up: the parties (by name:
an organisation's name, never a contact or phone), the issues with each party's position, the
agreements (a corrected one with "corrected on" and its earlier wording, a withdrawn one marked
so with the reason) and every follow-up action with its status, and 逾期 when overdue;
implementation milestones with their progress."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from ballots.coordination import agreements, issues, parties
from ballots.followup import actions as followup
from ballots.models import Action, Agreement, Issue, Party
from vote.pages.followup_labels import action_kind_label, action_status_label, due_date, record_day


@dataclass
class PublicAction:
    action: Action
    overdue: bool
    days: int


@dataclass
class PublicAgreement:
    record: agreements.AgreementRecord
    issue_title: str
    actions: list[PublicAction] = field(default_factory=list)

    @property
    def agreement(self) -> Agreement:
        return self.record.agreement


@dataclass
class CoordinationRecord:
    """A matter's coordination and follow-up, for its public page."""

    parties: list[Party]
    issues: list[tuple[Issue, list[tuple[str, str]]]]
    """Each issue with (party name, position) for every party that stated one."""
    agreements: list[PublicAgreement]
    other_actions: list[PublicAction]
    today: date

    @property
    def milestones(self) -> list[PublicAction]:
        """The matter's implementation milestones, with their progress."""
        return [item for item in self.other_actions if item.action.kind == "milestone"]

    @property
    def rest(self) -> list[PublicAction]:
        """The matter's follow-up actions that are neither an agreement's nor milestones."""
        return [item for item in self.other_actions if item.action.kind != "milestone"]

    @property
    def empty(self) -> bool:
        return not (self.parties or self.issues or self.agreements or self.other_actions)


async def coordination_record(
    db: AsyncSession, matter_id: int, today: date | None = None
) -> CoordinationRecord:
    """The matter's coordination and follow-up as residents read it."""
    today = today or followup.beijing_today()
    found_parties = list(await parties.parties_of(db, matter_id))
    names = {party.id: party.name for party in found_parties}
    found_issues = list(await issues.issues_of(db, matter_id))
    positions = await issues.positions_of(db, matter_id)
    titles = {issue.id: issue.title for issue in found_issues}

    def public(action: Action) -> PublicAction:
        return PublicAction(
            action=action,
            overdue=followup.is_overdue(action, today),
            days=followup.days_overdue(action, today),
        )

    found_agreements = [
        PublicAgreement(record=record, issue_title=titles.get(record.agreement.issue_id or 0, ""))
        for record in await agreements.agreement_records(db, matter_id)
    ]
    by_id = {item.agreement.id: item for item in found_agreements}
    others: list[PublicAction] = []
    for action in await followup.actions_of(db, matter_id=matter_id):
        holder = by_id.get(action.agreement_id or 0)
        (holder.actions if holder is not None else others).append(public(action))
    return CoordinationRecord(
        parties=found_parties,
        issues=[
            (
                issue,
                [
                    (names[party_id], position.text)
                    for (issue_id, party_id), position in positions.items()
                    if issue_id == issue.id and party_id in names
                ],
            )
            for issue in found_issues
        ],
        agreements=found_agreements,
        other_actions=others,
        today=today,
    )


def record_helpers() -> dict[str, Any]:
    """What ``_coordination_record.html`` calls."""
    return {
        "action_kind_label": action_kind_label,
        "action_status_label": action_status_label,
        "due_date": due_date,
        "record_day": record_day,
    }
