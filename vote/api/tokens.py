"""API tokens for scripts: a chair creates them for their own account."""

from __future__ import annotations

from litestar import Router, post
from litestar.di import Provide
from litestar.status_codes import HTTP_201_CREATED
from sqlalchemy.ext.asyncio import AsyncSession

from ballots import chairs
from ballots.access import Actor
from ballots.errors import NotAuthenticated
from ballots.models import Chair
from vote.api.schemas import TokenIn, TokenOut
from vote.web import provide_actor


@post("/auth/tokens", status_code=HTTP_201_CREATED, summary="Create an API token for scripts")
async def create_api_token(db: AsyncSession, actor: Actor, data: TokenIn) -> TokenOut:
    chair = await db.get(Chair, actor.chair_id) if actor.chair_id else None
    if chair is None:
        raise NotAuthenticated()
    token = await chairs.create_token(
        db, chair, kind="api", name=data.name.strip()[:100], source=actor.source
    )
    await db.commit()
    return TokenOut(token=token, name=data.name)


router = Router(
    path="/api/v1",
    route_handlers=[create_api_token],
    dependencies={"actor": Provide(provide_actor)},
    tags=["chairs"],
)
