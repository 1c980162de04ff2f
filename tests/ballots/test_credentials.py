"""Credentials: at least 79 random bits, forgiving to type, a check digit that catches typos, and
stored only as a keyed hash."""

from __future__ import annotations

import math

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession
from stdnum import damm  # an outside implementation of the check digit

from ballots.credentials import (
    CREDENTIAL_DIGITS,
    credential_digits,
    credential_hash,
    damm_digit,
    new_credential,
    normalise_credential,
)
from tests.ballots.factories import KEY, build_world, issue, new_ballot

SAMPLE = "12345-67890-12345-67890-12346"  # the last digit is the Damm check digit
DIGITS = SAMPLE.replace("-", "")


def test_a_credential_has_at_least_80_bits_in_five_groups_of_five_digits() -> None:
    assert (CREDENTIAL_DIGITS - 1) * math.log2(10) >= 79
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
        "12345 67890 12345 67890 12346",
        " #12345-67890 12345—67890-12346 ",
        "１２３４５－６７８９０－１２３４５－６７８９０－１２３４６",  # full-width, as IMEs type
    ]
    for variant in variants:
        assert normalise_credential(variant) == DIGITS, variant


def test_wrong_lengths_and_other_scripts_are_not_credentials() -> None:
    assert normalise_credential(SAMPLE[:-1]) is None
    assert normalise_credential(SAMPLE + "1") is None
    assert normalise_credential("") is None
    assert normalise_credential("٠١٢٣٤٥٦٧٨٩" * 2 + "٠١٢٣٤") is None  # Arabic-Indic digits
    assert credential_hash(KEY, "not a code") is None


def test_every_single_typo_and_neighbour_swap_is_caught_by_the_check_digit() -> None:
    for _ in range(50):
        digits = new_credential().replace("-", "")
        assert normalise_credential(digits) == digits
        for position in range(CREDENTIAL_DIGITS):
            for other in "0123456789":
                if other != digits[position]:
                    typo = digits[:position] + other + digits[position + 1 :]
                    assert credential_digits(typo) == typo  # the right length ...
                    assert normalise_credential(typo) is None  # ... but refused as a typo
        for position in range(CREDENTIAL_DIGITS - 1):
            a, b = digits[position], digits[position + 1]
            if a != b:
                swapped = digits[:position] + b + a + digits[position + 2 :]
                assert normalise_credential(swapped) is None


def test_the_check_digit_agrees_with_python_stdnum() -> None:
    for _ in range(200):
        digits = new_credential().replace("-", "")
        assert damm.is_valid(digits)
        assert damm_digit(digits[:-1]) == str(damm.calc_check_digit(digits[:-1]))


def test_hash_is_keyed_and_ignores_formatting() -> None:
    first = credential_hash(KEY, SAMPLE)
    assert first is not None and len(first) == 32
    assert credential_hash(KEY, "１２３４５ ６７８９０ １２３４５ ６７８９０ １２３４６") == first
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
