"""Chair authentication: log in with password and TOTP, log out, and who am I."""

from __future__ import annotations

from typing import Any

from litestar import Request, Router, get, post
from litestar.di import Provide
from litestar.status_codes import HTTP_200_OK, HTTP_204_NO_CONTENT
from sqlalchemy.ext.asyncio import AsyncSession

from ballots import chairs
from ballots.access import Actor
from ballots.errors import InvalidLogin
from ballots.models import Chair
from vote.api.schemas import LoginIn, LoginOut, MeOut
from vote.guards import guarded, login_attempt
from vote.web import SESSION_COOKIE, AppContext, client_ip, provide_actor


async def login_chair(
    db: AsyncSession, ctx: AppContext, ip: str, username: str, password: str, totp: str
) -> tuple[str, Chair]:
    """Authenticate under the login limits (only failures count); return a session token."""
    attempt = await login_attempt(ctx, username, ip)
    async with guarded(attempt, InvalidLogin):
        try:
            chair = await chairs.authenticate(db, ctx.secret_key, username, password, totp)
        except BaseException:
            await db.rollback()
            raise
        token = await chairs.create_token(db, chair, kind="session", source=ip)
        await db.commit()
    return token, chair


@post("/auth/login", status_code=HTTP_200_OK, summary="Log in with password and TOTP code")
async def login(
    request: Request[Any, Any, Any], db: AsyncSession, ctx: AppContext, data: LoginIn
) -> LoginOut:
    token, chair = await login_chair(
        db, ctx, client_ip(request, ctx.settings), data.username, data.password, data.totp
    )
    return LoginOut(token=token, username=chair.username, role=chair.role, unit_id=chair.unit_id)


@post(
    "/auth/logout", status_code=HTTP_204_NO_CONTENT, dependencies={"actor": Provide(provide_actor)}
)
async def logout(request: Request[Any, Any, Any], db: AsyncSession, actor: Actor) -> None:
    header = request.headers.get("authorization", "")
    token = header.partition(" ")[2].strip() or request.cookies.get(SESSION_COOKIE, "")
    await chairs.log_out(db, token, actor.source)
    await db.commit()


@get("/me", dependencies={"actor": Provide(provide_actor)})
async def me(actor: Actor) -> MeOut:
    return MeOut(username=actor.name, role=actor.role, unit_path=actor.unit_path)


router = Router(path="/api/v1", route_handlers=[login, logout, me], tags=["chairs"])
