"""Chair API: login, tokens, units, matters, ballots and their lifecycle, invitations, audit.

Every route needs a chair (API token or login session); the ``ballots`` services check the
chair's role and unit for each action and write the audit log.
"""

from __future__ import annotations

from typing import Any, Literal

import msgspec
from litestar import Request, Response, Router, get, post, put
from litestar.di import Provide
from litestar.params import Parameter
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED, HTTP_204_NO_CONTENT
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ballots import chairs, invitations, lifecycle, matters, units
from ballots.access import Actor, require
from ballots.eligibility import Eligibility
from ballots.errors import NotAuthenticated, TooManyFailedLogins
from ballots.invitations import Invitation
from ballots.models import AuditEntry, Ballot, Chair
from vote.api.schemas import (
    AuditOut,
    BallotOut,
    BallotSummary,
    EventOut,
    LoginIn,
    LoginOut,
    MatterIn,
    MatterOut,
    MeOut,
    NoteIn,
    TokenIn,
    TokenOut,
    UnitIn,
    UnitOut,
)
from vote.printing import render_invitations_pdf
from vote.ratelimit import window_remaining
from vote.web import SESSION_COOKIE, AppContext, client_ip, provide_actor

LOGIN_WINDOW = 900
LOGIN_FAILURES_PER_USER = 5
LOGIN_FAILURES_PER_IP = 20


async def login_chair(
    db: AsyncSession, ctx: AppContext, ip: str, username: str, password: str, totp: str
) -> tuple[str, Chair]:
    """Authenticate with rate limits per user name and per address; return a session token."""
    user_key, ip_key = f"login:{username.strip().lower()}", f"login-ip:{ip}"
    if (
        await ctx.limiter.count(user_key, LOGIN_WINDOW) >= LOGIN_FAILURES_PER_USER
        or await ctx.limiter.count(ip_key, LOGIN_WINDOW) >= LOGIN_FAILURES_PER_IP
    ):
        raise TooManyFailedLogins(seconds=window_remaining(LOGIN_WINDOW))
    try:
        chair = await chairs.authenticate(db, ctx.secret_key, username, password, totp)
    except Exception:
        await db.rollback()
        await ctx.limiter.hit(user_key, LOGIN_WINDOW)
        await ctx.limiter.hit(ip_key, LOGIN_WINDOW)
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
    await chairs.revoke_token(db, token)
    await db.commit()


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


@get("/me")
async def me(actor: Actor) -> MeOut:
    return MeOut(username=actor.name, role=actor.role, unit_path=actor.unit_path)


@get("/units")
async def list_units(db: AsyncSession, actor: Actor) -> list[UnitOut]:
    return [UnitOut.of(unit) for unit in await units.list_units(db, actor.unit_path)]


@post("/units", status_code=HTTP_201_CREATED)
async def create_unit(db: AsyncSession, actor: Actor, data: UnitIn) -> UnitOut:
    unit = await units.create_unit(
        db, actor, name=data.name, code=data.code, level=data.level, parent_id=data.parent_id
    )
    await db.commit()
    return UnitOut.of(unit)


@get("/matters")
async def list_matters(db: AsyncSession, actor: Actor) -> list[dict[str, Any]]:
    return [
        {
            "id": m.id,
            "unit_id": m.unit_id,
            "kind": m.kind,
            "title": m.title,
            "created_at": m.created_at,
        }
        for m in await matters.list_matters(db, actor.unit_path)
    ]


@post("/matters", status_code=HTTP_201_CREATED)
async def create_matter(db: AsyncSession, actor: Actor, data: MatterIn) -> MatterOut:
    matter = await matters.create_matter(
        db,
        actor,
        unit_id=data.unit_id,
        kind=data.kind,
        title=data.title,
        description=data.description,
    )
    await db.commit()
    return await _matter_out(db, actor, matter.id)


async def _matter_out(db: AsyncSession, actor: Actor, matter_id: int) -> MatterOut:
    matter = await matters.get_matter(db, matter_id)
    unit = await units.get_unit(db, matter.unit_id)
    require(actor, "read", unit.path)
    ballots = list(
        (
            await db.scalars(
                select(Ballot).where(Ballot.matter_id == matter.id).order_by(Ballot.id)
            )
        ).all()
    )
    return MatterOut.of(matter, unit, ballots, list(await matters.timeline(db, matter.id)))


@get("/matters/{matter_id:int}/record", summary="A matter with drafts and every event (chairs)")
async def matter_record(db: AsyncSession, actor: Actor, matter_id: int) -> MatterOut:
    return await _matter_out(db, actor, matter_id)


@post("/matters/{matter_id:int}/notes", status_code=HTTP_201_CREATED)
async def add_note(db: AsyncSession, actor: Actor, matter_id: int, data: NoteIn) -> list[EventOut]:
    await matters.add_note(db, actor, matter_id, data.text)
    await db.commit()
    return [EventOut.of(e) for e in await matters.timeline(db, matter_id)]


async def _ballot_out(db: AsyncSession, ballot: Ballot) -> BallotOut:
    result = msgspec.json.decode(ballot.result) if ballot.result else None
    return BallotOut(
        ballot=BallotSummary.of(ballot),
        spec=lifecycle.ballot_spec(ballot),
        eligibility=msgspec.convert(ballot.eligibility, Eligibility),
        result=result,
    )


@get("/ballots")
async def list_ballots(db: AsyncSession, actor: Actor) -> list[BallotSummary]:
    return [
        BallotSummary.of(ballot) for ballot, _ in await lifecycle.list_ballots(db, actor.unit_path)
    ]


@post(
    "/matters/{matter_id:int}/ballots",
    status_code=HTTP_201_CREATED,
    summary="Create a draft ballot",
)
async def create_ballot(
    db: AsyncSession, actor: Actor, matter_id: int, data: lifecycle.BallotDraft
) -> BallotOut:
    ballot = await lifecycle.create_ballot(db, actor, matter_id, data)
    await db.commit()
    return await _ballot_out(db, ballot)


@get("/ballots/{ballot_id:int}/manage", summary="A ballot with its eligibility and result (chairs)")
async def manage_ballot(db: AsyncSession, actor: Actor, ballot_id: int) -> BallotOut:
    ballot = await lifecycle.get_ballot(db, ballot_id)
    require(actor, "read", (await lifecycle.ballot_unit(db, ballot)).path)
    return await _ballot_out(db, ballot)


@put("/ballots/{ballot_id:int}/draft", summary="Edit a draft ballot")
async def update_ballot(
    db: AsyncSession, actor: Actor, ballot_id: int, data: lifecycle.BallotDraft
) -> BallotOut:
    ballot = await lifecycle.update_ballot(db, actor, ballot_id, data)
    await db.commit()
    return await _ballot_out(db, ballot)


def _signing(action: str, ctx: AppContext) -> dict[str, Any]:
    """Opening and closing sign a tree head of the ballot's board."""
    return {"signer": ctx.signer} if action in ("open", "close") else {}


def _transition(action: str):  # type: ignore[no-untyped-def]
    service = {
        "open": lifecycle.open_ballot,
        "close": lifecycle.close_ballot,
        "publish": lifecycle.publish_ballot,
        "cancel": lifecycle.cancel_ballot,
    }[action]

    @post(
        f"/ballots/{{ballot_id:int}}/{action}",
        status_code=HTTP_200_OK,
        summary=f"{action.title()} a ballot",
        name=f"{action}_ballot",
        operation_id=f"{action.title()}Ballot",
    )
    async def handler(db: AsyncSession, ctx: AppContext, actor: Actor, ballot_id: int) -> BallotOut:
        ballot = await service(db, actor, ballot_id, **_signing(action, ctx))
        await db.commit()
        return await _ballot_out(db, ballot)

    return handler


@post(
    "/ballots/{ballot_id:int}/invitations",
    status_code=HTTP_201_CREATED,
    summary="Issue invitations",
)
async def issue_invitations(
    db: AsyncSession,
    ctx: AppContext,
    actor: Actor,
    ballot_id: int,
    format: Literal["json", "pdf"] = "json",
) -> Response[Any]:
    """Give a credential to every eligible voter without one; answer JSON or (``?format=pdf``) a PDF.

    Credentials are shown only in this response, so save or print it.
    """
    issued = await invitations.issue_invitations(
        db, actor, ctx.secret_key, ctx.settings.base_url, ballot_id
    )
    await db.commit()
    return _invitations_response(issued, format)


def _invitations_response(issued: list[Invitation], format: str) -> Response[Any]:
    if format == "pdf":
        if not issued:
            return Response(b"", status_code=HTTP_204_NO_CONTENT)
        return Response(
            render_invitations_pdf(issued),
            media_type="application/pdf",
            status_code=HTTP_201_CREATED,
            headers={"content-disposition": 'attachment; filename="invitations.pdf"'},
        )
    return Response(
        msgspec.json.encode(issued), media_type="application/json", status_code=HTTP_201_CREATED
    )


@post("/ballots/{ballot_id:int}/electors/{resident_id:int}/reissue", status_code=HTTP_201_CREATED)
async def reissue(
    db: AsyncSession,
    ctx: AppContext,
    actor: Actor,
    ballot_id: int,
    resident_id: int,
    format: Literal["json", "pdf"] = "json",
) -> Response[Any]:
    """Replace a lost credential: the old one stops working at once."""
    invitation = await invitations.reissue_credential(
        db, actor, ctx.secret_key, ctx.settings.base_url, ballot_id, resident_id
    )
    await db.commit()
    return _invitations_response([invitation], format)


@post("/ballots/{ballot_id:int}/electors/{resident_id:int}/revoke", status_code=HTTP_204_NO_CONTENT)
async def revoke(db: AsyncSession, actor: Actor, ballot_id: int, resident_id: int) -> None:
    await invitations.revoke_credential(db, actor, ballot_id, resident_id)
    await db.commit()


@get("/audit", summary="The audit log of chair actions in your units")
async def audit_log(
    db: AsyncSession,
    actor: Actor,
    limit: int = Parameter(default=100, ge=1, le=1000),
    before: int | None = None,
) -> list[AuditOut]:
    require(actor, "read", actor.unit_path)
    query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
    if before is not None:
        query = query.where(AuditEntry.id < before)
    if not actor.is_operator:
        visible = [u.id for u in await units.list_units(db, actor.unit_path)]
        query = query.where(AuditEntry.unit_id.in_(visible))
    return [
        AuditOut(
            id=e.id,
            at=e.at,
            actor=e.actor,
            action=e.action,
            target=e.target,
            unit_id=e.unit_id,
            source=e.source,
            details=e.details,
        )
        for e in (await db.scalars(query)).all()
    ]


router = Router(
    path="/api/v1",
    route_handlers=[
        me,
        create_api_token,
        list_units,
        create_unit,
        list_matters,
        create_matter,
        matter_record,
        add_note,
        list_ballots,
        create_ballot,
        manage_ballot,
        update_ballot,
        *[_transition(action) for action in ("open", "close", "publish", "cancel")],
        issue_invitations,
        reissue,
        revoke,
        audit_log,
    ],
    dependencies={"actor": Provide(provide_actor)},
    tags=["chairs"],
)
auth_router = Router(path="/api/v1", route_handlers=[login, logout], tags=["chairs"])
