"""A ballot's life: draft → open → closed → published, or cancelled; each move recorded.

Opening freezes the electorate (later roll edits no longer change who may vote) and records its
size and area. Closing counts the ballots through ``tally`` and stores the result; publishing
makes it public; cancelling (with a reason) ends an open ballot's board with a ``cancel`` event.
Every move is appended to the matter's timeline and the audit log.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

import msgspec
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

import tally
from ballots import audit, board
from ballots.access import Actor, require
from ballots.eligibility import Eligibility, compute_electorate, electorate_totals
from ballots.errors import (
    N_,
    BallotNotDraft,
    EmptyElectorate,
    InvalidInput,
    InvalidReason,
    InvalidSpec,
    NotFound,
    TransitionNotAllowed,
)
from ballots.matters import add_event, get_matter
from ballots.models import (
    Ballot,
    BoardLeaf,
    Cast,
    Elector,
    Matter,
    MatterEvent,
    Participation,
    Resident,
    Unit,
)
from ballots.models.bounds import BallotTitle
from ballots.roll import mask_name
from ballots.signing import Signer
from ballots.units import get_unit
from ballots.warnings import PublishNeedsConfirmation, publish_warnings
from tally import board as tally_board

BALLOT_STATES = ("draft", "open", "closed", "published", "cancelled")
ALLOWED_MOVES: dict[str, dict[str, str]] = {
    "open": {"draft": "open"},
    "close": {"open": "closed"},
    "publish": {"closed": "published"},
    "cancel": {"draft": "cancelled", "open": "cancelled"},
}


class BallotDraft(msgspec.Struct, forbid_unknown_fields=True):
    """What a chair writes when creating or editing a draft ballot."""

    title: BallotTitle
    questions: list[tally.Question]
    revoting: bool = False
    voting_unit: Literal["person", "household"] = "person"
    weighting: Literal["none", "area"] = "none"
    eligibility: Eligibility = msgspec.field(default_factory=Eligibility)
    publish_participation: bool = False
    # When the result is valid: a participation quorum and, for single choice, an absolute
    # majority (else a runoff); counted by tally, see docs/counting.md "Validity".
    validity: tally.Validity | None = None
    opens_at: Annotated[datetime, msgspec.Meta(tz=True)] | None = None
    """When the service opens the ballot by itself (with its time zone; none: by hand)."""
    closes_at: Annotated[datetime, msgspec.Meta(tz=True)] | None = None
    """When the service closes the ballot by itself (with its time zone; none: by hand)."""


async def get_ballot(session: AsyncSession, ballot_id: int) -> Ballot:
    """The ballot with ``ballot_id``, or :class:`NotFound`."""
    ballot = await session.get(Ballot, ballot_id)
    if ballot is None:
        raise NotFound(what="ballot", id=ballot_id)
    return ballot


async def ballot_unit(session: AsyncSession, ballot: Ballot) -> Unit:
    """The unit of the ballot's matter (which scopes who may manage it)."""
    matter = await get_matter(session, ballot.matter_id)
    return await get_unit(session, matter.unit_id)


def ballot_spec(ballot: Ballot) -> tally.BallotSpec:
    """The ballot's questions and counting settings as a ``tally`` spec."""
    return decode_spec(ballot.spec)


_SPEC_CACHE: dict[str, tally.BallotSpec] = {}


def decode_spec(text: str) -> tally.BallotSpec:
    """Decode a stored spec (cached: specs never change once a ballot is open)."""
    spec = _SPEC_CACHE.get(text)
    if spec is None:
        spec = msgspec.json.decode(text, type=tally.BallotSpec)
        if len(_SPEC_CACHE) > 256:
            _SPEC_CACHE.clear()
        _SPEC_CACHE[text] = spec
    return spec


def _spec_from_draft(draft: BallotDraft) -> str:
    title = draft.title.strip()
    if not title:
        raise InvalidInput(N_("Please give a title."))
    spec = tally.BallotSpec(
        questions=draft.questions,
        title=title,
        voting_unit=draft.voting_unit,
        weighting=draft.weighting,
        validity=draft.validity,
    )
    try:
        tally.check_spec(spec)
    except tally.SpecError as error:
        raise InvalidSpec(field=error.field, message=error.message) from error
    problems = draft.eligibility.problems()
    if problems:
        message, params = problems[0]
        raise InvalidInput(message, **params)
    return msgspec.json.encode(spec).decode()


async def _check_eligibility_units(session: AsyncSession, actor: Actor, rules: Eligibility) -> None:
    for unit_id in rules.units:
        unit = await get_unit(session, unit_id)
        require(actor, "manage_ballots", unit.path)


async def create_ballot(
    session: AsyncSession, actor: Actor, matter_id: int, draft: BallotDraft
) -> Ballot:
    """Create a draft ballot on a matter."""
    matter = await get_matter(session, matter_id)
    unit = await get_unit(session, matter.unit_id)
    require(actor, "manage_ballots", unit.path)
    spec = _spec_from_draft(draft)
    opens_at, closes_at = _draft_schedule(draft)
    await _check_eligibility_units(session, actor, draft.eligibility)
    ballot = Ballot(
        matter_id=matter.id,
        title=draft.title.strip(),
        spec=spec,
        state="draft",
        revoting=draft.revoting,
        publish_participation=draft.publish_participation,
        voting_unit=draft.voting_unit,
        eligibility=msgspec.to_builtins(draft.eligibility),
        opens_at=opens_at,
        closes_at=closes_at,
    )
    session.add(ballot)
    await session.flush()
    add_event(
        session,
        matter.id,
        "ballot_created",
        ballot_id=ballot.id,
        actor=actor.name,
        title=ballot.title,
    )
    audit.record(
        session, actor, "ballot.create", f"ballot:{ballot.id}", unit.id, title=ballot.title
    )
    return ballot


async def update_ballot(
    session: AsyncSession, actor: Actor, ballot_id: int, draft: BallotDraft
) -> Ballot:
    """Replace a draft ballot's questions and settings; refused once the ballot has opened."""
    ballot = await get_ballot(session, ballot_id)
    unit = await ballot_unit(session, ballot)
    require(actor, "manage_ballots", unit.path)
    if ballot.state != "draft":
        raise BallotNotDraft(state=ballot.state)
    opens_at, closes_at = _draft_schedule(draft)
    ballot.spec = _spec_from_draft(draft)
    await _check_eligibility_units(session, actor, draft.eligibility)
    ballot.title = draft.title.strip()
    ballot.revoting = draft.revoting
    ballot.publish_participation = draft.publish_participation
    ballot.voting_unit = draft.voting_unit
    ballot.eligibility = msgspec.to_builtins(draft.eligibility)
    ballot.opens_at, ballot.closes_at = opens_at, closes_at
    audit.record(session, actor, "ballot.update", f"ballot:{ballot.id}", unit.id)
    return ballot


def _draft_schedule(draft: BallotDraft) -> tuple[datetime | None, datetime | None]:
    """The draft's opening and closing times in UTC, once :mod:`ballots.schedule` allows them."""
    from ballots.schedule import check_schedule  # the schedule module builds on this one

    return check_schedule("draft", draft.opens_at, draft.closes_at, now=datetime.now(UTC))


async def lock_ballot(session: AsyncSession, ballot_id: int) -> Ballot:
    """Load the ballot for a state change, locking its row against concurrent casts."""
    ballot = await session.scalar(
        select(Ballot)
        .where(Ballot.id == ballot_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if ballot is None:
        raise NotFound(what="ballot", id=ballot_id)
    return ballot


async def _move(
    session: AsyncSession, actor: Actor, ballot_id: int, action: str
) -> tuple[Ballot, Unit]:
    ballot = await lock_ballot(session, ballot_id)
    unit = await ballot_unit(session, ballot)
    require(actor, "manage_ballots", unit.path)
    target = ALLOWED_MOVES[action].get(ballot.state)
    if target is None:
        raise TransitionNotAllowed(state=ballot.state, action=_PAST[action])
    ballot.state = target
    return ballot, unit


_PAST = {"open": "opened", "close": "closed", "publish": "published", "cancel": "cancelled"}


async def sync_electorate(
    session: AsyncSession, ballot: Ballot, today: datetime
) -> tuple[int, float]:
    """Make the ballot's elector rows match who is eligible now; return (size, area).

    Residents who are no longer eligible lose their elector row (and so their credential);
    newly eligible residents get a row without a credential until an invitation is issued.
    """
    matter = await session.get(Matter, ballot.matter_id)
    assert matter is not None
    default_unit = await get_unit(session, matter.unit_id)
    rules = msgspec.convert(ballot.eligibility, Eligibility)
    voters = await compute_electorate(
        session,
        rules,
        default_unit,
        ballot.voting_unit,
        today.date(),
        weighting=ballot_spec(ballot).weighting,
    )
    existing = {
        elector.resident_id: elector
        for elector in (
            await session.scalars(select(Elector).where(Elector.ballot_id == ballot.id))
        ).all()
    }
    wanted = {voter.resident_id for voter in voters}
    stale = [elector.id for rid, elector in existing.items() if rid not in wanted]
    if stale:
        await session.execute(delete(Elector).where(Elector.id.in_(stale)))
    for voter in voters:
        elector = existing.get(voter.resident_id)
        if elector is None:
            session.add(
                Elector(
                    ballot_id=ballot.id,
                    resident_id=voter.resident_id,
                    count_key=voter.count_key,
                    weight=voter.area,
                )
            )
        else:
            elector.count_key, elector.weight = voter.count_key, voter.area
    await session.flush()
    return electorate_totals(voters)


async def open_ballot(
    session: AsyncSession, actor: Actor, ballot_id: int, signer: Signer | None = None
) -> Ballot:
    """Open voting: freeze the electorate, record its size and area, start the public board.

    The board's first leaf is the manifest; with a ``signer`` its first tree head is signed now
    (otherwise when someone first asks for one).
    """
    ballot, unit = await _move(session, actor, ballot_id, "open")
    now = datetime.now(UTC)
    size, area = await sync_electorate(session, ballot, now)
    if size == 0:
        raise EmptyElectorate()
    ballot.electorate_size, ballot.electorate_area, ballot.opened_at = size, area, now
    manifest = tally_board.setup_event(
        ballot_id=board.board_ballot_id(ballot.id),
        title=ballot.title,
        spec=ballot_spec(ballot),
        electorate=tally.Electorate(size=size, area=area),
        opened_at=now,
        revoting=ballot.revoting,
        participation=ballot.publish_participation,
    )
    await _append(session, ballot.id, [manifest], signer)
    add_event(
        session,
        ballot.matter_id,
        "ballot_opened",
        ballot_id=ballot.id,
        actor=actor.name,
        electorate_size=size,
        electorate_area=area,
    )
    audit.record(
        session, actor, "ballot.open", f"ballot:{ballot.id}", unit.id, electorate_size=size
    )
    return ballot


async def _append(
    session: AsyncSession, ballot_id: int, events: list[bytes], signer: Signer | None
) -> tuple[int, bytes]:
    """Append events to the ballot's board in the session's transaction (and sign a head).

    Returns the log's new size and right edge.
    """
    await session.flush()
    return await session.run_sync(
        lambda sync_session: board.append_and_sign(
            sync_session.connection(), signer, ballot_id, events
        )
    )


async def counted_records(session: AsyncSession, ballot: Ballot) -> list[tally.Record]:
    """The ballots that count (one per person or household), as ``tally`` records.

    They are read from the board's own leaves, in board order, so the count is made from exactly
    what anyone can recount: the counted casts, then the paper batch's valid sheets (every counted
    paper ballot points at the batch's leaf), in the batch's order.
    """
    rows = await session.execute(
        select(BoardLeaf.index, BoardLeaf.data)
        .join(Cast, (Cast.ballot_id == BoardLeaf.ballot_id) & (Cast.leaf_index == BoardLeaf.index))
        .join(Participation, Participation.cast_id == Cast.id)
        .where(Participation.ballot_id == ballot.id)
        .order_by(BoardLeaf.index)
        .distinct()
    )
    records: list[tally.Record] = []
    for _index, data in rows:
        event = tally_board.decode_event(data.encode("utf-8"))
        if isinstance(event, tally_board.PaperBatch):
            records.extend(
                tally.Record(answers=sheet.answers, weight=sheet.weight, unit=sheet.unit)
                for sheet in event.records
                if not sheet.invalid
            )
            continue
        assert isinstance(event, tally_board.Cast)
        records.append(tally.Record(answers=event.answers, weight=event.weight, unit=event.unit))
    return records


async def _participants(
    session: AsyncSession, ballot_id: int
) -> list[tally_board.ParticipationEntry]:
    """Who took part, masked, sorted by address (never in voting order, which the board shows);
    a vote a proxy holder cast is marked as such (委托), and says no more."""
    from ballots.meetings.proxies import proxy_votes  # meetings build on this module

    by_proxy = {vote.grantor_id for vote in await proxy_votes(session, ballot_id)}
    rows = await session.execute(
        select(Resident.id, Resident.name, Resident.building, Resident.room)
        .join(Elector, Elector.resident_id == Resident.id)
        .join(Participation, Participation.elector_id == Elector.id)
        .where(Participation.ballot_id == ballot_id)
    )
    entries = [
        tally_board.ParticipationEntry(
            name=mask_name(name), address=f"{building}{room}", proxy=rid in by_proxy
        )
        for rid, name, building, room in rows
    ]
    return sorted(entries, key=lambda entry: (entry.address, entry.name))


async def close_ballot(
    session: AsyncSession, actor: Actor, ballot_id: int, signer: Signer | None = None
) -> Ballot:
    """Close voting, count the ballots through ``tally`` and store the result.

    The board gets the close event; the root hash after it is the public tie-break seed; then the
    participation list (where the ballot publishes one) and the result, and a signed tree head.

    When paper ballots were issued, the board stops after the close: the stored result counts
    the phone votes only (for the chairs, never published) until the paper ballots are entered
    twice and counted (:func:`ballots.paper.counting.count_paper`), which appends the paper
    batch, then the participation list and the result, counted with the same seed.
    """
    from ballots.paper.status import issued_count  # paper ballots build on this module

    ballot, unit = await _move(session, actor, ballot_id, "close")
    ballot.closed_at = datetime.now(UTC)
    records = await counted_records(session, ballot)
    size, edge = await _append(
        session,
        ballot.id,
        [tally_board.close_event(closed_at=ballot.closed_at, counted=len(records))],
        None,
    )
    seed = board.root_of(size, edge).hex()
    paper_pending = await issued_count(session, ballot.id) > 0
    result = await finish_count(session, ballot, seed, signer, on_board=not paper_pending)
    add_event(
        session,
        ballot.matter_id,
        "ballot_closed",
        ballot_id=ballot.id,
        actor=actor.name,
        ballots_counted=len(records),
    )
    if not paper_pending:
        add_event(
            session,
            ballot.matter_id,
            "ballot_result",
            ballot_id=ballot.id,
            actor=actor.name,
            summary=result_summary(result),
        )
    audit.record(
        session, actor, "ballot.close", f"ballot:{ballot.id}", unit.id, counted=len(records)
    )
    return ballot


async def finish_count(
    session: AsyncSession,
    ballot: Ballot,
    seed: str,
    signer: Signer | None,
    *,
    on_board: bool = True,
) -> tally.BallotResult:
    """Count the ballot's counted records with tie seed ``seed`` and store the result; with
    ``on_board``, append the participation list (where published) and the result to the board
    and sign a head."""
    records = await counted_records(session, ballot)
    spec = msgspec.structs.replace(ballot_spec(ballot), tie_seed=seed)
    electorate = tally.Electorate(
        size=ballot.electorate_size or 0, area=ballot.electorate_area or 0.0
    )
    result = tally.count(spec, records, electorate=electorate)
    encoded = msgspec.json.encode(result)
    ballot.result = encoded.decode()
    if on_board:
        events = []
        if ballot.publish_participation:
            events.append(tally_board.participation_event(await _participants(session, ballot.id)))
        events.append(tally_board.result_event(result=encoded, tie_seed=seed))
        await _append(session, ballot.id, events, signer)
    return result


def result_summary(result: Any) -> list[dict[str, Any]]:
    """A short per-question summary of a ``tally`` result for the matter timeline."""
    builtins = msgspec.to_builtins(result)
    summary = []
    for question in builtins.get("questions", []):
        summary.append(
            {key: question[key] for key in ("question", "winners", "outcome") if key in question}
        )
    return summary


async def publish_ballot(session: AsyncSession, actor: Actor, ballot_id: int) -> Ballot:
    """Publish a closed ballot's result on the public page and API.

    Refused (:class:`ballots.paper.errors.PaperNotReady`, with the reason in words) while paper
    ballots were issued and are not yet entered twice, agreed and counted; and
    (:class:`ballots.reconciliation.CountDoesNotBalance`) while the count of every channel does
    not balance otherwise.
    """
    from ballots.paper.status import paper_refusal  # paper ballots build on this module
    from ballots.reconciliation import publish_refusal

    ballot, unit = await _move(session, actor, ballot_id, "publish")
    refusal = await paper_refusal(session, ballot) or await publish_refusal(session, ballot)
    if refusal is not None:
        raise refusal
    ballot.published_at = datetime.now(UTC)
    add_event(session, ballot.matter_id, "ballot_published", ballot_id=ballot.id, actor=actor.name)
    audit.record(session, actor, "ballot.publish", f"ballot:{ballot.id}", unit.id)
    return ballot


MAX_REASON = tally_board.MAX_REASON


def check_reason(reason: str | None) -> str:
    """The cancellation reason, trimmed; :class:`InvalidReason` when empty, too long or with NUL."""
    text = (reason or "").strip()
    if not text:
        raise InvalidReason()
    if len(text) > MAX_REASON:
        raise InvalidReason(N_("The reason may be at most {max} characters."), max=MAX_REASON)
    if "\x00" in text:
        raise InvalidReason(N_("The reason must not contain NUL characters."))
    return text


async def cancel_ballot(
    session: AsyncSession,
    actor: Actor,
    ballot_id: int,
    signer: Signer | None = None,
    *,
    reason: str | None,
) -> Ballot:
    """Cancel a draft or open ballot for a ``reason`` (required); nothing is counted.

    An open ballot's board ends with the ``cancel`` event and its reason, and a tree head signed
    with ``signer``; a draft has no board and gets none.
    """
    reason = check_reason(reason)
    ballot, unit = await _move(session, actor, ballot_id, "cancel")
    if ballot.log_size:
        event = tally_board.cancellation_event(cancelled_at=datetime.now(UTC), reason=reason)
        await _append(session, ballot.id, [event], signer)
    add_event(
        session,
        ballot.matter_id,
        "ballot_cancelled",
        ballot_id=ballot.id,
        actor=actor.name,
        reason=reason,
    )
    audit.record(session, actor, "ballot.cancel", f"ballot:{ballot.id}", unit.id, reason=reason)
    return ballot


async def cancellation_reason(session: AsyncSession, ballot: Ballot) -> str:
    """Why ``ballot`` was cancelled, as the chair gave it on its matter's timeline ('' if not)."""
    if ballot.state != "cancelled":
        return ""
    event = await session.scalar(
        select(MatterEvent)
        .where(
            MatterEvent.matter_id == ballot.matter_id,
            MatterEvent.ballot_id == ballot.id,
            MatterEvent.kind == "ballot_cancelled",
        )
        .order_by(MatterEvent.id.desc())
        .limit(1)
    )
    reason = event.payload.get("reason") if event is not None else None
    return reason if isinstance(reason, str) else ""


async def list_ballots(
    session: AsyncSession, within_path: str = "/"
) -> Sequence[tuple[Ballot, Matter]]:
    """Ballots in the unit subtree at ``within_path``, newest first, with their matters."""
    rows = await session.execute(
        select(Ballot, Matter)
        .join(Matter, Matter.id == Ballot.matter_id)
        .join(Unit, Unit.id == Matter.unit_id)
        .where(Unit.path.startswith(within_path))
        .order_by(Ballot.id.desc())
    )
    return list(rows.all())


class Transition(msgspec.Struct, frozen=True):
    """One move of a ballot's lifecycle as every front end offers it."""

    action: str
    service: Callable[..., Awaitable[Ballot]]
    signs: bool  # the move signs a tree head of the board
    done: str  # what a chair is told afterwards (a message id)


TRANSITIONS: dict[str, Transition] = {
    "open": Transition("open", open_ballot, True, N_("Voting is open.")),
    "close": Transition(
        "close", close_ballot, True, N_("Voting is closed and the ballots are counted.")
    ),
    "publish": Transition("publish", publish_ballot, False, N_("The result is published.")),
    "cancel": Transition("cancel", cancel_ballot, True, N_("The ballot is cancelled.")),
}


async def move_ballot(
    session: AsyncSession,
    actor: Actor,
    ballot_id: int,
    action: str,
    *,
    signer: Signer | None = None,
    confirmed: bool = False,
    reason: str | None = None,
) -> Ballot:
    """Run the lifecycle move ``action`` (open, close, publish, cancel): the one entry point the
    CLI, the API and the pages share. Opening, closing and cancelling sign with ``signer``;
    cancelling needs a ``reason`` (:class:`InvalidReason` without one).

    Publishing a result with warnings (no quorum, a runoff, low turnout, a draw, a close margin)
    is refused with :class:`PublishNeedsConfirmation` unless the chair ``confirmed`` them.
    """
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise NotFound(what="action", id=action)
    if action == "publish" and not confirmed:
        from ballots.paper.status import paper_refusal  # paper ballots build on this module

        ballot = await get_ballot(session, ballot_id)
        require(actor, "manage_ballots", (await ballot_unit(session, ballot)).path)
        refusal = await paper_refusal(session, ballot) if ballot.state == "closed" else None
        if refusal is not None:
            raise refusal
        warnings = publish_warnings(ballot) if ballot.state == "closed" else []
        if warnings:
            raise PublishNeedsConfirmation(warnings)
    if action == "cancel":
        return await cancel_ballot(session, actor, ballot_id, signer, reason=reason)
    if transition.signs:
        return await transition.service(session, actor, ballot_id, signer)
    return await transition.service(session, actor, ballot_id)
