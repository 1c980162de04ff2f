"""Request and response bodies of the matter links and referrals API
(:mod:`ballots.matter_links`): the public view of a matter's links and referrals (on the public
decision record, no internal row ids), the chairs' view (with the ids to remove a link), and
what a chair sends to link or refer a matter."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal, Self, TypeVar

import msgspec

from ballots.matter_links import REASON_MAX, LinkView, ReferralView
from ballots.models.bounds import SAFE_TEXT, Id
from vote.api.meeting_schemas import utc

LinkKind = Literal[
    "proposed", "selected", "implements", "coordination", "evaluation", "rectification", "related"
]
"""How one matter led to the other (``ballots.matter_links.LINK_KINDS``; a test keeps them
equal)."""

ReferralReason = Annotated[
    str, msgspec.Meta(min_length=1, max_length=REASON_MAX, pattern=SAFE_TEXT)
]


class LinkIn(msgspec.Struct, forbid_unknown_fields=True):
    """Record that this matter led to another matter (``to_matter_id``), both in your units."""

    to_matter_id: Id
    kind: LinkKind


class ReferralIn(msgspec.Struct, forbid_unknown_fields=True):
    """Refer this matter to the unit directly above its own or one directly below it."""

    to_unit_id: Id
    reason: ReferralReason


T = TypeVar("T", bound=msgspec.Struct)


def _copied(cls: type[T], view: object) -> T:
    """A ``cls`` holding the view's fields of the same names (times in UTC)."""
    values = {name: getattr(view, name) for name in cls.__struct_fields__}
    return cls(**{name: utc(v) if isinstance(v, datetime) else v for name, v in values.items()})


class PublicLinkOut(msgspec.Struct, kw_only=True):
    """A link as one record shows it: the other matter, its unit, how the two relate, and which
    way (``outgoing``: this matter led to the other)."""

    kind: str
    matter_id: int
    title: str
    unit_name: str
    outgoing: bool
    created_at: datetime

    @classmethod
    def of(cls, view: LinkView) -> Self:
        return _copied(cls, view)


class PublicReferralOut(msgspec.Struct, kw_only=True):
    """A referral as one record shows it: the other matter (the one opened by the referral when
    ``outgoing``, else the one referred here), from which unit to which, why and when."""

    matter_id: int
    title: str
    from_unit: str
    to_unit: str
    direction: Literal["up", "down"]
    reason: str
    referred_at: datetime
    outgoing: bool

    @classmethod
    def of(cls, view: ReferralView) -> Self:
        return _copied(cls, view)


class LinkOut(PublicLinkOut, kw_only=True):
    """A link as chairs see it: with its id (to remove it)."""

    link_id: int


class ReferralOut(PublicReferralOut, kw_only=True):
    """A referral as chairs see it: with its id."""

    referral_id: int


class LinksOut(msgspec.Struct):
    """A matter's links (both ways) and referrals (made and received), oldest first."""

    links: list[LinkOut]
    referrals: list[ReferralOut]
