"""Second rounds: a question whose result is ``runoff`` (no option won the absolute majority its
validity rules ask for) gets one. :func:`create_runoff` drafts a ballot on the same matter
between the options ``tally`` named, for the same frozen electorate, keeping the quorum and
asking for no majority, so a tie there is drawn from the public seed.
"""

from __future__ import annotations

import msgspec
from sqlalchemy.ext.asyncio import AsyncSession

import tally
from ballots import audit
from ballots.access import Actor, require
from ballots.eligibility import Eligibility
from ballots.errors import N_, DomainError
from ballots.lifecycle import BallotDraft, ballot_spec, ballot_unit, create_ballot, get_ballot
from ballots.models import Ballot
from ballots.models.bounds import BALLOT_TITLE_LENGTH
from ballots.paper.status import paper_refusal
from ballots.warnings import counted_result

RUNOFF_SUFFIX = "（第二轮）"


class NoRunoff(DomainError):
    type = "no-runoff"
    status = 409
    title = N_("No second round is called for")
    detail_template = N_(
        "A second round is drafted only from a counted result whose outcome is a runoff."
    )


def _runoff_validity(validity: tally.Validity | None) -> tally.Validity | None:
    if validity is None or validity.quorum is None:
        return None
    return tally.Validity(quorum=validity.quorum, quorum_by=validity.quorum_by, majority="none")


async def create_runoff(session: AsyncSession, actor: Actor, ballot_id: int) -> Ballot:
    """Draft the second round of a counted ballot whose result calls for one (once its paper
    ballots, if any were handed out, are counted too)."""
    ballot = await get_ballot(session, ballot_id)
    unit = await ballot_unit(session, ballot)
    require(actor, "manage_ballots", unit.path)
    result = counted_result(ballot)
    if ballot.state not in ("closed", "published") or result is None:
        raise NoRunoff()
    waiting = await paper_refusal(session, ballot)
    if waiting is not None:  # the stored result counts the phone votes only so far
        raise waiting
    outcomes = {q.question: q for q in result.questions}
    spec = ballot_spec(ballot)
    questions = []
    for question in spec.questions:
        counted = outcomes.get(question.id)
        if counted is None or counted.outcome != "runoff" or not counted.runoff:
            continue
        keep = set(counted.runoff)
        questions.append(
            msgspec.structs.replace(
                question,
                options=[option for option in question.options if option.id in keep],
                validity=_runoff_validity(question.validity),
            )
        )
    if not questions:
        raise NoRunoff()
    draft = BallotDraft(
        title=ballot.title[: BALLOT_TITLE_LENGTH - len(RUNOFF_SUFFIX)] + RUNOFF_SUFFIX,
        questions=questions,
        revoting=ballot.revoting,
        voting_unit="household" if spec.voting_unit == "household" else "person",
        weighting="area" if spec.weighting == "area" else "none",
        eligibility=Eligibility(electorate_of=ballot.id),
        publish_participation=ballot.publish_participation,
        validity=_runoff_validity(spec.validity),
    )
    runoff = await create_ballot(session, actor, ballot.matter_id, draft)
    audit.record(
        session,
        actor,
        "ballot.runoff",
        f"ballot:{runoff.id}",
        unit.id,
        first_round=ballot.id,
        options=[option.id for q in questions for option in q.options],
    )
    return runoff
