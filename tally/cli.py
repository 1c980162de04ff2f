"""The ``tally`` command line (also ``python -m tally``).

``tally count SPEC RECORDS`` reads a ballot spec (JSON) and records (JSON Lines, one
:class:`~tally.result.Record` a line; ``-`` reads standard input), counts them and prints the
result as JSON. Bad input exits with status 1 and one line naming the file, line and field.
Subcommands are argparse subparsers so that ``tally verify BOARD`` can join later.
"""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO

import msgspec

from tally.count import count
from tally.result import Electorate, Record
from tally.spec import AnswerError, BallotSpec, SpecError, check_answers, decode_spec


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
        records = _read_records(sys.stdin, "<stdin>", spec)
        result = _count(spec, records, electorate)
    else:
        path = Path(arguments.records)
        try:
            with path.open(encoding="utf-8") as stream:
                result = _count(spec, _read_records(stream, str(path), spec), electorate)
        except OSError as error:
            raise InputError(f"{path}: cannot read: {error.strerror}") from error
    data = msgspec.json.encode(result)
    if arguments.pretty:
        data = msgspec.json.format(data, indent=2)
    sys.stdout.write(data.decode("utf-8") + "\n")
    return 0


def _count(spec: BallotSpec, records: Iterator[Record], electorate: Electorate | None) -> object:
    try:
        return count(spec, records, electorate)
    except SpecError as error:
        raise InputError(f"spec: {error}") from error


def _read_spec(name: str) -> BallotSpec:
    try:
        data = Path(name).read_bytes()
    except OSError as error:
        raise InputError(f"{name}: cannot read: {error.strerror}") from error
    try:
        return decode_spec(data)
    except SpecError as error:
        raise InputError(f"{name}: {error}") from error


def _read_records(stream: IO[str], name: str, spec: BallotSpec) -> Iterator[Record]:
    decoder = msgspec.json.Decoder(Record)
    for number, line in enumerate(stream, start=1):
        if not line.strip():
            continue
        try:
            record = decoder.decode(line)
        except msgspec.ValidationError as error:
            raise InputError(f"{name} line {number}: {_field_message(error, line)}") from error
        except msgspec.DecodeError as error:
            raise InputError(f"{name} line {number}: not valid JSON: {error}") from error
        if not (record.weight >= 0 and math.isfinite(record.weight)):
            raise InputError(f"{name} line {number}: weight: must be a finite number >= 0")
        try:
            check_answers(spec, record.answers)
        except AnswerError as error:
            raise InputError(
                f"{name} line {number}: answers.{error.question}: {error.message}"
            ) from error
        yield record


def _field_message(error: msgspec.ValidationError, line: str) -> str:
    """msgspec says "Expected `float`, got `str` - at `$.weight`"; put the field first.

    msgspec writes a bad dict value as ``answers[...]``; name the question id instead.
    """
    text = str(error)
    message, marker, path = text.rpartition(" - at `")
    if not marker:
        return f"record: {text}"
    field = path.rstrip("`").removeprefix("$").removeprefix(".") or "record"
    if field.startswith("answers[...]"):
        field = _bad_answer(line) or field
    return f"{field}: {message}"


def _bad_answer(line: str) -> str | None:
    """The ``answers.QUESTION`` path of the first answer that is not a list of strings."""
    answers = msgspec.json.decode(line).get("answers", {})
    for question, chosen in answers.items():
        if not isinstance(chosen, list) or not all(isinstance(item, str) for item in chosen):
            return f"answers.{question}"
    return None
