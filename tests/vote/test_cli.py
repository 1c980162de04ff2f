"""The ``vote`` command run for real (click's runner) against a SQLite file in a temp directory."""

from __future__ import annotations

import json
import re
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result

from tests.ballots.roll.workbooks import xlsx_bomb
from vote.cli import main

ROSTERS = Path(__file__).resolve().parents[1] / "fixtures" / "rosters"
BASE = "http://vote.test"


@pytest.fixture
def cli(tmp_path: Path):  # type: ignore[no-untyped-def]
    runner = CliRunner(
        env={
            "VOTE_DATA_DIR": str(tmp_path / "var"),
            "VOTE_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'vote.sqlite3'}",
            "VOTE_BASE_URL": BASE,
            "VOTE_SECRET_KEY": "",
            "VOTE_REDIS_URL": "",
        }
    )

    def run(*args: str, stdin: str | None = None) -> Result:
        return runner.invoke(main, list(args), input=stdin, catch_exceptions=False)

    run("db", "upgrade")
    return run


def ok(result: Result) -> str:
    assert result.exit_code == 0, (result.stdout, result.stderr)
    return result.stdout


def fails_with_one_line(result: Result) -> str:
    assert result.exit_code != 0, result.stdout
    error_lines = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert len(error_lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    return error_lines[0]


def all_commands(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = [prefix]
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            found.extend(all_commands(command, (*prefix, name)))
        else:
            found.append((*prefix, name))
    return found


@pytest.mark.parametrize("path", all_commands(main), ids=lambda p: " ".join(p) or "vote")
def test_every_command_has_help(path: tuple[str, ...]) -> None:
    result = CliRunner().invoke(main, [*path, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output


def test_db_upgrade(cli) -> None:  # type: ignore[no-untyped-def]
    assert "up to date" in ok(cli("db", "upgrade"))


def test_demo_prints_login_and_invitation_links(cli) -> None:  # type: ignore[no-untyped-def]
    out = ok(cli("demo"))
    assert f"{BASE}/chair/login" in out
    assert re.search(r"user name:\s+chair", out)
    assert re.search(r"password:\s+\S+", out)
    assert re.search(r"TOTP secret:\s+[A-Z2-7]{16,}", out)
    links = re.findall(rf"{re.escape(BASE)}/v/\d+#[\d-]+", out)
    assert len(links) >= 2
    code = ok(cli("demo", "code")).strip()
    assert re.fullmatch(r"\d{6}", code)


def test_demo_twice_does_not_duplicate(cli) -> None:  # type: ignore[no-untyped-def]
    ok(cli("demo"))
    units_before = ok(cli("unit", "list"))
    ballots_before = json.loads(ok(cli("ballot", "list", "--json")))
    second = ok(cli("demo"))
    assert "not added again" in second
    assert ok(cli("unit", "list")) == units_before
    assert json.loads(ok(cli("ballot", "list", "--json"))) == ballots_before


def make_area(cli) -> None:  # type: ignore[no-untyped-def]
    ok(cli("unit", "add", "--name", "卢湾区", "--code", "luwan", "--level", "district"))
    ok(
        cli(
            "unit",
            "add",
            "--name",
            "瑞金二路街道",
            "--code",
            "rj2",
            "--level",
            "street",
            "--parent",
            "luwan",
        )
    )
    out = ok(
        cli(
            "unit",
            "add",
            "--name",
            "思南居民区",
            "--code",
            "sinan",
            "--level",
            "area",
            "--parent",
            "rj2",
        )
    )
    assert "sinan" in out


def test_unit_add_and_list(cli) -> None:  # type: ignore[no-untyped-def]
    make_area(cli)
    listing = ok(cli("unit", "list"))
    assert [line.split()[1] for line in listing.splitlines()] == ["luwan", "rj2", "sinan"]


def test_roll_import_dry_run_then_for_real(cli) -> None:  # type: ignore[no-untyped-def]
    make_area(cli)
    roster = str(ROSTERS / "luwan_utf8_bom.csv")
    dry = ok(cli("roll", "import", roster, "--unit", "sinan", "--dry-run"))
    assert "nothing written" in dry and "would add 5" in dry
    again = ok(cli("roll", "import", roster, "--unit", "sinan", "--dry-run"))
    assert "would add 5" in again  # the dry run wrote nothing
    real = ok(cli("roll", "import", roster, "--unit", "sinan"))
    assert real.startswith("added 5")
    assert "added 0" in ok(cli("roll", "import", roster, "--unit", "sinan"))


def test_bad_roster_fails_with_one_clear_line(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    make_area(cli)
    bad = tmp_path / "bad.csv"
    bad.write_text("编号,姓名,楼栋,门牌,户号\nB-1,,1,101,1-101\n", encoding="utf-8")
    line = fails_with_one_line(cli("roll", "import", str(bad), "--unit", "sinan"))
    assert "nothing was imported" in line
    roster = str(ROSTERS / "luwan_utf8_bom.csv")
    assert "would add 5" in ok(cli("roll", "import", roster, "--unit", "sinan", "--dry-run"))


def test_roster_bomb_fails_with_the_reason_and_imports_nothing(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    make_area(cli)
    bomb = tmp_path / "名册.xlsx"
    bomb.write_bytes(xlsx_bomb())
    result = cli("roll", "import", str(bomb), "--unit", "sinan")
    assert "nothing was imported" in fails_with_one_line(result)
    assert "the file expands to more than 50 MB when unpacked" in result.stderr
    roster = str(ROSTERS / "luwan_utf8_bom.csv")
    assert "would add 5" in ok(cli("roll", "import", roster, "--unit", "sinan", "--dry-run"))


def test_unknown_unit_fails(cli) -> None:  # type: ignore[no-untyped-def]
    roster = str(ROSTERS / "luwan_utf8_bom.csv")
    line = fails_with_one_line(cli("roll", "import", roster, "--unit", "nowhere"))
    assert "nowhere" in line


def test_ballot_lifecycle_and_invitations(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    make_area(cli)
    ok(cli("roll", "import", str(ROSTERS / "luwan_utf8_bom.csv"), "--unit", "sinan"))
    matter_out = ok(
        cli("matter", "add", "--unit", "sinan", "--kind", "hearing", "--title", "加装电梯听证")
    )
    matter_id = re.match(r"matter (\d+)", matter_out).group(1)  # type: ignore[union-attr]
    spec = tmp_path / "ballot.json"
    spec.write_text(
        json.dumps(
            {
                "title": "是否加装电梯",
                "questions": [
                    {
                        "id": "lift",
                        "kind": "yesno",
                        "prompt": "是否同意加装电梯？",
                        "options": [{"id": i, "label": i} for i in ("yes", "no", "abstain")],
                    }
                ],
            }
        ),
        encoding="utf-8",
    )
    created = ok(cli("ballot", "create", "--matter", matter_id, "--spec", str(spec)))
    ballot_id = re.match(r"ballot (\d+)", created).group(1)  # type: ignore[union-attr]

    listed = json.loads(ok(cli("ballot", "list", "--json")))
    assert [(b["id"], b["state"]) for b in listed] == [(int(ballot_id), "draft")]

    assert "now open" in ok(cli("ballot", "open", ballot_id))
    pdf = tmp_path / "f.pdf"
    wrote = ok(cli("invitations", ballot_id, "--out", str(pdf)))
    assert re.search(r"wrote \d+ invitations", wrote)
    assert pdf.read_bytes().startswith(b"%PDF")
    fails_with_one_line(cli("invitations", ballot_id, "--out", str(tmp_path / "again.pdf")))

    assert "now closed" in ok(cli("ballot", "close", ballot_id))
    # Nobody voted: publishing asks the operator to read the warnings first.
    assert "publish with --yes" in fails_with_one_line(cli("ballot", "publish", ballot_id))
    assert "now published" in ok(cli("ballot", "publish", ballot_id, "--yes"))
    state = json.loads(ok(cli("ballot", "list", "--json")))[0]["state"]
    assert state == "published"
    result = json.loads(ok(cli("ballot", "result", ballot_id)))
    assert result["ballots"] == 0


def test_wrong_transition_fails(cli) -> None:  # type: ignore[no-untyped-def]
    ok(cli("demo"))
    published = next(
        b for b in json.loads(ok(cli("ballot", "list", "--json"))) if b["state"] == "published"
    )
    fails_with_one_line(cli("ballot", "open", str(published["id"])))


def test_cancel_needs_a_reason(cli) -> None:  # type: ignore[no-untyped-def]
    ok(cli("demo"))
    listed = json.loads(ok(cli("ballot", "list", "--json")))
    ballot_id = str(next(b for b in listed if b["state"] == "open")["id"])
    assert "--reason" in fails_with_one_line(cli("ballot", "cancel", ballot_id))
    assert "reason" in fails_with_one_line(cli("ballot", "cancel", ballot_id, "--reason", "  "))
    still = next(
        b for b in json.loads(ok(cli("ballot", "list", "--json"))) if b["id"] == int(ballot_id)
    )
    assert still["state"] == "open"
    assert "now cancelled" in ok(cli("ballot", "cancel", ballot_id, "--reason", "施工方案变更"))
    assert "--reason" not in ok(cli("ballot", "open", "--help"))


def test_unknown_ballot_fails_with_one_clear_line(cli) -> None:  # type: ignore[no-untyped-def]
    line = fails_with_one_line(cli("ballot", "open", "9999"))
    assert "9999" in line
    fails_with_one_line(cli("ballot", "close", "9999"))
    fails_with_one_line(cli("invitations", "9999", "--out", "x.pdf"))


def test_bad_ballot_spec_fails(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    spec = tmp_path / "bad.json"
    spec.write_text("{not json", encoding="utf-8")
    fails_with_one_line(cli("ballot", "create", "--matter", "1", "--spec", str(spec)))


def test_chair_add_reads_the_password_from_stdin(cli) -> None:  # type: ignore[no-untyped-def]
    make_area(cli)
    out = ok(
        cli(
            "chair",
            "add",
            "--username",
            "li",
            "--role",
            "area_chair",
            "--unit",
            "sinan",
            "--password-stdin",
            stdin="a-long-password\n",
        )
    )
    assert "chair" in out and "TOTP secret:" in out
    token = ok(cli("token", "create", "--chair", "li", "--name", "script")).strip()
    assert token.startswith("vt_")
    fails_with_one_line(
        cli(
            "chair",
            "add",
            "--username",
            "li",
            "--role",
            "area_chair",
            "--unit",
            "sinan",
            "--password-stdin",
            stdin="a-long-password\n",
        )
    )


def test_token_create_list_and_revoke(cli) -> None:  # type: ignore[no-untyped-def]
    make_area(cli)
    for username in ("li", "wu"):
        ok(
            cli(
                "chair",
                "add",
                "--username",
                username,
                "--role",
                "area_chair",
                "--unit",
                "sinan",
                "--password-stdin",
                stdin="a-long-password\n",
            )
        )
    created = cli(
        "token", "create", "--chair", "li", "--name", "sync", "--days", "7", "--read-only"
    )
    secret = ok(created).strip()
    assert secret.startswith("vt_") and "(read) expires" in created.stderr
    ok(cli("token", "create", "--chair", "wu", "--name", "backup"))
    fails_with_one_line(cli("token", "create", "--chair", "li", "--name", "x", "--days", "366"))

    listed = ok(cli("token", "list"))
    assert "sync" in listed and "backup" in listed and secret not in listed
    only_li = json.loads(ok(cli("token", "list", "--chair", "li", "--json")))
    assert [(t["chair"], t["name"], t["scope"], t["revoked_at"]) for t in only_li] == [
        ("li", "sync", "read", None)
    ]
    assert secret not in json.dumps(only_li) and "token_hash" not in only_li[0]
    token_id = only_li[0]["id"]

    assert f"token {token_id} of li (sync) is revoked" in ok(cli("token", "revoke", str(token_id)))
    row = json.loads(ok(cli("token", "list", "--chair", "li", "--json")))[0]
    assert row["revoked_at"] is not None
    assert re.search(rf"^\s*{token_id}\s+li\s+read\s+revoked", ok(cli("token", "list")), re.M)
    assert "No token with id 999" in fails_with_one_line(cli("token", "revoke", "999"))
    fails_with_one_line(cli("token", "list", "--chair", "nobody"))


def test_the_token_commands_in_the_operators_guide_run(cli) -> None:  # type: ignore[no-untyped-def]
    import shlex

    guide = (Path(__file__).resolve().parents[2] / "docs" / "operators.md").read_text("utf-8")
    lines = [
        line.split("  #")[0].strip()
        for line in guide.splitlines()
        if line.startswith("vote token ")
    ]
    assert len(lines) >= 5
    make_area(cli)
    ok(
        cli(
            "chair",
            "add",
            "--username",
            "wang",
            "--role",
            "area_chair",
            "--unit",
            "sinan",
            "--password-stdin",
            stdin="a-long-password\n",
        )
    )
    for line in lines:
        args = shlex.split(line)[1:]
        if args[:2] == ["token", "revoke"]:  # the guide's id is an example: revoke a real one
            args[2] = str(json.loads(ok(cli("token", "list", "--json")))[0]["id"])
        ok(cli(*args))
