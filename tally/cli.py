"""The ``tally`` command line (also ``python -m tally``).

``tally count SPEC RECORDS`` reads a ballot spec (JSON) and records (JSON Lines, one
:class:`~tally.result.Record` a line; ``-`` reads standard input), counts them and prints the
result as JSON. Bad input exits with status 1 and one line naming the file, line and field.
Identical lines are counted before decoding (:mod:`tally.lines`), so only distinct records are
decoded and checked.
Subcommands are argparse subparsers so that ``tally verify BOARD`` can join later.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

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
