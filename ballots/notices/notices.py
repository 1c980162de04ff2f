"""Public notices on a matter: creating and editing them, publishing (which starts the record of
every later change) and withdrawing them, and whether one is up now."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ballots import audit
from ballots.access import Actor, require
from ballots.errors import N_, InvalidInput, NotFound
from ballots.matters import add_event, get_matter
from ballots.models import Notice, Unit
from ballots.models.bounds import LONG_TEXT_LENGTH
from ballots.units import get_unit

TITLE_MAX = 300
COLLECTS = ("none", "opinions", "proposals")
TEMPLATES = ("general", "relocation", "selection", "project")


async def get_notice(session: AsyncSession, notice_id: int) -> Notice:
    """The notice with ``notice_id``, or :class:`NotFound`."""
    notice = await session.get(Notice, notice_id)
    if notice is None:
        raise NotFound(what="notice", id=notice_id)
    return notice


async def notice_unit(session: AsyncSession, notice: Notice) -> Unit:
    """The unit whose matter the notice is on."""
    matter = await get_matter(session, notice.matter_id)
    return await get_unit(session, matter.unit_id)


async def notice_for(session: AsyncSession, actor: Actor, notice_id: int) -> Notice:
    """The notice, once ``actor`` may manage ballots in its unit."""
    notice = await get_notice(session, notice_id)
    require(actor, "manage_ballots", (await notice_unit(session, notice)).path)
    return notice


def is_up(notice: Notice, now: datetime | None = None) -> bool:
    """True while a published, not withdrawn notice is within its notice period."""
    now = now or datetime.now(UTC)
    return (
        notice.published_at is not None
        and notice.withdrawn_at is None
        and notice.starts_at <= now < notice.ends_at
    )


def _clean(
    title: str,
    body: str,
    starts_at: datetime,
    ends_at: datetime,
    collects: str,
    template: str,
) -> tuple[str, str]:
    title, body = title.strip(), body.strip()
    if not title:
        raise InvalidInput(N_("Please give a title."))
    if len(title) > TITLE_MAX:
        raise InvalidInput(N_("The title must be at most {limit} characters."), limit=TITLE_MAX)
    if len(body) > LONG_TEXT_LENGTH:
        raise InvalidInput(
            N_("The text must be at most {limit} characters."), limit=LONG_TEXT_LENGTH
        )
    if starts_at.tzinfo is None or ends_at.tzinfo is None:
        raise InvalidInput(N_("Give the time with its time zone."))
    if ends_at <= starts_at:
        raise InvalidInput(N_("The notice period must end after it starts."))
    if collects not in COLLECTS:
        raise InvalidInput(
            N_("What the notice collects must be one of: {choices}."), choices=", ".join(COLLECTS)
        )
    if template not in TEMPLATES:
        raise InvalidInput(
            N_("The template must be one of: {choices}."), choices=", ".join(TEMPLATES)
        )
    return title, body


async def create_notice(
    session: AsyncSession,
    actor: Actor,
    *,
    matter_id: int,
    title: str,
    starts_at: datetime,
    ends_at: datetime,
    body: str = "",
    template: str = "general",
    collects: str = "none",
    anonymous: bool = False,
) -> Notice:
    """Draft a notice on a matter (not public until :func:`publish_notice`); audited."""
    matter = await get_matter(session, matter_id)
    unit = await get_unit(session, matter.unit_id)
    require(actor, "manage_ballots", unit.path)
    title, body = _clean(title, body, starts_at, ends_at, collects, template)
    notice = Notice(
        matter_id=matter.id,
        title=title,
        body=body,
        template=template,
        starts_at=starts_at,
        ends_at=ends_at,
        collects=collects,
        anonymous=anonymous,
    )
    session.add(notice)
    await session.flush()
    audit.record(session, actor, "notice.create", f"notice:{notice.id}", unit.id, title=title)
    return notice


async def update_notice(
    session: AsyncSession,
    actor: Actor,
    notice_id: int,
    *,
    title: str,
    body: str,
    starts_at: datetime,
    ends_at: datetime,
    collects: str,
    anonymous: bool,
) -> Notice:
    """Change a notice's text, period or what it collects. After publication the change is
    noted on the matter's timeline (the audit log keeps the old values)."""
    notice = await notice_for(session, actor, notice_id)
    unit = await notice_unit(session, notice)
    if notice.withdrawn_at is not None:
        raise InvalidInput(N_("A withdrawn notice can no longer be changed."))
    title, body = _clean(title, body, starts_at, ends_at, collects, notice.template)
    old = {
        "title": notice.title,
        "body": notice.body,
        "starts_at": notice.starts_at.isoformat(),
        "ends_at": notice.ends_at.isoformat(),
        "collects": notice.collects,
        "anonymous": notice.anonymous,
    }
    notice.title, notice.body = title, body
    notice.starts_at, notice.ends_at = starts_at, ends_at
    notice.collects, notice.anonymous = collects, anonymous
    changed = sorted(
        field
        for field, value in old.items()
        if value
        != (
            getattr(notice, field).isoformat()
            if field in ("starts_at", "ends_at")
            else getattr(notice, field)
        )
    )
    if changed:
        if notice.published_at is not None:
            add_event(
                session,
                notice.matter_id,
                "notice.changed",
                actor=actor.name,
                notice_id=notice.id,
                fields=changed,
            )
        audit.record(
            session,
            actor,
            "notice.update",
            f"notice:{notice.id}",
            unit.id,
            fields=changed,
            old={field: old[field] for field in changed},
        )
        await session.flush()
    return notice


async def publish_notice(
    session: AsyncSession, actor: Actor, notice_id: int, now: datetime | None = None
) -> Notice:
    """Make a notice public; it is up from ``starts_at`` to ``ends_at``. On the timeline."""
    notice = await notice_for(session, actor, notice_id)
    unit = await notice_unit(session, notice)
    if notice.published_at is not None:
        raise InvalidInput(N_("This notice is already published."))
    notice.published_at = now or datetime.now(UTC)
    add_event(session, notice.matter_id, "notice.published", actor=actor.name, notice_id=notice.id)
    audit.record(session, actor, "notice.publish", f"notice:{notice.id}", unit.id)
    await session.flush()
    return notice


async def withdraw_notice(
    session: AsyncSession, actor: Actor, notice_id: int, now: datetime | None = None
) -> Notice:
    """Take a published notice down (it stays on record, marked withdrawn)."""
    notice = await notice_for(session, actor, notice_id)
    unit = await notice_unit(session, notice)
    if notice.published_at is None or notice.withdrawn_at is not None:
        raise InvalidInput(N_("Only a published notice can be withdrawn."))
    notice.withdrawn_at = now or datetime.now(UTC)
    add_event(session, notice.matter_id, "notice.withdrawn", actor=actor.name, notice_id=notice.id)
    audit.record(session, actor, "notice.withdraw", f"notice:{notice.id}", unit.id)
    await session.flush()
    return notice


async def notices_of(
    session: AsyncSession, matter_id: int, *, published_only: bool = False
) -> Sequence[Notice]:
    """A matter's notices, newest first (only published ones for the public)."""
    query = select(Notice).where(Notice.matter_id == matter_id)
    if published_only:
        query = query.where(Notice.published_at.is_not(None))
    return (await session.scalars(query.order_by(Notice.id.desc()))).all()
