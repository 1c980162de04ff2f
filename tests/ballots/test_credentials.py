"""Credentials: at least 80 bits, forgiving to type, and stored only as a keyed hash."""

from __future__ import annotations

import math

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from ballots.credentials import (
    CREDENTIAL_DIGITS,
    credential_hash,
    new_credential,
    normalise_credential,
)
from tests.ballots.factories import KEY, build_world, issue, new_ballot

SAMPLE = "12345-67890-12345-67890-12345"
DIGITS = SAMPLE.replace("-", "")


def test_a_credential_has_at_least_80_bits_in_five_groups_of_five_digits() -> None:
    assert CREDENTIAL_DIGITS * math.log2(10) >= 80
    credential = new_credential()
    groups = credential.split("-")
    assert [len(group) for group in groups] == [5, 5, 5, 5, 5]
    assert all(group.isascii() and group.isdigit() for group in groups)


def test_credentials_are_random() -> None:
    assert len({new_credential() for _ in range(1000)}) == 1000


def test_typing_variants_normalise_to_the_same_digits() -> None:
    variants = [
        SAMPLE,
        DIGITS,
        "12345 67890 12345 67890 12345",
        " #12345-67890 12345—67890-12345 ",
        "１２３４５－６７８９０－１２３４５－６７８９０－１２３４５",  # full-width, as IMEs type
    ]
    for variant in variants:
        assert normalise_credential(variant) == DIGITS, variant


def test_wrong_lengths_and_other_scripts_are_not_credentials() -> None:
    assert normalise_credential(SAMPLE[:-1]) is None
    assert normalise_credential(SAMPLE + "1") is None
    assert normalise_credential("") is None
    assert normalise_credential("٠١٢٣٤٥٦٧٨٩" * 2 + "٠١٢٣٤") is None  # Arabic-Indic digits
    assert credential_hash(KEY, "not a code") is None


def test_hash_is_keyed_and_ignores_formatting() -> None:
    first = credential_hash(KEY, SAMPLE)
    assert first is not None and len(first) == 32
    assert credential_hash(KEY, "１２３４５ ６７８９０ １２３４５ ６７８９０ １２３４５") == first
    assert credential_hash(b"another service key", SAMPLE) != first
    assert DIGITS.encode() not in first


async def test_only_the_keyed_hash_is_stored(session: AsyncSession) -> None:
    world = await build_world(session)
    ballot_id = await new_ballot(session, world)
    credentials = await issue(session, ballot_id)
    assert len(credentials) == 6
    rows = (await session.execute(text("SELECT * FROM electors"))).all()
    stored = [value for row in rows for value in row]
    for credential in credentials.values():
        digits = credential.replace("-", "")
        for value in stored:
            if isinstance(value, bytes | bytearray | memoryview):
                blob = bytes(value)
                assert digits.encode() not in blob and credential.encode() not in blob
            else:
                assert digits not in str(value) and credential not in str(value)
    hashes = {bytes(row.credential_hash) for row in rows}
    assert hashes == {credential_hash(KEY, c) for c in credentials.values()}
