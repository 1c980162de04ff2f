"""How big a roster file may be, before and after unpacking; every limit is declared here once.

A roll is names, buildings, rooms and a few short fields, so every limit sits far above a real
roster (20,000 residents of a large 居民区 is about 10 MB of XLSX XML) and far below what would
hurt the server. ``docs/roster-format.md`` lists them for chairs.
"""

from __future__ import annotations

from typing import Final

MB: Final = 1024 * 1024

MAX_BYTES: Final = 10 * MB
"""The file as uploaded (the HTTP body limit of the import route too)."""

MAX_ROWS: Final = 20_000
"""Residents (non-blank rows under the header) in one file."""

MAX_COLUMNS: Final = 100
"""Columns read; cells further right are ignored."""

MAX_SCANNED_ROWS: Final = 5 * MAX_ROWS
"""Rows scanned, blank ones included: Excel sheets can carry a million formatted empty rows."""

HEADER_SEARCH_ROWS: Final = 10
"""How far down the sheet the header row may be (title rows above it are common)."""

MAX_CELL_CHARS: Final = 1_000
"""Characters in one cell. The longest roll column is 姓名 (100 characters, ``Resident.name``);
a 标签 cell holds several 32-character tags. Ten times the longest column leaves room for notes
columns (备注) that are read and ignored."""

MAX_CELL_ERRORS: Final = 100
"""Too-long cells reported before the rest are left unsaid (the list would otherwise be huge)."""

# XLSX is a zip of XML parts. These are checked from the zip's directory before any part is
# unpacked, so a "zip bomb" (a small file that unpacks to gigabytes) is refused unopened.

MAX_UNPACKED_BYTES: Final = 50 * MB
"""All parts of an XLSX workbook together, unpacked."""

MAX_PARTS: Final = 1_000
"""Parts (zip members) in an XLSX workbook; Excel writes about a dozen for one sheet."""

MAX_PACKING_RATIO: Final = 200
"""How many times a part may grow when unpacked. Real sheet XML packs about 10 to 1; a run of
one repeated character packs about 1,000 to 1, which is what zip bombs are made of."""

RATIO_CHECKED_FROM: Final = 1 * MB
"""Parts smaller than this unpacked are not held to the ratio (tiny parts pack oddly)."""
