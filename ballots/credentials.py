"""Voter credentials: 25-digit codes (24 random digits and a Damm check digit) in five groups.

Digits are easy to type on any phone keypad. The check digit catches every single mistyped
digit and every swap of two neighbours, so a typo is refused at once with "please check the
digits" and never counts as a guess. Only an HMAC of the normalised code is stored (keyed with
the service secret), so a database copy alone reveals no usable code.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import unicodedata

CREDENTIAL_DIGITS = 25
RANDOM_DIGITS = CREDENTIAL_DIGITS - 1  # 10**24 ≈ 2**79.7
GROUP = 5

# The Damm algorithm's weakly totally anti-symmetric quasigroup of order 10 (Damm, 2004).
_DAMM = (
    (0, 3, 1, 7, 5, 9, 8, 6, 4, 2),
    (7, 0, 9, 2, 1, 5, 4, 8, 6, 3),
    (4, 2, 0, 6, 8, 7, 1, 3, 5, 9),
    (1, 7, 5, 0, 9, 8, 3, 4, 2, 6),
    (6, 1, 2, 3, 0, 4, 5, 9, 7, 8),
    (3, 6, 7, 4, 2, 0, 9, 5, 8, 1),
    (5, 8, 6, 9, 7, 2, 0, 1, 3, 4),
    (8, 9, 4, 5, 3, 6, 2, 0, 1, 7),
    (9, 4, 3, 8, 6, 1, 7, 2, 0, 5),
    (2, 5, 8, 1, 4, 3, 6, 7, 9, 0),
)


def damm_digit(digits: str) -> str:
    """The Damm check digit of a string of ASCII digits."""
    interim = 0
    for digit in digits:
        interim = _DAMM[interim][ord(digit) - 48]
    return str(interim)


def new_credential() -> str:
    """A fresh random credential, formatted like ``12345-67890-12345-67890-12345``."""
    digits = f"{secrets.randbelow(10**RANDOM_DIGITS):0{RANDOM_DIGITS}d}"
    return format_credential(digits + damm_digit(digits))


def format_credential(digits: str) -> str:
    """Group a credential's digits for printing."""
    return "-".join(digits[i : i + GROUP] for i in range(0, len(digits), GROUP))


def credential_digits(text: str) -> str | None:
    """The 25 ASCII digits of a typed or scanned code, or None if it has another length.

    Full-width digits (０-９), spaces, dashes and a leading ``#`` are accepted.
    """
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
