"""Coordination (协调会) and follow-up for chairs: the organisations register of a unit, a
coordination matter's parties, issues, positions and agreements, follow-up actions of every
kind with their status and progress, and the overdue actions in the chair's units. Everything
here the console does too."""

from __future__ import annotations

from litestar import Router, delete, get, post, put
from litestar.di import Provide
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED, HTTP_204_NO_CONTENT
from sqlalchemy.ext.asyncio import AsyncSession

from ballots import matters, organisations, units
from ballots.access import Actor, require
from ballots.coordination import agreements, issues, parties
from ballots.followup import actions as followup
from vote.api.coordination_schemas import (
    ActionIn,
    ActionOut,
    ActionProgressIn,
    ActionStatusIn,
    AgreementCorrectionIn,
    AgreementIn,
    AgreementOut,
    AgreementWithdrawalIn,
    CoordinationOut,
    IssueIn,
    IssueOut,
    OrganisationIn,
    OrganisationOut,
    OrganisationPage,
    OverdueOut,
    OverduePage,
    PartyIn,
    PartyOut,
    PositionIn,
    PositionOut,
)
from vote.api.params import CountParam, IdParam, LimitParam
from vote.web import provide_actor


@get("/units/{unit_id:int}/organisations", summary="Organisations a unit may choose")
async def list_organisations(
    db: AsyncSession,
    actor: Actor,
    unit_id: IdParam,
    offset: CountParam = 0,
    limit: LimitParam = 50,
) -> OrganisationPage:
    """Its own and those kept by the units above it (``inherited``), no longer offered ones
    included, by name and id; contact phones are shown to chairs only. ``total`` counts all of
    them, page on with ``offset``."""
    unit = await units.get_unit(db, unit_id)
    require(actor, "read", unit.path)
    found = await organisations.organisations_window(db, unit, offset, limit)
    return OrganisationPage(
        organisations=[OrganisationOut.of(organisation, unit.id) for organisation in found.items],
        total=found.total,
        offset=found.offset,
        limit=found.limit,
    )


@post(
    "/units/{unit_id:int}/organisations",
    status_code=HTTP_201_CREATED,
    summary="Add an organisation to a unit's list",
)
async def add_organisation(
    db: AsyncSession, actor: Actor, unit_id: IdParam, data: OrganisationIn
) -> OrganisationOut:
    """Refused (``duplicate``) when the unit already has one of that name; a new organisation
    is always offered (``active`` is ignored here)."""
    organisation = await organisations.add_organisation(
        db,
        actor,
        unit_id=unit_id,
        name=data.name,
        kind=data.kind,
        contact_name=data.contact_name,
        contact_phone=data.contact_phone,
    )
    await db.commit()
    return OrganisationOut.of(organisation, unit_id)


@put("/organisations/{organisation_id:int}", summary="Change an organisation or stop offering it")
async def update_organisation(
    db: AsyncSession, actor: Actor, organisation_id: IdParam, data: OrganisationIn
) -> OrganisationOut:
    organisation = await organisations.update_organisation(
        db,
        actor,
        organisation_id,
        name=data.name,
        kind=data.kind,
        contact_name=data.contact_name,
        contact_phone=data.contact_phone,
        active=data.active,
    )
    await db.commit()
    return OrganisationOut.of(organisation, organisation.unit_id)


async def _readable_matter(db: AsyncSession, actor: Actor, matter_id: int) -> int:
    matter = await matters.get_matter(db, matter_id)
    require(actor, "read", (await units.get_unit(db, matter.unit_id)).path)
    return matter.id


@get(
    "/matters/{matter_id:int}/coordination",
    summary="A matter's parties, issues, positions, agreements and follow-up actions",
)
async def coordination(db: AsyncSession, actor: Actor, matter_id: IdParam) -> CoordinationOut:
    """Empty lists for a matter that has none (any matter may have follow-up actions)."""
    matter_id = await _readable_matter(db, actor, matter_id)
    today = followup.beijing_today()
    return CoordinationOut(
        parties=[PartyOut.of(party) for party in await parties.parties_of(db, matter_id)],
        issues=[IssueOut.of(issue) for issue in await issues.issues_of(db, matter_id)],
        positions=[
            PositionOut.of(position)
            for position in (await issues.positions_of(db, matter_id)).values()
        ],
        agreements=[
            AgreementOut.of_record(record)
            for record in await agreements.agreement_records(db, matter_id)
        ],
        actions=[
            ActionOut.of(action, today)
            for action in await followup.actions_of(db, matter_id=matter_id)
        ],
    )


@post(
    "/matters/{matter_id:int}/parties",
    status_code=HTTP_201_CREATED,
    summary="Add a party to a coordination matter",
)
async def add_party(db: AsyncSession, actor: Actor, matter_id: IdParam, data: PartyIn) -> PartyOut:
    """Refused (``invalid-input``) on a matter that is not a coordination; ``duplicate`` when
    the party is already there; 404 for an organisation not offered to the matter's unit."""
    party = await parties.add_party(
        db,
        actor,
        matter_id,
        name=data.name,
        organisation_id=data.organisation_id,
        contact=data.contact,
    )
    await db.commit()
    return PartyOut.of(party)


@delete(
    "/parties/{party_id:int}",
    status_code=HTTP_204_NO_CONTENT,
    summary="Remove a party and its positions",
)
async def remove_party(db: AsyncSession, actor: Actor, party_id: IdParam) -> None:
    await parties.remove_party(db, actor, party_id)
    await db.commit()


@post(
    "/matters/{matter_id:int}/issues",
    status_code=HTTP_201_CREATED,
    summary="Add an issue in dispute to a coordination matter",
)
async def add_issue(db: AsyncSession, actor: Actor, matter_id: IdParam, data: IssueIn) -> IssueOut:
    issue = await issues.add_issue(db, actor, matter_id, data.title)
    await db.commit()
    return IssueOut.of(issue)


@put("/issues/{issue_id:int}", summary="Rename an issue")
async def update_issue(
    db: AsyncSession, actor: Actor, issue_id: IdParam, data: IssueIn
) -> IssueOut:
    issue = await issues.update_issue(db, actor, issue_id, data.title)
    await db.commit()
    return IssueOut.of(issue)


@put(
    "/issues/{issue_id:int}/positions/{party_id:int}",
    summary="Record a party's position on an issue (empty text removes it)",
)
async def set_position(
    db: AsyncSession, actor: Actor, issue_id: IdParam, party_id: IdParam, data: PositionIn
) -> list[PositionOut]:
    """Answers with the matter's positions after the change."""
    issue = await issues.get_issue(db, issue_id)
    await issues.set_position(db, actor, issue_id, party_id, data.text)
    await db.commit()
    return [
        PositionOut.of(position)
        for position in (await issues.positions_of(db, issue.matter_id)).values()
    ]


@post(
    "/matters/{matter_id:int}/agreements",
    status_code=HTTP_201_CREATED,
    summary="Record an agreement at a coordination matter",
)
async def add_agreement(
    db: AsyncSession, actor: Actor, matter_id: IdParam, data: AgreementIn
) -> AgreementOut:
    """404 for an issue or meeting that is not the matter's."""
    agreement = await agreements.add_agreement(
        db, actor, matter_id, data.text, issue_id=data.issue_id, meeting_id=data.meeting_id
    )
    await db.commit()
    return AgreementOut.of(agreement)


@put(
    "/agreements/{agreement_id:int}",
    summary="Correct an agreement's wording (the earlier wording stays on the record)",
)
async def correct_agreement(
    db: AsyncSession, actor: Actor, agreement_id: IdParam, data: AgreementCorrectionIn
) -> AgreementOut:
    """The earlier wording goes on the matter's timeline and in ``earlier``. Refused
    (``invalid-input``) when the wording is unchanged or the agreement was withdrawn."""
    await agreements.correct_agreement(db, actor, agreement_id, data.text, reason=data.reason)
    await db.commit()
    return AgreementOut.of_record(await agreements.agreement_record(db, agreement_id))


@post(
    "/agreements/{agreement_id:int}/withdrawal",
    status_code=HTTP_200_OK,
    summary="Withdraw an agreement recorded in error (it stays on the record, marked withdrawn)",
)
async def withdraw_agreement(
    db: AsyncSession, actor: Actor, agreement_id: IdParam, data: AgreementWithdrawalIn
) -> AgreementOut:
    """Refused (``invalid-input``) when the agreement is already withdrawn. A withdrawn
    agreement takes no new follow-up actions and can no longer be corrected."""
    record = await agreements.withdraw_agreement(db, actor, agreement_id, data.reason)
    await db.commit()
    return AgreementOut.of_record(record)


@post(
    "/agreements/{agreement_id:int}/actions",
    status_code=HTTP_201_CREATED,
    summary="Add a follow-up action to an agreement",
)
async def add_agreement_action(
    db: AsyncSession, actor: Actor, agreement_id: IdParam, data: ActionIn
) -> ActionOut:
    """The action's kind is ``agreement`` whatever ``kind`` says."""
    action = await followup.create_action(
        db,
        actor,
        kind="agreement",
        agreement_id=agreement_id,
        title=data.title,
        owner=data.owner,
        organisation_id=data.organisation_id,
        due_on=data.due_on,
        note=data.note,
    )
    await db.commit()
    return ActionOut.of(action, followup.beijing_today())


@post(
    "/matters/{matter_id:int}/actions",
    status_code=HTTP_201_CREATED,
    summary="Add a follow-up action (a milestone or a rectification) to a matter",
)
async def add_matter_action(
    db: AsyncSession, actor: Actor, matter_id: IdParam, data: ActionIn
) -> ActionOut:
    """Refused (``invalid-input``) for kind ``agreement``: add those to the agreement."""
    action = await followup.create_action(
        db,
        actor,
        kind=data.kind,
        matter_id=matter_id,
        title=data.title,
        owner=data.owner,
        organisation_id=data.organisation_id,
        due_on=data.due_on,
        note=data.note,
    )
    await db.commit()
    return ActionOut.of(action, followup.beijing_today())


async def _action_for(db: AsyncSession, actor: Actor, action_id: int) -> ActionOut:
    action = await followup.get_action(db, action_id)
    require(actor, "read", (await followup.action_unit(db, action)).path)
    return ActionOut.of(action, followup.beijing_today())


@get("/actions/{action_id:int}", summary="A follow-up action")
async def get_action(db: AsyncSession, actor: Actor, action_id: IdParam) -> ActionOut:
    return await _action_for(db, actor, action_id)


@put("/actions/{action_id:int}", summary="Change an action's title, owner, due date or note")
async def update_action(
    db: AsyncSession, actor: Actor, action_id: IdParam, data: ActionIn
) -> ActionOut:
    """``kind`` is ignored: an action keeps its kind."""
    action = await followup.update_action(
        db,
        actor,
        action_id,
        title=data.title,
        owner=data.owner,
        organisation_id=data.organisation_id,
        due_on=data.due_on,
        note=data.note,
    )
    await db.commit()
    return ActionOut.of(action, followup.beijing_today())


@post(
    "/actions/{action_id:int}/status",
    status_code=HTTP_200_OK,
    summary="Move an action to open, in progress or done",
)
async def set_action_status(
    db: AsyncSession, actor: Actor, action_id: IdParam, data: ActionStatusIn
) -> ActionOut:
    """Refused (``invalid-input``) when the action already has that status."""
    action = await followup.set_status(db, actor, action_id, data.status)
    await db.commit()
    return ActionOut.of(action, followup.beijing_today())


@post(
    "/actions/{action_id:int}/progress",
    status_code=HTTP_200_OK,
    summary="Record a milestone's progress in percent",
)
async def set_action_progress(
    db: AsyncSession, actor: Actor, action_id: IdParam, data: ActionProgressIn
) -> ActionOut:
    """Refused (``invalid-input``) for an action that is not a milestone."""
    action = await followup.set_progress(db, actor, action_id, data.progress)
    await db.commit()
    return ActionOut.of(action, followup.beijing_today())


@get("/actions/overdue", summary="Overdue actions of every kind in your units, most overdue first")
async def overdue(
    db: AsyncSession, actor: Actor, offset: CountParam = 0, limit: LimitParam = 50
) -> OverduePage:
    """Most overdue first, then by id; ``total`` counts every overdue action, page on with
    ``offset``."""
    today = followup.beijing_today()
    found = await followup.overdue_window(db, actor.unit_path, today, offset, limit)
    items = [
        OverdueOut(
            action=ActionOut.of(row.action, today),
            days=row.days,
            unit_id=row.unit_id,
            unit_name=row.unit_name,
            matter_id=row.matter_id,
            matter_title=row.matter_title,
        )
        for row in found.items
    ]
    return OverduePage(actions=items, total=found.total, offset=found.offset, limit=found.limit)


router = Router(
    path="/api/v1",
    route_handlers=[
        list_organisations,
        add_organisation,
        update_organisation,
        coordination,
        add_party,
        remove_party,
        add_issue,
        update_issue,
        set_position,
        add_agreement,
        correct_agreement,
        withdraw_agreement,
        add_agreement_action,
        add_matter_action,
        overdue,
        get_action,
        update_action,
        set_action_status,
        set_action_progress,
    ],
    dependencies={"actor": Provide(provide_actor)},
    tags=["chairs"],
)
