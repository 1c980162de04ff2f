"""Residents' agency pages, mobile first and without an account: the demand form a poster's QR
code opens (``/d/{token}``: category, text, an optional photo and contact), and the private
link (``/d/r/{secret}``) where the resident follows the demand, reads the reply and rates the
handling once.

The private link's secret is in the path, so the server's access log shows such paths cut to
``/d/r/…`` (:class:`RedactPrivateLinks`). Sending counts against generous limits per address
and per poster, and only wrong links count against the address (:mod:`vote.agency_limits`).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated, Any

from litestar import Request, Router, get, post
from litestar.datastructures import CacheControlHeader, UploadFile
from litestar.params import Parameter
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from ballots.agency import demands as service
from ballots.agency.categories import categories_of
from ballots.agency.demands import CONTACT_MAX, TEXT_MAX
from ballots.agency.errors import PosterUnknown
from ballots.agency.posters import poster_by_token
from ballots.errors import DomainError
from ballots.models import Demand, Poster, Unit
from ballots.uploads import IMAGE_TYPES, UPLOAD_DIR, UploadRefused, store_upload
from vote.agency_limits import demand_sending, link_opening
from vote.i18n import gettext_, localise
from vote.pages.errors import page
from vote.web import AppContext, client_ip

PHOTO_MAX_BYTES = 5 * 1024 * 1024
FORM_MAX_BYTES = PHOTO_MAX_BYTES + 64 * 1024
TokenParam = Annotated[str, Parameter(max_length=32, pattern=r"^[A-Za-z0-9_-]+$")]
SecretParam = Annotated[str, Parameter(max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]
NO_STORE = CacheControlHeader(no_store=True)


class RedactPrivateLinks(logging.Filter):
    """Cut private-link paths in uvicorn's access log to ``/d/r/…``."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if (
            isinstance(args, tuple)
            and len(args) >= 3
            and isinstance(args[2], str)
            and args[2].startswith("/d/r/")
        ):
            record.args = (*args[:2], "/d/r/…", *args[3:])
        return True


logging.getLogger("uvicorn.access").addFilter(RedactPrivateLinks())


def _message(error: DomainError) -> str:
    return (
        localise(error.detail_msgid, error.params) if error.detail_msgid else gettext_(error.title)
    )


def _refusal(error: DomainError) -> Template:
    return page(
        "agency_refused.html",
        status_code=error.status,
        title=gettext_(error.title),
        detail=_message(error),
    )


async def _form(
    db: AsyncSession,
    poster: Poster,
    unit: Unit,
    *,
    form: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    error: str = "",
    status_code: int = 200,
) -> Template:
    categories = await categories_of(db, unit.id)
    await db.commit()  # the default categories, if the unit had none yet
    return page(
        "agency_form.html",
        status_code=status_code,
        poster=poster,
        unit=unit,
        categories=categories,
        form=form or {},
        errors=errors or {},
        error=error,
        text_max=TEXT_MAX,
        contact_max=CONTACT_MAX,
        photo_mb=PHOTO_MAX_BYTES // (1024 * 1024),
    )


@get("/d/{token:str}", name="agency-form", cache_control=NO_STORE)
async def demand_form(db: AsyncSession, token: TokenParam) -> Template:
    """The demand form of one poster."""
    try:
        poster, unit = await poster_by_token(db, token)
    except PosterUnknown as error:
        return _refusal(error)
    return await _form(db, poster, unit)


def _check(form: dict[str, str], category_ids: set[int]) -> dict[str, str]:
    errors: dict[str, str] = {}
    category = form["category"]
    if not (category.isascii() and category.isdigit() and int(category) in category_ids):
        errors["category"] = gettext_("Please choose what it is about.")
    text = form["text"].strip()
    if not text:
        errors["text"] = gettext_("Please describe the problem.")
    elif len(text) > TEXT_MAX:
        errors["text"] = gettext_("At most %(n)s characters, please.") % {"n": TEXT_MAX}
    if len(form["contact"].strip()) > CONTACT_MAX:
        errors["contact"] = gettext_("At most %(n)s characters, please.") % {"n": CONTACT_MAX}
    for name in ("text", "contact"):
        value = form[name]
        if "\x00" in value or any("\ud800" <= ch <= "\udfff" for ch in value):
            errors[name] = gettext_("This contains characters that cannot be stored.")
    return errors


@post(
    "/d/{token:str}",
    request_max_body_size=FORM_MAX_BYTES,
    cache_control=NO_STORE,
)
async def send_demand(
    request: Request[Any, Any, Any], db: AsyncSession, ctx: AppContext, token: TokenParam
) -> Template:
    """Send the demand; the answer shows the private link, once."""
    try:
        poster, unit = await poster_by_token(db, token)
    except PosterUnknown as error:
        return _refusal(error)
    data = await request.form()
    form = {
        name: (value if isinstance(value := data.get(name, ""), str) else "")
        for name in ("category", "text", "contact")
    }
    categories = await categories_of(db, unit.id)
    errors = _check(form, {c.id for c in categories})
    upload = data.get("photo")
    photo_bytes, photo_name = b"", ""
    if isinstance(upload, UploadFile):
        photo_name = upload.filename or ""
        photo_bytes = await upload.read()
    if errors:
        return await _form(db, poster, unit, form=form, errors=errors, status_code=422)
    stored = None
    if photo_bytes:
        try:
            stored = store_upload(
                ctx.settings.data_dir,
                photo_name,
                photo_bytes,
                max_bytes=PHOTO_MAX_BYTES,
                allowed=IMAGE_TYPES,
            )
        except UploadRefused as refused:
            return await _form(
                db, poster, unit, form=form, errors={"photo": _message(refused)}, status_code=422
            )
    try:
        async with demand_sending(ctx, client_ip(request, ctx.settings), token):
            demand, secret = await service.submit_demand(
                db,
                ctx.secret_key,
                token=token,
                category_id=int(form["category"]),
                text=form["text"],
                contact=form["contact"],
                photo=stored,
            )
            number = await service.demand_number(db, demand)
            await db.commit()
    except DomainError as refused:
        await db.rollback()
        if stored is not None:  # nothing is kept of a demand that was not received
            (Path(ctx.settings.data_dir) / UPLOAD_DIR / stored.stored_as).unlink(missing_ok=True)
        return await _form(
            db, poster, unit, form=form, error=_message(refused), status_code=refused.status
        )
    link = f"{ctx.settings.base_url}/d/r/{secret}"
    return page("agency_sent.html", number=number, link=link, unit=unit, due_at=demand.due_at)


async def _status_page(
    db: AsyncSession, demand: Demand, secret: str, *, message: str = "", status_code: int = 200
) -> Template:
    labels = await service.labels_of(db, demand)
    events = await service.history(db, demand.id)
    return page(
        "agency_status.html",
        status_code=status_code,
        demand=demand,
        number=labels.number,
        category=labels.category,
        events=events,
        secret=secret,
        message=message,
        can_rate=demand.replied_at is not None and demand.rating is None,
    )


@get("/d/r/{secret:str}", name="agency-status", cache_control=NO_STORE)
async def demand_status(
    request: Request[Any, Any, Any], db: AsyncSession, ctx: AppContext, secret: SecretParam
) -> Template:
    """Where the resident's demand stands, its history and the reply."""
    try:
        async with link_opening(ctx, client_ip(request, ctx.settings)):
            demand = await service.demand_by_secret(db, ctx.secret_key, secret)
    except DomainError as error:
        return _refusal(error)
    return await _status_page(db, demand, secret)


@post("/d/r/{secret:str}", request_max_body_size=4096, cache_control=NO_STORE)
async def rate(
    request: Request[Any, Any, Any], db: AsyncSession, ctx: AppContext, secret: SecretParam
) -> Template:
    """Rate the handling: 满意, 基本满意 or 不满意, once."""
    data = await request.form()
    rating = data.get("rating", "")
    try:
        async with link_opening(ctx, client_ip(request, ctx.settings)):
            demand = await service.demand_by_secret(db, ctx.secret_key, secret)
    except DomainError as error:
        return _refusal(error)
    if not isinstance(rating, str) or rating not in service.RATINGS:
        return await _status_page(
            db,
            demand,
            secret,
            message=gettext_("Please choose one of the three answers."),
            status_code=422,
        )
    try:
        demand = await service.rate_demand(db, ctx.secret_key, secret, rating)
        await db.commit()
    except DomainError as refused:
        await db.rollback()
        demand = await service.demand_by_secret(db, ctx.secret_key, secret)
        return await _status_page(
            db, demand, secret, message=_message(refused), status_code=refused.status
        )
    return await _status_page(db, demand, secret, message=gettext_("Thank you for your rating."))


router = Router(
    path="/",
    route_handlers=[demand_form, send_demand, demand_status, rate],
    include_in_schema=False,
)
