"""The one place that wires the Litestar app: settings, database, limiter, routes, templates.

``create_app()`` reads settings from the environment; tests pass their own ``Settings``.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from litestar import Litestar, Request, Response
from litestar.config.response_cache import ResponseCacheConfig
from litestar.datastructures import MutableScopeHeaders, State
from litestar.di import Provide
from litestar.exceptions import HTTPException
from litestar.openapi import OpenAPIConfig
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.response import Redirect
from litestar.routes import HTTPRoute
from litestar.static_files import create_static_files_router
from litestar.template import TemplateConfig
from litestar.types import Message, Scope

from ballots.board import sign_open_ballots
from ballots.db import create_engine, create_sessionmaker, dispose, is_sqlite
from ballots.errors import DomainError
from vote import i18n, live, scheduler
from vote.api import agency as agency_api
from vote.api import attendance as attendance_api
from vote.api import audit as audit_api
from vote.api import auth as auth_api
from vote.api import ballots as ballots_api
from vote.api import board as board_api
from vote.api import checkin as checkin_api
from vote.api import coordination as coordination_api
from vote.api import evaluations as evaluations_api
from vote.api import health as health_api
from vote.api import matter_links as matter_links_api
from vote.api import matters as matters_api
from vote.api import meetings as meetings_api
from vote.api import notices as notices_api
from vote.api import opinions as opinions_api
from vote.api import paper as paper_api
from vote.api import proxies as proxies_api
from vote.api import public as public_api
from vote.api import reconciliation as reconciliation_api
from vote.api import roll as roll_api
from vote.api import speaker_signup as speaker_signup_api
from vote.api import statistics as statistics_api
from vote.api import tokens as tokens_api
from vote.api import turnout as turnout_api
from vote.api import units as units_api
from vote.api.bodies import SafeRequest
from vote.api.openapi import RefinedJsonRenderPlugin, RefinedYamlRenderPlugin
from vote.pages import account as account_pages
from vote.pages import agency as agency_pages
from vote.pages import chair as chair_pages
from vote.pages import checkin as checkin_pages
from vote.pages import evaluations as evaluation_pages
from vote.pages import notices as notice_pages
from vote.pages import opinions as opinion_pages
from vote.pages import projector as projector_pages
from vote.pages import public as public_pages
from vote.pages import record_print as record_print_pages
from vote.pages import speakers as speaker_pages
from vote.pages import turnout as turnout_pages
from vote.pages import voting as voting_pages
from vote.pages.console import agency as console_agency
from vote.pages.console import audit as console_audit
from vote.pages.console import ballot_copy as console_ballot_copy
from vote.pages.console import ballot_editor as console_ballot_editor
from vote.pages.console import ballots as console_ballots
from vote.pages.console import chairs as console_chairs
from vote.pages.console import coordination as console_coordination
from vote.pages.console import door as console_door
from vote.pages.console import evaluations as console_evaluations
from vote.pages.console import followup as console_followup
from vote.pages.console import matter_links as console_matter_links
from vote.pages.console import matters as console_matters
from vote.pages.console import meeting_parts as console_meeting_parts
from vote.pages.console import meetings as console_meetings
from vote.pages.console import notices as console_notices
from vote.pages.console import opinions as console_opinions
from vote.pages.console import organisations as console_organisations
from vote.pages.console import paper as console_paper
from vote.pages.console import proxies as console_proxies
from vote.pages.console import reconciliation as console_reconciliation
from vote.pages.console import roll as console_roll
from vote.pages.console import schedule as console_schedule
from vote.pages.console import statistics as console_statistics
from vote.pages.console import tokens as console_tokens
from vote.pages.console import units as console_units
from vote.pages.errors import page_error_response
from vote.pages.labels import option_name, template_helpers
from vote.problems import domain_error_handler, http_error_handler, internal_error_handler
from vote.ratelimit import (
    REDIS_FAILURES,
    MemoryRateLimiter,
    RateLimiter,
    RedisRateLimiter,
    ResilientRateLimiter,
    redis_client,
)
from vote.settings import Settings, ensure_data_dir, signer
from vote.web import PASSWORD_PATH, AppContext, PasswordChangeRequired, provide_ctx, provide_db

PACKAGE_DIR = Path(__file__).parent
VERSION = "0.1.0"


def template_environment() -> Environment:
    """The Jinja environment: autoescaping, gettext bound to the request's locale."""
    env = Environment(
        loader=FileSystemLoader(PACKAGE_DIR / "templates"),
        autoescape=select_autoescape(["html"]),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_callables(i18n.gettext_, i18n.ngettext_, newstyle=True)  # type: ignore[attr-defined]
    env.globals.update(template_helpers())
    env.filters["option_name"] = option_name
    return env


def _is_api(request: Request[Any, Any, Any]) -> bool:
    return request.url.path.startswith("/api/") or request.url.path.startswith("/schema")


def _on_domain_error(request: Request[Any, Any, Any], error: DomainError) -> Response[Any]:
    if _is_api(request):
        return domain_error_handler(request, error)
    if isinstance(error, PasswordChangeRequired):  # a page: choose one's own password first
        return Redirect(path=PASSWORD_PATH)
    return page_error_response(request, error.status, error.title, error.detail_msgid, error.params)


def _on_http_error(request: Request[Any, Any, Any], error: HTTPException) -> Response[Any]:
    if _is_api(request):
        return http_error_handler(request, error)
    return page_error_response(request, error.status_code, "", "", {})


def _on_internal_error(request: Request[Any, Any, Any], error: Exception) -> Response[Any]:
    if _is_api(request):
        return internal_error_handler(request, error)
    request.logger.exception("unhandled error", exc_info=error)
    return page_error_response(request, 500, "", "", {})


async def _set_locale(request: Request[Any, Any, Any]) -> None:
    headers = request.headers
    cookie = headers.get("cookie", "")
    locale = i18n.negotiate(
        # Query and cookies are parsed only when they may hold a choice (a vote has neither).
        request.query_params.get("lang") if request.scope.get("query_string") else None,
        request.cookies.get("lang") if "lang=" in cookie else None,
        headers.get("accept-language"),
    )
    i18n.current_locale.set(locale)
    request.state.locale = locale


SECURITY_HEADERS = {
    "content-security-policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
        "script-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    ),
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
}


async def _security_headers(response: Response[Any]) -> Response[Any]:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


HSTS = "max-age=31536000; includeSubDomains"


def _hsts(base_url: str) -> Callable[[Message, Scope], Awaitable[None]]:
    """Strict-Transport-Security on every response served over https (or when the service's
    public address is https, as behind a TLS-terminating proxy); never over plain http."""
    always = base_url.lower().startswith("https://")

    async def add_hsts(message: Message, scope: Scope) -> None:
        if message["type"] == "http.response.start" and (always or scope.get("scheme") == "https"):
            MutableScopeHeaders.from_message(message)["strict-transport-security"] = HSTS

    return add_hsts


async def _allow_every_method(message: Message, scope: Scope) -> None:
    """Answer OPTIONS with every method of the path: Litestar's own answer lists only those of
    the first handler registered for it (``GET`` without the ``POST`` beside it)."""
    if message["type"] != "http.response.start" or scope.get("method") != "OPTIONS":
        return
    template = scope.get("path_template")
    for route in Litestar.from_scope(scope).routes:
        if route.path == template and isinstance(route, HTTPRoute):
            allowed = ", ".join(sorted(route.methods))
            MutableScopeHeaders.from_message(message)["allow"] = allowed
            return


async def _sign_periodically(ctx: AppContext) -> None:
    """While the app runs, sign and keep a tree head of every open ballot whose board grew."""
    while True:
        await asyncio.sleep(ctx.settings.tree_head_interval)
        try:
            async with ctx.sessionmaker() as session:
                await sign_open_ballots(session, ctx.signer)
        except Exception:  # keep signing later; the next round retries
            logging.getLogger("vote").exception("signing tree heads failed")


def tune_runtime() -> None:
    """Interpreter settings for a server process, applied once the app has loaded.

    Everything loaded so far lives as long as the process, so it is frozen out of the garbage
    collector's passes, and collections run less often: both remove pauses from the latency
    tail. A shorter GIL switch interval lets the SQLite writer thread and the event loop hand
    over quickly (the default 5 ms would add up to 5 ms to every vote under load).
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(20_000, 20, 20)
    sys.setswitchinterval(0.001)


def create_app(settings: Settings | None = None, *, limiter: RateLimiter | None = None) -> Litestar:
    """Build the app for ``settings`` (default: from the environment)."""
    settings = settings or Settings.from_env()
    ensure_data_dir(settings)

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        engine = create_engine(settings.database_url)
        read_engine = (
            create_engine(settings.database_url, read_only=True)
            if is_sqlite(settings.database_url)
            else engine
        )
        redis = redis_client(settings.redis_url) if settings.redis_url else None
        chosen: RateLimiter = limiter or (
            ResilientRateLimiter(RedisRateLimiter(redis))
            if redis is not None
            else MemoryRateLimiter()
        )
        app.state.ctx = AppContext(
            settings=settings,
            secret_key=settings.secret_key(),
            engine=engine,
            sessionmaker=create_sessionmaker(engine),
            read_sessionmaker=create_sessionmaker(read_engine),
            limiter=chosen,
            signer=signer(settings),
        )
        channels = live.live_channels(app)
        if channels is not None:
            channels.forget_notices()  # an app started again (as tests do) starts afresh
        tune_runtime()
        signing = asyncio.create_task(_sign_periodically(app.state.ctx))
        scheduling = scheduler.start(app.state.ctx)
        try:
            yield
        finally:
            signing.cancel()
            await scheduler.stop(scheduling)
            await dispose(engine)
            if read_engine is not engine:
                await dispose(read_engine)
            if redis is not None:
                if isinstance(chosen, ResilientRateLimiter):
                    with contextlib.suppress(*REDIS_FAILURES):
                        await chosen.redis.flush()
                await redis.aclose()

    return Litestar(
        route_handlers=[
            public_api.router,
            health_api.router,
            auth_api.router,
            tokens_api.router,
            units_api.router,
            matters_api.router,
            matter_links_api.router,
            evaluations_api.router,
            agency_api.public_router,
            agency_api.router,
            statistics_api.router,
            meetings_api.router,
            speaker_signup_api.router,
            coordination_api.router,
            notices_api.router,
            proxies_api.router,
            opinions_api.public_router,
            opinions_api.router,
            ballots_api.router,
            paper_api.router,
            audit_api.router,
            attendance_api.router,
            roll_api.router,
            board_api.router,
            voting_pages.router,
            public_pages.router,
            evaluation_pages.router,
            opinion_pages.router,
            speaker_pages.router,
            chair_pages.router,
            console_units.router,
            console_matters.router,
            console_matter_links.router,
            record_print_pages.router,
            console_evaluations.router,
            console_meetings.router,
            console_opinions.router,
            console_meeting_parts.router,
            console_coordination.router,
            console_followup.router,
            console_organisations.router,
            console_notices.router,
            notice_pages.router,
            console_proxies.router,
            console_paper.router,
            console_ballots.router,
            console_ballot_editor.router,
            console_schedule.router,
            console_ballot_copy.router,
            console_roll.router,
            console_chairs.router,
            console_tokens.router,
            console_audit.router,
            console_agency.router,
            console_statistics.router,
            console_door.router,
            account_pages.router,
            turnout_api.router,
            reconciliation_api.router,
            console_reconciliation.router,
            turnout_pages.router,
            checkin_api.router,
            checkin_pages.router,
            agency_pages.router,
            projector_pages.router,
            create_static_files_router(
                path="/static", directories=[PACKAGE_DIR / "static"], name="static"
            ),
        ],
        dependencies={"db": Provide(provide_db), "ctx": Provide(provide_ctx, sync_to_thread=False)},
        lifespan=[lifespan],
        plugins=[live.channels_plugin(settings)],
        before_request=_set_locale,
        after_request=_security_headers,
        before_send=[_hsts(settings.base_url), _allow_every_method],
        request_class=SafeRequest,
        exception_handlers={
            DomainError: _on_domain_error,
            HTTPException: _on_http_error,
            Exception: _on_internal_error,
        },
        template_config=TemplateConfig(
            engine=JinjaTemplateEngine.from_environment(template_environment())
        ),
        openapi_config=OpenAPIConfig(
            title="Residents' deliberation and voting API",
            version=VERSION,
            path="/schema",
            description="Ballots, votes and results. Errors are RFC 9457 problem details.",
            # Only the JSON document: the interactive viewers load scripts from a CDN.
            render_plugins=[RefinedJsonRenderPlugin(), RefinedYamlRenderPlugin()],
        ),
        request_max_body_size=settings.max_upload_bytes,
        state=State({}),
        response_cache_config=ResponseCacheConfig(),
    )
