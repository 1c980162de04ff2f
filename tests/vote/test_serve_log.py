"""``vote serve``'s log over real HTTP: no line per request unless ``--access-log`` asks for one
(a line per vote would hold the voter's address and the second they voted), and with it a
resident's private agency link is cut to ``/d/r/…``."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import httpx

from tests.vote.test_live_service import PATIENCE, VOTE, free_port

PRIVATE = "/d/r/Zk3q9XbT2mWcY7"


def _serve_and_read_log(tmp_path: Path, *options: str) -> str:
    """Start ``vote serve`` (SQLite, no Redis), ask for two paths, stop it; what it logged."""
    env = {**os.environ, "VOTE_DATA_DIR": str(tmp_path)}
    env.pop("VOTE_REDIS_URL", None)
    port = free_port()
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        server = subprocess.Popen(
            [*VOTE, "serve", "--port", str(port), *options], env=env, stdout=out, stderr=out
        )
        try:
            base = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + PATIENCE
            while True:
                try:
                    assert httpx.get(f"{base}/healthz").status_code == 200
                    break
                except httpx.TransportError:
                    assert time.monotonic() < deadline, log.read_text()
                    time.sleep(0.1)
            assert httpx.get(f"{base}{PRIVATE}").status_code == 404
        finally:
            server.terminate()
            server.wait(timeout=60)
    return log.read_text()


def test_no_line_per_request_by_default(tmp_path: Path) -> None:
    logged = _serve_and_read_log(tmp_path)
    assert "Uvicorn running" in logged or "Serving on" in logged  # it did log its start
    assert "/healthz" not in logged and "/d/r/" not in logged


def test_an_access_log_on_request_hides_private_links(tmp_path: Path) -> None:
    logged = _serve_and_read_log(tmp_path, "--access-log")
    assert '"GET /healthz HTTP/1.1" 200' in logged
    assert '"GET /d/r/… HTTP/1.1" 404' in logged
    assert PRIVATE not in logged
