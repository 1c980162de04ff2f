"""The two commands of the README, needing only Python 3.11+ on a fresh machine.

    python3 dev.py demo   # install, fill a SQLite database with demo data, serve it
    python3 dev.py test   # install with test extras, then lint, type-check and run every test

Both create ``.venv/`` beside this file on first use and install the project into it.
"""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")


def run(*command: str) -> None:
    print("+", " ".join(command), flush=True)
    subprocess.run(command, cwd=ROOT, check=True)


def ensure_venv(extras: str) -> None:
    if sys.version_info < (3, 11):
        sys.exit("Python 3.11 or newer is needed.")
    if not (BIN / "python").exists():
        venv.create(VENV, with_pip=True)
    marker = VENV / f".installed-{extras or 'base'}"
    stamp = str((ROOT / "pyproject.toml").stat().st_mtime)
    if marker.exists() and marker.read_text() == stamp:
        return
    run(str(BIN / "python"), "-m", "pip", "install", "--quiet", "--upgrade", "pip")
    target = f".[{extras}]" if extras else "."
    run(str(BIN / "python"), "-m", "pip", "install", "--quiet", "-e", target)
    marker.write_text(stamp)


def demo(args: list[str]) -> None:
    ensure_venv("")
    os.execv(str(BIN / "vote"), [str(BIN / "vote"), "demo", "--serve", *args])


def test(args: list[str]) -> None:
    ensure_venv("test")
    python = str(BIN / "python")
    run(
        python,
        "-m",
        "ruff",
        "check",
        "tally",
        "ballots",
        "vote",
        "tests",
        "bench",
        "tools",
        "dev.py",
    )
    run(
        python,
        "-m",
        "ruff",
        "format",
        "--check",
        "tally",
        "ballots",
        "vote",
        "tests",
        "bench",
        "tools",
        "dev.py",
    )
    run(python, "-m", "mypy")
    run(python, "-m", "pytest", *args)


def main() -> None:
    commands = {"demo": demo, "test": test}
    if len(sys.argv) < 2 or sys.argv[1] not in commands:
        sys.exit(__doc__)
    try:
        commands[sys.argv[1]](sys.argv[2:])
    except subprocess.CalledProcessError as error:
        sys.exit(error.returncode)


if __name__ == "__main__":
    main()
