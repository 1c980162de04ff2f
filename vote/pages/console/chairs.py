"""Console: chairs (staff accounts) in the subtree — list, add with a TOTP enrolment QR and ten
recovery codes shown once, disable and enable, reset the password (the chair then chooses their
own at their next login), re-enrol TOTP (new recovery codes too), change the role."""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.response import Template
from markupsafe import Markup, escape
from sqlalchemy.ext.asyncio import AsyncSession

from ballots import chairs, recovery_codes, units
from ballots.access import Actor, can, require
from ballots.errors import DomainError, DuplicateName, NotFound
from ballots.models import Chair, Unit
from ballots.models.bounds import USERNAME_LENGTH
from ballots.models.chairs import CHAIR_ROLES
from vote.api.params import IdParam
from vote.i18n import gettext_
from vote.pages.console.layout import (
    Errors,
    Form,
    check_text,
    console_page,
    console_router,
    message_of,
    read_form,
)
from vote.pages.console.matters import parse_id, unit_choices
from vote.pages.labels import role_label
from vote.printing import qr_svg
from vote.web import AppContext

DISPLAY_NAME_LENGTH = 100
PASSWORD_MAX = 200


def grantable_roles(actor: Actor) -> list[tuple[str, str]]:
    """The roles ``actor`` may give, for a select box."""
    return [(role, role_label(role)) for role in CHAIR_ROLES if chairs.may_grant(actor, role)]


def enrolment(new: chairs.NewChair) -> dict[str, Any]:
    """What the page shows once: the QR of the provisioning URI, the secret in groups and the
    recovery codes."""
    label = gettext_("QR code for the authenticator app of %(name)s") % {"name": new.username}
    svg = qr_svg(new.provisioning_uri).replace(
        'role="img"', f'role="img" aria-label="{escape(label)}"', 1
    )
    secret = new.totp_secret
    return {
        "qr": Markup(svg),  # noqa: S704 - our own SVG, the label escaped above
        "secret_groups": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
        "username": new.username,
        "chair_id": new.chair_id,
        "recovery_codes": new.recovery_codes,
    }


def check_password(errors: Errors, form: Form) -> str:
    """The new password typed twice, or a note in ``errors`` beside the field."""
    password = form.get("password", "")
    if len(password) < chairs.MIN_PASSWORD_LENGTH:
        errors["password"] = gettext_("At least %(n)s characters, please.") % {
            "n": chairs.MIN_PASSWORD_LENGTH
        }
    elif len(password) > PASSWORD_MAX:
        errors["password"] = gettext_("At most %(n)s characters, please.") % {"n": PASSWORD_MAX}
    elif password != form.get("password2", ""):
        errors["password2"] = gettext_("The two passwords differ.")
    return password


@get("/chairs", name="console-chairs")
async def chair_list(
    request: Request[Any, Any, Any], db: AsyncSession, ctx: AppContext, actor: Actor
) -> Template:
    require(actor, "read", actor.unit_path)
    found = sorted(
        await chairs.list_chairs(db, actor.unit_path), key=lambda row: (row[1].path, row[0].id)
    )
    return console_page(
        request,
        ctx,
        actor,
        "console/chairs.html",
        section="chairs",
        chairs=found,
        may_manage=can(actor, "manage_chairs"),
    )


async def _new_form(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    actor: Actor,
    *,
    form: Form,
    errors: Errors | None = None,
    error: str = "",
    status_code: int = 200,
) -> Template:
    return console_page(
        request,
        ctx,
        actor,
        "console/chair_new.html",
        section="chairs",
        status_code=status_code,
        units=await unit_choices(db, actor),
        roles=grantable_roles(actor),
        form=form,
        errors=errors or {},
        error=error,
        username_max=USERNAME_LENGTH,
        min_password=chairs.MIN_PASSWORD_LENGTH,
    )


@get("/chairs/new", name="console-chair-new")
async def new_chair_form(
    request: Request[Any, Any, Any], db: AsyncSession, ctx: AppContext, actor: Actor
) -> Template:
    require(actor, "manage_chairs", actor.unit_path)
    return await _new_form(request, db, ctx, actor, form={})


@post("/chairs/new")
async def new_chair(
    request: Request[Any, Any, Any], db: AsyncSession, ctx: AppContext, actor: Actor
) -> Template:
    require(actor, "manage_chairs", actor.unit_path)
    form = await read_form(
        request, "username", "display_name", "unit", "role", "password", "password2"
    )
    errors: Errors = {}
    username = check_text(errors, "username", form["username"], maximum=USERNAME_LENGTH)
    if "username" not in errors and any(ch.isspace() for ch in username):
        errors["username"] = gettext_("A user name has no spaces.")
    display_name = check_text(
        errors, "display_name", form["display_name"], maximum=DISPLAY_NAME_LENGTH, required=False
    )
    unit_id = parse_id(form["unit"])
    if unit_id is None:
        errors["unit"] = gettext_("Choose a unit from the list.")
    if form["role"] not in CHAIR_ROLES:
        errors["role"] = gettext_("Choose a role from the list.")
    elif not chairs.may_grant(actor, form["role"]):
        errors["role"] = gettext_("You can only give a role that can do no more than your own.")
    password = check_password(errors, form)
    if errors or unit_id is None:
        return await _new_form(request, db, ctx, actor, form=form, errors=errors, status_code=422)
    unit = await units.get_unit(db, unit_id)
    require(actor, "manage_chairs", unit.path)
    try:
        created = await chairs.create_chair(
            db,
            actor,
            ctx.secret_key,
            username=username,
            password=password,
            role=form["role"],
            unit_id=unit.id,
            display_name=display_name,
        )
        await db.commit()
    except DuplicateName:
        await db.rollback()
        errors["username"] = gettext_("This user name is taken. Choose another.")
        return await _new_form(request, db, ctx, actor, form=form, errors=errors, status_code=409)
    except DomainError as refused:
        await db.rollback()
        return await _new_form(
            request, db, ctx, actor, form=form, error=message_of(refused), status_code=422
        )
    return console_page(
        request,
        ctx,
        actor,
        "console/chair_enrol.html",
        section="chairs",
        no_store=True,
        heading=gettext_("Chair %(name)s is added") % {"name": created.username},
        must_change_password=True,
        **enrolment(created),
    )


async def _chair_and_unit(db: AsyncSession, actor: Actor, chair_id: int) -> tuple[Chair, Unit]:
    chair = await db.get(Chair, chair_id)
    if chair is None:
        raise NotFound(what="chair", id=chair_id)
    unit = await units.get_unit(db, chair.unit_id)
    require(actor, "read", unit.path)
    return chair, unit


async def _detail(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    actor: Actor,
    chair_id: int,
    *,
    form: Form | None = None,
    errors: Errors | None = None,
    message: str = "",
    error: str = "",
    generated: str = "",
    status_code: int = 200,
) -> Template:
    chair, unit = await _chair_and_unit(db, actor, chair_id)
    return console_page(
        request,
        ctx,
        actor,
        "console/chair.html",
        section="chairs",
        status_code=status_code,
        no_store=bool(generated),
        chair=chair,
        unit=unit,
        roles=grantable_roles(actor),
        may_manage=can(actor, "manage_chairs"),
        form={"role": chair.role} | (form or {}),
        errors=errors or {},
        message=message,
        error=error,
        generated=generated,
        min_password=chairs.MIN_PASSWORD_LENGTH,
        recovery_codes_left=await recovery_codes.codes_left(db, chair.id),
    )


@get("/chairs/{chair_id:int}", name="console-chair")
async def chair_detail(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    actor: Actor,
    chair_id: IdParam,
) -> Template:
    return await _detail(request, db, ctx, actor, chair_id)


async def _refused(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    actor: Actor,
    chair_id: int,
    refused: DomainError,
    *,
    form: Form | None = None,
    field: str = "",
) -> Template:
    """The chair's page again after the service refused a change (rolled back)."""
    await db.rollback()
    if refused.status == 403 and not isinstance(refused, chairs.CannotGrantRole):
        raise refused  # outside the unit, or a role without manage_chairs: the refusal page
    errors = {field: message_of(refused)} if field else {}
    return await _detail(
        request,
        db,
        ctx,
        actor,
        chair_id,
        form=form,
        errors=errors,
        error="" if field else message_of(refused),
        status_code=refused.status,
    )


@post("/chairs/{chair_id:int}/disable")
async def disable(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    actor: Actor,
    chair_id: IdParam,
) -> Template:
    try:
        chair = await chairs.disable_chair(db, actor, chair_id)
        name = chair.username
        await db.commit()
    except DomainError as refused:
        return await _refused(request, db, ctx, actor, chair_id, refused)
    message = gettext_("%(name)s can no longer log in; their sessions and tokens have ended.")
    return await _detail(request, db, ctx, actor, chair_id, message=message % {"name": name})


@post("/chairs/{chair_id:int}/enable")
async def enable(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    actor: Actor,
    chair_id: IdParam,
) -> Template:
    try:
        chair = await chairs.enable_chair(db, actor, chair_id)
        name = chair.username
        await db.commit()
    except DomainError as refused:
        return await _refused(request, db, ctx, actor, chair_id, refused)
    message = gettext_("%(name)s can log in again.") % {"name": name}
    return await _detail(request, db, ctx, actor, chair_id, message=message)


@post("/chairs/{chair_id:int}/role")
async def set_role(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    actor: Actor,
    chair_id: IdParam,
) -> Template:
    form = await read_form(request, "role")
    if form["role"] not in CHAIR_ROLES:
        await _chair_and_unit(db, actor, chair_id)
        return await _detail(
            request,
            db,
            ctx,
            actor,
            chair_id,
            form=form,
            errors={"role": gettext_("Choose a role from the list.")},
            status_code=422,
        )
    try:
        await chairs.change_role(db, actor, chair_id, form["role"])
        await db.commit()
    except DomainError as refused:
        return await _refused(request, db, ctx, actor, chair_id, refused, form=form, field="role")
    return await _detail(request, db, ctx, actor, chair_id, message=gettext_("Saved."))


@post("/chairs/{chair_id:int}/password")
async def set_password(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    actor: Actor,
    chair_id: IdParam,
) -> Template:
    form = await read_form(request, "how", "password", "password2")
    errors: Errors = {}
    password: str | None = None
    if form["how"] != "generate":
        password = check_password(errors, form)
    if errors:
        await _chair_and_unit(db, actor, chair_id)
        return await _detail(
            request, db, ctx, actor, chair_id, form=form, errors=errors, status_code=422
        )
    try:
        new = await chairs.reset_password(db, actor, chair_id, password)
        await db.commit()
    except DomainError as refused:
        return await _refused(request, db, ctx, actor, chair_id, refused, field="password")
    return await _detail(
        request,
        db,
        ctx,
        actor,
        chair_id,
        message=gettext_(
            "The password is changed; the chair's other logins have ended. At their next login "
            "they choose their own."
        )
        if actor.chair_id != chair_id
        else gettext_("The password is changed; the chair's other logins have ended."),
        generated=new if password is None else "",
    )


@post("/chairs/{chair_id:int}/totp")
async def reenrol(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    actor: Actor,
    chair_id: IdParam,
) -> Template:
    try:
        new = await chairs.reenrol_totp(db, actor, ctx.secret_key, chair_id)
        await db.commit()
    except DomainError as refused:
        return await _refused(request, db, ctx, actor, chair_id, refused)
    return console_page(
        request,
        ctx,
        actor,
        "console/chair_enrol.html",
        section="chairs",
        no_store=True,
        heading=gettext_("A new authenticator code for %(name)s") % {"name": new.username},
        reenrolled=True,
        **enrolment(new),
    )


router = console_router(
    [
        chair_list,
        new_chair_form,
        new_chair,
        chair_detail,
        disable,
        enable,
        set_role,
        set_password,
        reenrol,
    ]
)
