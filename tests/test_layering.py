"""Imports point one way, vote → ballots → tally: read from every module's syntax tree.

``tally`` is the auditor's library (msgspec only, cryptography for signatures): it imports
nothing from ``ballots`` or ``vote``, a web framework, a database, Redis or templates, and
nothing outside the standard library but msgspec and cryptography. ``ballots`` never imports
``vote``. Imports anywhere count: at the top, inside functions, under ``TYPE_CHECKING``.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

FORBIDDEN = {
    "tally": {"ballots", "vote", "sqlalchemy", "litestar", "redis", "jinja2", "alembic"},
    "ballots": {"vote"},
}
TALLY_ALLOWED = {"tally", "msgspec", "cryptography"} | set(sys.stdlib_module_names)


def imported_modules(source: str, module: str) -> Iterator[tuple[int, str]]:
    """``(line, absolute module name)`` of every import in ``source``, the module ``module``."""
    package = module.split(".")
    is_package = package[-1] == "__init__"
    if is_package:
        package = package[:-1]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            base: list[str] = []
            if node.level:
                # `from . import x` in a.b.c means a.b; in a/b/__init__ it means a.b.
                base = package[: len(package) - node.level + (1 if is_package else 0)]
            if node.module:
                yield node.lineno, ".".join([*base, node.module])
            else:  # `from .. import x`: x is a module beside the package
                for alias in node.names:
                    yield node.lineno, ".".join([*base, alias.name])


def violations(source: str, module: str) -> list[str]:
    """What ``module`` imports that its layer must not (empty when it keeps to its layer)."""
    layer = module.split(".")[0]
    forbidden = FORBIDDEN.get(layer, set())
    found = []
    for line, name in imported_modules(source, module):
        top = name.split(".")[0]
        if top in forbidden or (layer == "tally" and top not in TALLY_ALLOWED):
            found.append(f"{module} line {line}: imports {name}")
    return found


def _modules(package: str) -> Iterator[tuple[str, Path]]:
    for path in sorted((ROOT / package).rglob("*.py")):
        relative = path.relative_to(ROOT).with_suffix("")
        if "build" in relative.parts:
            continue
        yield ".".join(relative.parts), path


@pytest.mark.parametrize("package", ["tally", "ballots"])
def test_each_layer_imports_only_what_it_may(package: str) -> None:
    modules = list(_modules(package))
    assert len(modules) > 5
    found = [
        problem
        for module, path in modules
        for problem in violations(path.read_text(encoding="utf-8"), module)
    ]
    assert found == []


def test_the_checker_catches_every_kind_of_import() -> None:
    snippet = """
import json
import litestar
from sqlalchemy.orm import Session
from typing import TYPE_CHECKING
if TYPE_CHECKING:
    from vote.app import create_app
def later():
    import redis.asyncio
    from ballots import models
    import numpy
from . import merkle
from .rules import common
"""
    assert violations(snippet, "tally.board._scan") == [
        "tally.board._scan line 3: imports litestar",
        "tally.board._scan line 4: imports sqlalchemy.orm",
        "tally.board._scan line 7: imports vote.app",
        "tally.board._scan line 9: imports redis.asyncio",
        "tally.board._scan line 10: imports ballots",
        "tally.board._scan line 11: imports numpy",
    ]
    assert violations(
        "from ..vote import api\nimport vote.cli\nfrom .. import vote\n", "ballots.board"
    ) == [
        "ballots.board line 1: imports vote",
        "ballots.board line 2: imports vote.cli",
        "ballots.board line 3: imports vote",
    ]
    assert violations("import sqlalchemy\nfrom tally import count\n", "ballots.board") == []
    assert violations("from vote import app\n", "vote.cli") == []


def test_relative_imports_resolve_to_absolute_names() -> None:
    source = "from . import a\nfrom .b import c\nfrom .. import d\n"
    assert [name for _, name in imported_modules(source, "tally.board._scan")] == [
        "tally.board.a",
        "tally.board.b",
        "tally.d",
    ]
    assert [name for _, name in imported_modules(source, "tally.board.__init__")] == [
        "tally.board.a",
        "tally.board.b",
        "tally.d",
    ]
