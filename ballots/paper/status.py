"""The reconciliation of a ballot's paper ballots: :func:`paper_status`.

For every issued sheet it compares the two chairs' entries. A sheet is *returned* once two
chairs entered it; it is *valid* or *invalid* once their entries agree. ``agreed`` holds when
every sheet anyone entered has two agreeing entries. Publishing is blocked
(:func:`publish_block`) while sheets were issued and the paper ballots are not counted.
The words of a mismatch (:func:`mismatch_words`) are built in the reader's language.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import msgspec
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

import tally
from ballots.errors import N_
from ballots.lifecycle import ballot_spec
from ballots.models import Ballot, Chair, PaperEntry, PaperIssue
from ballots.paper.errors import PaperNotReady


class EntryView(msgspec.Struct, frozen=True):
    """One chair's entry of a sheet."""

    chair_id: int
    chair_name: str
    invalid: bool
    answers: tally.Answers


class Sheet(msgspec.Struct, frozen=True):
    """An issued sheet and its entries so far (0, 1 or 2)."""

    serial: int
    entries: list[EntryView]

    @property
    def returned(self) -> bool:
        return len(self.entries) >= 2

    @property
    def agreed(self) -> bool:
        if len(self.entries) != 2:
            return False
        first, second = self.entries
        return first.invalid == second.invalid and first.answers == second.answers


class Mismatch(msgspec.Struct, frozen=True):
    """A sheet not (yet) agreed: ``kind`` is ``differ`` (two entries that differ) or ``single``
    (only one chair entered it)."""

    serial: int
    kind: str
    entries: list[EntryView]


class PaperStatus(msgspec.Struct, frozen=True):
    """Where a ballot's paper ballots stand.

    ``printed``: sheets numbered 1..printed; ``issued``: handed out; ``returned``: entered by two
    chairs (≤ issued); ``valid``/``invalid``: returned sheets whose two entries agree (answers,
    or 无效票); ``agreed``: no sheet has a single entry or two that differ; ``mismatches``: those
    sheets, by number; ``counted_at``: when the agreed sheets joined the count (None before);
    ``sheets``: every issued sheet with its entries.
    """

    printed: int
    issued: int
    returned: int
    valid: int
    invalid: int
    agreed: bool
    mismatches: list[Mismatch]
    counted_at: datetime | None
    sheets: list[Sheet] = msgspec.field(default_factory=list)


def _answers(text: str) -> tally.Answers:
    if not text:
        return {}
    return msgspec.json.decode(text, type=tally.Answers)


async def paper_status(session: AsyncSession, ballot: Ballot) -> PaperStatus:
    """The ballot's paper ballots: printed, issued, returned, valid, invalid, the mismatches."""
    serials = list(
        await session.scalars(
            select(PaperIssue.serial)
            .where(PaperIssue.ballot_id == ballot.id)
            .order_by(PaperIssue.serial)
        )
    )
    by_serial: dict[int, list[EntryView]] = {serial: [] for serial in serials}
    rows = await session.execute(
        select(PaperEntry, Chair.display_name, Chair.username)
        .join(Chair, Chair.id == PaperEntry.chair_id)
        .where(PaperEntry.ballot_id == ballot.id)
        .order_by(PaperEntry.serial, PaperEntry.entered_at, PaperEntry.id)
    )
    for entry, display_name, username in rows.all():
        chair_name = display_name or username
        by_serial.setdefault(entry.serial, []).append(
            EntryView(
                chair_id=entry.chair_id,
                chair_name=chair_name,
                invalid=entry.invalid,
                answers=_answers(entry.answers),
            )
        )
    sheets = [Sheet(serial=serial, entries=by_serial[serial]) for serial in sorted(by_serial)]
    mismatches = [
        Mismatch(
            serial=sheet.serial,
            kind="single" if len(sheet.entries) == 1 else "differ",
            entries=sheet.entries,
        )
        for sheet in sheets
        if sheet.entries and not sheet.agreed
    ]
    agreed_sheets = [sheet for sheet in sheets if sheet.agreed]
    return PaperStatus(
        printed=ballot.paper_printed,
        issued=len(serials),
        returned=sum(1 for sheet in sheets if sheet.returned),
        valid=sum(1 for sheet in agreed_sheets if not sheet.entries[0].invalid),
        invalid=sum(1 for sheet in agreed_sheets if sheet.entries[0].invalid),
        agreed=not mismatches,
        mismatches=mismatches,
        counted_at=ballot.paper_counted_at,
        sheets=sheets,
    )


async def issued_count(session: AsyncSession, ballot_id: int) -> int:
    """How many paper ballots were issued on the ballot."""
    count = await session.scalar(
        select(func.count()).select_from(PaperIssue).where(PaperIssue.ballot_id == ballot_id)
    )
    return int(count or 0)


def publish_block(status: PaperStatus) -> tuple[str, dict[str, object]] | None:
    """Why the result may not be published yet because of paper ballots (a message id and its
    parameters), or None. Only a ballot with issued paper ballots is ever blocked."""
    if status.issued == 0 or status.counted_at is not None:
        return None
    if status.mismatches:
        serials = "、".join(str(mismatch.serial) for mismatch in status.mismatches[:10])
        return (
            N_(
                "The two entries of the paper ballots do not agree yet (numbers {serials}): "
                "correct them, then count the paper ballots."
            ),
            {"serials": serials},
        )
    if status.returned == 0:
        return (
            N_(
                "{issued} paper ballots were issued and none is entered yet: two chairs enter "
                "each returned one, then count the paper ballots."
            ),
            {"issued": status.issued},
        )
    return (
        N_(
            "The paper ballots are entered and agree ({returned} of {issued} returned) but are "
            "not counted yet: count them first."
        ),
        {"returned": status.returned, "issued": status.issued},
    )


async def paper_refusal(session: AsyncSession, ballot: Ballot) -> PaperNotReady | None:
    """The refusal to publish ``ballot`` because of its paper ballots, with the reason in words,
    or None when nothing about paper stands in the way."""
    if ballot.paper_counted_at is not None or await issued_count(session, ballot.id) == 0:
        return None
    block = publish_block(await paper_status(session, ballot))
    if block is None:
        return None
    message, params = block
    return PaperNotReady(message, **params)


Translate = Callable[[str], str]


def answers_words(spec: tally.BallotSpec, answers: tally.Answers, _: Translate) -> str:
    """A sheet's answers in words: option labels, question by question (``1. 甲；2. 乙、丙``)."""
    parts = []
    several = len(spec.questions) > 1
    for number, question in enumerate(spec.questions, start=1):
        labels = {option.id: option.label for option in question.options}
        chosen = answers.get(question.id, [])
        text = "、".join(labels.get(choice, choice) for choice in chosen) or _(N_("blank"))
        parts.append(f"{number}. {text}" if several else text)
    return "；".join(parts)


def entry_words(spec: tally.BallotSpec, entry: EntryView, _: Translate) -> str:
    """What one chair entered, in words (无效票 for an invalid sheet)."""
    return _(N_("invalid")) if entry.invalid else answers_words(spec, entry.answers, _)


def mismatch_words(ballot: Ballot, mismatch: Mismatch, _: Translate) -> str:
    """A mismatch as a sentence: "第 17 号：甲录入 A，乙录入 B" or "第 9 号只有一人录入"."""
    spec = ballot_spec(ballot)
    if mismatch.kind == "single" or len(mismatch.entries) < 2:
        name = mismatch.entries[0].chair_name if mismatch.entries else ""
        return _(N_("No. {serial} was entered by only one chair ({name}).")).format(
            serial=mismatch.serial, name=name
        )
    first, second = mismatch.entries
    text = _(
        N_("No. {serial}: {first} entered {first_answers}, {second} entered {second_answers}.")
    )
    return text.format(
        serial=mismatch.serial,
        first=first.chair_name,
        first_answers=entry_words(spec, first, _),
        second=second.chair_name,
        second_answers=entry_words(spec, second, _),
    )
