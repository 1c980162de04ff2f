"""``vote ballot copy`` run for real against a SQLite file: the new draft's id, its matter and what
the copy left out; a matter of another unit or an unknown unit fails with one clear line."""

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

EVALUATION = "2026年服务评议"


@pytest.fixture
def cli(tmp_path: Path):  # type: ignore[no-untyped-def]
    """Run ``vote`` on a fresh SQLite file holding the demo (as tests/vote/test_cli.py does)."""
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

    ok(run("demo"))
    return run


def ballots(cli) -> dict[int, dict[str, Any]]:  # type: ignore[no-untyped-def]
    return {b["id"]: b for b in json.loads(ok(cli("ballot", "list", "--json")))}


def by_title(cli, title: str) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    return next(b for b in ballots(cli).values() if b["title"] == title)


def test_copy_a_published_evaluation_to_another_area(cli) -> None:  # type: ignore[no-untyped-def]
    source = by_title(cli, EVALUATION)
    assert source["state"] == "published"
    out = ok(cli("ballot", "copy", str(source["id"]), "--unit", "sinan"))
    found = re.match(r"ballot (\d+) drafted on matter (\d+) \((.+)\): (.+)", out)
    assert found, out
    assert found.group(3) == "平改坡工程与物业服务评议"
    assert found.group(4) == EVALUATION
    assert "nothing was left out" in out
    copy = ballots(cli)[int(found.group(1))]
    assert copy["state"] == "draft"
    assert copy["matter_id"] == int(found.group(2)) != source["matter_id"]


def test_copy_says_what_it_left_out(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    firm = by_title(cli, "选定动迁评估公司")
    tomorrow = datetime.now(UTC) + timedelta(days=1)
    spec = tmp_path / "ballot.json"
    spec.write_text(
        json.dumps(
            {
                "title": "三号楼加装电梯意见征询",
                "questions": [
                    {
                        "id": "lift",
                        "kind": "yesno",
                        "prompt": "是否同意三号楼加装电梯？",
                        "options": [{"id": i, "label": i} for i in ("yes", "no", "abstain")],
                    }
                ],
                "eligibility": {"buildings": ["3"], "roles": ["owner"]},
                "opens_at": tomorrow.isoformat(),
            }
        ),
        encoding="utf-8",
    )
    created = ok(cli("ballot", "create", "--matter", str(firm["matter_id"]), "--spec", str(spec)))
    source_id = re.match(r"ballot (\d+)", created).group(1)  # type: ignore[union-attr]
    matter = ok(cli("matter", "add", "--unit", "sinan", "--kind", "hearing", "--title", "听证"))
    matter_id = re.match(r"matter (\d+)", matter).group(1)  # type: ignore[union-attr]

    out = ok(cli("ballot", "copy", source_id, "--unit", "sinan", "--matter", matter_id))
    assert re.match(rf"ballot \d+ drafted on matter {matter_id} \(听证\)", out), out
    assert "left out: buildings 3 (another area's roll)" in out
    assert "left out: the opening and closing times (schedule the copy again)" in out
    assert "nothing was left out" not in out


def test_a_matter_of_another_unit_or_an_unknown_unit_fails(cli) -> None:  # type: ignore[no-untyped-def]
    firm = by_title(cli, "选定动迁评估公司")
    before = len(ballots(cli))
    wrong_matter = fails_with_one_line(
        cli(
            "ballot", "copy", str(firm["id"]), "--unit", "sinan", "--matter", str(firm["matter_id"])
        )
    )
    assert f"Matter {firm['matter_id']} is not a matter of the unit" in wrong_matter
    assert "No unit with id nowhere" in fails_with_one_line(
        cli("ballot", "copy", str(firm["id"]), "--unit", "nowhere")
    )
    assert "No ballot with id 9999" in fails_with_one_line(
        cli("ballot", "copy", "9999", "--unit", "sinan")
    )
    assert len(ballots(cli)) == before
