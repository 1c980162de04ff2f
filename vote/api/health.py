"""``/healthz``: whether the service can serve, and what runs degraded (Redis unreachable)."""

from __future__ import annotations

from typing import Literal

import msgspec
from litestar import Response, Router, get
from sqlalchemy import text

from vote.ratelimit import ResilientRateLimiter
from vote.web import AppContext


class Health(msgspec.Struct):
    """``ok``: everything answers; ``degraded``: voting works, but Redis does not answer (rate
    limits are kept per process); ``down``: the database does not answer."""

    status: Literal["ok", "degraded", "down"]
    database: Literal["ok", "unreachable"]
    redis: Literal["ok", "unreachable", "not configured"]


@get(
    "/healthz",
    summary="Health of the service and what it depends on",
    description="200 when votes can be cast (ok or degraded), 503 when the database is down.",
)
async def healthz(ctx: AppContext) -> Response[Health]:
    database: Literal["ok", "unreachable"] = "ok"
    try:
        async with ctx.read_sessionmaker() as session:
            await session.execute(text("SELECT 1"))
    except Exception:  # any failure to reach the database is what this reports
        database = "unreachable"
    redis: Literal["ok", "unreachable", "not configured"] = "not configured"
    if isinstance(ctx.limiter, ResilientRateLimiter):
        redis = "ok" if await ctx.limiter.check() else "unreachable"
    status: Literal["ok", "degraded", "down"] = (
        "down" if database != "ok" else "degraded" if redis == "unreachable" else "ok"
    )
    health = Health(status=status, database=database, redis=redis)
    return Response(health, status_code=503 if status == "down" else 200)


router = Router(path="/", route_handlers=[healthz], tags=["service"])
