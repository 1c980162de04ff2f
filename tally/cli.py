"""The ``tally`` command line (also ``python -m tally``).

``tally count SPEC RECORDS`` reads a ballot spec (JSON) and records (JSON Lines, one
:class:`~tally.result.Record` a line; ``-`` reads standard input), counts them and prints the
result as JSON. Bad input exits with status 1 and one line naming the file, line and field.
Identical lines are counted before decoding (:mod:`tally.lines`), so only distinct records are
decoded and checked.

``tally verify BOARD [--receipt CODE] [--since TREEHEAD.json] [--key PUBKEY] [--json]`` reads a
bulletin board (a file or an http(s) URL), runs every check of :func:`tally.board.verify_board`,
prints each with ✓/✗ and exits 0 only when none fails; otherwise it names the first failed check
and exits 1. A board that cannot be read (truncated, garbled) gives one line naming the line.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import sys
import urllib.request
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import msgspec

from tally.count import count_weighted
from tally.lines import LineError, read_lines
from tally.result import Electorate
from tally.spec import BallotSpec, SpecError, decode_spec


class InputError(Exception):
    """Bad input, with a one-line message naming where the problem is."""


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with one subparser per subcommand."""
    parser = argparse.ArgumentParser(
        prog="tally", description="Count and check published ballots, independently of the server."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    counting = commands.add_parser(
        "count", help="count records under a ballot spec and print the result as JSON"
    )
    counting.add_argument("spec", metavar="SPEC", help="ballot spec, JSON")
    counting.add_argument(
        "records", metavar="RECORDS", help="records, JSON Lines (one ballot a line); - for stdin"
    )
    counting.add_argument(
        "--electorate-size", type=int, help="number of eligible heads (owners, households, people)"
    )
    counting.add_argument(
        "--electorate-area", type=float, help="total floor area of the electorate in m²"
    )
    counting.add_argument("--pretty", action="store_true", help="indent the JSON output")
    counting.set_defaults(handler=_count_command)
    _add_verify_parser(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    parser = build_parser()
    arguments = parser.parse_args(argv)
    try:
        status: int = arguments.handler(arguments)
    except InputError as error:
        print(f"tally: error: {error}", file=sys.stderr)
        return 1
    return status


def _count_command(arguments: argparse.Namespace) -> int:
    spec = _read_spec(arguments.spec)
    electorate = None
    if arguments.electorate_size is not None:
        electorate = Electorate(
            size=arguments.electorate_size, area=arguments.electorate_area or 0.0
        )
    elif arguments.electorate_area is not None:
        raise InputError("--electorate-area needs --electorate-size too")
    if arguments.records == "-":
        name = "<stdin>"
        data = sys.stdin.buffer.read()
    else:
        name = arguments.records
        try:
            data = Path(name).read_bytes()
        except OSError as error:
            raise InputError(f"{name}: cannot read: {error.strerror}") from error
    try:
        counted = read_lines(spec, data)
    except LineError as error:
        raise InputError(f"{name} line {error.line}: {error.message}") from error
    try:
        result = count_weighted(spec, counted, electorate)
    except SpecError as error:
        raise InputError(f"spec: {error}") from error
    output = msgspec.json.encode(result)
    if arguments.pretty:
        output = msgspec.json.format(output, indent=2)
    sys.stdout.write(output.decode("utf-8") + "\n")
    return 0


def _read_spec(name: str) -> BallotSpec:
    try:
        data = Path(name).read_bytes()
    except OSError as error:
        raise InputError(f"{name}: cannot read: {error.strerror}") from error
    try:
        return decode_spec(data)
    except SpecError as error:
        raise InputError(f"{name}: {error}") from error


# --- tally verify -------------------------------------------------------------------------------


def _add_verify_parser(commands: Any) -> None:
    verifying = commands.add_parser(
        "verify",
        help="check a bulletin board: hashes, signatures, ballots and the recount",
        description="Check a bulletin board (docs/bulletin-board.md) and exit 0 only when every "
        "check passes.",
    )
    verifying.add_argument("board", metavar="BOARD", help="board file (JSON Lines) or http(s) URL")
    verifying.add_argument(
        "--receipt",
        metavar="CODE",
        help="check that this receipt's ballot is on the board: the receipt code (26 digits, "
        "spaces allowed in quotes) or the tracker",
    )
    verifying.add_argument(
        "--since",
        metavar="TREEHEAD.json",
        help="a tree head saved earlier: check the board extends it (consistency proof)",
    )
    verifying.add_argument(
        "--key",
        metavar="PUBKEY",
        help="the service's public key from another source (base64 or hex of the raw 32 bytes, "
        "or a file holding it): the board must be signed with it",
    )
    verifying.add_argument("--json", action="store_true", help="print the report as JSON")
    verifying.set_defaults(handler=_verify_command)


def _verify_command(arguments: argparse.Namespace) -> int:
    from tally.board import BoardFormatError, read_board, read_tree_head, verify_board

    key = None if arguments.key is None else _read_key(arguments.key)
    since = None
    if arguments.since is not None:
        try:
            since = read_tree_head(Path(arguments.since).read_bytes())
        except OSError as error:
            raise InputError(f"{arguments.since}: cannot read: {error.strerror}") from error
        except ValueError as error:
            raise InputError(f"{arguments.since}: not a tree head: {error}") from error
    name = arguments.board
    try:
        if name.startswith(("http://", "https://")):
            with urllib.request.urlopen(name, timeout=120) as response:  # noqa: S310
                board = read_board(response)
        else:
            board = read_board(Path(name))
    except BoardFormatError as error:
        raise InputError(f"{name} line {error.line}: {error.message}") from error
    except OSError as error:
        reason = getattr(error, "reason", None) or error.strerror or error
        raise InputError(f"{name}: cannot read: {reason}") from error
    report = verify_board(board, receipt=arguments.receipt, since=since, key=key)
    if arguments.json:
        data = msgspec.json.format(msgspec.json.encode(report), indent=2)
        sys.stdout.write(data.decode("utf-8") + "\n")
    else:
        _print_report(name, report)
    failed = report.first_failure
    if failed is not None:
        print(f"tally: verify: FAILED: {failed.name}: {failed.detail}", file=sys.stderr)
        return 1
    return 0


def _print_report(name: str, report: Any) -> None:
    encoding = sys.stdout.encoding or "ascii"
    try:
        "✓✗–".encode(encoding)
        marks = {"pass": "✓ PASS", "fail": "✗ FAIL", "skip": "– SKIP"}
    except (UnicodeEncodeError, LookupError):
        marks = {"pass": "PASS", "fail": "FAIL", "skip": "SKIP"}
    lines = [
        f"board {name}: ballot {report.ballot_id!r}, {report.tree_size} leaves, "
        f"root {report.root_hash}"
    ]
    width = max(len(check.name) for check in report.checks)
    for check in report.checks:
        lines.append(f"{marks[check.status]}  {check.name:<{width}}  {check.detail}")
    failed = report.first_failure
    if failed is None:
        if report.cancelled_at is not None:
            closed = (
                f" (the ballot was cancelled at {report.cancelled_at}: nothing is counted; "
                f"reason: {report.cancel_reason})"
            )
        elif report.closed:
            closed = ""
        else:
            closed = " (the ballot is still open: result checks skipped)"
        lines.append(f"OK: every check passed{closed}")
    else:
        lines.append(f"FAILED: the first failed check is {failed.name}")
    text = "\n".join(lines) + "\n"
    sys.stdout.write(text.encode(encoding, "replace").decode(encoding))


def _read_key(text: str) -> bytes:
    path = Path(text)
    if len(text) < 200 and path.is_file():
        try:
            text = path.read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError) as error:
            raise InputError(f"{path}: cannot read the key") from error
    raw = b""
    if len(text) == 64:
        try:
            raw = bytes.fromhex(text)
        except ValueError:
            raw = b""
    if not raw:
        try:
            raw = base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError):
            raw = b""
    if len(raw) != 32:
        raise InputError("--key: not a raw 32-byte Ed25519 public key in base64 or hex")
    return raw
