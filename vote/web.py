"""Request plumbing shared by the API and the pages: app state, sessions, actors, client IPs."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
from collections.abc import AsyncIterator
from functools import lru_cache
from typing import Any

import msgspec
from litestar import Request
from litestar.datastructures import State
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from ballots.access import Actor
from ballots.chairs import actor_from_token
from ballots.errors import N_, DomainError, NotAuthenticated
from ballots.signing import Signer
from vote.ratelimit import RateLimiter
from vote.settings import Settings
from vote.shared_counts import SharedCounts

SESSION_COOKIE = "vote_session"


class AppContext(msgspec.Struct):
    """What every request can reach through ``app.state.ctx``."""

    settings: Settings
    secret_key: bytes
    engine: AsyncEngine
    """The database (writes); casting uses it without a session."""
    sessionmaker: async_sessionmaker[AsyncSession]
    read_sessionmaker: async_sessionmaker[AsyncSession]
    limiter: RateLimiter
    signer: Signer
    counts: SharedCounts = msgspec.field(default_factory=SharedCounts)
    """Live views' recounts, shared within this worker (:mod:`vote.shared_counts`)."""


class CsrfFailed(DomainError):
    type = "csrf-failed"
    status = 403
    title = N_("The form has expired")
    detail_template = N_("Please reload the page and try again.")


class TokenReadOnly(DomainError):
    type = "token-read-only"
    status = 403
    title = N_("This token may only read")
    detail_template = N_(
        "This API token was created read-only: it may look but not change anything. Use a token "
        "with the full scope."
    )


class PasswordChangeRequired(DomainError):
    type = "password-change-required"
    status = 403
    title = N_("Choose your own password first")
    detail_template = N_(
        "Someone else set your password. Choose your own at {path} (log in there in a browser); "
        "until then this login session may do nothing else."
    )


PASSWORD_PATH = "/chair/account/password"  # noqa: S105 - a page, not a password
"""Where a chair chooses their own password (see :mod:`vote.pages.account`)."""

READ_METHODS = frozenset({"GET", "HEAD"})


def ctx_of(state: State) -> AppContext:
    ctx = state.ctx
    assert isinstance(ctx, AppContext)
    return ctx


async def provide_db(state: State, request: Request[Any, Any, Any]) -> AsyncIterator[AsyncSession]:
    """A database session per request; handlers commit what they change.

    GET and HEAD requests read through the read engine, so page views never queue behind votes.
    """
    ctx = ctx_of(state)
    factory = ctx.read_sessionmaker if request.method in ("GET", "HEAD") else ctx.sessionmaker
    async with factory() as session:
        yield session


def provide_ctx(state: State) -> AppContext:
    return ctx_of(state)


def _is_trusted(address: str, settings: Settings) -> bool:
    """True when ``address`` is one of the trusted proxies (addresses or CIDR networks)."""
    return in_networks(address, settings.trusted_proxies)


@lru_cache(maxsize=4096)
def in_networks(address: str, entries: tuple[str, ...]) -> bool:
    """True when ``address`` is one of ``entries`` (addresses or CIDR networks; entries that are
    neither are skipped); remembered, as every request asks it of its peer."""
    if not entries:
        return False
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in _networks(entries))


@lru_cache(maxsize=64)
def _networks(
    entries: tuple[str, ...],
) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    networks = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            continue
    return tuple(networks)


def client_ip(request: Request[Any, Any, Any], settings: Settings) -> str:
    """The client's address, believing X-Forwarded-For only from a trusted proxy."""
    peer = request.client.host if request.client else "unknown"
    if _is_trusted(peer, settings):
        forwarded = request.headers.get("x-forwarded-for", "")
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        while hops and _is_trusted(hops[-1], settings):
            hops.pop()
        if hops:
            return hops[-1]
    return peer


def csrf_token(secret_key: bytes, session_token: str) -> str:
    """The CSRF token bound to a login session."""
    return hmac.new(secret_key, b"csrf:" + session_token.encode(), hashlib.sha256).hexdigest()


def _bearer(request: Request[Any, Any, Any]) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def _within_scope(request: Request[Any, Any, Any], actor: Actor) -> Actor:
    if actor.read_only and request.method not in READ_METHODS:
        raise TokenReadOnly()
    return actor


async def provide_actor(
    request: Request[Any, Any, Any], db: AsyncSession, ctx: AppContext
) -> Actor:
    """The chair behind this request (API token or login cookie), or NotAuthenticated.

    A cookie-authenticated request that changes something must carry the session's CSRF token
    (form field ``csrf_token`` or header ``X-CSRF-Token``). A read-only token is refused for
    anything but GET and HEAD, here, for the API and the pages alike. A login session whose
    chair must first choose their own password is refused (:class:`PasswordChangeRequired`).
    """
    actor = await provide_account_actor(request, db, ctx)
    if actor.password_change_due:
        raise PasswordChangeRequired(path=PASSWORD_PATH)
    return actor


async def provide_account_actor(
    request: Request[Any, Any, Any], db: AsyncSession, ctx: AppContext
) -> Actor:
    """Like :func:`provide_actor`, but also a chair who must first choose their own password:
    for choosing it, and for logging out."""
    source = client_ip(request, ctx.settings)
    token = _bearer(request)
    if token is not None:
        return _within_scope(request, await actor_from_token(db, token, source))
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie:
        raise NotAuthenticated()
    actor = _within_scope(request, await actor_from_token(db, cookie, source))
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        sent = request.headers.get("x-csrf-token")
        if sent is None and "form" in request.headers.get("content-type", ""):
            form = await request.form()
            value = form.get("csrf_token")
            sent = value if isinstance(value, str) else None
        if not sent or not hmac.compare_digest(sent, csrf_token(ctx.secret_key, cookie)):
            raise CsrfFailed()
    return actor


async def provide_optional_actor(
    request: Request[Any, Any, Any], db: AsyncSession, ctx: AppContext
) -> Actor | None:
    """Like :func:`provide_actor`, but None for an anonymous GET."""
    if _bearer(request) is None and not request.cookies.get(SESSION_COOKIE):
        return None
    try:
        return await provide_actor(request, db, ctx)
    except NotAuthenticated:
        return None
