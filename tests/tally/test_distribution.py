"""``tally`` is its own distribution (``tally/pyproject.toml``): installed alone into a fresh
virtual environment, it counts and verifies without the server's libraries.

The install goes through pip and the package index (msgspec, cryptography and the build backend
come from it, or from pip's cache).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

from tests.tally.conftest import SmallBoard

ROOT = Path(__file__).resolve().parents[2]
TALLY = ROOT / "tally"
SERVER_ONLY = ("litestar", "sqlalchemy", "redis", "jinja2", "ballots", "vote", "cryptography")


def _pip(python: Path, *arguments: str) -> None:
    """Run the outer environment's pip on the fresh environment's interpreter."""
    run = subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet", *arguments],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr


def _run(command: list[str], folder: Path) -> subprocess.CompletedProcess[str]:
    # Run from the board's folder (not the repository), so only the installed package is found.
    return subprocess.run(
        command,
        cwd=folder,
        capture_output=True,
        text=True,
        check=False,
        env={"PYTHONIOENCODING": "utf-8", "PATH": "/usr/bin:/bin"},
    )


def _importable(python: Path, name: str, folder: Path) -> bool:
    code = f"import importlib.util, sys; sys.exit(importlib.util.find_spec({name!r}) is None)"
    return _run([str(python), "-c", code], folder).returncode == 0


def test_pip_install_tally_alone_counts_and_verifies(small_board: SmallBoard) -> None:
    work = small_board.folder / "distribution"
    # A copy, so building leaves no build/ or *.egg-info in the working tree.
    source = work / "tally"
    shutil.copytree(
        TALLY, source, ignore=shutil.ignore_patterns("__pycache__", "build", "*.egg-info")
    )
    venv = work / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    script = venv / "bin" / "tally"

    _pip(python, str(source))  # pip install ./tally
    for name in SERVER_ONLY:
        assert not _importable(python, name, small_board.folder), name
    assert _importable(python, "tally.board", small_board.folder)

    counted = _run(
        [str(script), "count", str(small_board.spec), str(small_board.records)], small_board.folder
    )
    assert counted.returncode == 0, counted.stderr
    assert json.loads(counted.stdout)["questions"][0]["winners"] == ["b"]

    unsigned = _run([str(script), "verify", str(small_board.board)], small_board.folder)
    assert unsigned.returncode == 1
    assert "FAILED: signatures" in unsigned.stderr and "tally[signatures]" in unsigned.stderr

    _pip(python, "luwan-tally[signatures]")  # the extra, added to the installed distribution
    assert _importable(python, "cryptography", small_board.folder)
    assert not _importable(python, "litestar", small_board.folder)
    verified = _run(
        [str(script), "verify", str(small_board.board), "--receipt", small_board.tracker],
        small_board.folder,
    )
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "OK: every check passed" in verified.stdout


def test_the_distribution_lists_every_subpackage_and_the_root_pins() -> None:
    project = tomllib.loads((TALLY / "pyproject.toml").read_text(encoding="utf-8"))
    root = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    listed = set(project["tool"]["setuptools"]["packages"])
    found = {
        ".".join(("tally", *path.parent.relative_to(TALLY).parts))
        for path in TALLY.rglob("__init__.py")
        if "build" not in path.parts
    }
    assert listed == found
    # The same versions as the server's install, so both are tested with one set.
    pinned = set(root["project"]["dependencies"])
    assert set(project["project"]["dependencies"]) <= pinned
    assert set(project["project"]["optional-dependencies"]["signatures"]) <= pinned
    assert project["project"]["scripts"]["tally"] == root["project"]["scripts"]["tally"]


def test_the_auditors_guide_gives_the_tested_commands() -> None:
    guide = (ROOT / "docs" / "auditors.md").read_text(encoding="utf-8")
    assert "pip install './tally[signatures]'" in guide
    assert "pip install ./tally " in guide
