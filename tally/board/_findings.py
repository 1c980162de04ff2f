"""The verifier's report types, and :class:`Findings` that each check writes its outcome to."""

from __future__ import annotations

from typing import Literal

import msgspec

Status = Literal["pass", "fail", "skip"]

CHECKS = (
    "format",
    "manifest",
    "leaf-hashes",
    "events",
    "root",
    "signatures",
    "casts",
    "revoting",
    "electorate",
    "close",
    "paper",
    "participation",
    "tie-seed",
    "recount",
    "receipt",
    "since",
)
"""Every check :func:`~tally.board.verify_board` runs, in order (``receipt`` and ``since`` when asked)."""


class CheckResult(msgspec.Struct):
    """One named check: ``pass``, ``fail`` or ``skip``, with a one-line ``detail``."""

    name: str
    status: Status
    detail: str


class VerifyReport(msgspec.Struct):
    """The outcome of :func:`~tally.board.verify_board`: every check in order, and what was found."""

    checks: list[CheckResult]
    ballot_id: str
    tree_size: int
    root_hash: str
    closed: bool
    counted: int | None = None
    receipt_index: int | None = None
    cancelled_at: str | None = None
    """When the ballot was cancelled (its board's final event), or ``None``."""
    cancel_reason: str | None = None
    """Why the ballot was cancelled, as its ``cancel`` event says."""

    @property
    def ok(self) -> bool:
        """True when no check failed."""
        return all(check.status != "fail" for check in self.checks)

    @property
    def first_failure(self) -> CheckResult | None:
        """The first failed check, if any."""
        return next((check for check in self.checks if check.status == "fail"), None)

    def check(self, name: str) -> CheckResult:
        """The check called ``name``."""
        return next(check for check in self.checks if check.name == name)


class Findings:
    """Each check's outcome: the first failure recorded for a name wins over its pass detail."""

    def __init__(self) -> None:
        self.results: dict[str, tuple[Status, str]] = {}
        self.failed: dict[str, str] = {}

    def fail(self, name: str, message: str) -> None:
        """Record a failure of check ``name`` (only the first message is kept)."""
        self.failed.setdefault(name, message)

    def outcome(self, name: str, detail: str) -> None:
        """Finish check ``name``: failed if a failure was recorded, else passed with ``detail``."""
        if name in self.failed:
            self.results[name] = ("fail", self.failed[name])
        else:
            self.results[name] = ("pass", detail)

    def skip(self, name: str, reason: str) -> None:
        """Finish check ``name`` as skipped."""
        self.results[name] = ("skip", reason)

    def checks(self) -> list[CheckResult]:
        """The finished checks, in the order of :data:`CHECKS`."""
        return [
            CheckResult(name=name, status=self.results[name][0], detail=self.results[name][1])
            for name in CHECKS
            if name in self.results
        ]
