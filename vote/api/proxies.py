"""Proxies (委托) at a meeting for chairs: list them with each holder's count against the limit,
find residents by name, record one, revoke one.

The photo or PDF of a signed form is uploaded and viewed in the console
(``/chair/meetings/{id}/proxies``); here a proxy says only whether one is kept (``has_form``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec
from litestar import Request, Router, get, post
from litestar.di import Provide
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED
from sqlalchemy.ext.asyncio import AsyncSession

from ballots.access import Actor
from ballots.meetings import proxies
from ballots.meetings.meetings import meeting_for
from ballots.models.bounds import Id
from vote.api.params import IdParam, SearchParam
from vote.live import meeting_changed
from vote.web import provide_actor


class ProxyIn(msgspec.Struct, forbid_unknown_fields=True):
    """Who gives the proxy (``grantor_id``) to whom (``holder_id``): residents' ids."""

    grantor_id: Id
    holder_id: Id


class ProxyOut(msgspec.Struct):
    """A proxy: grantor and holder with their addresses, when it was recorded and revoked,
    whether the holder has voted with it (``used``), whether a signed form is kept and whether
    the holder is checked in (``holder_present``: the grantor then counts as represented)."""

    id: int
    meeting_id: int
    grantor_id: int
    grantor_name: str
    grantor_address: str
    holder_id: int
    holder_name: str
    holder_address: str
    recorded_at: datetime
    revoked_at: datetime | None
    used: bool
    has_form: bool
    holder_present: bool

    @classmethod
    def of(cls, view: proxies.ProxyView) -> ProxyOut:
        return cls(
            id=view.id,
            meeting_id=view.meeting_id,
            grantor_id=view.grantor_id,
            grantor_name=view.grantor_name,
            grantor_address=view.grantor_address,
            holder_id=view.holder_id,
            holder_name=view.holder_name,
            holder_address=view.holder_address,
            recorded_at=view.recorded_at,
            revoked_at=view.revoked_at,
            used=view.used,
            has_form=view.has_form,
            holder_present=view.holder_present,
        )


class HolderOut(msgspec.Struct):
    """A holder of active proxies: how many, against the meeting's limit."""

    holder_id: int
    name: str
    address: str
    count: int
    limit: int


class ProxiesOut(msgspec.Struct):
    """A meeting's proxies (active first, then revoked) and each holder's count."""

    meeting_id: int
    proxy_limit: int
    proxies: list[ProxyOut]
    holders: list[HolderOut]


class CandidateOut(msgspec.Struct):
    """A resident found by name, with their address and whether they are on the meeting's roll."""

    resident_id: int
    name: str
    address: str
    on_roll: bool


async def _one(db: AsyncSession, actor: Actor, meeting_id: int, proxy_id: int) -> ProxyOut:
    for view in await proxies.list_proxies(db, actor, meeting_id):
        if view.id == proxy_id:
            return ProxyOut.of(view)
    raise AssertionError("a proxy just written is listed")  # pragma: no cover


@get("/meetings/{meeting_id:int}/proxies", summary="A meeting's proxies")
async def list_proxies(db: AsyncSession, actor: Actor, meeting_id: IdParam) -> ProxiesOut:
    meeting = await meeting_for(db, actor, meeting_id, "read")
    views = await proxies.list_proxies(db, actor, meeting.id)
    return ProxiesOut(
        meeting_id=meeting.id,
        proxy_limit=meeting.proxy_limit,
        proxies=[ProxyOut.of(view) for view in views],
        holders=[
            HolderOut(
                holder_id=h.holder_id, name=h.name, address=h.address, count=h.count, limit=h.limit
            )
            for h in proxies.holder_counts(views, meeting.proxy_limit)
        ],
    )


@get(
    "/meetings/{meeting_id:int}/proxy-candidates",
    summary="Find residents by name or address for a proxy",
)
async def find_candidates(
    db: AsyncSession, actor: Actor, meeting_id: IdParam, q: SearchParam = ""
) -> list[CandidateOut]:
    """At most 20 residents of the meeting's unit whose name, or building and room, contain
    ``q``."""
    found = await proxies.find_candidates(db, actor, meeting_id, q)
    return [
        CandidateOut(resident_id=c.resident_id, name=c.name, address=c.address, on_roll=c.on_roll)
        for c in found
    ]


@post(
    "/meetings/{meeting_id:int}/proxies",
    status_code=HTTP_201_CREATED,
    summary="Record a proxy (the signed form's photo is uploaded in the console)",
)
async def record_proxy(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    actor: Actor,
    meeting_id: IdParam,
    data: ProxyIn,
) -> ProxyOut:
    proxy = await proxies.record_proxy(
        db, actor, meeting_id, grantor_id=data.grantor_id, holder_id=data.holder_id
    )
    proxy_id = proxy.id
    await db.commit()
    meeting_changed(request.app, meeting_id)  # who is represented may have changed
    return await _one(db, actor, meeting_id, proxy_id)


@post(
    "/meetings/{meeting_id:int}/proxies/{proxy_id:int}/revoke",
    status_code=HTTP_200_OK,
    summary="Revoke a proxy (it is kept, with the time it was revoked)",
)
async def revoke_proxy(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    actor: Actor,
    meeting_id: IdParam,
    proxy_id: IdParam,
) -> ProxyOut:
    await proxies.revoke_proxy(db, actor, meeting_id, proxy_id)
    await db.commit()
    meeting_changed(request.app, meeting_id)
    return await _one(db, actor, meeting_id, proxy_id)


router = Router(
    path="/api/v1",
    route_handlers=[list_proxies, find_candidates, record_proxy, revoke_proxy],
    dependencies={"actor": Provide(provide_actor)},
    tags=["chairs"],
)
