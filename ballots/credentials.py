"""Voter credentials: random 83-bit codes printed as five groups of five digits.

Digits are easy to type on any phone keypad. Only an HMAC of the normalised code is stored
(keyed with the service secret), so a database copy alone reveals no usable code.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import unicodedata

CREDENTIAL_DIGITS = 25  # 10**25 ≈ 2**83
GROUP = 5


def new_credential() -> str:
    """A fresh random credential, formatted like ``12345-67890-12345-67890-12345``."""
    digits = f"{secrets.randbelow(10**CREDENTIAL_DIGITS):0{CREDENTIAL_DIGITS}d}"
    return format_credential(digits)


def format_credential(digits: str) -> str:
    """Group a credential's digits for printing."""
    return "-".join(digits[i : i + GROUP] for i in range(0, len(digits), GROUP))


def normalise_credential(text: str) -> str | None:
    """The digits of a typed or scanned credential, or None if it cannot be one.

    Full-width digits (０-９), spaces, dashes and a leading ``#`` are accepted.
    """
    digits = "".join(ch for ch in unicodedata.normalize("NFKC", text) if ch.isdigit())
    if len(digits) != CREDENTIAL_DIGITS or not digits.isascii():
        return None
    return digits


def credential_hash(key: bytes, credential: str) -> bytes | None:
    """The stored form of a credential, or None when the text is not a credential at all."""
    digits = normalise_credential(credential)
    if digits is None:
        return None
    return hmac.new(key, b"credential:" + digits.encode(), hashlib.sha256).digest()
