"""Residents' opinions on a hearing's notice (听证会) and what chairs do with them.

A resident sends an opinion (or, on a ``proposals`` notice, a proposed problem or project, see
:mod:`ballots.notices.proposals`) only while the notice is up, identified by the voting code of
one of their invitations (the resident must be on the roll of the matter's unit) or, where the
chair allows it, anonymously. Their name is public only when they chose so. Chairs gather
opinions under headings, reply, record whether each was adopted with a reason (all public) and
hide abusive ones (kept and audited). Everything a chair does is audited.

Opinions are numbered per notice in the order they arrived (第N条): the number a resident reads,
never the row id.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ballots import audit
from ballots.access import Actor
from ballots.credentials import credential_hash
from ballots.errors import N_, DomainError, MistypedCredential, NotFound, UnknownCredential
from ballots.listings import Window, window_rows
from ballots.models import Elector, Notice, Opinion, OpinionGroup, Resident, Unit
from ballots.notices.notices import get_notice, is_up, notice_for, notice_unit

OPINION_TEXT_MAX = 2000
PROPOSAL_TITLE_MAX = 100
GROUP_TITLE_MAX = 200
REPLY_MAX = 4000
PER_RESIDENT_MAX = 20
"""At most this many opinions or proposals per identified resident on one notice."""
ADOPTIONS = ("adopted", "partly", "not_adopted")


class NotCollecting(DomainError):
    type = "notice-not-collecting"
    status = 409
    title = N_("This notice does not collect opinions")
    detail_template = N_("This notice is for reading only; it does not collect opinions.")


class NoticeNotUp(DomainError):
    type = "notice-not-up"
    status = 409
    title = N_("Not during the notice period")
    detail_template = N_(
        "Opinions are taken only while the notice is up. Nothing was saved; please contact "
        "your residents' committee."
    )


class CodeRequired(DomainError):
    type = "code-required"
    status = 422
    title = N_("Please type your voting code")
    detail_template = N_(
        "This notice takes opinions only with the voting code from your invitation."
    )


class NotOnNoticeRoll(DomainError):
    type = "not-on-notice-roll"
    status = 403
    title = N_("Not a resident here")
    detail_template = N_(
        "This voting code belongs to a resident of another area, so it cannot be used here."
    )


class ResidentLimitReached(DomainError):
    type = "opinion-limit-reached"
    status = 429
    title = N_("Enough opinions from you")
    detail_template = N_(
        "You have already sent {limit} opinions on this notice. Please add to one of them by "
        "contacting your residents' committee."
    )


class BadOpinion(DomainError):
    type = "invalid-opinion"
    status = 422
    title = N_("Please check your text")


class BadChairInput(DomainError):
    type = "invalid-opinion-action"
    status = 422
    title = N_("Please check your input")


@dataclass
class PublicOpinion:
    """An opinion as the public reads it: its number, never a row id; a name only if chosen."""

    id: int
    number: int
    kind: str
    title: str
    text: str
    name: str
    submitted_at: datetime
    group_id: int | None
    group: str
    reply: str
    replied_at: datetime | None
    adoption: str | None
    adoption_reason: str
    merged_into: int | None
    cost: int | None
    shortlisted: bool
    hidden: bool
    identified: bool = False


@dataclass
class GroupReport:
    """One heading of a hearing report: its opinions and how many were adopted, partly
    adopted, not adopted and not yet decided."""

    title: str
    opinions: list[PublicOpinion] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)


def _matter_unit_path(unit: Unit) -> str:
    return unit.path


async def identify(session: AsyncSession, key: bytes, notice: Notice, credential: str) -> Resident:
    """The resident whose invitation carries ``credential``, on the roll of the notice's unit.

    Raises :class:`MistypedCredential` (not a well-formed code), :class:`UnknownCredential`
    (no invitation carries it) or :class:`NotOnNoticeRoll`.
    """
    hashed = credential_hash(key, credential)
    if hashed is None:
        raise MistypedCredential()
    resident_id = await session.scalar(
        select(Elector.resident_id).where(Elector.credential_hash == hashed)
    )
    if resident_id is None:
        raise UnknownCredential()
    resident = await session.get(Resident, resident_id)
    unit = await notice_unit(session, notice)
    home = await session.get(Unit, resident.unit_id) if resident is not None else None
    if resident is None or home is None or not home.path.startswith(_matter_unit_path(unit)):
        raise NotOnNoticeRoll()
    return resident


def _clean_text(text: str, limit: int, empty: str, long: str) -> str:
    text = text.strip()
    if not text:
        raise BadOpinion(empty)
    if len(text) > limit:
        raise BadOpinion(long, limit=limit)
    if "\x00" in text:
        raise BadOpinion(N_("The text contains characters that cannot be stored."))
    return text


async def submit(
    session: AsyncSession,
    key: bytes,
    notice_id: int,
    *,
    text: str,
    title: str = "",
    credential: str = "",
    show_name: bool = False,
    now: datetime | None = None,
) -> Opinion:
    """Take a resident's opinion (or proposal, by the notice's ``collects``) while it is up.

    Bad text, a closed period or a refused code changes nothing. Not audited: residents' own
    words are the record.
    """
    notice = await get_notice(session, notice_id)
    if notice.collects not in ("opinions", "proposals"):
        raise NotCollecting()
    if not is_up(notice, now or datetime.now(UTC)):
        raise NoticeNotUp()
    kind = "proposal" if notice.collects == "proposals" else "opinion"
    text = _clean_text(
        text,
        OPINION_TEXT_MAX,
        N_("Please write your opinion."),
        N_("Please keep it within {limit} characters."),
    )
    if kind == "proposal":
        title = _clean_text(
            title,
            PROPOSAL_TITLE_MAX,
            N_("Please give the problem or project a short title."),
            N_("Please keep the title within {limit} characters."),
        )
    else:
        title = ""
    resident: Resident | None = None
    if credential.strip("- "):
        resident = await identify(session, key, notice, credential)
    elif not notice.anonymous:
        raise CodeRequired()
    if resident is not None:
        sent = await session.scalar(
            select(func.count(Opinion.id)).where(
                Opinion.notice_id == notice.id, Opinion.resident_id == resident.id
            )
        )
        if (sent or 0) >= PER_RESIDENT_MAX:
            raise ResidentLimitReached(limit=PER_RESIDENT_MAX)
    opinion = Opinion(
        notice_id=notice.id,
        kind=kind,
        resident_id=resident.id if resident else None,
        show_name=bool(show_name and resident is not None),
        title=title,
        text=text,
        submitted_at=now or datetime.now(UTC),
    )
    session.add(opinion)
    await session.flush()
    return opinion


async def opinion_numbers(session: AsyncSession, notice_id: int) -> dict[int, int]:
    ids = await session.scalars(
        select(Opinion.id).where(Opinion.notice_id == notice_id).order_by(Opinion.id)
    )
    return {opinion_id: index for index, opinion_id in enumerate(ids, start=1)}


async def number_of(session: AsyncSession, opinion: Opinion) -> int:
    """The opinion's number on its notice (第N条)."""
    return (await opinion_numbers(session, opinion.notice_id))[opinion.id]


def _opinion_query(notice_id: int, hidden: bool | None) -> Select[Opinion, str]:
    query = (
        select(Opinion, Resident.name)
        .outerjoin(Resident, Resident.id == Opinion.resident_id)
        .where(Opinion.notice_id == notice_id)
        .order_by(Opinion.id)
    )
    if hidden is not None:
        query = query.where(
            Opinion.hidden_at.is_not(None) if hidden else Opinion.hidden_at.is_(None)
        )
    return query


async def _views(session: AsyncSession, notice_id: int, rows: Sequence[Any]) -> list[PublicOpinion]:
    numbers = await opinion_numbers(session, notice_id)
    groups = {
        group.id: group.title
        for group in await session.scalars(
            select(OpinionGroup).where(OpinionGroup.notice_id == notice_id)
        )
    }
    return [
        PublicOpinion(
            id=opinion.id,
            number=numbers[opinion.id],
            kind=opinion.kind,
            title=opinion.title,
            text=opinion.text,
            name=name if (opinion.show_name and name) else "",
            submitted_at=opinion.submitted_at,
            group_id=opinion.group_id,
            group=groups.get(opinion.group_id, "") if opinion.group_id else "",
            reply=opinion.reply,
            replied_at=opinion.replied_at,
            adoption=opinion.adoption,
            adoption_reason=opinion.adoption_reason,
            merged_into=numbers.get(opinion.merged_into_id) if opinion.merged_into_id else None,
            cost=opinion.cost,
            shortlisted=opinion.shortlisted,
            hidden=opinion.hidden_at is not None,
            identified=opinion.resident_id is not None,
        )
        for opinion, name in rows
    ]


async def opinions_of(
    session: AsyncSession, notice_id: int, *, public: bool = True
) -> list[PublicOpinion]:
    """A notice's opinions in the order they arrived. For the public (``public``): hidden ones
    left out and a name only where the resident chose to show it. For chairs: every opinion,
    names still only where chosen (a chair sees who sent one in the audit-free roll, not here).
    """
    rows = (await session.execute(_opinion_query(notice_id, False if public else None))).all()
    return await _views(session, notice_id, rows)


async def opinions_window(
    session: AsyncSession, notice_id: int, offset: int, limit: int, *, hidden: bool | None = False
) -> Window[PublicOpinion]:
    """A slice of a notice's opinions in the order they arrived, names only where chosen:
    those shown to the public (``hidden`` false, the default), the hidden ones (true) or every
    one (``None``); ``total`` counts all of that kind."""
    rows, total = await window_rows(session, _opinion_query(notice_id, hidden), offset, limit)
    return Window(await _views(session, notice_id, rows), total, offset, limit)


async def view_of(session: AsyncSession, notice_id: int, opinion_id: int) -> PublicOpinion:
    """One opinion of the notice as a chair reads it (names only where chosen)."""
    query = _opinion_query(notice_id, None).where(Opinion.id == opinion_id)
    views = await _views(session, notice_id, (await session.execute(query)).all())
    if not views:
        raise NotFound(what="opinion", id=opinion_id)
    return views[0]


async def shortlist_of(session: AsyncSession, notice_id: int) -> list[PublicOpinion]:
    """The shown proposals on the shortlist that are not merged into another, in order."""
    query = _opinion_query(notice_id, False).where(
        Opinion.shortlisted.is_(True), Opinion.merged_into_id.is_(None)
    )
    return await _views(session, notice_id, (await session.execute(query)).all())


async def merge_targets(session: AsyncSession, notice_id: int) -> list[tuple[int, int, str]]:
    """Id, number and title of each shown opinion not merged into another: what a duplicate
    may be merged into."""
    numbers = await opinion_numbers(session, notice_id)
    rows = await session.execute(
        select(Opinion.id, Opinion.title)
        .where(
            Opinion.notice_id == notice_id,
            Opinion.hidden_at.is_(None),
            Opinion.merged_into_id.is_(None),
        )
        .order_by(Opinion.id)
    )
    return [(opinion_id, numbers[opinion_id], title) for opinion_id, title in rows.all()]


async def opinion_page_of(session: AsyncSession, opinion: Opinion, size: int) -> int:
    """The page (of ``size`` opinions) on which a chair finds ``opinion`` among those of its
    kind (hidden or shown), counting from 1."""
    hidden = opinion.hidden_at is not None
    before = await session.scalar(
        select(func.count())
        .select_from(Opinion)
        .where(
            Opinion.notice_id == opinion.notice_id,
            Opinion.id < opinion.id,
            Opinion.hidden_at.is_not(None) if hidden else Opinion.hidden_at.is_(None),
        )
    )
    return int(before or 0) // size + 1


async def groups_of(session: AsyncSession, notice_id: int) -> Sequence[OpinionGroup]:
    """A notice's headings in the order they were made."""
    return (
        await session.scalars(
            select(OpinionGroup)
            .where(OpinionGroup.notice_id == notice_id)
            .order_by(OpinionGroup.id)
        )
    ).all()


async def hearing_report(session: AsyncSession, notice_id: int) -> list[GroupReport]:
    """The public hearing report: opinions by heading (ungrouped last) with adoption counts."""
    opinions = await opinions_of(session, notice_id, public=True)
    reports: dict[int | None, GroupReport] = {
        group.id: GroupReport(title=group.title) for group in await groups_of(session, notice_id)
    }
    reports[None] = GroupReport(title="")
    for opinion in opinions:
        report = reports.get(opinion.group_id, reports[None])
        report.opinions.append(opinion)
        state = opinion.adoption or "undecided"
        report.counts[state] = report.counts.get(state, 0) + 1
    return [report for report in reports.values() if report.opinions]


def adoption_totals(reports: Sequence[GroupReport]) -> dict[str, int]:
    """Adoption counts over every heading of a report."""
    totals: dict[str, int] = {}
    for report in reports:
        for state, count in report.counts.items():
            totals[state] = totals.get(state, 0) + count
    return totals


async def opinion_for(session: AsyncSession, actor: Actor, opinion_id: int) -> Opinion:
    """The opinion, once ``actor`` may manage its notice's unit."""
    opinion = await session.get(Opinion, opinion_id)
    if opinion is None:
        raise NotFound(what="opinion", id=opinion_id)
    await notice_for(session, actor, opinion.notice_id)
    return opinion


async def audit_opinion(
    session: AsyncSession, actor: Actor, action: str, opinion: Opinion, **details: object
) -> None:
    unit = await notice_unit(session, await get_notice(session, opinion.notice_id))
    audit.record(
        session,
        actor,
        action,
        f"opinion:{opinion.id}",
        unit.id,
        number=await number_of(session, opinion),
        **details,
    )
    await session.flush()


def _chair_text(text: str, limit: int, empty: str | None) -> str:
    text = text.strip()
    if empty is not None and not text:
        raise BadChairInput(empty)
    if len(text) > limit:
        raise BadChairInput(N_("Please keep it within {limit} characters."), limit=limit)
    return text


async def add_group(
    session: AsyncSession, actor: Actor, notice_id: int, title: str
) -> OpinionGroup:
    """Add a heading to gather opinions under; audited."""
    notice = await notice_for(session, actor, notice_id)
    title = _chair_text(title, GROUP_TITLE_MAX, N_("Please name the heading."))
    group = OpinionGroup(notice_id=notice.id, title=title)
    session.add(group)
    await session.flush()
    unit = await notice_unit(session, notice)
    audit.record(session, actor, "opinion.group_add", f"notice:{notice.id}", unit.id, title=title)
    return group


async def set_group(
    session: AsyncSession, actor: Actor, opinion_id: int, group_id: int | None
) -> Opinion:
    """Put an opinion under a heading of its notice (``None``: no heading); audited."""
    opinion = await opinion_for(session, actor, opinion_id)
    if group_id is not None:
        group = await session.get(OpinionGroup, group_id)
        if group is None or group.notice_id != opinion.notice_id:
            raise BadChairInput(N_("Please choose one of this notice's headings."))
    opinion.group_id = group_id
    await audit_opinion(session, actor, "opinion.group", opinion, group_id=group_id)
    return opinion


async def reply_to(
    session: AsyncSession, actor: Actor, opinion_id: int, reply: str, now: datetime | None = None
) -> Opinion:
    """Publish (or change) the chair's reply to an opinion; audited with the old reply."""
    opinion = await opinion_for(session, actor, opinion_id)
    reply = _chair_text(reply, REPLY_MAX, N_("Please write the reply."))
    old = opinion.reply
    opinion.reply = reply
    opinion.replied_at = now or datetime.now(UTC)
    await audit_opinion(session, actor, "opinion.reply", opinion, old=old)
    return opinion


async def set_adoption(
    session: AsyncSession, actor: Actor, opinion_id: int, adoption: str, reason: str
) -> Opinion:
    """Record whether an opinion was adopted, partly adopted or not adopted, with the reason
    (required, public); audited with the old decision."""
    opinion = await opinion_for(session, actor, opinion_id)
    if adoption not in ADOPTIONS:
        raise BadChairInput(N_("Please choose adopted, partly adopted or not adopted."))
    reason = _chair_text(reason, REPLY_MAX, N_("Please give the reason; residents read it."))
    old = (opinion.adoption, opinion.adoption_reason)
    opinion.adoption, opinion.adoption_reason = adoption, reason
    await audit_opinion(
        session, actor, "opinion.adoption", opinion, adoption=adoption, old=list(old)
    )
    return opinion


async def hide(
    session: AsyncSession,
    actor: Actor,
    opinion_id: int,
    reason: str,
    now: datetime | None = None,
) -> Opinion:
    """Hide an abusive opinion from the public (kept on record; the reason is audited)."""
    opinion = await opinion_for(session, actor, opinion_id)
    reason = _chair_text(reason, REPLY_MAX, N_("Please say why it is hidden."))
    if opinion.hidden_at is not None:
        raise BadChairInput(N_("This opinion is already hidden."))
    opinion.hidden_at = now or datetime.now(UTC)
    opinion.shortlisted = False
    await audit_opinion(session, actor, "opinion.hide", opinion, reason=reason)
    return opinion


async def unhide(session: AsyncSession, actor: Actor, opinion_id: int) -> Opinion:
    """Show a hidden opinion again; audited."""
    opinion = await opinion_for(session, actor, opinion_id)
    if opinion.hidden_at is None:
        raise BadChairInput(N_("This opinion is not hidden."))
    opinion.hidden_at = None
    await audit_opinion(session, actor, "opinion.unhide", opinion)
    return opinion
