"""API tokens for scripts: a chair creates, lists and revokes their own (a chair manager may
revoke those of the chairs they manage)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from litestar import Router, delete, get, post
from litestar.di import Provide
from litestar.status_codes import HTTP_201_CREATED, HTTP_204_NO_CONTENT
from sqlalchemy.ext.asyncio import AsyncSession

from ballots import chairs
from ballots.access import Actor
from ballots.errors import NotAuthenticated
from ballots.models import Chair
from vote.api.params import IdParam
from vote.api.schemas import TokenIn, TokenInfoOut, TokenOut
from vote.web import provide_actor


@post("/auth/tokens", status_code=HTTP_201_CREATED, summary="Create an API token for scripts")
async def create_api_token(db: AsyncSession, actor: Actor, data: TokenIn) -> TokenOut:
    """The token is shown once. Ending the login session it was made from revokes it."""
    chair = await db.get(Chair, actor.chair_id) if actor.chair_id else None
    if chair is None:
        raise NotAuthenticated()
    issued = await chairs.issue_token(
        db,
        chair,
        kind="api",
        name=data.name,
        source=actor.source,
        scope=data.scope,
        lifetime=timedelta(days=data.expires_in_days),
        created_by_session=actor.session_id,
    )
    await db.commit()
    return TokenOut(
        token=issued.token,
        name=issued.name,
        id=issued.id,
        scope=issued.scope,
        created_at=issued.created_at,
        expires_at=issued.expires_at,
    )


@get("/auth/tokens", summary="List your API tokens (never their secrets)")
async def list_api_tokens(db: AsyncSession, actor: Actor) -> list[TokenInfoOut]:
    if actor.chair_id is None:
        raise NotAuthenticated()
    now = datetime.now(UTC)
    return [
        TokenInfoOut(
            id=info.id,
            name=info.name,
            scope=info.scope,
            created_at=info.created_at,
            expires_at=info.expires_at,
            revoked_at=info.revoked_at,
            active=info.revoked_at is None and info.expires_at > now,
        )
        for info in await chairs.list_tokens(db, actor, chair_id=actor.chair_id)
    ]


@delete(
    "/auth/tokens/{token_id:int}",
    status_code=HTTP_204_NO_CONTENT,
    summary="Revoke an API token (yours, or one of a chair you manage)",
)
async def revoke_api_token(db: AsyncSession, actor: Actor, token_id: IdParam) -> None:
    await chairs.revoke_token(db, actor, token_id)
    await db.commit()


router = Router(
    path="/api/v1",
    route_handlers=[create_api_token, list_api_tokens, revoke_api_token],
    dependencies={"actor": Provide(provide_actor)},
    tags=["chairs"],
)
