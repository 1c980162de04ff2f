"""Console: the roll — upload a roster, preview what it would change (and every row error),
apply it; search residents; one resident's record; households and buildings.

The uploaded file waits server-side between preview and apply, in a private temporary directory
under a random token bound to the chair's login session (an hour at most), and is checked again
when applied: what is imported is exactly what was previewed, or the page says why not.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import secrets
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, Final

import anyio.to_thread
from litestar import Request, get, post
from litestar.datastructures import UploadFile
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from ballots import units
from ballots.access import Actor, can, require
from ballots.errors import N_, DomainError, NotFound
from ballots.models import Unit
from ballots.roll import MAX_BYTES, RosterError, RosterHasErrors, import_roll, parse_roster
from ballots.roll.records import (
    list_buildings,
    list_households,
    resident_record,
    search_residents,
)
from vote.api.params import CountParam, IdParam, SearchParam
from vote.i18n import gettext_, localise
from vote.pages.console.layout import Errors, console_page, console_router, message_of
from vote.pages.console.matters import parse_id, unit_choices
from vote.web import SESSION_COOKIE, AppContext

PAGE_SIZE: Final = 50
UPLOAD_TTL: Final = 3600
TOKEN = re.compile(r"^[A-Za-z0-9_-]{32}$")
RESIDENT_ROLES: Final = {"owner": N_("Owner"), "tenant": N_("Tenant"), "migrant": N_("Migrant")}
FIELD_LABELS: Final = {
    "external_id": N_("ID"),
    "name": N_("Name"),
    "building": N_("Building"),
    "room": N_("Room"),
    "household": N_("Household"),
    "phone": N_("Phone"),
    "birth_year": N_("Birth year"),
    "role": N_("Role"),
    "area": N_("Area (m²)"),
    "tags": N_("Tags"),
    "flats": N_("Flats owned"),
}


def resident_role(role: str) -> str:
    return gettext_(RESIDENT_ROLES[role]) if role in RESIDENT_ROLES else role


def field_label(name: str) -> str:
    return gettext_(FIELD_LABELS[name]) if name in FIELD_LABELS else name


def shown(value: Any) -> str:
    """A field value as the preview shows it."""
    if value is None or value == []:
        return "—"
    if isinstance(value, list):
        return "、".join(str(item) for item in value)
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def error_text(error: RosterError) -> str:
    """A roster problem in the reader's language."""
    return localise(error.template, error.params) if error.template else error.message


# --- the uploaded file, kept between preview and apply ----------------------------------------


def _upload_dir() -> Path:
    path = Path(tempfile.gettempdir()) / f"vote-roll-uploads-{os.getuid()}"
    path.mkdir(mode=0o700, exist_ok=True)
    return path


def _binding(ctx: AppContext, request: Request[Any, Any, Any]) -> str:
    cookie = request.cookies.get(SESSION_COOKIE, "")
    return hmac.new(ctx.secret_key, b"roll-upload:" + cookie.encode(), hashlib.sha256).hexdigest()


def _sweep(directory: Path) -> None:
    """Forget uploads older than an hour."""
    now = time.time()
    for path in directory.iterdir():
        try:
            if now - path.stat().st_mtime > UPLOAD_TTL:
                path.unlink()
        except OSError:
            pass


def keep_upload(
    ctx: AppContext, request: Request[Any, Any, Any], data: bytes, filename: str, unit_id: int
) -> str:
    """Store the file for the apply step; return its token."""
    directory = _upload_dir()
    _sweep(directory)
    token = secrets.token_urlsafe(24)
    (directory / f"{token}.bin").write_bytes(data)
    meta = {"binding": _binding(ctx, request), "filename": filename, "unit_id": unit_id}
    (directory / f"{token}.json").write_text(json.dumps(meta), encoding="utf-8")
    return token


def load_upload(
    ctx: AppContext, request: Request[Any, Any, Any], token: str
) -> tuple[bytes, str, int] | None:
    """The kept file for ``token`` if it belongs to this login session and is fresh."""
    if not TOKEN.match(token):
        return None
    directory = _upload_dir()
    data_path, meta_path = directory / f"{token}.bin", directory / f"{token}.json"
    try:
        if time.time() - meta_path.stat().st_mtime > UPLOAD_TTL:
            return None
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        if not hmac.compare_digest(str(meta["binding"]), _binding(ctx, request)):
            return None
        return data_path.read_bytes(), str(meta["filename"]), int(meta["unit_id"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def forget_upload(token: str) -> None:
    if TOKEN.match(token):
        for suffix in (".bin", ".json"):
            (_upload_dir() / f"{token}{suffix}").unlink(missing_ok=True)


# --- pages ------------------------------------------------------------------------------------


async def area_choices(db: AsyncSession, actor: Actor) -> list[tuple[int, str]]:
    """Residential areas of the actor's subtree (a roll belongs to one)."""
    return [
        (unit.id, unit.name)
        for unit in await units.list_units(db, actor.unit_path)
        if unit.level == "area"
    ]


async def _roll_page(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    actor: Actor,
    *,
    form: dict[str, str] | None = None,
    errors: Errors | None = None,
    row_errors: list[RosterError] | None = None,
    message: str = "",
    status_code: int = 200,
) -> Template:
    return console_page(
        request,
        ctx,
        actor,
        "console/roll.html",
        section="roll",
        status_code=status_code,
        areas=[(str(uid), name) for uid, name in await area_choices(db, actor)],
        may_manage=can(actor, "manage_roll"),
        form=form or {},
        errors=errors or {},
        row_errors=[(e.row, e.column, error_text(e)) for e in row_errors or []],
        message=message,
        max_mb=MAX_BYTES // (1024 * 1024),
    )


@get("/roll", name="console-roll")
async def roll_home(
    request: Request[Any, Any, Any], db: AsyncSession, ctx: AppContext, actor: Actor
) -> Template:
    return await _roll_page(request, db, ctx, actor)


async def _upload_target(db: AsyncSession, actor: Actor, value: str, errors: Errors) -> Unit | None:
    unit_id = parse_id(value)
    if unit_id is None:
        errors["unit"] = gettext_("Choose a residential area from the list.")
        return None
    unit = await units.get_unit(db, unit_id)
    require(actor, "manage_roll", unit.path)
    if unit.level != "area":
        errors["unit"] = gettext_("Choose a residential area from the list.")
        return None
    return unit


async def _preview(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    actor: Actor,
    unit: Unit,
    data: bytes,
    filename: str,
    token: str | None,
) -> Template:
    """Check the file and show what it would change; errors re-show the upload form."""
    form = {"unit": str(unit.id)}
    unit_id, unit_name = unit.id, unit.name  # the session is rolled back below
    try:
        rows = await anyio.to_thread.run_sync(parse_roster, data, filename)
    except RosterHasErrors as problems:
        if token is not None:
            forget_upload(token)
        count = len(problems.errors)
        return await _roll_page(
            request,
            db,
            ctx,
            actor,
            form=form,
            errors={
                "file": gettext_(
                    "The file has %(n)s error(s); nothing was changed. Correct them in the file "
                    "and upload it again."
                )
                % {"n": count}
            },
            row_errors=problems.errors,
            status_code=422,
        )
    report = await import_roll(db, actor, unit_id, rows, dry_run=True)
    await db.rollback()
    if token is None:
        token = keep_upload(ctx, request, data, filename, unit_id)
    return console_page(
        request,
        ctx,
        actor,
        "console/roll_preview.html",
        section="roll",
        unit_name=unit_name,
        report=report,
        filename=filename,
        token=token,
        field_label=field_label,
        shown=shown,
    )


@post("/roll/preview", request_max_body_size=MAX_BYTES + 256 * 1024)
async def roll_preview(
    request: Request[Any, Any, Any], db: AsyncSession, ctx: AppContext, actor: Actor
) -> Template:
    form_data = await request.form()
    unit_value = form_data.get("unit", "")
    form = {"unit": unit_value if isinstance(unit_value, str) else ""}
    errors: Errors = {}
    unit = await _upload_target(db, actor, form["unit"], errors)
    upload = form_data.get("file")
    data = b""
    filename = ""
    if isinstance(upload, UploadFile):
        filename = (upload.filename or "roster.csv")[:200]
        data = await upload.read()
    if not data:
        errors["file"] = gettext_("Choose the roster file (CSV or XLSX).")
    if errors or unit is None:
        return await _roll_page(request, db, ctx, actor, form=form, errors=errors, status_code=422)
    return await _preview(request, db, ctx, actor, unit, data, filename, None)


@post("/roll/apply")
async def roll_apply(
    request: Request[Any, Any, Any], db: AsyncSession, ctx: AppContext, actor: Actor
) -> Template:
    form_data = await request.form()
    value = form_data.get("token", "")
    token = value if isinstance(value, str) else ""
    kept = load_upload(ctx, request, token)
    if kept is None:
        return await _roll_page(
            request,
            db,
            ctx,
            actor,
            errors={
                "file": gettext_(
                    "The previewed file is no longer kept (after an hour, or after another "
                    "login). Upload it again."
                )
            },
            status_code=409,
        )
    data, filename, unit_id = kept
    unit = await units.get_unit(db, unit_id)
    require(actor, "manage_roll", unit.path)
    unit_name = unit.name
    try:
        rows = await anyio.to_thread.run_sync(parse_roster, data, filename)
        report = await import_roll(db, actor, unit.id, rows, dry_run=False)
        await db.commit()
    except RosterHasErrors:  # the same bytes passed a moment ago; show the preview's errors
        await db.rollback()
        unit = await units.get_unit(db, unit_id)
        return await _preview(request, db, ctx, actor, unit, data, filename, token)
    except DomainError as refused:
        await db.rollback()
        return await _roll_page(
            request, db, ctx, actor, errors={"file": message_of(refused)}, status_code=422
        )
    forget_upload(token)
    counts = report.counts
    return await _roll_page(
        request,
        db,
        ctx,
        actor,
        message=gettext_(
            "Imported into %(unit)s: %(added)s added, %(updated)s changed, %(unchanged)s "
            "unchanged; %(missing)s on the roll but not in the file were kept."
        )
        % {
            "unit": unit_name,
            "added": counts["added"],
            "updated": counts["updated"],
            "unchanged": counts["unchanged"],
            "missing": counts["not_in_file"],
        },
    )


def _pages(total: int, page: int) -> tuple[int, int]:
    last = max(1, (total + PAGE_SIZE - 1) // PAGE_SIZE)
    return min(max(page, 1), last), last


async def _one_page(
    fetch: Callable[[int], Awaitable[tuple[list[Any], int]]], page: int
) -> tuple[list[Any], int, int, int]:
    """Rows of ``page`` (fetched by offset), the total, and the page and last page shown; asks
    again only when ``page`` lies past the last one."""
    rows, total = await fetch((max(page, 1) - 1) * PAGE_SIZE)
    shown_page, last = _pages(total, page)
    if shown_page != page:
        rows, total = await fetch((shown_page - 1) * PAGE_SIZE)
    return rows, total, shown_page, last


async def _scope(db: AsyncSession, actor: Actor, unit: int | None) -> Unit:
    """The unit to list: the chosen one (which must be in the actor's subtree) or their own."""
    if unit is None:
        own = await units.list_units(db, actor.unit_path)
        if not own:
            raise NotFound(what="unit", id=0)
        return own[0]
    chosen = await units.get_unit(db, unit)
    require(actor, "read", chosen.path)
    return chosen


async def _unit_options(db: AsyncSession, actor: Actor) -> list[tuple[str, str]]:
    return [(str(uid), label) for uid, label in await unit_choices(db, actor)]


@get("/roll/residents", name="console-residents")
async def residents_page(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    actor: Actor,
    unit: IdParam | None = None,
    q: SearchParam = "",
    building: SearchParam = "",
    room: SearchParam = "",
    page: CountParam = 1,
) -> Template:
    scope = await _scope(db, actor, unit)

    async def fetch(offset: int) -> tuple[list[Any], int]:
        rows, count = await search_residents(
            db,
            actor,
            scope.id,
            name=q,
            building=building,
            room=room,
            offset=offset,
            limit=PAGE_SIZE,
        )
        return list(rows), count

    found, total, page, last = await _one_page(fetch, page)
    return console_page(
        request,
        ctx,
        actor,
        "console/roll_residents.html",
        section="roll",
        units=await _unit_options(db, actor),
        form={"unit": str(scope.id), "q": q, "building": building, "room": room},
        residents=found,
        total=total,
        page=page,
        last=last,
        resident_role=resident_role,
    )


@get("/roll/residents/{resident_id:int}", name="console-resident")
async def resident_page(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    actor: Actor,
    resident_id: IdParam,
) -> Template:
    record = await resident_record(db, actor, resident_id)
    return console_page(
        request,
        ctx,
        actor,
        "console/roll_resident.html",
        section="roll",
        record=record,
        resident_role=resident_role,
        shown=shown,
    )


@get("/roll/households", name="console-households")
async def households_page(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    actor: Actor,
    unit: IdParam | None = None,
    building: SearchParam = "",
    page: CountParam = 1,
) -> Template:
    scope = await _scope(db, actor, unit)

    async def fetch(offset: int) -> tuple[list[Any], int]:
        found, count = await list_households(
            db, actor, scope.id, building=building, offset=offset, limit=PAGE_SIZE
        )
        return list(found), count

    rows, total, page, last = await _one_page(fetch, page)
    return console_page(
        request,
        ctx,
        actor,
        "console/roll_households.html",
        section="roll",
        units=await _unit_options(db, actor),
        form={"unit": str(scope.id), "building": building},
        households=rows,
        total=total,
        page=page,
        last=last,
        shown=shown,
    )


@get("/roll/buildings", name="console-buildings")
async def buildings_page(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    actor: Actor,
    unit: IdParam | None = None,
) -> Template:
    scope = await _scope(db, actor, unit)
    return console_page(
        request,
        ctx,
        actor,
        "console/roll_buildings.html",
        section="roll",
        units=await _unit_options(db, actor),
        form={"unit": str(scope.id)},
        buildings=await list_buildings(db, actor, scope.id),
    )


router = console_router(
    [
        roll_home,
        roll_preview,
        roll_apply,
        residents_page,
        resident_page,
        households_page,
        buildings_page,
    ]
)
