"""One table of ballot moves: the CLI, the API and the chair pages offer exactly its actions."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from litestar import Litestar

from ballots import lifecycle
from ballots.errors import NotFound
from ballots.lifecycle import TRANSITIONS, move_ballot
from tests.ballots.factories import ADMIN
from vote.cli import main


def test_the_cli_offers_every_move() -> None:
    listed = CliRunner().invoke(main, ["ballot", "--help"]).output
    for action in TRANSITIONS:
        assert f"  {action} " in listed, listed


def test_the_api_offers_every_move(app: Litestar) -> None:
    paths = app.openapi_schema.paths or {}
    for action in TRANSITIONS:
        assert f"/api/v1/ballots/{{ballot_id}}/{action}" in paths


def test_the_table_agrees_with_the_allowed_moves() -> None:
    assert set(TRANSITIONS) == set(lifecycle.ALLOWED_MOVES)
    assert {name for name, move in TRANSITIONS.items() if move.signs} == {"open", "close", "cancel"}


async def test_an_unknown_move_is_refused(session: object) -> None:
    from sqlalchemy.ext.asyncio import AsyncSession

    assert isinstance(session, AsyncSession)
    with pytest.raises(NotFound):
        await move_ballot(session, ADMIN, 1, "reopen")
