"""Counting the paper ballots: once two chairs' entries agree for every returned sheet, each
valid sheet becomes a counted ballot (a ``paper`` cast and the participation of its voting unit)
and the whole batch goes onto the ballot's board as one ``paper_batch`` event after the close;
then the participation list and the result, counted from phone and paper together.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

import msgspec
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ballots import audit, board
from ballots.access import Actor, require
from ballots.casting import new_tracker
from ballots.errors import N_
from ballots.lifecycle import (
    ballot_spec,
    ballot_unit,
    finish_count,
    lock_ballot,
    result_summary,
)
from ballots.matters import add_event
from ballots.models import Cast, Elector, PaperIssue, Participation
from ballots.paper.errors import PaperAlreadyCounted, PaperNotEntering, PaperNotReady
from ballots.paper.status import PaperStatus, paper_status, publish_block
from ballots.signing import Signer
from tally import board as tally_board

N_NOTHING = N_("No paper ballot was issued on this ballot, so there is nothing to count.")


def _seed(result_text: str | None) -> str:
    """The tie seed the close fixed (the root after it), kept in the phone-only result."""
    if not result_text:
        raise PaperNotReady()
    seed = msgspec.json.decode(result_text).get("tie_seed")
    if not isinstance(seed, str) or not seed:
        raise PaperNotReady()
    return seed


async def count_paper(
    session: AsyncSession,
    actor: Actor,
    key: bytes,
    ballot_id: int,
    signer: Signer | None = None,
) -> PaperStatus:
    """Count the agreed paper ballots of a closed ballot into its result; return the status.

    Refused while a sheet's entries are missing or disagree, before the close, and once counted.
    Audited and on the matter's timeline; the caller commits.
    """
    ballot = await lock_ballot(session, ballot_id)
    unit = await ballot_unit(session, ballot)
    require(actor, "manage_ballots", unit.path)
    if ballot.paper_counted_at is not None:
        raise PaperAlreadyCounted()
    if ballot.state != "closed":
        raise PaperNotEntering(state=ballot.state)
    status = await paper_status(session, ballot)
    if status.issued == 0:
        raise PaperNotReady(N_NOTHING)
    if not status.agreed:
        block = publish_block(status)
        assert block is not None
        message, params = block
        raise PaperNotReady(message, **params)
    seed = _seed(ballot.result)
    spec = ballot_spec(ballot)
    issues = {
        issue.serial: issue
        for issue in await session.scalars(
            select(PaperIssue).where(PaperIssue.ballot_id == ballot.id)
        )
    }
    weights = dict(
        (
            await session.execute(
                select(Elector.id, Elector.weight).where(Elector.ballot_id == ballot.id)
            )
        ).all()
    )
    board_id = board.board_ballot_id(ballot.id)
    records = []
    valid = []
    for sheet in status.sheets:
        if not sheet.returned:
            continue
        issue = issues[sheet.serial]
        entry = sheet.entries[0]
        weight = float(weights.get(issue.elector_id, 0.0)) if spec.weighting == "area" else 1.0
        records.append(
            tally_board.PaperRecord(
                serial=sheet.serial,
                unit=tally_board.unit_pseudonym(key, board_id, issue.count_key),
                weight=weight,
                invalid=entry.invalid,
                answers={} if entry.invalid else entry.answers,
            )
        )
        if not entry.invalid:
            valid.append((issue, entry.answers))
    now = datetime.now(UTC)
    event = tally_board.paper_batch_event(counted_at=now, issued=status.issued, records=records)
    await session.flush()
    size, _edge = await session.run_sync(
        lambda sync_session: board.append_and_sign(
            sync_session.connection(), None, ballot.id, [event]
        )
    )
    batch_index = size - 1
    hour = now.replace(minute=0, second=0, microsecond=0)
    for issue, answers in valid:
        cast = Cast(
            ballot_id=ballot.id,
            tracker=new_tracker(),
            answers=msgspec.json.encode(answers).decode(),
            channel="paper",
            cast_hour=hour,
            submission_key=hashlib.sha256(f"paper:{ballot.id}:{issue.serial}".encode()).digest(),
            leaf_index=batch_index,
        )
        session.add(cast)
        await session.flush()
        session.add(
            Participation(
                ballot_id=ballot.id,
                count_key=issue.count_key,
                elector_id=issue.elector_id,
                cast_id=cast.id,
            )
        )
    ballot.paper_counted_at = now
    await session.flush()
    result = await finish_count(session, ballot, seed, signer)
    add_event(
        session,
        ballot.matter_id,
        "paper_counted",
        ballot_id=ballot.id,
        actor=actor.name,
        issued=status.issued,
        returned=status.returned,
        valid=status.valid,
        invalid=status.invalid,
    )
    add_event(
        session,
        ballot.matter_id,
        "ballot_result",
        ballot_id=ballot.id,
        actor=actor.name,
        summary=result_summary(result),
    )
    audit.record(
        session,
        actor,
        "paper.count",
        f"ballot:{ballot.id}",
        unit.id,
        issued=status.issued,
        returned=status.returned,
        valid=status.valid,
        invalid=status.invalid,
    )
    return await paper_status(session, ballot)
