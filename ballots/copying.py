"""Copying a ballot to another unit: a street office prepares an evaluation once and copies it to
each residential area, where it becomes a new draft.

Any ballot can be copied, whatever its state. The copy keeps the title, the questions and their
options, the voting unit, the weighting, the validity rules, revoting and whether participation
is published; of the eligibility rules it keeps roles, the minimum age and the tags. What only
makes sense for the source's place or time is left out and reported in :class:`CopyDropped`:
eligibility units outside the target unit's subtree, building names (they differ from area to
area; kept only when copying within the same unit), a runoff's frozen electorate
(``electorate_of``) and the schedule (a copy is scheduled again). The copy gets a fresh spec, so
its tie seed comes from its own board when it closes, as for any new ballot.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import msgspec
from sqlalchemy.ext.asyncio import AsyncSession

from ballots import audit
from ballots.access import Actor, require
from ballots.eligibility import Eligibility
from ballots.errors import N_, DomainError, InvalidInput
from ballots.lifecycle import BallotDraft, ballot_spec, create_ballot, get_ballot
from ballots.matters import add_event, create_matter, get_matter
from ballots.models import Ballot, Matter, Unit
from ballots.units import get_unit


class MatterNotInUnit(DomainError):
    type = "matter-not-in-unit"
    status = 422
    title = N_("The matter belongs to another unit")
    detail_template = N_(
        "Matter {matter} is not a matter of the unit the ballot is copied to; choose one of "
        "that unit's matters, or none for a new matter."
    )


class CopyDropped(msgspec.Struct, frozen=True, kw_only=True):
    """What a copy left out of its source: eligibility units outside the target unit, building
    names, a runoff's frozen electorate, and the opening and closing times."""

    units: list[int] = msgspec.field(default_factory=list)
    """Eligibility unit ids outside the target unit's subtree."""
    buildings: list[str] = msgspec.field(default_factory=list)
    """Building names (楼栋) of the source's roll."""
    electorate_of: int | None = None
    """The ballot whose frozen electorate the source used (a runoff's first round)."""
    opens_at: datetime | None = None
    """When the source was scheduled to open by itself."""
    closes_at: datetime | None = None
    """When the source was scheduled to close by itself."""

    @property
    def anything(self) -> bool:
        return bool(
            self.units
            or self.buildings
            or self.electorate_of is not None
            or self.opens_at is not None
            or self.closes_at is not None
        )


@dataclass(frozen=True)
class BallotCopy:
    """The new draft, its matter, and what the copy left out."""

    ballot: Ballot
    matter: Matter
    dropped: CopyDropped


def _source_eligibility(ballot: Ballot) -> Eligibility:
    try:
        return msgspec.convert(ballot.eligibility or {}, Eligibility)
    except msgspec.ValidationError as error:
        raise InvalidInput(
            N_("The eligibility rules of the ballot being copied cannot be read ({error})."),
            error=str(error),
        ) from error


def copied_eligibility(
    source: Eligibility, source_unit: Unit, target: Unit, unit_paths: dict[int, str]
) -> tuple[Eligibility, CopyDropped]:
    """The copy's eligibility rules and what was left out of them.

    ``unit_paths`` gives the path of each unit id named in ``source.units``; a unit is kept when
    it lies in ``target``'s subtree. Buildings are kept only within the same unit.
    """
    kept_units = [
        unit_id for unit_id in source.units if unit_paths.get(unit_id, "").startswith(target.path)
    ]
    same_unit = source_unit.id == target.id
    rules = Eligibility(
        units=kept_units,
        buildings=list(source.buildings) if same_unit else [],
        roles=list(source.roles),
        min_age=source.min_age,
        tags_any=list(source.tags_any),
        tags_all=list(source.tags_all),
    )
    dropped = CopyDropped(
        units=[unit_id for unit_id in source.units if unit_id not in kept_units],
        buildings=[] if same_unit else list(source.buildings),
        electorate_of=source.electorate_of,
    )
    return rules, dropped


async def _target_matter(
    session: AsyncSession, actor: Actor, source_matter: Matter, target: Unit, matter_id: int | None
) -> Matter:
    if matter_id is None:
        return await create_matter(
            session, actor, unit_id=target.id, kind=source_matter.kind, title=source_matter.title
        )
    matter = await get_matter(session, matter_id)
    if matter.unit_id != target.id:
        raise MatterNotInUnit(matter=matter_id)
    return matter


async def copy_ballot(
    session: AsyncSession,
    actor: Actor,
    ballot_id: int,
    *,
    unit_id: int,
    matter_id: int | None = None,
) -> BallotCopy:
    """Copy ballot ``ballot_id`` (in any state) to ``unit_id`` as a new draft.

    The draft goes on ``matter_id`` (a matter of that unit, else :class:`MatterNotInUnit`) or,
    without one, on a new matter there with the source matter's kind and title. The actor must
    manage ballots both where the source is and in the target unit. Audited as ``ballot.copy``
    and noted on the target matter's timeline.
    """
    source = await get_ballot(session, ballot_id)
    source_matter = await get_matter(session, source.matter_id)
    source_unit = await get_unit(session, source_matter.unit_id)
    require(actor, "manage_ballots", source_unit.path)
    target = await get_unit(session, unit_id)
    require(actor, "manage_ballots", target.path)

    rules = _source_eligibility(source)
    unit_paths: dict[int, str] = {}
    for named in rules.units:
        unit = await session.get(Unit, named)
        if unit is not None:
            unit_paths[named] = unit.path
    eligibility, dropped = copied_eligibility(rules, source_unit, target, unit_paths)
    dropped = msgspec.structs.replace(dropped, opens_at=source.opens_at, closes_at=source.closes_at)

    spec = ballot_spec(source)
    draft = BallotDraft(
        title=source.title,
        questions=list(spec.questions),
        revoting=source.revoting,
        voting_unit="household" if spec.voting_unit == "household" else "person",
        weighting="area" if spec.weighting == "area" else "none",
        eligibility=eligibility,
        publish_participation=source.publish_participation,
        validity=spec.validity,
    )
    matter = await _target_matter(session, actor, source_matter, target, matter_id)
    copy = await create_ballot(session, actor, matter.id, draft)
    add_event(
        session,
        matter.id,
        "ballot_copied",
        ballot_id=copy.id,
        actor=actor.name,
        source_ballot=source.id,
        source_title=source.title,
        source_unit=source_unit.name,
    )
    audit.record(
        session,
        actor,
        "ballot.copy",
        f"ballot:{copy.id}",
        target.id,
        source_ballot=source.id,
        source_unit=source_unit.id,
        matter=matter.id,
        dropped=msgspec.to_builtins(dropped),
    )
    await session.flush()
    return BallotCopy(ballot=copy, matter=matter, dropped=dropped)
