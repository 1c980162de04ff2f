"""Natural order for names with numbers in them: 2号楼 before 10号楼, 3-201 before 3-1001."""

from __future__ import annotations

import re

_NUMBERS = re.compile(r"(\d+)")


def natural_key(text: str) -> list[tuple[int, str]]:
    """A sort key that compares the runs of digits in ``text`` as numbers."""
    return [(int(part), "") if part.isdigit() else (0, part) for part in _NUMBERS.split(text)]
