"""Voter credentials: 25-digit codes (24 random digits and a Damm check digit) in five groups.

Digits are easy to type on any phone keypad. The check digit catches every single mistyped
digit and every swap of two neighbours, so a typo is refused at once with "please check the
digits" and never counts as a guess. Only an HMAC of the normalised code is stored (keyed with
the service secret), so a database copy alone reveals no usable code.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import unicodedata

from tally.receipts import damm_digit as damm_digit  # the check digit, shared with receipts

CREDENTIAL_DIGITS = 25
RANDOM_DIGITS = CREDENTIAL_DIGITS - 1  # 10**24 ≈ 2**79.7
GROUP = 5


def new_credential() -> str:
    """A fresh random credential, formatted like ``12345-67890-12345-67890-12345``."""
    digits = f"{secrets.randbelow(10**RANDOM_DIGITS):0{RANDOM_DIGITS}d}"
    return format_credential(digits + damm_digit(digits))


_NOT_DIGITS = re.compile(r"[^0-9]+")


def format_credential(digits: str) -> str:
    """Group a credential's digits for printing."""
    return "-".join(digits[i : i + GROUP] for i in range(0, len(digits), GROUP))


def credential_digits(text: str) -> str | None:
    """The 25 ASCII digits of a typed or scanned code, or None if it has another length.

    Full-width digits (０-９), spaces, dashes and a leading ``#`` are accepted.
    """
    if text.isascii():  # as printed, scanned or typed on most phones: NFKC changes nothing
        digits = _NOT_DIGITS.sub("", text)
    else:
        digits = "".join(ch for ch in unicodedata.normalize("NFKC", text) if ch.isdigit())
    if len(digits) != CREDENTIAL_DIGITS or not digits.isascii():
        return None
    return digits


def normalise_credential(text: str) -> str | None:
    """The digits of a well-formed credential (right length, check digit fits), or None."""
    digits = credential_digits(text)
    if digits is None or damm_digit(digits) != "0":
        return None
    return digits


def credential_hash(key: bytes, credential: str) -> bytes | None:
    """The stored form of a credential, or None when the text is not a well-formed credential."""
    digits = normalise_credential(credential)
    if digits is None:
        return None
    return hmac.new(key, b"credential:" + digits.encode(), hashlib.sha256).digest()
