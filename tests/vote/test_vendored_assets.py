"""Vendored browser libraries are the files their README names: same sha256, licence beside them,
and served by the app itself."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest

from tests.vote.helpers import Client

VENDOR = Path(__file__).resolve().parents[2] / "vote" / "static" / "vendor"
LIBRARIES = sorted(path for path in VENDOR.iterdir() if path.is_dir())


def _row(readme: str, name: str) -> str:
    found = re.search(rf"^\| {name} \| `([^`]+)`", readme, re.MULTILINE)
    assert found, f"the README has no {name!r} row"
    return found.group(1)


def test_tweetnacl_and_jsqr_are_vendored() -> None:
    assert VENDOR / "tweetnacl" in LIBRARIES
    assert VENDOR / "jsqr" in LIBRARIES


@pytest.mark.parametrize("library", LIBRARIES, ids=lambda path: path.name)
def test_the_vendored_file_matches_its_readme(library: Path) -> None:
    readme = (library / "README.md").read_text(encoding="utf-8")
    vendored = library / _row(readme, "file")
    assert hashlib.sha256(vendored.read_bytes()).hexdigest() == _row(readme, "sha256")
    assert (library / "LICENSE").read_text(encoding="utf-8").strip()


@pytest.mark.parametrize("file", ["tweetnacl/nacl-fast.min.js", "jsqr/jsQR.js"])
async def test_the_app_serves_the_vendored_file(client: Client, file: str) -> None:
    served = await client.get(f"/static/vendor/{file}")
    assert served.status_code == 200
    assert served.content == (VENDOR / file).read_bytes()
