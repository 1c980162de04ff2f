"""Records from JSON Lines, collapsed before they are decoded: ``read_lines`` and ``count_lines``.

Published records are JSON Lines, one :class:`~tally.result.Record` a line. Identical ballots
are identical lines, so the raw lines are counted first (a ``Counter`` over bytes) and only the
distinct lines are decoded and checked; each carries its multiplicity into
:func:`tally.count.count_weighted`. A million ranked ballots over eight options hold at most
40,320 distinct lines, so decoding, checking and counting cost that many steps (counting the
raw lines is the one step per line). Lines that differ in anything (a unit id, spacing, key
order) are distinct lines, each decoded once; the result is the same either way. Records that
carry a unit id or a tracker are all distinct, so such files gain nothing from the collapse.

A bad line raises :class:`LineError` naming the first bad line in the file (its number counts
every line, blank ones too) and the field.
"""

from __future__ import annotations

import io
import math
from collections import Counter
from collections.abc import Callable, Iterable
from operator import attrgetter

import msgspec

from tally.count import count_weighted
from tally.profile import gc_paused
from tally.result import BallotResult, Electorate, Record
from tally.spec import AnswerError, Answers, BallotSpec, check_answers

_weight_of = attrgetter("weight")


class LineError(ValueError):
    """A record line that cannot be counted; ``line`` is its 1-based number in the input."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(f"line {line}: {message}")
        self.line = line
        self.message = message


def read_lines(spec: BallotSpec, data: bytes) -> list[tuple[Record, int]]:
    """The distinct records in JSON Lines ``data`` with how many lines hold each.

    Every distinct line is decoded and checked against ``spec`` (weight finite and not
    negative, answers by :func:`tally.spec.check_answers`); blank lines are skipped. Pairs come
    in the order of each line's first appearance. Raises :class:`LineError` for the first bad
    line.
    """
    with gc_paused():
        return _read_lines(spec, data)


def _read_lines(spec: BallotSpec, data: bytes) -> list[tuple[Record, int]]:
    lines = Counter(_lines(data))
    for blank in [line for line in lines if not line.strip()]:
        del lines[blank]
    decoder = msgspec.json.Decoder(Record)
    check = _answer_checker(spec)
    # Common case: every distinct line is good. Decode them in one call (lines from BytesIO end
    # with a newline, but the last may not); any surprise goes to the line-by-line path.
    try:
        joined = b"\n".join(line.rstrip(b"\r\n") for line in lines)
        records = decoder.decode_lines(joined)
    except msgspec.DecodeError:  # ValidationError is a DecodeError too
        return _read_one_by_one(lines, data, decoder, check)
    if len(records) != len(lines) or not all(map(_usable_weight, map(_weight_of, records))):
        return _read_one_by_one(lines, data, decoder, check)
    try:
        for record in records:
            check(record.answers)
    except AnswerError:
        return _read_one_by_one(lines, data, decoder, check)
    return list(zip(records, lines.values(), strict=True))


def _read_one_by_one(
    lines: Counter[bytes],
    data: bytes,
    decoder: msgspec.json.Decoder[Record],
    check: Callable[[Answers], None],
) -> list[tuple[Record, int]]:
    """Decode and check the distinct lines one by one; :class:`LineError` for the first bad."""
    counted: list[tuple[Record, int]] = []
    for line, multiplicity in lines.items():
        try:
            record = decoder.decode(line)
            if not _usable_weight(record.weight):
                raise _Bad("weight: must be a finite number >= 0")
            check(record.answers)
        except msgspec.ValidationError as error:
            raise LineError(_number(data, line), _field_message(error, line)) from error
        except msgspec.DecodeError as error:
            raise LineError(_number(data, line), f"not valid JSON: {error}") from error
        except AnswerError as error:
            raise LineError(
                _number(data, line), f"answers.{error.question}: {error.message}"
            ) from error
        except _Bad as error:
            raise LineError(_number(data, line), str(error)) from error
        counted.append((record, multiplicity))
    return counted


def _usable_weight(weight: float) -> bool:
    return weight >= 0 and math.isfinite(weight)


def count_lines(
    spec: BallotSpec, data: bytes, electorate: Electorate | None = None
) -> BallotResult:
    """Count the records in JSON Lines ``data`` (the bytes of a records file) under ``spec``.

    The same result as :func:`tally.count` on the decoded records, bit for bit; raises
    :class:`LineError` for a bad line and :class:`~tally.spec.SpecError` for an unusable spec.
    """
    return count_weighted(spec, read_lines(spec, data), electorate)


class _Bad(Exception):
    """A check that failed after decoding (message already names the field)."""


def _lines(data: bytes) -> Iterable[bytes]:
    """The lines of ``data``, split where a text file would be (``\\n``, ``\\r\\n``, ``\\r``).

    Iterating a ``BytesIO`` makes no list of a million lines; it splits at ``\\n`` only, so
    input holding a ``\\r`` goes through ``splitlines`` instead.
    """
    if b"\r" in data:
        return data.splitlines()
    if data and not data.endswith(b"\n"):
        data += b"\n"  # so the last line matches its copies earlier in the file
    return io.BytesIO(data)


def _number(data: bytes, line: bytes) -> int:
    """The 1-based number of the first line of ``data`` equal to ``line`` (error path only)."""
    for number, candidate in enumerate(_lines(data), start=1):
        if candidate == line:
            return number
    raise AssertionError("a line of the input is not in the input")


def _answer_checker(spec: BallotSpec) -> Callable[[Answers], None]:
    """A fast :func:`check_answers` for ``spec``: plain set and length tests on the common
    path, and :func:`check_answers` itself (for its exact error) when one of them fails."""
    plan = []
    for question in spec.questions:
        low, high = question.choice_bounds
        costs = (
            {option.id: option.cost or 0 for option in question.options}
            if question.kind == "budget" and question.budget_limit is not None
            else None
        )
        known = frozenset(option.id for option in question.options)
        plan.append((question.id, known, low, high, costs, question.budget_limit or 0))
    size = len(plan)

    def check(answers: Answers) -> None:
        if len(answers) == size:
            for question_id, known, low, high, costs, limit in plan:
                chosen = answers.get(question_id)
                if chosen is None or not low <= len(chosen) <= high:
                    break
                distinct = set(chosen)
                if len(distinct) != len(chosen) or not distinct <= known:
                    break
                if costs is not None and sum(costs[option] for option in chosen) > limit:
                    break
            else:
                return
        check_answers(spec, answers)

    return check


def _field_message(error: msgspec.ValidationError, line: bytes) -> str:
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


def _bad_answer(line: bytes) -> str | None:
    """The ``answers.QUESTION`` path of the first answer that is not a list of strings."""
    answers = msgspec.json.decode(line).get("answers", {})
    for question, chosen in answers.items():
        if not isinstance(chosen, list) or not all(isinstance(item, str) for item in chosen):
            return f"answers.{question}"
    return None
