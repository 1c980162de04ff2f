"""The venue code: a 6-digit TOTP code per meeting that changes every 30 seconds.

The projector shows it as a QR code and as digits. A code is accepted during its own 30-second
step and the next one, so a photo of the screen sent to someone at home stops working within a
minute, while a resident who scanned just before it changed still gets in.
"""

from __future__ import annotations

import unicodedata
from datetime import datetime

import pyotp

STEP_SECONDS = 30
DIGITS = 6
ACCEPTED_STEPS = 2
"""The current step and the one before it."""


def new_secret() -> str:
    """A fresh per-meeting secret (base32)."""
    return pyotp.random_base32()


def _totp(secret: str) -> pyotp.TOTP:
    return pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS)


def current_code(secret: str, now: datetime) -> tuple[str, int]:
    """The code to show at ``now`` and how many seconds it has left before the next one."""
    stamp = int(now.timestamp())
    return _totp(secret).at(stamp), STEP_SECONDS - stamp % STEP_SECONDS


def normalise_code(text: str) -> str:
    """The digits of a typed code: full-width digits and spaces are accepted."""
    return "".join(ch for ch in unicodedata.normalize("NFKC", text) if ch.isdigit())


def code_accepted(secret: str, code: str, now: datetime) -> bool:
    """True when ``code`` is this meeting's code now or in the previous step."""
    digits = normalise_code(code)
    if len(digits) != DIGITS or not digits.isascii():
        return False
    totp = _totp(secret)
    stamp = int(now.timestamp())
    return any(
        totp.verify(digits, for_time=stamp - step * STEP_SECONDS) for step in range(ACCEPTED_STEPS)
    )
