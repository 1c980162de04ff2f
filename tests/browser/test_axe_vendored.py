"""The vendored axe-core is the file its README names: same sha256, licence beside it."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

VENDOR = Path(__file__).with_name("vendor") / "axe-core"


def _row(readme: str, name: str) -> str:
    found = re.search(rf"^\| {name} \| `([^`]+)`", readme, re.MULTILINE)
    assert found, f"the README has no {name!r} row"
    return found.group(1)


def test_the_vendored_axe_matches_its_readme() -> None:
    readme = (VENDOR / "README.md").read_text(encoding="utf-8")
    vendored = VENDOR / _row(readme, "file")
    assert hashlib.sha256(vendored.read_bytes()).hexdigest() == _row(readme, "sha256")
    assert "Mozilla Public License" in (VENDOR / "LICENSE").read_text(encoding="utf-8")
    assert "4.14.1" in readme and b"axe v4.14.1" in vendored.read_bytes()[:200]
