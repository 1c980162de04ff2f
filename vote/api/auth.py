"""Chair authentication: log in with password and TOTP (or a recovery code), log out, and who
am I."""

from __future__ import annotations

from typing import Any

from litestar import Request, Router, get, post
from litestar.di import Provide
from litestar.status_codes import HTTP_200_OK, HTTP_204_NO_CONTENT
from sqlalchemy.ext.asyncio import AsyncSession

from ballots import chairs
from ballots.access import Actor
from ballots.errors import InvalidLogin
from vote.api.schemas import LoginIn, LoginOut, MeOut
from vote.guards import guarded, login_attempt
from vote.web import (
    SESSION_COOKIE,
    AppContext,
    client_ip,
    provide_account_actor,
    provide_actor,
)


async def login_chair(
    db: AsyncSession, ctx: AppContext, ip: str, username: str, password: str, totp: str
) -> tuple[str, chairs.SignIn]:
    """Authenticate under the login limits (only failures count, a wrong recovery code too);
    return a session token and how the chair signed in."""
    attempt = await login_attempt(ctx, username, ip)
    async with guarded(attempt, InvalidLogin):
        try:
            signed_in = await chairs.sign_in(
                db, ctx.secret_key, username, password, totp, source=ip
            )
        except BaseException:
            await db.rollback()
            raise
        token = await chairs.create_token(db, signed_in.chair, kind="session", source=ip)
        await db.commit()
    return token, signed_in


@post(
    "/auth/login",
    status_code=HTTP_200_OK,
    summary="Log in with password and TOTP code (or a recovery code)",
    description=(
        "`totp` is the authenticator's 6-digit code or one of the chair's unused 12-digit "
        "recovery codes (used up by this login). With `must_change_password` the session may do "
        "nothing but log out until the chair has chosen their own password on the console."
    ),
)
async def login(
    request: Request[Any, Any, Any], db: AsyncSession, ctx: AppContext, data: LoginIn
) -> LoginOut:
    token, signed_in = await login_chair(
        db, ctx, client_ip(request, ctx.settings), data.username, data.password, data.totp
    )
    chair = signed_in.chair
    return LoginOut(
        token=token,
        username=chair.username,
        role=chair.role,
        unit_id=chair.unit_id,
        must_change_password=chair.must_change_password,
        recovery_codes_left=signed_in.recovery_codes_left,
    )


@post(
    "/auth/logout",
    status_code=HTTP_204_NO_CONTENT,
    dependencies={"actor": Provide(provide_account_actor)},
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
