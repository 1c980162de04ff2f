"""The register of evaluation subjects: service agencies (optionally an organisation), completed
practical projects (optionally their matter), staff and teams; kept per unit, audited."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ballots import audit
from ballots.access import Action as Permission
from ballots.access import Actor, require
from ballots.errors import N_, InvalidInput, NotFound
from ballots.listings import Window, window_rows
from ballots.matters import get_matter
from ballots.models import EvaluationSubject, Unit
from ballots.models.bounds import LONG_TEXT_LENGTH
from ballots.organisations import check_offered
from ballots.units import get_unit

SUBJECT_KINDS = ("agency", "project", "staff", "team")
NAME_MAX = 200


def ancestor_ids(unit: Unit) -> list[int]:
    """The ids on ``unit``'s path, itself included."""
    return [int(part) for part in unit.path.strip("/").split("/") if part] or [unit.id]


async def get_subject(session: AsyncSession, subject_id: int) -> EvaluationSubject:
    """The subject with ``subject_id``, or :class:`NotFound`."""
    found = await session.get(EvaluationSubject, subject_id)
    if found is None:
        raise NotFound(what="evaluation subject", id=subject_id)
    return found


async def subject_for(
    session: AsyncSession, actor: Actor, subject_id: int, action: Permission = "manage_ballots"
) -> tuple[EvaluationSubject, Unit]:
    """The subject and its unit, once ``actor`` may act (``action``) in that unit."""
    subject = await get_subject(session, subject_id)
    unit = await get_unit(session, subject.unit_id)
    require(actor, action, unit.path)
    return subject, unit


async def _check(
    session: AsyncSession,
    unit: Unit,
    kind: str,
    name: str,
    description: str,
    organisation_id: int | None,
    matter_id: int | None,
) -> tuple[str, str]:
    name, description = name.strip(), description.strip()
    if kind not in SUBJECT_KINDS:
        raise InvalidInput(N_("Unknown kind of subject: {kind}."), kind=kind)
    if not name:
        raise InvalidInput(N_("Please give the name."))
    if len(name) > NAME_MAX:
        raise InvalidInput(N_("The name must be at most {limit} characters."), limit=NAME_MAX)
    if len(description) > LONG_TEXT_LENGTH:
        raise InvalidInput(
            N_("The description must be at most {limit} characters."), limit=LONG_TEXT_LENGTH
        )
    if organisation_id is not None:
        await check_offered(session, unit, organisation_id)
    if matter_id is not None:
        matter = await get_matter(session, matter_id)
        if matter.unit_id not in ancestor_ids(unit):
            raise NotFound(what="matter", id=matter_id)
    return name, description


async def add_subject(
    session: AsyncSession,
    actor: Actor,
    *,
    unit_id: int,
    kind: str,
    name: str,
    description: str = "",
    organisation_id: int | None = None,
    matter_id: int | None = None,
) -> EvaluationSubject:
    """Add a subject to a unit's register; audited."""
    unit = await get_unit(session, unit_id)
    require(actor, "manage_ballots", unit.path)
    name, description = await _check(
        session, unit, kind, name, description, organisation_id, matter_id
    )
    subject = EvaluationSubject(
        unit_id=unit.id,
        kind=kind,
        name=name,
        description=description,
        organisation_id=organisation_id,
        matter_id=matter_id,
        active=True,
    )
    session.add(subject)
    await session.flush()
    audit.record(
        session,
        actor,
        "evaluation_subject.add",
        f"evaluation_subject:{subject.id}",
        unit.id,
        name=name,
        kind=kind,
    )
    return subject


async def update_subject(
    session: AsyncSession,
    actor: Actor,
    subject_id: int,
    *,
    kind: str,
    name: str,
    description: str,
    organisation_id: int | None,
    matter_id: int | None,
    active: bool,
) -> EvaluationSubject:
    """Change a subject, or deactivate it (``active`` false: no longer offered for new
    evaluation ballots; its history stays); audited."""
    subject, unit = await subject_for(session, actor, subject_id)
    name, description = await _check(
        session, unit, kind, name, description, organisation_id, matter_id
    )
    subject.kind, subject.name, subject.description = kind, name, description
    subject.organisation_id, subject.matter_id, subject.active = organisation_id, matter_id, active
    audit.record(
        session,
        actor,
        "evaluation_subject.update",
        f"evaluation_subject:{subject.id}",
        unit.id,
        name=name,
        active=active,
    )
    await session.flush()
    return subject


async def subjects_of(
    session: AsyncSession, unit: Unit, *, include_inactive: bool = True
) -> Sequence[EvaluationSubject]:
    """The subjects registered in ``unit`` and the units below it, by kind then name."""
    return await subjects_within(session, unit.path, include_inactive=include_inactive)


async def subjects_within(
    session: AsyncSession, within_path: str, *, include_inactive: bool = True
) -> Sequence[EvaluationSubject]:
    """The subjects registered in the unit subtree at ``within_path``, by kind then name."""
    query = (
        select(EvaluationSubject)
        .join(Unit, Unit.id == EvaluationSubject.unit_id)
        .where(Unit.path.startswith(within_path))
    )
    if not include_inactive:
        query = query.where(EvaluationSubject.active.is_(True))
    return (
        await session.scalars(
            query.order_by(EvaluationSubject.kind, EvaluationSubject.name, EvaluationSubject.id)
        )
    ).all()


async def subjects_window(
    session: AsyncSession, within_path: str, offset: int, limit: int
) -> Window[EvaluationSubject]:
    """A slice of the register of the unit subtree at ``within_path`` (no longer evaluated
    ones included), by kind, name and id; ``total`` counts the whole register."""
    query = (
        select(EvaluationSubject)
        .join(Unit, Unit.id == EvaluationSubject.unit_id)
        .where(Unit.path.startswith(within_path))
        .order_by(EvaluationSubject.kind, EvaluationSubject.name, EvaluationSubject.id)
    )
    rows, total = await window_rows(session, query, offset, limit)
    return Window([subject for (subject,) in rows], total, offset, limit)


async def offered_subjects(session: AsyncSession, unit: Unit) -> Sequence[EvaluationSubject]:
    """The active subjects an evaluation in ``unit`` may rate: its own and its ancestors'."""
    query = select(EvaluationSubject).where(
        EvaluationSubject.unit_id.in_(ancestor_ids(unit)), EvaluationSubject.active.is_(True)
    )
    return (await session.scalars(query.order_by(EvaluationSubject.name))).all()
