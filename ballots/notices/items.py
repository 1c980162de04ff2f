"""A notice's disclosure items: setting an item's text, the chair's own items on a general
notice, the current items and each item's history.

Before publication an item's text is a draft and setting it replaces the draft. From
publication on the rows are append-only: each change is a new version, noted on the matter's
timeline, so what was shown when stays on record; the current text is the latest version.
Every change is audited with the text it replaced.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import msgspec
from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ballots import audit
from ballots.access import Actor
from ballots.errors import N_, InvalidInput
from ballots.matters import add_event
from ballots.models import Notice, NoticeItem
from ballots.models.bounds import LONG_TEXT_LENGTH, column_length
from ballots.notices.notices import notice_for, notice_unit
from ballots.notices.templates import CUSTOM_PREFIX, fixed_label, template_items

LABEL_MAX = column_length(NoticeItem.label)
CUSTOM_ITEMS_MAX = 30
CUSTOM_POSITION = 100


class CurrentItem(msgspec.Struct, frozen=True):
    """An item as it stands: its key, label (a message id when ``fixed``), latest text and
    version (0 when never filled in), when that version was recorded, and its earlier versions
    (oldest first)."""

    key: str
    label: str
    fixed: bool
    body: str
    version: int
    recorded_at: datetime | None
    earlier: tuple[NoticeItem, ...] = ()


def _refuse_withdrawn(notice: Notice) -> None:
    if notice.withdrawn_at is not None:
        raise InvalidInput(N_("A withdrawn notice can no longer be changed."))


async def _versions(session: AsyncSession, notice_id: int, key: str) -> list[NoticeItem]:
    return list(
        await session.scalars(
            select(NoticeItem)
            .where(NoticeItem.notice_id == notice_id, NoticeItem.item_key == key)
            .order_by(NoticeItem.version)
        )
    )


async def _custom_label(session: AsyncSession, notice: Notice, key: str) -> str | None:
    if notice.template != "general" or not key.startswith(CUSTOM_PREFIX):
        return None
    versions = await _versions(session, notice.id, key)
    return versions[-1].label if versions else None


async def set_item(
    session: AsyncSession,
    actor: Actor,
    notice_id: int,
    key: str,
    body: str,
    now: datetime | None = None,
) -> NoticeItem | None:
    """Set the text of item ``key``; return the version now current (None when nothing
    changed). Before publication the draft text is replaced; after it a new version is added
    and the change noted on the matter's timeline. The caller commits."""
    notice = await notice_for(session, actor, notice_id)
    unit = await notice_unit(session, notice)
    _refuse_withdrawn(notice)
    label = fixed_label(notice.template, key) or await _custom_label(session, notice, key)
    if label is None:
        raise InvalidInput(N_("This notice has no such item."))
    body = body.strip()
    if len(body) > LONG_TEXT_LENGTH:
        raise InvalidInput(N_("The text must be at most {n} characters."), n=LONG_TEXT_LENGTH)
    now = now or datetime.now(UTC)
    versions = await _versions(session, notice.id, key)
    latest = versions[-1] if versions else None
    if latest is not None and latest.body == body:
        return None
    old = latest.body if latest is not None else ""
    position = _position(notice, key, latest)
    if latest is not None and notice.published_at is None:
        latest.body, latest.recorded_at, latest.chair_id = body, now, actor.chair_id
        current = latest
    else:
        current = NoticeItem(
            notice_id=notice.id,
            item_key=key,
            label=label,
            body=body,
            position=position,
            version=latest.version + 1 if latest is not None else 1,
            recorded_at=now,
            chair_id=actor.chair_id,
        )
        session.add(current)
    await session.flush()
    if notice.published_at is not None:
        add_event(
            session,
            notice.matter_id,
            "notice.item_changed",
            actor=actor.name,
            notice_id=notice.id,
            item_key=key,
            label=label,
            version=current.version,
        )
    audit.record(
        session,
        actor,
        "notice.item_set",
        f"notice:{notice.id}",
        unit.id,
        item_key=key,
        version=current.version,
        old=old,
    )
    return current


def _position(notice: Notice, key: str, latest: NoticeItem | None) -> int:
    if latest is not None:
        return latest.position
    for index, item in enumerate(template_items(notice.template)):
        if item.key == key:
            return index
    return CUSTOM_POSITION


async def add_custom_item(
    session: AsyncSession, actor: Actor, notice_id: int, label: str, body: str = ""
) -> NoticeItem:
    """Add an item of the chair's own to a general notice (after publication the addition is
    noted on the timeline). The caller commits."""
    notice = await notice_for(session, actor, notice_id)
    unit = await notice_unit(session, notice)
    _refuse_withdrawn(notice)
    if notice.template != "general":
        raise InvalidInput(N_("Only a general notice takes items of your own."))
    label, body = label.strip(), body.strip()
    if not label:
        raise InvalidInput(N_("Give the item a heading."))
    if len(label) > LABEL_MAX:
        raise InvalidInput(N_("The heading must be at most {n} characters."), n=LABEL_MAX)
    if len(body) > LONG_TEXT_LENGTH:
        raise InvalidInput(N_("The text must be at most {n} characters."), n=LONG_TEXT_LENGTH)
    keys = set(
        await session.scalars(
            select(NoticeItem.item_key).where(NoticeItem.notice_id == notice.id).distinct()
        )
    )
    if len(keys) >= CUSTOM_ITEMS_MAX:
        raise InvalidInput(N_("A notice has at most {n} items."), n=CUSTOM_ITEMS_MAX)
    number = 1 + max(
        (int(key[len(CUSTOM_PREFIX) :]) for key in keys if key.startswith(CUSTOM_PREFIX)),
        default=0,
    )
    item = NoticeItem(
        notice_id=notice.id,
        item_key=f"{CUSTOM_PREFIX}{number}",
        label=label,
        body=body,
        position=CUSTOM_POSITION + number,
        version=1,
        chair_id=actor.chair_id,
    )
    session.add(item)
    await session.flush()
    if notice.published_at is not None:
        add_event(
            session,
            notice.matter_id,
            "notice.item_changed",
            actor=actor.name,
            notice_id=notice.id,
            item_key=item.item_key,
            label=label,
            version=1,
        )
    audit.record(
        session,
        actor,
        "notice.item_add",
        f"notice:{notice.id}",
        unit.id,
        item_key=item.item_key,
        label=label,
    )
    return item


async def remove_custom_item(session: AsyncSession, actor: Actor, notice_id: int, key: str) -> str:
    """Remove an item of the chair's own from a general notice that is still a draft (once
    published an item stays on record); return its heading. The caller commits."""
    notice = await notice_for(session, actor, notice_id)
    unit = await notice_unit(session, notice)
    label = await _custom_label(session, notice, key)
    if label is None:
        raise InvalidInput(N_("This notice has no such item."))
    if notice.published_at is not None:
        raise InvalidInput(
            N_("Once the notice is published its items stay on record; change the text instead.")
        )
    await session.execute(
        delete(NoticeItem).where(NoticeItem.notice_id == notice.id, NoticeItem.item_key == key)
    )
    audit.record(session, actor, "notice.item_remove", f"notice:{notice.id}", unit.id, item_key=key)
    await session.flush()
    return label


async def item_history(session: AsyncSession, notice_id: int, key: str) -> Sequence[NoticeItem]:
    """Every version of one item, oldest first."""
    return await _versions(session, notice_id, key)


async def current_items(session: AsyncSession, notice: Notice) -> list[CurrentItem]:
    """The notice's items as they stand, in order: the template's fixed items (filled in or
    not), then the chair's own; each with its earlier versions."""
    rows = list(
        await session.scalars(
            select(NoticeItem)
            .where(NoticeItem.notice_id == notice.id)
            .order_by(NoticeItem.position, NoticeItem.item_key, NoticeItem.version)
        )
    )
    by_key: dict[str, list[NoticeItem]] = {}
    for row in rows:
        by_key.setdefault(row.item_key, []).append(row)
    found: list[CurrentItem] = []
    for fixed in template_items(notice.template):
        versions = by_key.pop(fixed.key, [])
        found.append(_current(fixed.key, fixed.label, True, versions))
    for key, versions in sorted(by_key.items(), key=lambda kv: (kv[1][-1].position, kv[0])):
        if notice.template == "general" and key.startswith(CUSTOM_PREFIX):
            found.append(_current(key, versions[-1].label, False, versions))
    return found


def _current(key: str, label: str, fixed: bool, versions: list[NoticeItem]) -> CurrentItem:
    if not versions:
        return CurrentItem(key=key, label=label, fixed=fixed, body="", version=0, recorded_at=None)
    latest = versions[-1]
    return CurrentItem(
        key=key,
        label=label,
        fixed=fixed,
        body=latest.body,
        version=latest.version,
        recorded_at=latest.recorded_at,
        earlier=tuple(versions[:-1]),
    )


async def changes_after_publication(session: AsyncSession, notice: Notice) -> int:
    """How many item versions were recorded after the notice was published."""
    if notice.published_at is None:
        return 0
    return int(
        await session.scalar(
            select(func.count())
            .select_from(NoticeItem)
            .where(
                NoticeItem.notice_id == notice.id,
                NoticeItem.recorded_at > notice.published_at,
            )
        )
        or 0
    )
