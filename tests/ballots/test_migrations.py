"""The migrations build exactly the schema the models declare, on SQLite and PostgreSQL; the
audit log refuses edits; migration 0004 gives tokens made before it an expiry, and goes back."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from ballots.access import operator
from ballots.audit import record
from ballots.db import create_engine, dispose
from ballots.migrate import alembic_config, upgrade
from ballots.models import Base


async def test_audit_log_is_append_only(session: AsyncSession) -> None:
    record(session, operator(), "test.action", "thing:1")
    await session.commit()
    with pytest.raises(DBAPIError, match="append-only"):
        await session.execute(text("UPDATE audit_log SET action = 'forged'"))
    await session.rollback()
    with pytest.raises(DBAPIError, match="append-only"):
        await session.execute(text("DELETE FROM audit_log"))
    await session.rollback()
    assert (await session.scalar(text("SELECT action FROM audit_log"))) == "test.action"


def _differences(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, Base.metadata))


async def _run_sync(url: str, work: Any) -> Any:
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            result = await connection.run_sync(work)
            await connection.commit()
            return result
    finally:
        await dispose(engine)


async def test_the_migrated_schema_is_exactly_the_models(db_url: str) -> None:
    """Tables, columns, types, nullability, indexes, unique and foreign keys all agree."""
    assert await _run_sync(db_url, _differences) == []


def test_0004_gives_older_tokens_an_expiry_and_can_go_back(db_url: str) -> None:
    config = alembic_config(db_url)
    command.downgrade(config, "0003")

    def old_token(connection: Connection) -> None:
        connection.execute(
            text(
                "INSERT INTO units (name, code, level, path) "
                "VALUES ('卢湾区', 'luwan', 'district', '/1/')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO chairs (username, display_name, password_hash, totp_secret, "
                "totp_last_step, role, unit_id, created_at) "
                "VALUES ('li', 'li', 'x', :secret, 0, 'area_chair', "
                "(SELECT id FROM units), :now)"
            ),
            {"secret": b"x", "now": datetime(2026, 1, 1)},
        )
        connection.execute(
            text(
                "INSERT INTO chair_tokens (chair_id, token_hash, kind, name, created_at) "
                "VALUES ((SELECT id FROM chairs), :hash, 'api', 'old script', :now)"
            ),
            {"hash": b"h" * 32, "now": datetime(2026, 1, 1)},
        )

    asyncio.run(_run_sync(db_url, old_token))
    before = datetime.now(UTC)
    upgrade(db_url)

    def stored(connection: Connection) -> tuple[Any, ...]:
        row = connection.execute(
            text("SELECT expires_at, scope, created_by_session FROM chair_tokens")
        ).one()
        return tuple(row)

    expires_at, scope, created_by = asyncio.run(_run_sync(db_url, stored))
    expires = expires_at if isinstance(expires_at, datetime) else datetime.fromisoformat(expires_at)
    assert expires.replace(tzinfo=UTC) >= before + timedelta(days=90)
    assert (scope, created_by) == ("full", None)
    command.downgrade(config, "0003")
    upgrade(db_url)
    assert asyncio.run(_run_sync(db_url, _differences)) == []


def test_0007_leaves_existing_chairs_their_password_and_can_go_back(db_url: str) -> None:
    """Chairs from before 0007 chose their password: none is made to change it. Going back
    with chairs, tokens and codes stored works on both databases, and forward again."""
    config = alembic_config(db_url)
    command.downgrade(config, "0006")

    def old_chair(connection: Connection) -> None:
        connection.execute(
            text(
                "INSERT INTO units (name, code, level, path) "
                "VALUES ('卢湾区', 'luwan', 'district', '/1/')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO chairs (username, display_name, password_hash, totp_secret, "
                "totp_last_step, role, unit_id, created_at) "
                "VALUES ('li', 'li', 'x', :secret, 0, 'area_chair', "
                "(SELECT id FROM units), :now)"
            ),
            {"secret": b"x", "now": datetime(2026, 1, 1)},
        )
        connection.execute(
            text(
                "INSERT INTO chair_tokens (chair_id, token_hash, kind, name, scope, created_at, "
                "expires_at) VALUES ((SELECT id FROM chairs), :hash, 'session', '', 'full', "
                ":now, :now)"
            ),
            {"hash": b"h" * 32, "now": datetime(2026, 1, 1)},
        )

    asyncio.run(_run_sync(db_url, old_chair))
    upgrade(db_url)

    def flag_and_a_code(connection: Connection) -> Any:
        connection.execute(
            text(
                "INSERT INTO chair_recovery_codes (chair_id, code_hash, created_at) "
                "VALUES ((SELECT id FROM chairs), :hash, :now)"
            ),
            {"hash": b"c" * 32, "now": datetime(2026, 1, 2)},
        )
        return connection.execute(text("SELECT must_change_password FROM chairs")).scalar_one()

    assert asyncio.run(_run_sync(db_url, flag_and_a_code)) in (False, 0)
    command.downgrade(config, "0006")
    upgrade(db_url)
    assert asyncio.run(_run_sync(db_url, _differences)) == []
