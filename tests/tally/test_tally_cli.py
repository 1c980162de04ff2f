"""The ``tally count`` command: the documented examples, stdin, and bad specs and records."""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from tally.cli import main

DOCS = Path(__file__).resolve().parents[2] / "docs" / "counting.md"
EXAMPLE = re.compile(
    r"<!-- example: (\w+) (spec|records|command) -->\n```(?:json|console)\n(.*?)```", re.S
)
EXPECTED = {
    "runoff": ("runoff", []),
    "owners": ("passed", ["yes"]),
    "rating": ("passed", []),
    "irv": ("elected", ["c"]),
    "budget": ("elected", ["roof", "bench", "fire"]),
    "noquorum": ("no-quorum", []),
    "firstround": ("runoff", []),
    "secondround": ("elected", ["f2"]),
}
EXPECTED_DETAIL = {
    "runoff": {"runoff": ["coop", "firm"], "warnings": ["no-majority"]},
    "noquorum": {
        "message": "no quorum: 2 of 39 took part (5.1%), more than 50% needed",
        "warnings": ["no-quorum"],
    },
    "firstround": {
        "runoff": ["f1", "f2", "f3"],
        "message": "no majority: runoff between Firm 1, Firm 2 and Firm 3",
        "warnings": ["no-majority", "close-to-threshold"],
    },
    "secondround": {"drawn": True, "warnings": ["decided-by-lot", "close-margin"]},
}
SPEC = {
    "tie_seed": "s",
    "questions": [
        {
            "id": "q1",
            "kind": "single",
            "prompt": "?",
            "options": [{"id": "a", "label": "A"}, {"id": "b", "label": "B"}],
        }
    ],
}


def examples() -> dict[str, dict[str, str]]:
    found: dict[str, dict[str, str]] = {}
    for name, part, text in EXAMPLE.findall(DOCS.read_text(encoding="utf-8")):
        found.setdefault(name, {})[part] = text
    return found


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = main(list(args))
    out, err = capsys.readouterr()
    return status, out, err


def write(tmp_path: Path, spec: object, lines: list[str]) -> tuple[str, str]:
    spec_path = tmp_path / "spec.json"
    spec_path.write_text(json.dumps(spec) if not isinstance(spec, str) else spec, encoding="utf-8")
    records_path = tmp_path / "records.jsonl"
    records_path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(spec_path), str(records_path)


def test_every_documented_example_is_tested() -> None:
    assert set(examples()) == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_documented_example(name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    example = examples()[name]
    spec_path, records_path = write(tmp_path, example["spec"], example["records"].splitlines())
    extra: list[str] = []
    if "command" in example:
        words = shlex.split(example["command"].strip().removeprefix("$ "))
        assert words[:2] == ["tally", "count"]
        extra = words[4:]
    status, out, err = run(capsys, "count", spec_path, records_path, *extra)
    assert (status, err) == (0, "")
    question = json.loads(out)["questions"][0]
    assert (question["outcome"], question["winners"]) == EXPECTED[name]
    for field, value in EXPECTED_DETAIL.get(name, {}).items():
        found = question[field]
        if field == "warnings":
            found = [warning["code"] for warning in found]
        assert found == value, field


def test_python_dash_m_reads_stdin(tmp_path: Path) -> None:
    spec_path, _ = write(tmp_path, SPEC, [])
    records = '{"answers": {"q1": ["b"]}}\n{"answers": {"q1": ["b"]}}\n{"answers": {"q1": ["a"]}}\n'
    done = subprocess.run(
        [sys.executable, "-m", "tally", "count", spec_path, "-", "--pretty"],
        input=records,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["ballots"] == 3
    assert result["questions"][0]["winners"] == ["b"]


def test_electorate_options(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec = {
        "weighting": "area",
        "questions": [
            {
                "id": "q",
                "kind": "yesno",
                "prompt": "?",
                "rule": {"name": "dual_threshold"},
                "options": [
                    {"id": "yes", "label": "Y"},
                    {"id": "no", "label": "N"},
                    {"id": "abstain", "label": "A"},
                ],
            }
        ],
    }
    lines = ['{"answers": {"q": ["yes"]}, "weight": 80, "unit": "u1"}']
    spec_path, records_path = write(tmp_path, spec, lines)
    args = ("count", spec_path, records_path, "--electorate-size", "1", "--electorate-area", "80")
    status, out, _ = run(capsys, *args)
    assert status == 0
    assert json.loads(out)["electorate"] == {"size": 1, "area": 80.0}
    status, _, err = run(capsys, "count", spec_path, records_path)
    assert status == 1
    assert "questions[0].rule.electorate_size" in err


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        (['{"answers": {"q1": ["a"]}}', "{not json"], "records.jsonl line 2: not valid JSON"),
        (['{"answers": {"q1": ["a"]}, "weight": "big"}'], "line 1: weight: Expected `float`"),
        (['{"answers": {"q1": ["z"]}}'], "line 1: answers.q1: no such option 'z'"),
        (['{"answers": {"q9": ["a"]}}'], "line 1: answers.q9: no such question"),
        (['{"answers": {"q1": ["a", "b"]}}'], "line 1: answers.q1: choose at most 1"),
        (['{"answers": {"q1": ["a"]}, "weight": -1}'], "line 1: weight: must be a finite number"),
        (
            ['{"answers": {"q1": ["a"]}, "colour": 1}'],
            "line 1: record: Object contains unknown field",
        ),
        (['["a"]'], "line 1: record: Expected `object`, got `array`"),
        (['{"answers": {"q1": "a"}}'], "line 1: answers.q1: Expected `array`, got `str`"),
    ],
)
def test_bad_records_name_line_and_field(
    lines: list[str], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec_path, records_path = write(tmp_path, SPEC, lines)
    status, out, err = run(capsys, "count", spec_path, records_path)
    assert status == 1
    assert out == ""
    assert err.count("\n") == 1
    assert err.startswith("tally: error: ")
    assert message in err


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"rule": {"name": "borda"}}, "questions[0].rule.name: a single question is counted by"),
        ({"rule": {"winers": 2}}, "questions[0].rule.winers: unknown parameter"),
        ({"rule": {"winners": 5}}, "questions[0].rule.winners: must be an integer from 1 to 2"),
        ({"kind": "poll"}, "spec.json: spec: Invalid enum value 'poll'"),
        ({"options": [{"id": "a", "label": "A"}]}, "questions[0].options: a question needs"),
    ],
)
def test_bad_specs_name_the_field(
    change: dict[str, object], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = json.loads(json.dumps(SPEC))
    spec["questions"][0].update(change)
    spec_path, records_path = write(tmp_path, spec, ['{"answers": {"q1": ["a"]}}'])
    status, _, err = run(capsys, "count", spec_path, records_path)
    assert status == 1
    assert message in err
    assert err.count("\n") == 1


def test_spec_that_is_not_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec_path, records_path = write(tmp_path, "{", [])
    status, _, err = run(capsys, "count", spec_path, records_path)
    assert status == 1
    assert "spec.json: spec: not valid JSON" in err


def test_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec_path, _ = write(tmp_path, SPEC, [])
    status, _, err = run(capsys, "count", spec_path, str(tmp_path / "nope.jsonl"))
    assert status == 1
    assert "nope.jsonl: cannot read" in err


def test_no_subcommand_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main([])
    assert caught.value.code == 2
