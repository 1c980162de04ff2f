"""The roll (名册): reading roster files, importing them into a residential area, masked listings.

- :mod:`ballots.roll.parse` — pure: CSV/XLSX bytes → checked :class:`RosterRow` list, reading
  through :mod:`ballots.roll.csv_file` and :mod:`ballots.roll.xlsx` (bounded memory, zip bombs
  refused unopened) within :mod:`ballots.roll.limits`.
- :mod:`ballots.roll.importer` — upsert into the database, dry runs, listings with masked phones.
- :mod:`ballots.roll.errors` — :class:`RosterHasErrors`, carrying every row/column problem.
"""

from ballots.roll.errors import RosterError, RosterHasErrors
from ballots.roll.importer import (
    FieldChange,
    HouseholdUpdate,
    ImportReport,
    ResidentRef,
    ResidentUpdate,
    ResidentView,
    import_roll,
    list_residents,
    mask_name,
    mask_phone,
)
from ballots.roll.limits import MAX_BYTES, MAX_ROWS
from ballots.roll.parse import OwnedFlat, RosterRow, household_name_key, parse_roster

__all__ = [
    "MAX_BYTES",
    "MAX_ROWS",
    "FieldChange",
    "HouseholdUpdate",
    "ImportReport",
    "OwnedFlat",
    "ResidentRef",
    "ResidentUpdate",
    "ResidentView",
    "RosterError",
    "RosterHasErrors",
    "RosterRow",
    "household_name_key",
    "import_roll",
    "list_residents",
    "mask_name",
    "mask_phone",
    "parse_roster",
]
