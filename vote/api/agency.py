"""The agency's JSON API: residents send a demand from a poster, follow it and rate the handling
with their private link's secret (always in the body, so it never appears in a URL or a log);
chairs read their subtree's inbox, accept, forward, reply, remind, close, escalate, and read
the 三率 statistics, categories and posters. A demand may carry a photo (a multipart form, the
same limits as the poster's web form); chairs fetch it, and each poster as a PDF to print."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

import msgspec
from litestar import Request, Response, Router, get, post
from litestar.datastructures import UploadFile
from litestar.di import Provide
from litestar.exceptions import ValidationException
from litestar.params import Parameter
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED
from sqlalchemy.ext.asyncio import AsyncSession

from ballots.access import Actor, require
from ballots.agency import demands as service
from ballots.agency.categories import categories_of
from ballots.agency.posters import create_poster, deactivate_poster, posters_of
from ballots.agency.stats import current_period, period, three_rates
from ballots.errors import NotFound
from ballots.models import Demand
from ballots.units import get_unit
from ballots.uploads import IMAGE_TYPES, UPLOAD_DIR, StoredFile, read_upload, store_upload
from vote.agency_limits import demand_sending, link_opening
from vote.api.agency_schemas import (
    CategoryOut,
    DemandIn,
    DemandOut,
    DemandPage,
    EscalateIn,
    EventOut,
    ForwardIn,
    NoteIn,
    PosterIn,
    PosterOut,
    RatesOut,
    RatingIn,
    ReplyIn,
    SecretIn,
    StatsOut,
    StatusOut,
    SubmittedOut,
    utc,
)
from vote.api.openapi import BINARY, EXTRA_ERRORS, NON_JSON_ANSWERS, RAW_BODIES
from vote.api.params import CountParam, IdParam
from vote.pages.agency import FORM_MAX_BYTES, PHOTO_MAX_BYTES
from vote.pages.console.agency import poster_pdf as render_poster
from vote.pages.console.agency import poster_pdf_headers
from vote.web import AppContext, client_ip, provide_actor

LimitParam = Annotated[int, Parameter(ge=1, le=200)]
StateParam = Annotated[
    Literal["", "open", "received", "accepted", "forwarded", "replied", "escalated", "closed"],
    Parameter(query="state"),
]
PeriodParam = Annotated[Literal["month", "quarter", "year"], Parameter()]
YearParam = Annotated[int, Parameter(ge=2000, le=2100)]
NumberParam = Annotated[int, Parameter(ge=1, le=12)]

# The public operations' errors beyond the general rules (vote.api.openapi).
EXTRA_ERRORS.update(
    {
        ("POST", "/api/v1/agency/public/demands"): {404, 422, 429},
        ("POST", "/api/v1/agency/public/status"): {404, 429},
        ("POST", "/api/v1/agency/public/rating"): {404, 409, 422, 429},
        ("GET", "/api/v1/agency/stats"): {404, 422},
        ("GET", "/api/v1/agency/demands"): {404, 422},
    }
)
PHOTO_FORM_PATH = "/api/v1/agency/public/demands/with-photo"
EXTRA_ERRORS[("POST", PHOTO_FORM_PATH)] = {404, 422, 429}
_DEMAND_SCHEMA = msgspec.json.schema(DemandIn)
_DEMAND_FIELDS = _DEMAND_SCHEMA["$defs"]["DemandIn"]
RAW_BODIES[("POST", PHOTO_FORM_PATH)] = {
    "description": "The demand's fields as a multipart form, with an optional photo in the "
    f"field ``photo`` (at most {PHOTO_MAX_BYTES // (1024 * 1024)} MB; a JPG, PNG or WebP "
    "image, judged by its bytes).",
    "required": True,
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "required": _DEMAND_FIELDS["required"],
                "properties": _DEMAND_FIELDS["properties"] | {"photo": BINARY},
            },
            "encoding": {"photo": {"contentType": ", ".join(sorted(IMAGE_TYPES))}},
        }
    },
}
NON_JSON_ANSWERS[("GET", "/api/v1/agency/posters/{poster_id}/pdf")] = {
    "200": {
        "description": "The poster: one A4 page.",
        "content": {"application/pdf": {"schema": BINARY}},
    }
}
NON_JSON_ANSWERS[("GET", "/api/v1/agency/demands/{demand_id}/photo")] = {
    "200": {
        "description": "The photo, as the image type detected when it was sent (never HTML).",
        "content": {kind: {"schema": BINARY} for kind in sorted(IMAGE_TYPES)},
    }
}


PRIVATE_FILE = {
    "x-content-type-options": "nosniff",
    "cache-control": "private, no-store",
    "content-security-policy": "default-src 'none'; sandbox",
}


def private_link(ctx: AppContext, secret: str) -> str:
    return f"{ctx.settings.base_url}/d/r/{secret}"


def poster_link(ctx: AppContext, token: str) -> str:
    return f"{ctx.settings.base_url}/d/{token}"


async def status_of(db: AsyncSession, demand: Demand) -> StatusOut:
    """The resident's view of their demand."""
    labels = await service.labels_of(db, demand)
    events = [EventOut.of(e, public=True) for e in await service.history(db, demand.id)]
    rating: Any = demand.rating
    return StatusOut(
        number=labels.number,
        category=labels.category,
        text=demand.text,
        state=demand.state,
        received_at=utc(demand.received_at) or demand.received_at,
        due_at=utc(demand.due_at),
        reply=demand.reply,
        resolved=demand.resolved,
        rating=rating,
        can_rate=demand.replied_at is not None and demand.rating is None,
        events=events,
    )


async def demand_out(db: AsyncSession, demand: Demand, *, with_events: bool) -> DemandOut:
    labels = await service.labels_of(db, demand)
    events = (
        [EventOut.of(e, public=False) for e in await service.history(db, demand.id)]
        if with_events
        else None
    )
    return DemandOut.of(
        demand,
        number=labels.number,
        category=labels.category,
        first_receiver=labels.first_receiver,
        overdue=service.overdue_days(demand),
        events=events,
    )


@post("/agency/public/demands", status_code=HTTP_201_CREATED, summary="Send a demand from a poster")
async def submit(
    request: Request[Any, Any, Any], db: AsyncSession, ctx: AppContext, data: DemandIn
) -> SubmittedOut:
    """A resident sends a demand (no account). The answer holds the secret of the private link,
    shown only now. A demand with a photo goes to ``/agency/public/demands/with-photo``.

    Errors: ``poster-unknown`` (404), ``invalid-input`` (422: no such category, empty text),
    ``too-many-demands`` (429: 30 an hour from one address, 120 an hour through one poster).
    """
    async with demand_sending(ctx, client_ip(request, ctx.settings), data.token):
        demand, secret = await service.submit_demand(
            db,
            ctx.secret_key,
            token=data.token,
            category_id=data.category_id,
            text=data.text,
            contact=data.contact,
        )
        number = await service.demand_number(db, demand)
        await db.commit()
    return SubmittedOut(
        number=number,
        secret=secret,
        link=private_link(ctx, secret),
        due_at=utc(demand.due_at) or demand.received_at,
    )


async def _demand_form(request: Request[Any, Any, Any]) -> tuple[DemandIn, UploadFile | None]:
    """The demand's fields and photo from a multipart form (400 when a field is missing, not
    text or out of bounds, as in the JSON body)."""
    form = await request.form()
    fields: dict[str, str] = {}
    for name in ("token", "category_id", "text", "contact"):
        value = form.get(name)
        if value is None:
            continue
        if not isinstance(value, str):
            raise ValidationException(f"the field {name!r} must be text")
        fields[name] = value
    try:
        data = msgspec.convert(fields, DemandIn, strict=False)
    except msgspec.ValidationError as error:
        raise ValidationException(str(error)) from None
    photo = form.get("photo")
    if photo is not None and not isinstance(photo, UploadFile):
        raise ValidationException("the photo must be sent as a file")
    return data, photo


@post(
    "/agency/public/demands/with-photo",
    status_code=HTTP_201_CREATED,
    request_max_body_size=FORM_MAX_BYTES,
    summary="Send a demand from a poster, with a photo (multipart)",
)
async def submit_with_photo(
    request: Request[Any, Any, Any], db: AsyncSession, ctx: AppContext
) -> SubmittedOut:
    """The same demand as ``POST /api/v1/agency/public/demands``, sent as the poster's web form
    sends it: a multipart form whose optional ``photo`` is checked as the form checks it.

    Errors: ``upload-refused`` (422: the photo is empty, too large or not a JPG, PNG or WebP
    image; the detail names which), ``body-too-large`` (413), and those of the JSON route. A
    refused demand keeps nothing, its photo included.
    """
    data, upload = await _demand_form(request)
    stored: StoredFile | None = None
    if upload is not None and (photo := await upload.read()):
        stored = store_upload(
            ctx.settings.data_dir,
            upload.filename or "",
            photo,
            max_bytes=PHOTO_MAX_BYTES,
            allowed=IMAGE_TYPES,
        )
    try:
        return await _submit(request, db, ctx, data, stored)
    except BaseException:
        await db.rollback()
        if stored is not None:  # nothing is kept of a demand that was not received
            (Path(ctx.settings.data_dir) / UPLOAD_DIR / stored.stored_as).unlink(missing_ok=True)
        raise


async def _submit(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    data: DemandIn,
    photo: StoredFile | None = None,
) -> SubmittedOut:
    async with demand_sending(ctx, client_ip(request, ctx.settings), data.token):
        demand, secret = await service.submit_demand(
            db,
            ctx.secret_key,
            token=data.token,
            category_id=data.category_id,
            text=data.text,
            contact=data.contact,
            photo=photo,
        )
        number = await service.demand_number(db, demand)
        await db.commit()
    return SubmittedOut(
        number=number,
        secret=secret,
        link=private_link(ctx, secret),
        due_at=utc(demand.due_at) or demand.received_at,
    )


@post("/agency/public/status", status_code=HTTP_200_OK, summary="A demand, by its secret")
async def status(
    request: Request[Any, Any, Any], db: AsyncSession, ctx: AppContext, data: SecretIn
) -> StatusOut:
    """Where the resident's demand stands, its history and the reply.

    Errors: ``demand-link-unknown`` (404), ``too-many-wrong-links`` (429).
    """
    async with link_opening(ctx, client_ip(request, ctx.settings)):
        demand = await service.demand_by_secret(db, ctx.secret_key, data.secret)
    return await status_of(db, demand)


@post("/agency/public/rating", status_code=HTTP_200_OK, summary="Rate the handling, once")
async def rate(
    request: Request[Any, Any, Any], db: AsyncSession, ctx: AppContext, data: RatingIn
) -> StatusOut:
    """满意 (``satisfied``), 基本满意 (``basic``) or 不满意 (``unsatisfied``), once the committee
    has replied; only once.

    Errors: ``demand-link-unknown`` (404), ``demand-not-replied`` and ``demand-already-rated``
    (409), ``too-many-wrong-links`` (429).
    """
    async with link_opening(ctx, client_ip(request, ctx.settings)):
        demand = await service.rate_demand(db, ctx.secret_key, data.secret, data.rating)
        await db.commit()
    return await status_of(db, demand)


@get("/agency/demands", summary="The inbox of the chair's units")
async def inbox(
    db: AsyncSession,
    actor: Actor,
    unit_id: IdParam | None = None,
    state_filter: StateParam = "",
    overdue: bool = False,
    offset: CountParam = 0,
    limit: LimitParam = 50,
) -> DemandPage:
    """Demands of the chair's units (or of ``unit_id`` and below): waiting ones first, then
    newest. ``state=open``: all not yet replied or closed."""
    page = await service.inbox(
        db,
        actor,
        unit_id=unit_id,
        state=state_filter,
        overdue_only=overdue,
        offset=offset,
        limit=limit,
    )
    return DemandPage(
        demands=[await demand_out(db, d, with_events=False) for d in page.demands],
        total=page.total,
        offset=page.offset,
        limit=page.limit,
    )


@get("/agency/demands/{demand_id:int}", summary="A demand with its history (chairs)")
async def read(db: AsyncSession, actor: Actor, demand_id: IdParam) -> DemandOut:
    demand, _unit = await service.get_demand(db, actor, demand_id)
    return await demand_out(db, demand, with_events=True)


@get("/agency/demands/{demand_id:int}/photo", summary="A demand's photo (chairs)")
async def photo(
    db: AsyncSession, ctx: AppContext, actor: Actor, demand_id: IdParam
) -> Response[bytes]:
    """The photo the resident sent, as its detected image type, never HTML (``not-found``, 404,
    when the demand has none)."""
    demand, _unit = await service.get_demand(db, actor, demand_id)
    data = read_upload(ctx.settings.data_dir, demand.photo or "")
    if data is None or demand.photo_type is None:
        raise NotFound(what="file", id=demand_id)
    return Response(content=data, media_type=demand.photo_type, headers=PRIVATE_FILE)


async def _done(db: AsyncSession, demand: Demand) -> DemandOut:
    await db.commit()
    return await demand_out(db, demand, with_events=True)


@post("/agency/demands/{demand_id:int}/accept", status_code=HTTP_200_OK)
async def accept(db: AsyncSession, actor: Actor, demand_id: IdParam) -> DemandOut:
    """Take the demand on: the chair becomes its first receiver for good (首问首接首办)."""
    return await _done(db, await service.accept_demand(db, actor, demand_id))


@post("/agency/demands/{demand_id:int}/forward", status_code=HTTP_200_OK)
async def forward(db: AsyncSession, actor: Actor, demand_id: IdParam, data: ForwardIn) -> DemandOut:
    """Pass the demand to an organisation offered to its unit, with a note."""
    demand = await service.forward_demand(
        db, actor, demand_id, organisation_id=data.organisation_id, note=data.note
    )
    return await _done(db, demand)


@post("/agency/demands/{demand_id:int}/reply", status_code=HTTP_200_OK)
async def reply(db: AsyncSession, actor: Actor, demand_id: IdParam, data: ReplyIn) -> DemandOut:
    """Reply to the resident, saying whether the problem is resolved."""
    demand = await service.reply_demand(
        db, actor, demand_id, text=data.text, resolved=data.resolved
    )
    return await _done(db, demand)


@post("/agency/demands/{demand_id:int}/remind", status_code=HTTP_200_OK)
async def remind(db: AsyncSession, actor: Actor, demand_id: IdParam, data: NoteIn) -> DemandOut:
    """催办: record a reminder."""
    return await _done(db, await service.remind_demand(db, actor, demand_id, note=data.note))


@post("/agency/demands/{demand_id:int}/close", status_code=HTTP_200_OK)
async def close(db: AsyncSession, actor: Actor, demand_id: IdParam, data: NoteIn) -> DemandOut:
    return await _done(db, await service.close_demand(db, actor, demand_id, note=data.note))


@post("/agency/demands/{demand_id:int}/escalate", status_code=HTTP_200_OK)
async def escalate(
    db: AsyncSession, actor: Actor, demand_id: IdParam, data: EscalateIn
) -> DemandOut:
    """Take the demand to a coordination meeting: a new ``coordination`` matter in its unit."""
    demand, _matter = await service.escalate_demand(db, actor, demand_id, title=data.title)
    return await _done(db, demand)


@get("/agency/stats", summary="三率 per unit and period")
async def stats(
    db: AsyncSession,
    actor: Actor,
    unit_id: IdParam,
    kind: PeriodParam = "month",
    year: YearParam | None = None,
    number: NumberParam | None = None,
) -> StatsOut:
    """响应率, 解决率 and 满意率 of the demands received in the period, for the unit (with its
    subtree) and each unit below it. Without ``year`` the current period.

    Errors: ``invalid-input`` (422: a quarter above 4).
    """
    when = current_period(kind) if year is None else period(kind, year, number or 1)
    rows = await three_rates(db, actor, unit_id, when)
    return StatsOut(
        period=when.kind,
        year=when.year,
        number=when.number,
        start=when.start,
        end=when.end,
        units=[RatesOut.of(r) for r in rows],
    )


@get("/agency/units/{unit_id:int}/categories", summary="A unit's demand categories")
async def categories(db: AsyncSession, actor: Actor, unit_id: IdParam) -> list[CategoryOut]:
    unit = await get_unit(db, unit_id)
    require(actor, "read", unit.path)
    found = await categories_of(db, unit.id, include_inactive=True)
    await db.commit()
    return [CategoryOut(c.id, c.name, c.deadline_days, c.active) for c in found]


@get("/agency/units/{unit_id:int}/posters", summary="A unit's QR posters")
async def posters(
    db: AsyncSession, ctx: AppContext, actor: Actor, unit_id: IdParam
) -> list[PosterOut]:
    found = await posters_of(db, actor, unit_id)
    return [
        PosterOut(p.id, p.building, p.token, poster_link(ctx, p.token), p.active) for p in found
    ]


@post("/agency/units/{unit_id:int}/posters", status_code=HTTP_201_CREATED)
async def new_poster(
    db: AsyncSession, ctx: AppContext, actor: Actor, unit_id: IdParam, data: PosterIn
) -> PosterOut:
    """A new poster for ``building`` (empty: the whole area), with a new random address."""
    poster = await create_poster(db, actor, unit_id=unit_id, building=data.building)
    await db.commit()
    return PosterOut(poster.id, poster.building, poster.token, poster_link(ctx, poster.token), True)


@get("/agency/posters/{poster_id:int}/pdf", summary="A poster as an A4 PDF to print")
async def poster_pdf(
    db: AsyncSession, ctx: AppContext, actor: Actor, poster_id: IdParam
) -> Response[bytes]:
    """A large title, the building or area, the QR code of the demand form, the steps in plain
    words and the unit's name; in the request's language (Chinese unless asked otherwise)."""
    return Response(
        content=await render_poster(db, ctx, actor, poster_id),
        media_type="application/pdf",
        headers=poster_pdf_headers(poster_id),
    )


@post("/agency/posters/{poster_id:int}/deactivate", status_code=HTTP_200_OK)
async def stop_poster(
    db: AsyncSession, ctx: AppContext, actor: Actor, poster_id: IdParam
) -> PosterOut:
    poster = await deactivate_poster(db, actor, poster_id)
    await db.commit()
    return PosterOut(
        poster.id, poster.building, poster.token, poster_link(ctx, poster.token), False
    )


public_router = Router(
    path="/api/v1",
    route_handlers=[submit, submit_with_photo, status, rate],
    tags=["agency (residents)"],
)
router = Router(
    path="/api/v1",
    route_handlers=[
        inbox,
        read,
        photo,
        accept,
        forward,
        reply,
        remind,
        close,
        escalate,
        stats,
        categories,
        posters,
        new_poster,
        poster_pdf,
        stop_poster,
    ],
    dependencies={"actor": Provide(provide_actor)},
    tags=["agency"],
)
