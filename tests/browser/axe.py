"""Run the vendored axe-core in a Playwright page and fail on serious or critical violations.

The app's CSP (``script-src 'self'``) refuses injected scripts, so the page's browser context
must be made with ``bypass_csp=True``; the app never serves axe itself.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.sync_api import Page

AXE = Path(__file__).with_name("vendor") / "axe-core" / "axe.min.js"
BLOCKING = ("serious", "critical")


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """Every axe violation on the page as it is now (axe is injected once per document)."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.add_script_tag(path=str(AXE))
    result: dict[str, Any] = page.evaluate(
        "async () => await window.axe.run(document, {resultTypes: ['violations']})"
    )
    violations: list[dict[str, Any]] = result["violations"]
    return violations


def describe(violations: list[dict[str, Any]]) -> str:
    """The violations in a few readable lines: rule, impact, help, and where."""
    lines = []
    for violation in violations:
        targets = [" ".join(map(str, node["target"])) for node in violation["nodes"][:3]]
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']} at {targets}")
    return "\n".join(lines)


def assert_accessible(page: Page) -> None:
    """Fail when axe finds any serious or critical violation on ``page``."""
    blocking = [v for v in axe_violations(page) if v.get("impact") in BLOCKING]
    assert not blocking, f"{page.url}:\n{describe(blocking)}"
