"""The migrations build the schema, and the audit log refuses edits on both databases."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from ballots.access import operator
from ballots.audit import record


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
