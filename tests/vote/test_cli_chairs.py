"""``vote chair list|disable|enable|reset-password|reenrol|role``, run for real against a
SQLite file: each one changes what it says (a disabled chair cannot log in, a new password and
a new TOTP secret log in, the old secret does not), audited, and errors are one line."""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import select

from ballots.chairs import authenticate
from ballots.db import create_engine, create_sessionmaker, dispose
from ballots.errors import InvalidLogin
from ballots.models import AuditEntry, Chair
from tests.vote.helpers import totp_code
from tests.vote.test_cli import fails_with_one_line, make_area, ok
from vote.cli import main
from vote.settings import Settings

PASSWORD = "a-long-password"


@pytest.fixture
def cli(tmp_path: Path):  # type: ignore[no-untyped-def]
    """Run ``vote`` on a fresh SQLite file (as tests/vote/test_cli.py does)."""
    runner = CliRunner(
        env={
            "VOTE_DATA_DIR": str(tmp_path / "var"),
            "VOTE_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'vote.sqlite3'}",
            "VOTE_BASE_URL": "http://vote.test",
            "VOTE_SECRET_KEY": "",
            "VOTE_REDIS_URL": "",
        }
    )

    def run(*args: str, stdin: str | None = None) -> Result:
        return runner.invoke(main, list(args), input=stdin, catch_exceptions=False)

    run("db", "upgrade")
    return run


def add_chair(cli, name: str = "li") -> str:  # type: ignore[no-untyped-def]
    out = ok(
        cli(
            "chair",
            "add",
            "--username",
            name,
            "--role",
            "area_chair",
            "--unit",
            "sinan",
            "--password-stdin",
            stdin=PASSWORD + "\n",
        )
    )
    found = re.search(r"TOTP secret: ([A-Z2-7]+)", out)
    assert found
    return found.group(1)


def try_login(tmp_path: Path, username: str, password: str, secret: str, *, ahead: int = 0) -> bool:
    """Log in through the service itself, against the CLI's database and secret key."""
    settings = Settings.from_env(
        {
            "VOTE_DATA_DIR": str(tmp_path / "var"),
            "VOTE_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'vote.sqlite3'}",
        }
    )

    async def attempt() -> bool:
        engine = create_engine(settings.database_url)
        try:
            async with create_sessionmaker(engine)() as session:
                try:
                    await authenticate(
                        session,
                        settings.secret_key(),
                        username,
                        password,
                        totp_code(secret, ahead=ahead),
                    )
                except InvalidLogin:
                    return False
                await session.commit()
                return True
        finally:
            await dispose(engine)

    return asyncio.run(attempt())


def audited(tmp_path: Path) -> list[str]:
    async def read() -> list[str]:
        engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'vote.sqlite3'}")
        try:
            async with create_sessionmaker(engine)() as session:
                return list((await session.scalars(select(AuditEntry.action))).all())
        finally:
            await dispose(engine)

    return asyncio.run(read())


def test_list_disable_enable_and_role(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    make_area(cli)
    add_chair(cli)
    listed = json.loads(ok(cli("chair", "list", "--json")))
    assert [(c["username"], c["role"], c["unit"]) for c in listed] == [
        ("li", "area_chair", "sinan")
    ]
    assert "li" in ok(cli("chair", "list"))
    assert "disabled" in ok(cli("chair", "disable", "li"))
    assert json.loads(ok(cli("chair", "list", "--json")))[0]["disabled_at"]
    ok(cli("chair", "enable", "li"))
    assert json.loads(ok(cli("chair", "list", "--json")))[0]["disabled_at"] is None
    ok(cli("chair", "role", "li", "street_chair"))
    assert json.loads(ok(cli("chair", "list", "--json")))[0]["role"] == "street_chair"
    assert {"chair.disable", "chair.enable", "chair.role"} <= set(audited(tmp_path))
    fails_with_one_line(cli("chair", "disable", "nobody"))
    assert cli("chair", "role", "li", "emperor").exit_code != 0


def test_reset_password_and_reenrol(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    make_area(cli)
    old_secret = add_chair(cli)
    generated = ok(cli("chair", "reset-password", "li")).strip()
    assert len(generated) >= 20
    assert try_login(tmp_path, "li", generated, old_secret)
    out = ok(cli("chair", "reenrol", "li"))
    new_secret = re.search(r"TOTP secret: ([A-Z2-7]+)", out)
    assert new_secret and new_secret.group(1) != old_secret
    assert not try_login(tmp_path, "li", generated, old_secret)
    ok(cli("chair", "reset-password", "li", "--password-stdin", stdin="another-long-one\n"))
    assert try_login(tmp_path, "li", "another-long-one", new_secret.group(1))
    refused = fails_with_one_line(
        cli("chair", "reset-password", "li", "--password-stdin", stdin="short\n")
    )
    assert "at least 10 characters" in refused
    assert try_login(tmp_path, "li", "another-long-one", new_secret.group(1), ahead=1)
    assert {"chair.reset_password", "chair.reenrol_totp"} <= set(audited(tmp_path))


def chair_flag(tmp_path: Path, username: str) -> bool:
    async def read() -> bool:
        engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'vote.sqlite3'}")
        try:
            async with create_sessionmaker(engine)() as session:
                found = await session.scalar(
                    select(Chair.must_change_password).where(Chair.username == username)
                )
                return bool(found)
        finally:
            await dispose(engine)

    return asyncio.run(read())


def printed_codes(out: str) -> list[str]:
    return re.findall(r"^  (\d{4}-\d{4}-\d{4})$", out, flags=re.MULTILINE)


def test_add_prints_recovery_codes_and_the_chair_chooses_a_password(  # type: ignore[no-untyped-def]
    cli, tmp_path: Path
) -> None:
    make_area(cli)
    out = ok(
        cli(
            *("chair", "add", "--username", "li", "--role", "area_chair", "--unit", "sinan"),
            "--password-stdin",
            stdin=PASSWORD + "\n",
        )
    )
    codes = printed_codes(out)
    assert len(codes) == len(set(codes)) == 10
    assert "chooses their own password" in out
    assert chair_flag(tmp_path, "li") is True
    # A recovery code logs in once in place of the TOTP code.
    assert try_login_with(tmp_path, "li", PASSWORD, codes[0])
    assert not try_login_with(tmp_path, "li", PASSWORD, codes[0])
    assert "chair.recovery_code_used" in audited(tmp_path)

    kept = ok(
        cli(
            *("chair", "add", "--username", "op", "--role", "area_chair", "--unit", "sinan"),
            *("--password-stdin", "--keep-password"),
            stdin=PASSWORD + "\n",
        )
    )
    assert "chooses their own password" not in kept
    assert chair_flag(tmp_path, "op") is False


def test_reset_forces_a_change_and_reenrol_replaces_the_codes(  # type: ignore[no-untyped-def]
    cli, tmp_path: Path
) -> None:
    make_area(cli)
    out = ok(
        cli(
            *("chair", "add", "--username", "op", "--role", "area_chair", "--unit", "sinan"),
            *("--password-stdin", "--keep-password"),
            stdin=PASSWORD + "\n",
        )
    )
    first_codes = printed_codes(out)
    reset = ok(cli("chair", "reset-password", "op", "--password-stdin", stdin="another-long-one\n"))
    assert "chooses their own password" in reset
    assert chair_flag(tmp_path, "op") is True
    reenrolled = ok(cli("chair", "reenrol", "op"))
    new_codes = printed_codes(reenrolled)
    assert len(new_codes) == 10 and not set(new_codes) & set(first_codes)
    assert not try_login_with(tmp_path, "op", "another-long-one", first_codes[0])
    assert try_login_with(tmp_path, "op", "another-long-one", new_codes[0])


def try_login_with(tmp_path: Path, username: str, password: str, code: str) -> bool:
    """Log in with a recovery code (or any code) through the service itself."""
    settings = Settings.from_env(
        {
            "VOTE_DATA_DIR": str(tmp_path / "var"),
            "VOTE_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'vote.sqlite3'}",
        }
    )

    async def attempt() -> bool:
        engine = create_engine(settings.database_url)
        try:
            async with create_sessionmaker(engine)() as session:
                try:
                    await authenticate(session, settings.secret_key(), username, password, code)
                except InvalidLogin:
                    return False
                await session.commit()
                return True
        finally:
            await dispose(engine)

    return asyncio.run(attempt())
