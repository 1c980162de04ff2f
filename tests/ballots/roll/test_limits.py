"""The limits page for chairs (docs/roster-format.md) quotes what the service really says."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from ballots.roll import RosterHasErrors, parse_roster
from ballots.roll.limits import MAX_BYTES, MAX_CELL_CHARS, MAX_ROWS, MAX_UNPACKED_BYTES, MB
from tests.ballots.roll.workbooks import xlsx_bomb

DOC = (Path(__file__).parents[3] / "docs" / "roster-format.md").read_text(encoding="utf-8")
HEADER = "姓名,楼栋,门牌,户号\n"


def message(data: bytes, filename: str) -> str:
    with pytest.raises(RosterHasErrors) as caught:
        parse_roster(data, filename)
    return caught.value.errors[0].message


@pytest.mark.parametrize(
    ("data", "filename"),
    [
        (xlsx_bomb, "名册.xlsx"),
        (lambda: HEADER.encode(), "名册.xlsx"),
        (lambda: b"PK\x03\x04" + b"\x00" * 40, "名册.xlsx"),
        (lambda: f"{HEADER}张三,1,101,1-101\n\x00\n".encode(), "名册.csv"),
        (lambda: b"x" * (MAX_BYTES + 1), "名册.csv"),
        (
            lambda: (HEADER + "".join(f"{i},1,{i},{i}\n" for i in range(MAX_ROWS + 1))).encode(),
            "名册.csv",
        ),
    ],
    ids=["bomb", "not-xlsx", "damaged", "nul", "too-large", "too-many-rows"],
)
def test_the_page_quotes_each_refusal(data: Callable[[], bytes], filename: str) -> None:
    assert message(data(), filename) in DOC


def test_the_page_states_the_limits() -> None:
    long_cell = message(f"{HEADER}{'x' * (MAX_CELL_CHARS + 1)},1,101,1-101\n".encode(), "r.csv")
    assert long_cell.replace("row 2", "row 17") in DOC
    assert f"**{MAX_UNPACKED_BYTES // MB} MB**" in DOC
    assert f"**{MAX_CELL_CHARS:,}**" in DOC
