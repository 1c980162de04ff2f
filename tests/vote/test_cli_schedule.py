"""``vote ballot schedule`` (Beijing time unless an offset is given) and the turnout and outcome
that ``vote ballot close`` and ``publish`` print, run for real against a SQLite file."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from tests.vote.test_cli import fails_with_one_line, ok
from vote.cli import main

BEIJING = timedelta(hours=8)


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

    def run(*args: str) -> Result:
        return runner.invoke(main, list(args), catch_exceptions=False)

    return run


def _ballots(cli) -> dict[str, dict[str, Any]]:  # type: ignore[no-untyped-def]
    return {b["title"]: b for b in json.loads(ok(cli("ballot", "list", "--json")))}


def _tomorrow_beijing(hour: int) -> tuple[str, datetime]:
    """Tomorrow at ``hour``:00 Beijing time, as typed and as the UTC instant it means."""
    day = (datetime.now(UTC) + BEIJING + timedelta(days=1)).date()
    typed = f"{day:%Y-%m-%d} {hour:02d}:00"
    return typed, datetime(day.year, day.month, day.day, hour, tzinfo=UTC) - BEIJING


def test_schedule_an_open_ballot_in_beijing_time_then_clear(cli) -> None:  # type: ignore[no-untyped-def]
    ok(cli("demo"))
    firm = _ballots(cli)["选定动迁评估公司"]
    typed, meant = _tomorrow_beijing(18)
    out = ok(cli("ballot", "schedule", str(firm["id"]), "--closes", typed))
    assert f"closes {typed} Beijing time" in out
    stored = _ballots(cli)["选定动迁评估公司"]["closes_at"]
    assert datetime.fromisoformat(stored.replace("Z", "+00:00")) == meant

    with_offset = typed.replace(" ", "T") + "+00:00"  # the same wall time, but in UTC
    out = ok(cli("ballot", "schedule", str(firm["id"]), "--closes", with_offset))
    instant = meant + BEIJING  # 18:00 UTC is 02:00 the next day in Beijing
    assert f"closes {instant + BEIJING:%Y-%m-%d %H:%M} Beijing time" in out
    stored = _ballots(cli)["选定动迁评估公司"]["closes_at"]
    assert datetime.fromisoformat(stored.replace("Z", "+00:00")) == instant

    assert "closes by hand" in ok(cli("ballot", "schedule", str(firm["id"]), "--clear"))
    assert _ballots(cli)["选定动迁评估公司"]["closes_at"] is None


def test_bad_schedules_fail_with_one_line_and_change_nothing(cli) -> None:  # type: ignore[no-untyped-def]
    ok(cli("demo"))
    firm = _ballots(cli)["选定动迁评估公司"]
    published = next(b for b in _ballots(cli).values() if b["state"] == "published")
    typed, _ = _tomorrow_beijing(9)
    yesterday = (datetime.now(UTC) + BEIJING - timedelta(days=1)).strftime("%Y-%m-%d %H:%M")
    before = _ballots(cli)
    for args in (
        ("--closes", yesterday),  # in the past
        ("--opens", typed),  # the ballot is open already
        ("--closes", "明天下午"),  # not a time
        ("--clear", "--closes", typed),  # contradictory
        (),  # nothing to do
    ):
        line = fails_with_one_line(cli("ballot", "schedule", str(firm["id"]), *args))
        assert "Traceback" not in line
    assert "no schedule left" in fails_with_one_line(
        cli("ballot", "schedule", str(published["id"]), "--closes", typed)
    )
    fails_with_one_line(cli("ballot", "schedule", "9999", "--closes", typed))
    assert _ballots(cli) == before


def test_close_and_publish_print_turnout_and_outcome(cli) -> None:  # type: ignore[no-untyped-def]
    ok(cli("demo"))
    firm = _ballots(cli)["选定动迁评估公司"]
    closed = ok(cli("ballot", "close", str(firm["id"])))
    assert "is now closed" in closed
    eligible = firm["electorate_size"]
    assert f"turnout: 0 of {eligible} households (0.0%)" in closed
    assert re.search(r"^firm: [a-z-]+", closed, re.MULTILINE), closed
    assert "请选择您信任的评估公司" in closed
    refused = cli("ballot", "publish", str(firm["id"]))
    assert refused.exit_code != 0
    assert "publish with --yes" in refused.stderr
    assert "no-quorum" in refused.stderr  # the demo firm ballot asks more than half to take part
    published = ok(cli("ballot", "publish", str(firm["id"]), "--yes"))
    assert "is now published" in published
    assert f"turnout: 0 of {eligible} households (0.0%)" in published
