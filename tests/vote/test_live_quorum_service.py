"""The live quorum over real HTTP: ``vote serve`` in subprocesses, the meeting's event stream read
with httpx while residents check in and vote on the ballot held at the meeting.

One worker alone (SQLite, in-process channels), and two workers on one PostgreSQL database
sharing the real Redis: a projector watching worker A sees a check-in made on worker B.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from tests.vote.test_live_service import (
    PATIENCE,
    chair_token,
    demo,
    free_port,
    postgres_url,
    redis_url,
    serving,
)

__all__ = ["postgres_url", "redis_url"]  # the shared fixtures

YESNO = {
    "title": "现场表决：是否同意方案",
    "questions": [
        {
            "id": "lift",
            "kind": "yesno",
            "prompt": "是否同意？",
            "options": [
                {"id": "yes", "label": "yes"},
                {"id": "no", "label": "no"},
                {"id": "abstain", "label": "abstain"},
            ],
        }
    ],
}


def _ok(response: httpx.Response) -> Any:
    assert response.status_code in (200, 201), (response.request.url, response.text)
    return response.json()


def set_up_meeting(base: str, token: str) -> tuple[int, int, list[str]]:
    """A meeting checking in with an open in-person ballot: (meeting, ballot, voting codes)."""
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}) as api:
        matter_id = _ok(api.get("/api/v1/ballots"))[0]["matter_id"]
        meeting = _ok(
            api.post(
                f"/api/v1/matters/{matter_id}/meetings",
                json={"title": "听证会", "starts_at": datetime.now(UTC).isoformat()},
            )
        )
        ballot_id = _ok(api.post(f"/api/v1/matters/{matter_id}/ballots", json=YESNO))["ballot"][
            "id"
        ]
        _ok(
            api.post(
                f"/api/v1/meetings/{meeting['id']}/ballots",
                json={"ballot_id": ballot_id, "requires_checkin": True},
            )
        )
        _ok(api.post(f"/api/v1/ballots/{ballot_id}/open"))
        codes = [i["credential"] for i in _ok(api.post(f"/api/v1/ballots/{ballot_id}/invitations"))]
        _ok(api.post(f"/api/v1/meetings/{meeting['id']}/start-checkin"))
        venue = _ok(api.get(f"/chair/meetings/{meeting['id']}/venue-code"))
        assert venue["state"] == "checking_in"
    return meeting["id"], ballot_id, codes


def venue_code(base: str, token: str, meeting_id: int) -> str:
    """The code the projector shows now (read as the projector's script reads it)."""
    response = httpx.get(
        f"{base}/chair/meetings/{meeting_id}/venue-code",
        headers={"Authorization": f"Bearer {token}"},
    )
    return str(_ok(response)["code"])


def check_in(base: str, meeting_id: int, code: str, credential: str) -> None:
    response = httpx.post(
        f"{base}/api/v1/meetings/{meeting_id}/check-in",
        json={"venue_code": code, "credential": credential},
    )
    assert response.status_code == 201, response.text


class Quorums:
    """The ``quorum`` events of one open stream, one at a time."""

    def __init__(self, response: httpx.Response) -> None:
        self._lines = response.iter_lines()

    def next(self) -> dict[str, Any]:
        kind, data = "", ""
        for line in self._lines:
            if line.startswith("event: "):
                kind = line[7:]
            elif line.startswith("data: "):
                data = line[6:]
            elif not line and kind == "quorum":
                return dict(json.loads(data))
        raise AssertionError("the stream ended")

    def until(self, field: str, value: int) -> dict[str, Any]:
        for _ in range(50):
            quorum = self.next()
            found = quorum[field] if field == "checked_in" else quorum["ballots"][0][field]
            if found >= value:
                return quorum
        raise AssertionError(f"no event with {field} = {value}")


@contextmanager
def watching(base: str, token: str, meeting_id: int) -> Iterator[Quorums]:
    with httpx.stream(
        "GET",
        f"{base}/chair/meetings/{meeting_id}/quorum/stream",
        headers={"Authorization": f"Bearer {token}"},
        timeout=httpx.Timeout(10.0, read=PATIENCE),
    ) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        yield Quorums(response)


def test_the_quorum_follows_check_ins_and_votes_on_one_worker(tmp_path: Path) -> None:
    env = {**os.environ, "VOTE_DATA_DIR": str(tmp_path)}
    env.pop("VOTE_REDIS_URL", None)
    secret, _ = demo(env)
    with serving(env, free_port()) as base:
        token = chair_token(base, secret)
        meeting_id, ballot_id, codes = set_up_meeting(base, token)
        with watching(base, token, meeting_id) as quorums:
            first = quorums.next()
            assert first["checked_in"] == 0 and first["state"] == "checking_in"
            assert first["ballots"][0]["ballot_id"] == ballot_id
            check_in(base, meeting_id, venue_code(base, token, meeting_id), codes[0])
            after = quorums.until("checked_in", 1)
            assert after["checked_in"] == 1 and after["ballots"][0]["present"] == 1
            cast = httpx.post(
                f"{base}/api/v1/ballots/{ballot_id}/casts",
                json={"credential": codes[0], "answers": {"lift": ["yes"]}},
            )
            assert cast.status_code == 201, cast.text
            assert quorums.until("voted", 1)["ballots"][0]["voted"] == 1


def test_a_check_in_on_one_worker_reaches_a_projector_on_another(
    tmp_path: Path, postgres_url: str, redis_url: str
) -> None:
    env = {
        **os.environ,
        "VOTE_DATA_DIR": str(tmp_path),
        "VOTE_DATABASE_URL": postgres_url,
        "VOTE_REDIS_URL": redis_url,
    }
    secret, _ = demo(env)
    with serving(env, free_port()) as worker_a, serving(env, free_port()) as worker_b:
        token = chair_token(worker_a, secret)
        meeting_id, _, codes = set_up_meeting(worker_a, token)
        with watching(worker_a, token, meeting_id) as quorums:
            assert quorums.next()["checked_in"] == 0
            code = venue_code(worker_a, token, meeting_id)
            check_in(worker_b, meeting_id, code, codes[1])
            assert quorums.until("checked_in", 1)["checked_in"] == 1
