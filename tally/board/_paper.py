"""The ``paper`` check: the paper batch after the close (format ``/2``).

Its records are returned paper ballots, each of a voting unit that has no counted cast and no
other sheet, with answers valid under the manifest (none when invalid), weight as for casts;
its totals add up: ``returned`` = records = ``valid`` + ``invalid`` ≤ ``issued``. The valid
records join the count after the casts, in batch order (:attr:`Scan.paper_records`).
"""

from __future__ import annotations

import math

from tally.board._format import MAX_TEXT, parse_time
from tally.board._scan import Scan
from tally.result import Record
from tally.spec import AnswerError, check_answers


def check_paper(scan: Scan) -> None:
    """Check the paper batch, if the board has one, and keep its valid records for the count."""
    batch = scan.paper
    setup = scan.setup
    if batch is None or setup is None:
        return  # no batch: the check is not reported at all
    findings = scan.findings
    where = f"leaf {scan.paper_index}"
    by_area = setup.spec.weighting == "area"
    serials: set[int] = set()
    units: set[str] = set()
    records: list[Record] = []
    invalid = 0
    for number, record in enumerate(batch.records):
        at = f"{where}: record {number} (No. {record.serial})"
        if record.serial < 1 or record.serial in serials:
            findings.fail("paper", f"{at}: serial numbers are positive and unique")
        serials.add(record.serial)
        if not record.unit or len(record.unit) > MAX_TEXT:
            findings.fail("paper", f"{at}: unit is empty or too long")
        elif record.unit in scan.unit_cast:
            findings.fail("paper", f"{at}: its voting unit also has a counted cast: counted twice")
        elif record.unit in units:
            findings.fail("paper", f"{at}: its voting unit has another paper ballot")
        units.add(record.unit)
        weight = record.weight
        if not (weight >= 0 and math.isfinite(weight)):
            findings.fail("paper", f"{at}: weight must be a finite number >= 0")
        elif weight != 1.0 and not by_area:
            findings.fail("paper", f"{at}: weight must be 1 (weighting is none)")
        if record.invalid:
            invalid += 1
            if record.answers:
                findings.fail("paper", f"{at}: an invalid paper ballot has no answers")
            continue
        try:
            check_answers(setup.spec, record.answers)
        except AnswerError as error:
            findings.fail("paper", f"{at}: answers.{error.question}: {error.message}")
            continue
        records.append(
            Record(answers=record.answers, weight=weight if by_area else 1.0, unit=record.unit)
        )
    returned = len(batch.records)
    valid = returned - invalid
    if (batch.returned, batch.valid, batch.invalid) != (returned, valid, invalid):
        findings.fail(
            "paper",
            f"{where}: the totals say returned {batch.returned}, valid {batch.valid}, invalid "
            f"{batch.invalid}; the records give {returned}, {valid}, {invalid}",
        )
    if batch.valid + batch.invalid != batch.returned:
        findings.fail("paper", f"{where}: valid + invalid is not returned")
    if not 0 <= batch.returned <= batch.issued:
        findings.fail(
            "paper",
            f"{where}: {batch.returned} returned of {batch.issued} issued: more than issued",
        )
    counted_at = parse_time(batch.counted_at)
    closed_at = None if scan.close is None else parse_time(scan.close.closed_at)
    if counted_at is None:
        findings.fail("paper", f"{where}: counted_at: not an ISO 8601 time with a time zone")
    elif closed_at is not None and counted_at < closed_at:
        findings.fail("paper", f"{where}: counted_at is before closed_at")
    scan.paper_records = records if "paper" not in findings.failed else []
    findings.outcome(
        "paper",
        f"{batch.issued} paper ballots issued, {returned} returned: {valid} valid, {invalid} "
        f"invalid; no voting unit counted twice",
    )
