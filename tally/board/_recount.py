"""The ``recount`` check: count the counted casts again and compare with the published result."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import msgspec

from tally.board._checks import tie_seed
from tally.board._format import encode
from tally.board._scan import Scan
from tally.count import count, count_weighted, rule_name
from tally.result import LEGACY_FORMATS, BallotResult, Electorate, Record
from tally.rules import UNIT_RULES
from tally.spec import BallotSpec, SpecError


def check_recount(scan: Scan) -> None:
    """Recounting the counted casts under the manifest gives the published result exactly."""
    findings = scan.findings
    result = scan.result
    setup = scan.setup
    if result is None or setup is None:
        findings.skip(
            "recount", "the ballot was cancelled" if scan.cancel is not None else "no result yet"
        )
        return
    if "casts" in findings.failed or "revoting" in findings.failed or "paper" in findings.failed:
        findings.fail("recount", "not recounted: some casts or paper ballots are invalid")
        findings.outcome("recount", "")
        return
    spec = msgspec.structs.replace(setup.spec, tie_seed=tie_seed(scan))
    try:
        recounted = recount(scan, spec, setup.electorate)
    except (SpecError, ValueError) as error:
        findings.fail("recount", f"the manifest cannot be counted: {error}")
        findings.outcome("recount", "")
        return
    try:
        published = msgspec.json.decode(result.result)
    except msgspec.DecodeError as error:
        findings.fail("recount", f"the published result is not valid JSON: {error}")
        findings.outcome("recount", "")
        return
    mine = as_published_format(msgspec.json.decode(encode(recounted)), published)
    difference = first_difference(published, mine, "result")
    if difference is not None:
        findings.fail("recount", f"recounting gives a different result: {difference}")
    winners = "; ".join(
        f"{question.question}: {question.outcome}"
        + (f" {', '.join(question.winners)}" if question.winners else "")
        for question in recounted.questions
    )
    findings.outcome(
        "recount",
        f"recounting {recounted.ballots} ballots gives the published result ({winners})",
    )


def as_published_format(mine: Any, published: Any) -> Any:
    """The recount in the published result's format: a result published as an earlier
    ``tally-result`` version is compared without the question fields that version lacked."""
    version = published.get("format") if isinstance(published, dict) else None
    missing = LEGACY_FORMATS.get(version) if isinstance(version, str) else None
    if missing is None or not isinstance(mine, dict):
        return mine
    for question in mine.get("questions", []):
        for name in missing:
            question.pop(name, None)
    mine["format"] = version
    return mine


def recount(scan: Scan, spec: BallotSpec, electorate: Electorate) -> BallotResult:
    """:func:`tally.count` over the counted casts (and the paper batch's valid sheets).

    Identical records are grouped when no rule looks at voting units (the result is the same
    bit for bit, see :func:`tally.count_weighted`).
    """
    uses_units = any(
        rule_name(question, index) in UNIT_RULES for index, question in enumerate(spec.questions)
    )
    if uses_units or scan.paper_records:
        # The casts in leaf order, then the paper batch's valid sheets in batch order.
        return count(spec, [*_counted_records(scan), *scan.paper_records], electorate)
    by_area = spec.weighting == "area"
    groups: dict[tuple[int, float], int] = {}
    answers = scan.cast_answers
    weights = scan.cast_weights
    for number in scan.unit_cast.values():
        key = (answers[number], weights[number] if by_area else 1.0)
        groups[key] = groups.get(key, 0) + 1
    table = scan.answer_table
    pairs: list[tuple[Record, int]] = []
    for (answer_id, weight), multiplicity in groups.items():
        chosen = table[answer_id]
        assert chosen is not None
        pairs.append((Record(answers=chosen, weight=weight), multiplicity))
    return count_weighted(spec, pairs, electorate)


def _counted_records(scan: Scan) -> Iterator[Record]:
    setup = scan.setup
    assert setup is not None
    by_area = setup.spec.weighting == "area"
    table = scan.answer_table
    answers = scan.cast_answers
    weights = scan.cast_weights
    units = scan.cast_units
    for number in sorted(scan.unit_cast.values()):
        chosen = table[answers[number]]
        assert chosen is not None
        yield Record(answers=chosen, weight=weights[number] if by_area else 1.0, unit=units[number])


def first_difference(left: Any, right: Any, path: str) -> str | None:
    """Where two decoded JSON values first differ, e.g. ``result.questions[0].winners``."""
    if isinstance(left, dict) and isinstance(right, dict):
        for name in list(left) + [name for name in right if name not in left]:
            if name not in left or name not in right:
                return f"{path}.{name}: present in only one"
            found = first_difference(left[name], right[name], f"{path}.{name}")
            if found is not None:
                return found
        return None
    if isinstance(left, list) and isinstance(right, list):
        for number, (a, b) in enumerate(zip(left, right, strict=False)):
            found = first_difference(a, b, f"{path}[{number}]")
            if found is not None:
                return found
        if len(left) != len(right):
            return f"{path}: {len(left)} items published, {len(right)} recounted"
        return None
    if left != right or (
        type(left) is not type(right)
        and not (isinstance(left, int | float) and isinstance(right, int | float))
    ):
        return f"{path}: published {_short(left)}, recounted {_short(right)}"
    return None


def _short(value: Any) -> str:
    text = encode(value).decode("utf-8")
    return text if len(text) <= 80 else text[:77] + "..."
