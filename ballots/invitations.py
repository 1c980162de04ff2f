"""Issuing credentials as invitations, reprinting them, and revoking or reissuing a lost one.

A credential exists in clear only in the :class:`Invitation` returned here, to be printed at
once; the database keeps its keyed hash. Issuing prints only voters who have no credential yet,
so printing twice never silently invalidates invitations already handed out; reprinting is the
explicit way to replace codes (the old ones stop working) and says how many it replaced. Both
can be limited to one building or one household. The electors list pages through everyone
eligible with whether each has a code and has voted.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, TypeVar

import msgspec
from sqlalchemy import Select, case, exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.expression import Exists

from ballots import audit
from ballots.access import Actor, require
from ballots.credentials import credential_hash, new_credential
from ballots.errors import N_, NotFound, TransitionNotAllowed
from ballots.lifecycle import ballot_spec, ballot_unit, get_ballot, sync_electorate
from ballots.models import Ballot, Elector, Household, Matter, Participation, Resident, Unit
from ballots.natural import natural_key

_Q = TypeVar("_Q", bound=Select[*tuple[Any, ...]])

PAGE_SIZE = 50
"""Electors shown per page by default."""
MAX_PAGE_SIZE = 500
"""The most electors one page may hold (the API refuses more; the service caps)."""


class Invitation(msgspec.Struct):
    """One printable invitation: who it is for, what ballot, and the credential with its URL."""

    ballot_id: int
    ballot_title: str
    matter_title: str
    unit_name: str
    resident_id: int
    name: str
    building: str
    room: str
    household: str
    credential: str
    url: str
    closes_at: datetime | None = None
    """When voting ends (UTC), if the ballot has a deadline."""
    questions: list[str] = msgspec.field(default_factory=list)
    """The ballot's question prompts, in order."""
    household_vote: bool = False
    """One vote per household: whoever of the household votes first votes for all."""


class Reprint(msgspec.Struct):
    """Invitations reprinted with new codes, and how many old codes they replaced."""

    invitations: list[Invitation]
    replaced: int
    """Codes that existed and stopped working (the rest were first issues)."""
    already_voted: int
    """Electors in the selection skipped because their vote (or household's) is in."""


async def prepare_electorate(session: AsyncSession, actor: Actor, ballot_id: int) -> None:
    """Bring a draft's electors up to date with the roll, so its list shows who would be invited.

    (An open ballot's electorate is frozen; issuing does the same for a draft.)
    """
    await _issuable(session, actor, ballot_id)


def invitation_url(base_url: str, ballot_id: int, credential: str) -> str:
    """The link in the QR code; the credential sits after ``#`` so it never reaches a server log."""
    return f"{base_url.rstrip('/')}/v/{ballot_id}#{credential}"


async def _issuable(session: AsyncSession, actor: Actor, ballot_id: int) -> tuple[Ballot, Unit]:
    ballot = await get_ballot(session, ballot_id)
    unit = await ballot_unit(session, ballot)
    require(actor, "manage_ballots", unit.path)
    if ballot.state not in ("draft", "open"):
        raise TransitionNotAllowed(state=ballot.state, action="given new invitations")
    if ballot.state == "draft":
        await sync_electorate(session, ballot, datetime.now(UTC))
    return ballot, unit


async def _issue(
    session: AsyncSession,
    key: bytes,
    base_url: str,
    ballot: Ballot,
    rows: list[tuple[Elector, Resident, Household | None]],
) -> list[Invitation]:
    matter = await session.get(Matter, ballot.matter_id)
    assert matter is not None
    unit_names = dict((await session.execute(select(Unit.id, Unit.name))).all())
    questions = [question.prompt for question in ballot_spec(ballot).questions]
    now = datetime.now(UTC)
    invitations = []
    for elector, resident, household in rows:
        credential = new_credential()
        elector.credential_hash = credential_hash(key, credential)
        elector.issued_at = now
        elector.issue_count += 1
        invitations.append(
            Invitation(
                ballot_id=ballot.id,
                ballot_title=ballot.title,
                matter_title=matter.title,
                unit_name=unit_names.get(resident.unit_id, ""),
                resident_id=resident.id,
                name=resident.name,
                building=resident.building,
                room=resident.room,
                household=household.external_id if household else "",
                credential=credential,
                url=invitation_url(base_url, ballot.id, credential),
                closes_at=ballot.closes_at,
                questions=questions,
                household_vote=ballot.voting_unit == "household",
            )
        )
    await session.flush()
    return invitations


def _elector_rows(ballot_id: int):  # type: ignore[no-untyped-def]
    return (
        select(Elector, Resident, Household)
        .join(Resident, Resident.id == Elector.resident_id)
        .outerjoin(Household, Household.id == Resident.household_id)
        .where(Elector.ballot_id == ballot_id)
        .order_by(Resident.building, Resident.room, Resident.id)
    )


def _voted() -> Exists:
    """True for an elector whose vote (or whose household's) has been counted."""
    return exists().where(
        Participation.ballot_id == Elector.ballot_id, Participation.count_key == Elector.count_key
    )


def _where_place(query: _Q, building: str | None, household: str | None) -> _Q:
    """Keep one building's or one household's electors (户号); both narrow, ``None`` keeps all."""
    if building is not None:
        query = query.where(Resident.building == building.strip())
    if household is not None:
        query = query.where(
            Resident.household_id.in_(
                select(Household.id).where(Household.external_id == household.strip())
            )
        )
    return query


def _selection(building: str | None, household: str | None) -> dict[str, str]:
    return {
        name: value.strip()
        for name, value in (("building", building), ("household", household))
        if value is not None
    }


async def issue_invitations(
    session: AsyncSession,
    actor: Actor,
    key: bytes,
    base_url: str,
    ballot_id: int,
    *,
    building: str | None = None,
    household: str | None = None,
) -> list[Invitation]:
    """Give a credential to every eligible voter who has none yet; return their invitations.

    ``building`` or ``household`` (户号) limits it to the electors living there.
    """
    ballot, unit = await _issuable(session, actor, ballot_id)
    query = _where_place(_elector_rows(ballot.id), building, household)
    result = await session.execute(query.where(Elector.credential_hash.is_(None)))
    invitations = await _issue(session, key, base_url, ballot, list(result.all()))
    audit.record(
        session,
        actor,
        "invitations.issue",
        f"ballot:{ballot.id}",
        unit.id,
        count=len(invitations),
        **_selection(building, household),
    )
    return invitations


async def reprint_invitations(
    session: AsyncSession,
    actor: Actor,
    key: bytes,
    base_url: str,
    ballot_id: int,
    *,
    building: str | None = None,
    household: str | None = None,
) -> Reprint:
    """Give new codes to every elector (of a building or household) who has not voted yet.

    Each code a new one replaces stops working at once; the result counts them. Electors whose
    vote (or household's vote) is already counted keep their code and get no invitation.
    """
    ballot, unit = await _issuable(session, actor, ballot_id)
    query = _where_place(_elector_rows(ballot.id), building, household)
    result = await session.execute(query.where(~_voted()))
    rows = [(elector, resident, home) for elector, resident, home in result.all()]
    already_voted = await session.scalar(
        _where_place(
            select(func.count())
            .select_from(Elector)
            .join(Resident, Resident.id == Elector.resident_id)
            .where(Elector.ballot_id == ballot.id, _voted()),
            building,
            household,
        )
    )
    replaced = sum(1 for elector, _, _ in rows if elector.credential_hash is not None)
    invitations = await _issue(session, key, base_url, ballot, rows)
    audit.record(
        session,
        actor,
        "invitations.reprint",
        f"ballot:{ballot.id}",
        unit.id,
        count=len(invitations),
        replaced=replaced,
        **_selection(building, household),
    )
    return Reprint(invitations=invitations, replaced=replaced, already_voted=already_voted or 0)


async def reissue_credential(
    session: AsyncSession, actor: Actor, key: bytes, base_url: str, ballot_id: int, resident_id: int
) -> Invitation:
    """Replace one voter's credential: the old one stops working at once."""
    ballot, unit = await _issuable(session, actor, ballot_id)
    result = await session.execute(
        _elector_rows(ballot.id).where(Elector.resident_id == resident_id)
    )
    row = result.first()
    if row is None:
        raise NotFound(
            N_("Resident {id} is not eligible for this ballot."), what="elector", id=resident_id
        )
    (invitation,) = await _issue(session, key, base_url, ballot, [row])
    audit.record(
        session,
        actor,
        "credential.reissue",
        f"ballot:{ballot.id}",
        unit.id,
        resident_id=resident_id,
    )
    return invitation


async def revoke_credential(
    session: AsyncSession, actor: Actor, ballot_id: int, resident_id: int
) -> None:
    """Stop a voter's credential from working, without issuing a new one."""
    ballot = await get_ballot(session, ballot_id)
    unit = await ballot_unit(session, ballot)
    require(actor, "manage_ballots", unit.path)
    elector = await session.scalar(
        select(Elector).where(Elector.ballot_id == ballot.id, Elector.resident_id == resident_id)
    )
    if elector is None:
        raise NotFound(
            N_("Resident {id} is not eligible for this ballot."), what="elector", id=resident_id
        )
    elector.credential_hash = None
    audit.record(
        session, actor, "credential.revoke", f"ballot:{ballot.id}", unit.id, resident_id=resident_id
    )


class ElectorView(msgspec.Struct):
    """One eligible resident as a chair sees them: has a code been issued, has the vote come in."""

    resident_id: int
    name: str
    building: str
    room: str
    household: str
    issued: bool
    voted: bool
    """Their vote, or for one vote per household their household's, is counted."""


class ElectorPage(msgspec.Struct):
    """One page of the electors list: ``total`` electors match, these are from ``offset`` on."""

    electors: list[ElectorView]
    total: int
    offset: int
    limit: int

    @property
    def next_offset(self) -> int | None:
        """The next page's offset, or ``None`` on the last page."""
        following = self.offset + self.limit
        return following if following < self.total else None

    @property
    def previous_offset(self) -> int | None:
        """The previous page's offset, or ``None`` on the first page."""
        return max(self.offset - self.limit, 0) if self.offset > 0 else None


async def find_electors(
    session: AsyncSession,
    actor: Actor,
    ballot_id: int,
    search: str = "",
    *,
    building: str | None = None,
    household: str | None = None,
    voted: bool | None = None,
    offset: int = 0,
    limit: int = PAGE_SIZE,
) -> ElectorPage:
    """A page of eligible residents, by address, with their code and voting status.

    ``search`` matches name, building or room (all when empty); ``building`` and ``household``
    keep one place; ``voted`` keeps those who have (``True``) or have not (``False``) voted.
    ``limit`` is capped at :data:`MAX_PAGE_SIZE`; ``total`` counts every match.
    """
    ballot = await get_ballot(session, ballot_id)
    unit = await ballot_unit(session, ballot)
    require(actor, "read", unit.path)
    offset, limit = max(offset, 0), min(max(limit, 1), MAX_PAGE_SIZE)
    voted_flag = _voted()
    query = _where_place(_elector_views(ballot_id, voted_flag), building, household)
    search = search.strip()
    if search:
        pattern = f"%{search}%"
        query = query.where(
            Resident.name.like(pattern)
            | Resident.building.like(pattern)
            | Resident.room.like(pattern)
            | (Resident.building + Resident.room).like(pattern)
        )
    if voted is not None:
        query = query.where(voted_flag if voted else ~voted_flag)
    total = await session.scalar(select(func.count()).select_from(query.subquery()))
    rows = await session.execute(
        query.order_by(Resident.building, Resident.room, Resident.name, Resident.id)
        .offset(offset)
        .limit(limit)
    )
    return ElectorPage(
        electors=[_elector_view(row) for row in rows],
        total=total or 0,
        offset=offset,
        limit=limit,
    )


def _elector_views(ballot_id: int, voted_flag: Exists):  # type: ignore[no-untyped-def]
    """The columns of :class:`ElectorView` for the ballot's electors."""
    return (
        select(
            Resident.id,
            Resident.name,
            Resident.building,
            Resident.room,
            Household.external_id,
            Elector.credential_hash.is_not(None),
            voted_flag,
        )
        .join(Elector, Elector.resident_id == Resident.id)
        .outerjoin(Household, Household.id == Resident.household_id)
        .where(Elector.ballot_id == ballot_id)
    )


def _elector_view(row: Any) -> ElectorView:
    rid, name, building, room, household, issued, has_voted = row
    return ElectorView(
        resident_id=rid,
        name=name,
        building=building,
        room=room,
        household=household or "",
        issued=bool(issued),
        voted=bool(has_voted),
    )


async def find_elector(
    session: AsyncSession, actor: Actor, ballot_id: int, resident_id: int
) -> tuple[Ballot, ElectorView]:
    """One elector of a ballot whose codes the actor may replace (a draft or open ballot in
    their unit subtree), as the electors list shows them; :class:`NotFound` when the resident
    is not eligible. Reads only: asking before a reissue changes nothing."""
    ballot = await get_ballot(session, ballot_id)
    unit = await ballot_unit(session, ballot)
    require(actor, "manage_ballots", unit.path)
    if ballot.state not in ("draft", "open"):
        raise TransitionNotAllowed(state=ballot.state, action="given new invitations")
    row = (
        await session.execute(_elector_views(ballot.id, _voted()).where(Resident.id == resident_id))
    ).first()
    if row is None:
        raise NotFound(
            N_("Resident {id} is not eligible for this ballot."), what="elector", id=resident_id
        )
    return ballot, _elector_view(row)


class BuildingCount(msgspec.Struct):
    """One building of a ballot's electorate: how many electors, with a code, who have voted."""

    building: str
    electors: int
    issued: int
    voted: int
    replaceable: int = 0
    """Codes a reprint would replace: issued to electors who have not voted."""


async def count_by_building(
    session: AsyncSession, actor: Actor, ballot_id: int
) -> list[BuildingCount]:
    """Each building with eligible residents, for choosing what to print."""
    ballot = await get_ballot(session, ballot_id)
    unit = await ballot_unit(session, ballot)
    require(actor, "read", unit.path)
    voted = _voted()
    rows = await session.execute(
        select(
            Resident.building,
            func.count(),
            func.count(Elector.credential_hash),
            func.sum(case((voted, 1), else_=0)),
            func.sum(case((Elector.credential_hash.is_not(None) & ~voted, 1), else_=0)),
        )
        .join(Elector, Elector.resident_id == Resident.id)
        .where(Elector.ballot_id == ballot_id)
        .group_by(Resident.building)
    )
    return [
        BuildingCount(
            building=b, electors=n, issued=issued, voted=int(v or 0), replaceable=int(r or 0)
        )
        for b, n, issued, v, r in sorted(rows, key=lambda row: natural_key(row[0]))
    ]


async def count_selection(
    session: AsyncSession,
    actor: Actor,
    ballot_id: int,
    *,
    building: str | None = None,
    household: str | None = None,
) -> BuildingCount:
    """How many electors a building or household (or the whole ballot) has, with a code, voted.

    What a reprint of that selection would do, before doing it: it prints for ``electors -
    voted`` and replaces ``issued`` codes of those not yet voted (see :func:`reprint_invitations`).
    """
    ballot = await get_ballot(session, ballot_id)
    unit = await ballot_unit(session, ballot)
    require(actor, "read", unit.path)
    voted = _voted()
    query = _where_place(
        select(
            func.count(),
            func.count(Elector.credential_hash),
            func.sum(case((voted, 1), else_=0)),
            func.sum(case((Elector.credential_hash.is_not(None) & ~voted, 1), else_=0)),
        )
        .select_from(Elector)
        .join(Resident, Resident.id == Elector.resident_id)
        .where(Elector.ballot_id == ballot_id),
        building,
        household,
    )
    electors, issued, voted_count, replaceable = (await session.execute(query)).one()
    return BuildingCount(
        building=(building or "").strip(),
        electors=electors,
        issued=issued,
        voted=int(voted_count or 0),
        replaceable=int(replaceable or 0),
    )
