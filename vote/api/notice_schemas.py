"""Request and response bodies of the notices API (plain msgspec Structs, bounded as the
database columns are)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec

from ballots.models import Notice, NoticeDocument, NoticeItem
from ballots.models.bounds import SAFE_TEXT, Text, column_length
from ballots.notices.items import CurrentItem
from vote.api.meeting_schemas import AwareTime, utc

NoticeTitle = Annotated[
    str, msgspec.Meta(min_length=1, max_length=column_length(Notice.title), pattern=SAFE_TEXT)
]
ItemLabel = Annotated[
    str, msgspec.Meta(min_length=1, max_length=column_length(NoticeItem.label), pattern=SAFE_TEXT)
]
Template = Literal["general", "relocation", "selection", "project"]
Collects = Literal["none", "opinions", "proposals"]


class NoticeIn(msgspec.Struct, forbid_unknown_fields=True):
    """A notice's text and period (``template`` is fixed once drafted; on an update it is
    ignored)."""

    title: NoticeTitle
    starts_at: AwareTime
    ends_at: AwareTime
    body: Text = ""
    template: Template = "general"
    collects: Collects = "none"
    anonymous: bool = False


class ItemTextIn(msgspec.Struct, forbid_unknown_fields=True):
    body: Text


class CustomItemIn(msgspec.Struct, forbid_unknown_fields=True):
    """An item of the chair's own on a general notice."""

    label: ItemLabel
    body: Text = ""


class ItemVersionOut(msgspec.Struct):
    version: int
    body: str
    recorded_at: datetime

    @classmethod
    def of(cls, row: NoticeItem) -> ItemVersionOut:
        return cls(version=row.version, body=row.body, recorded_at=utc(row.recorded_at))


class ItemOut(msgspec.Struct):
    """An item as it stands (``version`` 0: never filled in) with its earlier versions."""

    key: str
    label: str
    body: str
    version: int
    recorded_at: datetime | None
    earlier: list[ItemVersionOut]

    @classmethod
    def of(cls, item: CurrentItem, label: str) -> ItemOut:
        return cls(
            key=item.key,
            label=label,
            body=item.body,
            version=item.version,
            recorded_at=utc(item.recorded_at) if item.recorded_at else None,
            earlier=[ItemVersionOut.of(row) for row in item.earlier],
        )


class DocumentOut(msgspec.Struct):
    id: int
    name: str
    content_type: str
    size: int
    uploaded_at: datetime
    withdrawn_at: datetime | None
    url: str

    @classmethod
    def of(cls, document: NoticeDocument, url: str) -> DocumentOut:
        return cls(
            id=document.id,
            name=document.name,
            content_type=document.content_type,
            size=document.size,
            uploaded_at=utc(document.uploaded_at),
            withdrawn_at=utc(document.withdrawn_at) if document.withdrawn_at else None,
            url=url,
        )


class NoticeOut(msgspec.Struct):
    """A notice: ``state`` is draft, scheduled, up, ended or withdrawn."""

    id: int
    matter_id: int
    title: str
    body: str
    template: str
    starts_at: datetime
    ends_at: datetime
    collects: str
    anonymous: bool
    state: str
    published_at: datetime | None
    withdrawn_at: datetime | None
    items: list[ItemOut]
    documents: list[DocumentOut]
