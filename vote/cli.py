"""The ``vote`` command: serve, migrate, demo data, units, roll import, chairs, matters, ballots,
invitations and API tokens. Errors print one clear line and exit non-zero.
"""

from __future__ import annotations

import asyncio
import getpass
import os
import sys
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import click
import msgspec
from sqlalchemy.ext.asyncio import AsyncSession

from ballots import chairs, invitations, lifecycle, matters, schedule, units
from ballots.access import operator
from ballots.copying import BallotCopy, CopyDropped, copy_ballot
from ballots.db import create_engine, create_sessionmaker, dispose
from ballots.errors import DomainError, NotFound, TransitionNotAllowed, fill
from ballots.migrate import upgrade
from ballots.models import Ballot, Chair, Unit
from ballots.models.chairs import CHAIR_ROLES
from ballots.roll import MAX_BYTES, RosterHasErrors, import_roll, parse_roster
from ballots.runoff import create_runoff
from ballots.warnings import PublishNeedsConfirmation
from vote.pages.times import DEFAULT_ZONE
from vote.settings import Settings, ensure_data_dir, signer

T = TypeVar("T")


def _use_listen_address(host: str, port: int) -> None:
    """Without ``VOTE_BASE_URL``, links and QR codes point where the server listens."""
    if not os.environ.get("VOTE_BASE_URL"):
        shown = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host  # noqa: S104 - display only
        os.environ["VOTE_BASE_URL"] = f"http://{shown}:{port}"
        if shown != host:
            click.echo(
                "note: set VOTE_BASE_URL to the address phones can reach; links use "
                f"{os.environ['VOTE_BASE_URL']}",
                err=True,
            )


def _settings() -> Settings:
    settings = Settings.from_env()
    ensure_data_dir(settings)
    return settings


def run_db(work: Callable[[AsyncSession, Settings], Coroutine[Any, Any, T]]) -> T:
    """Run ``work`` with a database session, turning domain errors into one-line failures."""
    settings = _settings()

    async def main() -> T:
        engine = create_engine(settings.database_url)
        try:
            async with create_sessionmaker(engine)() as session:
                return await work(session, settings)
        finally:
            await dispose(engine)

    try:
        return asyncio.run(main())
    except RosterHasErrors as error:
        for problem in error.errors:
            click.echo(f"  {problem.message}", err=True)
        raise click.ClickException(fill(error.detail_msgid, error.params)) from None
    except DomainError as error:
        raise click.ClickException(error.detail) from None


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Residents' deliberation and voting service (三会一代理)."""


WORKER_STARTUP_SECONDS = 120
"""How long ``vote serve --workers N`` lets a worker start before replacing it."""


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=int, help="Port to listen on.")
@click.option("--workers", default=1, show_default=True, type=int, help="Worker processes.")
@click.option(
    "--access-log/--no-access-log",
    default=False,
    show_default=True,
    help="Log a line per request (with the client's address: off by default, for privacy).",
)
def serve(host: str, port: int, workers: int, access_log: bool) -> None:
    """Run the web service (migrating the database first)."""
    import uvicorn

    _use_listen_address(host, port)
    settings = _settings()
    upgrade(settings.database_url)
    settings.secret_key()  # create the key before workers race for it
    click.echo(f"Serving on http://{host}:{port}/ (public links use {settings.base_url})")
    uvicorn.run(
        "vote.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="info",
        access_log=access_log,
        proxy_headers=False,
        # A new worker imports the whole app before it answers uvicorn's health check; on a
        # loaded two-core server that took 28 s, and the default 5 s killed every worker in turn.
        timeout_worker_healthcheck=WORKER_STARTUP_SECONDS,
    )


@main.group()
def db() -> None:
    """Database maintenance."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Apply every pending migration."""
    settings = _settings()
    upgrade(settings.database_url)
    click.echo("database is up to date")


@main.group()
def unit() -> None:
    """Districts, streets and residential areas."""


@unit.command("add")
@click.option("--name", required=True, help="Name, e.g. 瑞金二路街道.")
@click.option("--code", required=True, help="Short unique code, e.g. ruijin2.")
@click.option("--level", required=True, type=click.Choice(["district", "street", "area"]))
@click.option("--parent", default=None, help="Parent unit id or code (not for a district).")
def unit_add(name: str, code: str, level: str, parent: str | None) -> None:
    """Add a unit to the tree."""

    async def work(session: AsyncSession, _: Settings) -> None:
        parent_id = (await units.find_unit(session, parent)).id if parent else None
        created = await units.create_unit(
            session, operator(), name=name, code=code, level=level, parent_id=parent_id
        )
        await session.commit()
        click.echo(f"unit {created.id} {created.code} {created.name}")

    run_db(work)


@unit.command("list")
def unit_list() -> None:
    """List every unit, indented by level."""

    async def work(session: AsyncSession, _: Settings) -> None:
        for item in await units.list_units(session):
            depth = item.path.count("/") - 2
            click.echo(f"{'  ' * depth}{item.id:>4} {item.code:<16} {item.level:<8} {item.name}")

    run_db(work)


@main.group()
def roll() -> None:
    """The roll (名册) of residents and households."""


@roll.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--unit", "unit_ref", required=True, help="Residential area id or code.")
@click.option("--dry-run", is_flag=True, help="Show what would change; write nothing.")
def roll_import(file: Path, unit_ref: str, dry_run: bool) -> None:
    """Import residents from a CSV (UTF-8 or GB18030) or XLSX roster."""

    with file.open("rb") as handle:  # one byte past the limit is enough to refuse a big file
        content = handle.read(MAX_BYTES + 1)

    async def work(session: AsyncSession, _: Settings) -> None:
        target = await units.find_unit(session, unit_ref)
        rows = parse_roster(content, file.name)
        report = await import_roll(session, operator(), target.id, rows, dry_run=dry_run)
        if dry_run:
            await session.rollback()
        else:
            await session.commit()
        counts = report.counts
        prefix = "dry run, nothing written: would add" if dry_run else "added"
        click.echo(
            f"{prefix} {counts['added']}, update {counts['updated']}, unchanged {counts['unchanged']}, "
            f"not in file {counts['not_in_file']} (households added {counts['households_added']})"
        )
        for change in report.updated[:50]:
            fields = ", ".join(f"{c.field}" for c in change.changes)
            click.echo(f"  update {change.external_id} {change.name}: {fields}")

    run_db(work)


@main.group()
def chair() -> None:
    """Chair (staff) accounts."""


@chair.command("add")
@click.option("--username", required=True)
@click.option("--role", required=True, type=click.Choice(list(CHAIR_ROLES)))
@click.option("--unit", "unit_ref", required=True, help="Unit id or code the chair is scoped to.")
@click.option("--name", "display_name", default="", help="Display name.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@click.option(
    "--keep-password",
    is_flag=True,
    help="Do not make the chair choose their own password at the first login (for an operator "
    "adding their own account).",
)
def chair_add(
    username: str,
    role: str,
    unit_ref: str,
    display_name: str,
    password_stdin: bool,
    keep_password: bool,
) -> None:
    """Create a chair; prints the TOTP secret and a QR code to enrol an authenticator app, and
    ten one-time recovery codes. The chair chooses their own password at the first login."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass("Password: ")
        if getpass.getpass("Repeat password: ") != password:
            raise click.ClickException("the passwords differ")

    async def work(session: AsyncSession, settings: Settings) -> chairs.NewChair:
        target = await units.find_unit(session, unit_ref)
        created = await chairs.create_chair(
            session,
            operator(),
            settings.secret_key(),
            username=username,
            password=password,
            role=role,
            unit_id=target.id,
            display_name=display_name,
            must_change_password=not keep_password,
        )
        await session.commit()
        return created

    created = run_db(work)
    click.echo(f"chair {created.chair_id} {created.username} created.")
    click.echo("Scan this with an authenticator app (or type the secret):")
    print_qr(created.provisioning_uri)
    click.echo(f"TOTP secret: {created.totp_secret}")
    print_recovery_codes(created.recovery_codes)
    if not keep_password:
        click.echo(f"At the first login {created.username} chooses their own password.")


def print_recovery_codes(codes: list[str]) -> None:
    """The recovery codes, shown once, one a line."""
    click.echo(
        "Recovery codes (shown once; each logs in once in place of the 6-digit code; "
        "keep them apart from the phone):"
    )
    for code in codes:
        click.echo(f"  {code}")


def print_qr(data: str) -> None:
    """Draw a QR code in the terminal."""
    import io

    import qrcode

    code = qrcode.QRCode(border=2)
    code.add_data(data)
    buffer = io.StringIO()
    code.print_ascii(out=buffer, invert=True)
    click.echo(buffer.getvalue())


@chair.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def chair_list(as_json: bool) -> None:
    """List chairs: id, user name, role, unit and whether they may log in."""

    async def work(session: AsyncSession, _: Settings) -> list[dict[str, Any]]:
        rows = await chairs.list_chairs(session)
        return [
            {
                "id": found.id,
                "username": found.username,
                "display_name": found.display_name,
                "role": found.role,
                "unit": unit.code,
                "disabled_at": found.disabled_at.isoformat() if found.disabled_at else None,
            }
            for found, unit in sorted(rows, key=lambda row: row[0].id)
        ]

    listed = run_db(work)
    if as_json:
        click.echo(msgspec.json.encode(listed).decode())
        return
    for item in listed:
        state = "disabled" if item["disabled_at"] else "active"
        click.echo(
            f"{item['id']:>5}  {item['username']:<16} {item['role']:<15} {item['unit']:<12} "
            f"{state:<8} {item['display_name']}"
        )


def _chair_command(name: str, help_text: str, done: str, service: Any) -> None:
    """A command that applies one chair-management service to the chair named USERNAME."""

    @chair.command(name, help=help_text)
    @click.argument("username")
    def command(username: str) -> None:
        async def work(session: AsyncSession, _: Settings) -> None:
            await service(session, operator(), (await _chair_named(session, username)).id)
            await session.commit()

        run_db(work)
        click.echo(f"chair {username} {done}")


_chair_command(
    "disable",
    "Disable a chair: no more logins; their sessions and API tokens end (audited).",
    "is disabled; their sessions and tokens have ended",
    chairs.disable_chair,
)
_chair_command(
    "enable",
    "Let a disabled chair log in again (audited).",
    "may log in again",
    chairs.enable_chair,
)


@chair.command("reset-password")
@click.argument("username")
@click.option("--password-stdin", is_flag=True, help="Read the new password from standard input.")
def chair_reset_password(username: str, password_stdin: bool) -> None:
    """Set a chair's password (or print a generated one); their login sessions end and they
    choose their own password at their next login (audited)."""
    password = sys.stdin.readline().rstrip("\n") if password_stdin else None

    async def work(session: AsyncSession, _: Settings) -> str:
        target = await _chair_named(session, username)
        new = await chairs.reset_password(session, operator(), target.id, password)
        await session.commit()
        return new

    new = run_db(work)
    if password is None:
        click.echo(new)
        click.echo(
            f"the new password of {username} is shown once: hand it over in person", err=True
        )
    else:
        click.echo(f"the password of {username} is changed")
    # Beside a generated password, stdout holds only the password (for scripts).
    click.echo(f"at their next login {username} chooses their own password", err=password is None)


@chair.command("reenrol")
@click.argument("username")
def chair_reenrol(username: str) -> None:
    """Give a chair a new TOTP secret and recovery codes (the old app and codes stop working);
    prints the QR, the secret and the codes."""

    async def work(session: AsyncSession, settings: Settings) -> chairs.NewChair:
        target = await _chair_named(session, username)
        new = await chairs.reenrol_totp(session, operator(), settings.secret_key(), target.id)
        await session.commit()
        return new

    new = run_db(work)
    click.echo(
        f"chair {username} has a new authenticator key and recovery codes; the old ones no "
        "longer work."
    )
    click.echo("Scan this with an authenticator app (or type the secret):")
    print_qr(new.provisioning_uri)
    click.echo(f"TOTP secret: {new.totp_secret}")
    print_recovery_codes(new.recovery_codes)


@chair.command("role")
@click.argument("username")
@click.argument("role", type=click.Choice(list(CHAIR_ROLES)))
def chair_role(username: str, role: str) -> None:
    """Give a chair another role (audited)."""

    async def work(session: AsyncSession, _: Settings) -> None:
        target = await _chair_named(session, username)
        await chairs.change_role(session, operator(), target.id, role)
        await session.commit()

    run_db(work)
    click.echo(f"chair {username} is now {role}")


@main.group()
def token() -> None:
    """API tokens for scripts."""


@token.command("create")
@click.option("--chair", "username", required=True, help="The chair the token acts as.")
@click.option("--name", required=True, help="What the token is for.")
@click.option(
    "--days",
    type=click.IntRange(1, chairs.API_TOKEN_MAX_LIFETIME.days),
    default=chairs.API_TOKEN_LIFETIME.days,
    show_default=True,
    help="Days until the token expires.",
)
@click.option("--read-only", is_flag=True, help="The token may only read (GET), never change.")
def token_create(username: str, name: str, days: int, read_only: bool) -> None:
    """Create an API token (shown once) acting as a chair."""

    async def work(session: AsyncSession, _: Settings) -> chairs.IssuedToken:
        issued = await chairs.issue_token(
            session,
            await _chair_named(session, username),
            kind="api",
            name=name,
            source="cli",
            scope="read" if read_only else "full",
            lifetime=timedelta(days=days),
        )
        await session.commit()
        return issued

    issued = run_db(work)
    click.echo(issued.token)
    click.echo(
        f"token {issued.id} ({issued.scope}) expires {issued.expires_at:%Y-%m-%d %H:%M} UTC",
        err=True,
    )


@token.command("list")
@click.option("--chair", "username", default=None, help="Only this chair's tokens.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def token_list(username: str | None, as_json: bool) -> None:
    """List API tokens (never their secrets), newest first."""

    async def work(session: AsyncSession, _: Settings) -> list[chairs.TokenInfo]:
        chair_id = (await _chair_named(session, username)).id if username else None
        return await chairs.list_tokens(session, operator(), chair_id=chair_id)

    tokens = run_db(work)
    if as_json:
        click.echo(msgspec.json.encode(tokens).decode())
        return
    now = datetime.now(UTC)
    for item in tokens:
        state = "revoked" if item.revoked_at else "expired" if item.expires_at <= now else "active"
        click.echo(
            f"{item.id:>5}  {item.chair:<16} {item.scope:<5} {state:<8} "
            f"expires {item.expires_at:%Y-%m-%d}  {item.name}"
        )


@token.command("revoke")
@click.argument("token_id", type=click.IntRange(1))
def token_revoke(token_id: int) -> None:
    """Revoke an API token at once (audited)."""

    async def work(session: AsyncSession, _: Settings) -> chairs.TokenInfo:
        revoked = await chairs.revoke_token(session, operator(), token_id)
        await session.commit()
        return revoked

    revoked = run_db(work)
    click.echo(f"token {revoked.id} of {revoked.chair} ({revoked.name}) is revoked")


async def _chair_named(session: AsyncSession, username: str) -> Chair:
    from sqlalchemy import select

    found = await session.scalar(select(Chair).where(Chair.username == username))
    if found is None:
        raise NotFound(what="chair", id=username)
    return found


@main.group()
def matter() -> None:
    """Matters (decision records)."""


@matter.command("add")
@click.option("--unit", "unit_ref", required=True, help="Unit id or code.")
@click.option(
    "--kind",
    required=True,
    type=click.Choice(
        ["hearing", "coordination", "evaluation", "agency", "practical", "selection"]
    ),
)
@click.option("--title", required=True)
@click.option("--description", default="")
def matter_add(unit_ref: str, kind: str, title: str, description: str) -> None:
    """Record a new matter."""

    async def work(session: AsyncSession, _: Settings) -> None:
        target = await units.find_unit(session, unit_ref)
        created = await matters.create_matter(
            session, operator(), unit_id=target.id, kind=kind, title=title, description=description
        )
        await session.commit()
        click.echo(f"matter {created.id} {created.title}")

    run_db(work)


@main.group()
def ballot() -> None:
    """Ballots: create, list, copy, schedule, open, close, publish, cancel."""


@ballot.command("create")
@click.option("--matter", "matter_id", required=True, type=int)
@click.option(
    "--spec",
    "spec_file",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="JSON file: title, questions, revoting, voting_unit, weighting, eligibility.",
)
def ballot_create(matter_id: int, spec_file: Path) -> None:
    """Create a draft ballot from a JSON file (see docs/operators.md)."""
    try:
        draft = msgspec.json.decode(spec_file.read_bytes(), type=lifecycle.BallotDraft)
    except (msgspec.ValidationError, msgspec.DecodeError) as error:
        raise click.ClickException(f"{spec_file}: {error}") from None

    async def work(session: AsyncSession, _: Settings) -> None:
        created = await lifecycle.create_ballot(session, operator(), matter_id, draft)
        await session.commit()
        click.echo(f"ballot {created.id} {created.title} (draft)")

    run_db(work)


@ballot.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def ballot_list(as_json: bool) -> None:
    """List ballots with their state and turnout."""
    from vote.api.schemas import BallotSummary

    async def work(session: AsyncSession, _: Settings) -> list[BallotSummary]:
        return [BallotSummary.of(b) for b, _m in await lifecycle.list_ballots(session)]

    summaries = run_db(work)
    if as_json:
        click.echo(msgspec.json.encode(summaries).decode())
        return
    for item in summaries:
        size = item.electorate_size if item.electorate_size is not None else "-"
        click.echo(f"{item.id:>4}  {item.state:<10} eligible {size!s:<6} {item.title}")


def _transition_command(action: str) -> None:
    helps = {
        "close": "Close a ballot, count it, and print the turnout and the outcome.",
        "publish": "Publish a closed ballot's result, and print the turnout and the outcome.",
        "cancel": "Cancel a draft or open ballot for a reason (an open ballot's board ends "
        "with it).",
    }
    # Only cancel takes a reason, and it must.
    reason_option: Callable[[Callable[..., None]], Callable[..., None]] = (
        click.option(
            "--reason",
            required=True,
            help="Why the ballot is cancelled (1 to 500 characters; shown on its public board).",
        )
        if action == "cancel"
        else (lambda function: function)
    )

    @ballot.command(action, help=helps.get(action, f"{action.title()} a ballot."))
    @click.argument("ballot_id", type=int)
    @click.option(
        "--yes",
        is_flag=True,
        help="Publish even though the result has warnings (no quorum, runoff, low turnout, "
        "a draw, a close margin), having read them.",
    )
    @reason_option
    def command(ballot_id: int, yes: bool, reason: str | None = None) -> None:
        async def work(session: AsyncSession, settings: Settings) -> None:
            try:
                moved = await lifecycle.move_ballot(
                    session,
                    operator(),
                    ballot_id,
                    action,
                    signer=signer(settings),
                    confirmed=yes,
                    reason=reason,
                )
            except PublishNeedsConfirmation as refused:
                counted = await lifecycle.get_ballot(session, ballot_id)
                for line in outcome_lines(counted):
                    click.echo(line, err=True)
                raise click.ClickException(
                    f"the result has warnings ({refused.params['codes']}): read them above, then "
                    "publish with --yes"
                ) from None
            await session.commit()
            click.echo(f"ballot {moved.id} is now {moved.state}")
            if action in ("close", "publish") and moved.result is not None:
                for line in outcome_lines(moved):
                    click.echo(line)

        run_db(work)


def outcome_lines(counted: Ballot) -> list[str]:
    """The turnout and each question's outcome of a counted ballot, as the CLI prints them."""
    result = msgspec.json.decode(counted.result or "{}")
    spec = lifecycle.ballot_spec(counted)
    electorate = counted.electorate_size or 0
    ballots = int(result.get("ballots", 0))
    who = "households" if counted.voting_unit == "household" else "voters"
    rate = f" ({100 * ballots / electorate:.1f}%)" if electorate else ""
    lines = [f"turnout: {ballots} of {electorate} {who}{rate}"]
    questions = {question.id: question for question in spec.questions}
    for item in result.get("questions", []):
        question = questions.get(item.get("question", ""))
        labels = {option.id: option.label for option in question.options} if question else {}
        prompt = question.prompt if question else item.get("question", "")
        winners = ", ".join(labels.get(w, w) for w in item.get("winners", []))
        lines.append(
            f"{item.get('question', '')}: {item.get('outcome', '')}"
            + (f": {winners}" if winners else "")
            + f"  ({prompt})"
        )
        if item.get("message"):
            lines.append(f"  {item['message']}")
        for warning in item.get("warnings", []):
            details = " ".join(f"{k}={v}" for k, v in warning.items() if k != "code")
            lines.append(f"  warning: {warning.get('code', '')} {details}".rstrip())
    return lines


def parse_time(value: str, zone: str = DEFAULT_ZONE) -> datetime:
    """A time as typed (``2026-12-05 18:00``), in Beijing time unless it carries an offset
    (``2026-12-05T10:00Z``, ``2026-12-05 18:00+08:00``)."""
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise click.BadParameter(
            f"{value!r} is not a time; write it like 2026-12-05 18:00"
        ) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=ZoneInfo(zone))
    return parsed


def _shown(at: datetime | None, zone: str = DEFAULT_ZONE) -> str:
    if at is None:
        return "by hand"
    return f"{at.astimezone(ZoneInfo(zone)):%Y-%m-%d %H:%M} Beijing time"


@ballot.command("schedule")
@click.argument("ballot_id", type=int)
@click.option("--opens", default=None, help='When it opens by itself, e.g. "2026-12-05 09:00".')
@click.option("--closes", default=None, help='When it closes by itself, e.g. "2026-12-05 18:00".')
@click.option("--clear", is_flag=True, help="Remove both times: open and close by hand.")
def ballot_schedule(ballot_id: int, opens: str | None, closes: str | None, clear: bool) -> None:
    """Set when a ballot opens and closes by itself (Beijing time unless an offset is given).

    A time left out keeps its current value; an open ballot may only change its closing time.
    """
    if clear and (opens or closes):
        raise click.UsageError("--clear removes both times; give it alone")
    if not clear and opens is None and closes is None:
        raise click.UsageError("give --opens, --closes or both (or --clear)")
    opens_at = parse_time(opens) if opens else None
    closes_at = parse_time(closes) if closes else None

    async def work(session: AsyncSession, _: Settings) -> Ballot:
        current = await lifecycle.get_ballot(session, ballot_id)
        keep = not clear
        scheduled = await schedule.schedule_ballot(
            session,
            operator(),
            ballot_id,
            opens_at or (current.opens_at if keep else None),
            closes_at or (current.closes_at if keep else None),
        )
        await session.commit()
        return scheduled

    done = run_db(work)
    click.echo(
        f"ballot {done.id} ({done.state}) opens {_shown(done.opens_at)}, "
        f"closes {_shown(done.closes_at)}"
    )


@ballot.command("runoff")
@click.argument("ballot_id", type=int)
def ballot_runoff(ballot_id: int) -> None:
    """Draft the second round of a counted ballot whose result is a runoff (same electorate)."""

    async def work(session: AsyncSession, _: Settings) -> Ballot:
        created = await create_runoff(session, operator(), ballot_id)
        await session.commit()
        return created

    created = run_db(work)
    click.echo(f"ballot {created.id} drafted: {created.title}")


def dropped_lines(dropped: CopyDropped, unit_names: dict[int, str]) -> list[str]:
    """What a copy left out of its source, one plain line each (empty when nothing)."""
    lines = []
    if dropped.units:
        names = "、".join(unit_names.get(unit_id, str(unit_id)) for unit_id in dropped.units)
        lines.append(f"left out: voters from {names} (outside the target unit)")
    if dropped.buildings:
        lines.append(f"left out: buildings {'、'.join(dropped.buildings)} (another area's roll)")
    if dropped.electorate_of is not None:
        lines.append(
            f"left out: the frozen electorate of ballot {dropped.electorate_of} "
            "(the copy's voters come from the target unit's roll)"
        )
    if dropped.opens_at is not None or dropped.closes_at is not None:
        lines.append("left out: the opening and closing times (schedule the copy again)")
    return lines


@ballot.command("copy")
@click.argument("ballot_id", type=click.IntRange(1))
@click.option("--unit", "unit_ref", required=True, help="Target unit id or code.")
@click.option(
    "--matter",
    "matter_id",
    type=click.IntRange(1),
    default=None,
    help="A matter of the target unit (default: a new matter with the same kind and title).",
)
def ballot_copy(ballot_id: int, unit_ref: str, matter_id: int | None) -> None:
    """Copy a ballot (in any state) to a unit as a new draft, and say what was left out."""

    async def work(session: AsyncSession, _: Settings) -> tuple[BallotCopy, dict[int, str]]:
        target = await units.find_unit(session, unit_ref)
        done = await copy_ballot(
            session, operator(), ballot_id, unit_id=target.id, matter_id=matter_id
        )
        await session.commit()
        names = {}
        for unit_id in done.dropped.units:
            found = await session.get(Unit, unit_id)
            names[unit_id] = found.name if found else str(unit_id)
        return done, names

    done, names = run_db(work)
    click.echo(
        f"ballot {done.ballot.id} drafted on matter {done.matter.id} ({done.matter.title}): "
        f"{done.ballot.title}"
    )
    for line in dropped_lines(done.dropped, names) or ["nothing was left out"]:
        click.echo(line)


for _action in lifecycle.TRANSITIONS:
    _transition_command(_action)


@ballot.command("result")
@click.argument("ballot_id", type=int)
def ballot_result(ballot_id: int) -> None:
    """Print a closed ballot's stored result as JSON."""

    async def work(session: AsyncSession, _: Settings) -> str:
        found = await lifecycle.get_ballot(session, ballot_id)
        if found.result is None:
            raise TransitionNotAllowed(state=found.state, action="shown a result")
        return found.result

    click.echo(run_db(work))


@main.group("board")
def board_group() -> None:
    """The public bulletin board of a ballot."""


@board_group.command("export")
@click.argument("ballot_id", type=int)
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path))
def board_export(ballot_id: int, out: Path) -> None:
    """Write a ballot's board file (check it with `tally verify FILE`)."""
    from ballots import board

    async def work(session: AsyncSession, settings: Settings) -> int:
        found = await lifecycle.get_ballot(session, ballot_id)
        if found.state == "draft":
            raise TransitionNotAllowed(state=found.state, action="exported")
        written = 0
        with out.open("wb") as handle:
            async for line in board.board_lines(session, signer(settings), ballot_id):
                handle.write(line)
                written += 1
        return written

    click.echo(f"wrote {run_db(work)} lines to {out}")


@main.command("invitations")
@click.argument("ballot_id", type=int)
@click.option(
    "--out",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="PDF file to write.",
)
@click.option(
    "--reissue",
    "resident_id",
    type=int,
    default=None,
    help="Replace one resident's lost credential.",
)
@click.option("--locale", default="zh_CN", type=click.Choice(["zh_CN", "en"]), show_default=True)
def invitations_command(ballot_id: int, out: Path, resident_id: int | None, locale: str) -> None:
    """Issue credentials to everyone eligible who has none yet and write their invitations as PDF."""
    from vote.printing import render_invitations_pdf

    async def work(
        session: AsyncSession, settings: Settings
    ) -> tuple[list[invitations.Invitation], bytes]:
        key, base = settings.secret_key(), settings.base_url
        if resident_id is not None:
            issued = [
                await invitations.reissue_credential(
                    session, operator(), key, base, ballot_id, resident_id
                )
            ]
        else:
            issued = await invitations.issue_invitations(session, operator(), key, base, ballot_id)
        pdf = (
            render_invitations_pdf(issued, locale=locale, office_phone=settings.office_phone)
            if issued
            else b""
        )
        await session.commit()
        return issued, pdf

    issued, pdf = run_db(work)
    if not issued:
        raise click.ClickException(
            "everyone eligible already has an invitation; use --reissue RESIDENT_ID"
        )
    out.write_bytes(pdf)
    click.echo(f"wrote {len(issued)} invitations to {out}")


@main.group(invoke_without_command=True)
@click.option("--serve", "then_serve", is_flag=True, help="Start the service after seeding.")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.pass_context
def demo(ctx: click.Context, then_serve: bool, host: str, port: int) -> None:
    """Fill an empty database with realistic demo data and print how to use it."""
    if ctx.invoked_subcommand is not None:
        return
    from vote import demo as demo_data

    if then_serve:
        _use_listen_address(host, port)
    settings = _settings()
    upgrade(settings.database_url)

    async def work(session: AsyncSession, settings: Settings) -> demo_data.DemoInfo | None:
        if await demo_data.is_seeded(session):
            return None
        return await demo_data.seed(
            session, settings.secret_key(), settings.base_url, signer=signer(settings)
        )

    info = run_db(work)
    if info is None:
        click.echo("The database already has data; the demo was not added again.")
        click.echo("(To start over, stop the service and delete the var/ directory.)")
    else:
        click.echo(f"Demo data created in {settings.database_url}")
        click.echo("")
        click.echo(f"Open:             {settings.base_url}/")
        click.echo(f"Chair login:      {settings.base_url}/chair/login")
        click.echo(f"  user name:      {info.chair_username}")
        click.echo(f"  password:       {info.chair_password}")
        click.echo(f"  TOTP secret:    {info.totp_secret}  (add it to an authenticator app,")
        click.echo("                  or run `vote demo code` for the current 6-digit code)")
        click.echo(f"Published result: {settings.base_url}/ballots/{info.published_ballot_id}")
        click.echo(
            f"Its public board: {settings.base_url}/api/v1/ballots/{info.published_ballot_id}/board"
            "  (check it: .venv/bin/tally verify URL)"
        )
        click.echo("Vote with these invitation links (one vote each):")
        for title, links in info.invitation_urls.items():
            click.echo(f"  {title}")
            for link in links:
                click.echo(f"    {link}")
    if then_serve:
        ctx.invoke(serve, host=host, port=port, workers=1)


@demo.command("code")
def demo_code() -> None:
    """Print the demo chair's current TOTP code (demo only: it reads the secret from the database)."""
    import pyotp
    from sqlalchemy import select

    async def work(session: AsyncSession, settings: Settings) -> str:
        found = await session.scalar(select(Chair).where(Chair.username == "chair"))
        if found is None:
            raise NotFound(what="demo chair", id="chair")
        return pyotp.TOTP(chairs.totp_secret_of(found, settings.secret_key())).now()

    click.echo(run_db(work))


if __name__ == "__main__":  # pragma: no cover
    main()
