"""A chair's own account on the console: choose their own password (forced after someone else
set it), change it, see how many recovery codes are left and make new ones.

A chair who must choose their own password is sent here after logging in, and every other
console or chair page sends them back (:class:`vote.web.PasswordChangeRequired`); only this page
and logging out take their login session.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.di import Provide
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from ballots import accounts
from ballots.access import Actor
from ballots.chairs import MIN_PASSWORD_LENGTH, SignIn
from ballots.errors import DomainError, InvalidInput
from ballots.recovery_codes import RECOVERY_CODE_COUNT
from vote.api.params import SearchParam
from vote.guards import guarded, login_attempt
from vote.i18n import gettext_
from vote.pages.console.chairs import check_password as check_new_password
from vote.pages.console.layout import (
    Errors,
    Form,
    console_page,
    console_router,
    message_of,
    read_form,
)
from vote.web import PASSWORD_PATH, AppContext, client_ip, provide_account_actor

ACCOUNT_PATH = "/chair/account"
DASHBOARD_PATH = "/chair/"
FEW_CODES_LEFT = 3
RECOVERY_USED = "used"


def landing_path(signed_in: SignIn) -> str:
    """Where a chair goes after logging in: their own password first when someone else chose
    it; their account (how many recovery codes are left) after logging in with one."""
    query = f"?recovery={RECOVERY_USED}" if signed_in.recovery_code_used else ""
    if signed_in.chair.must_change_password:
        return PASSWORD_PATH + query
    if signed_in.recovery_code_used:
        return ACCOUNT_PATH + query
    return DASHBOARD_PATH


def recovery_notice(recovery: str, left: int) -> str:
    """After a login with a recovery code: it is used up, and how many are left."""
    if recovery != RECOVERY_USED:
        return ""
    text = gettext_(
        "You logged in with a recovery code; it cannot be used again. Unused recovery codes "
        "left: %(left)s."
    ) % {"left": left}
    if left <= FEW_CODES_LEFT:
        text += " " + gettext_(
            "Make new recovery codes below (the old ones then stop working), or ask a chair "
            "manager to enrol your authenticator app again."
        )
    return text


async def _account_page(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    actor: Actor,
    *,
    message: str = "",
    recovery: str = "",
    status_code: int = 200,
) -> Template:
    account = await accounts.account_of(db, actor)
    return console_page(
        request,
        ctx,
        actor,
        "console/account.html",
        section="account",
        status_code=status_code,
        account=account,
        code_count=RECOVERY_CODE_COUNT,
        few_left=account.recovery_codes_left <= FEW_CODES_LEFT,
        message=message,
        notice=recovery_notice(recovery, account.recovery_codes_left),
    )


@get("/account", name="console-account")
async def account_page(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    actor: Actor,
    recovery: SearchParam = "",
) -> Template:
    """The chair's own account: who they are, their password, their recovery codes."""
    return await _account_page(request, db, ctx, actor, recovery=recovery)


async def _password_page(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    actor: Actor,
    *,
    errors: Errors | None = None,
    error: str = "",
    recovery: str = "",
    status_code: int = 200,
) -> Template:
    account = await accounts.account_of(db, actor)
    return console_page(
        request,
        ctx,
        actor,
        "console/account_password.html",
        section="account",
        status_code=status_code,
        forced=account.must_change_password,
        errors=errors or {},
        error=error,
        notice=recovery_notice(recovery, account.recovery_codes_left),
        min_password=MIN_PASSWORD_LENGTH,
    )


@get(
    "/account/password",
    name="console-password",
    dependencies={"actor": Provide(provide_account_actor)},
)
async def password_form(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    actor: Actor,
    recovery: SearchParam = "",
) -> Template:
    """Choose one's own password (the only page open until someone else's password is gone)."""
    return await _password_page(request, db, ctx, actor, recovery=recovery)


FIELD_OF_ERROR: dict[type[DomainError], str] = {
    accounts.WrongPassword: "current",
    accounts.PasswordNotNew: "password",
    InvalidInput: "password",
}


async def _change(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    ctx: AppContext,
    actor: Actor,
    form: Form,
    *,
    forced: bool,
) -> None:
    """Change the password; a wrong current password counts as a failed login."""
    current = None if forced else form["current"]
    if current is None:
        await accounts.change_own_password(db, actor, new=form["password"])
        return
    attempt = await login_attempt(ctx, actor.name, client_ip(request, ctx.settings))
    async with guarded(attempt, accounts.WrongPassword):
        await accounts.change_own_password(db, actor, new=form["password"], current=current)


@post("/account/password", dependencies={"actor": Provide(provide_account_actor)})
async def change_password(
    request: Request[Any, Any, Any], db: AsyncSession, ctx: AppContext, actor: Actor
) -> Template:
    """Set the chair's own password; errors beside their fields, nothing changed."""
    form = await read_form(request, "current", "password", "password2")
    forced = (await accounts.account_of(db, actor)).must_change_password
    errors: Errors = {}
    if not forced and not form["current"]:
        errors["current"] = gettext_("Please fill this in.")
    check_new_password(errors, form)
    if errors:
        return await _password_page(request, db, ctx, actor, errors=errors, status_code=422)
    try:
        await _change(request, db, ctx, actor, form, forced=forced)
        await db.commit()
    except DomainError as refused:
        await db.rollback()
        field = FIELD_OF_ERROR.get(type(refused), "")
        return await _password_page(
            request,
            db,
            ctx,
            actor,
            errors={field: message_of(refused)} if field else {},
            error="" if field else message_of(refused),
            status_code=refused.status,
        )
    message = (
        gettext_("Your own password is set. From now on you log in with it.")
        if forced
        else gettext_("Your password is changed; your other logins have ended.")
    )
    return await _account_page(request, db, ctx, actor, message=message)


@post("/account/recovery-codes")
async def new_recovery_codes(
    request: Request[Any, Any, Any], db: AsyncSession, ctx: AppContext, actor: Actor
) -> Template:
    """Ten new recovery codes, shown once; the old ones stop working."""
    codes = await accounts.replace_recovery_codes(db, actor, ctx.secret_key)
    await db.commit()
    return console_page(
        request,
        ctx,
        actor,
        "console/account_codes.html",
        section="account",
        no_store=True,
        username=actor.name,
        recovery_codes=codes,
    )


router = console_router([account_page, password_form, change_password, new_recovery_codes])
