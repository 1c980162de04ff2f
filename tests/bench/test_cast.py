"""bench/cast.py's pieces that can be checked without load: the naive endpoint of issue 12
(through Litestar's test client on a real SQLite file), the py-spy summary and the process-tree
CPU reading. The benchmark itself (servers, wrk) runs with ``bench/cast.py --smoke``."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import msgspec
import pytest
from litestar.testing import TestClient

from bench import cast


def test_naive_endpoint_decodes_hashes_and_inserts_one_row(tmp_path: Path) -> None:
    database = tmp_path / "naive.sqlite3"
    app = cast.create_naive_app(database)
    body = cast.cast_bodies(["ABCD-EFGH"])[0]
    with TestClient(app=app) as client:
        answer = client.post(
            "/api/v1/ballots/7/casts", content=body, headers={"Content-Type": "application/json"}
        )
        assert answer.status_code == 201
        assert answer.json() == {"ballot_id": 7, "id": 1}
        # The same body the real endpoint takes, and nothing else.
        wrong = client.post("/api/v1/ballots/7/casts", content=b'{"credential": 1}')
        assert wrong.status_code == 400
        assert client.get("/ceiling").json() == {"status": "ok"}
    with sqlite3.connect(database) as connection:
        rows = connection.execute(
            "SELECT ballot_id, length(credential_hash), answers FROM naive_casts"
        ).fetchall()
        mode = connection.execute("PRAGMA journal_mode").fetchone()[0]
    assert rows == [(7, 32, msgspec.json.encode(cast.ANSWERS).decode())]
    assert mode == "wal"
    assert cast.count_naive(database) == 1


def test_profile_summary_shares_threads_and_functions(tmp_path: Path) -> None:
    raw = tmp_path / "profile.txt"
    raw.write_text(
        "process 12:python -m vote.cli serve;thread (12): MainThread;"
        "run (asyncio/base_events.py:600);cast (vote/api/casts.py:40) 3\n"
        "thread (13): Thread-1 (writer);work (ballots/writer.py:10) 1\n"
    )
    lines = cast.profile_summary([raw])
    text = "\n".join(lines)
    assert "4 samples" in lines[0]
    assert " 75.0%  MainThread" in text
    assert " 75.0%  cast (vote/api/casts.py)" in text
    assert " 25.0%  ballots/writer.py" in text
    assert "     75.0%  vote" in lines  # the package, self
    assert cast.profile_summary([tmp_path / "missing.txt"]) == ["  (no samples)"]


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
def test_tree_cpu_seconds_counts_this_process() -> None:
    seconds = cast.tree_cpu_seconds(os.getpid())
    assert seconds is not None and seconds > 0
    assert cast.tree_cpu_seconds(2**22 + 12345) is None  # above any pid_max: no such process


def test_machine_busy_seconds_grow_while_this_process_works() -> None:
    before = cast.machine_busy_seconds()
    assert before is not None and 0 <= before[0] <= before[1]
    spent = cast.tree_cpu_seconds(os.getpid()) or 0.0
    while (cast.tree_cpu_seconds(os.getpid()) or 0.0) < spent + 0.05:
        pass  # burn a little CPU
    after = cast.machine_busy_seconds()
    assert after is not None and after[0] > before[0] and after[1] > before[1]


def test_services_cpu_seconds_reads_the_database_and_redis() -> None:
    """PostgreSQL and Redis run beside the tests (as in CI): they have used some CPU."""
    seconds = cast.services_cpu_seconds()
    assert seconds is not None and seconds > 0
