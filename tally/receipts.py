"""Receipt codes: a cast's tracker as 26 digits that a resident can read aloud, and back.

A tracker (``k3xq-7hfa-2mvd-p9sa``, what the board stores) is 16 lowercase base32 letters
(RFC 4648): 80 random bits. Its receipt code is the same 80 bits as a 25-digit decimal number
(leading zeros kept) and a Damm check digit, in groups of four:
``0482 1993 0117 5123 4567 8901 23``. It is only a way of writing the tracker: the board is
unchanged, and :func:`read_receipt` turns either form, however typed, back into the tracker.
See ``docs/bulletin-board.md`` ("Receipt codes").
"""

from __future__ import annotations

import base64
import re
import unicodedata

__all__ = [
    "RECEIPT_CODE_DIGITS",
    "ReceiptCodeError",
    "damm_digit",
    "read_receipt",
    "receipt_code",
]

RECEIPT_CODE_DIGITS = 26
_NUMBER_DIGITS = RECEIPT_CODE_DIGITS - 1  # 10**25 > 2**80
_TRACKER_BITS = 80
_GROUP = 4
_VOTING_CODE_DIGITS = 25  # ballots.credentials: told apart so a resident can be told which is which
_TRACKER = re.compile(r"[a-z2-7]{16}")

# The Damm algorithm's weakly totally anti-symmetric quasigroup of order 10 (Damm, 2004): the
# check digit catches every single mistyped digit and every swap of two neighbours.
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


class ReceiptCodeError(ValueError):
    """Typed text that is neither a receipt code nor a tracker.

    ``reason``: ``empty`` (no letter or digit); ``length`` (``digits`` digits, not 26);
    ``check`` (26 digits, but one is mistyped); ``voting-code`` (25 digits with a valid check
    digit: most likely the voting code from the invitation); ``characters`` (letters, but not the
    16 of a tracker).
    """

    def __init__(self, reason: str, digits: int = 0) -> None:
        super().__init__(f"not a receipt code: {reason}")
        self.reason = reason
        self.digits = digits


def damm_digit(digits: str) -> str:
    """The Damm check digit of a string of ASCII digits (appended, the whole checks to 0)."""
    interim = 0
    for digit in digits:
        interim = _DAMM[interim][ord(digit) - 48]
    return str(interim)


def _tracker_letters(tracker: str) -> str | None:
    letters = tracker.replace("-", "")
    if len(tracker) != 19 or not _TRACKER.fullmatch(letters):
        return None
    if tracker != "-".join(letters[i : i + 4] for i in range(0, 16, 4)):
        return None
    return letters


def receipt_code(tracker: str) -> str | None:
    """The receipt code of a tracker, grouped in fours; None for a tracker of another shape."""
    letters = _tracker_letters(tracker)
    if letters is None:
        return None
    return _code_of_number(int.from_bytes(base64.b32decode(letters.upper()), "big"))


def _code_of_number(number: int) -> str:
    digits = f"{number:0{_NUMBER_DIGITS}d}"
    digits += damm_digit(digits)
    return " ".join(digits[i : i + _GROUP] for i in range(0, len(digits), _GROUP))


def tracker_and_code(number: int) -> tuple[str, str]:
    """The tracker of an 80-bit ``number`` and its receipt code (what :func:`receipt_code` of
    that tracker gives, without decoding it again)."""
    if not 0 <= number < 1 << _TRACKER_BITS:
        raise ValueError("a tracker is an 80-bit number")
    return _tracker_of_number(number), _code_of_number(number)


def _tracker_of_number(number: int) -> str:
    letters = base64.b32encode(number.to_bytes(_TRACKER_BITS // 8, "big")).decode().lower()
    return "-".join(letters[i : i + 4] for i in range(0, 16, 4))


def read_receipt(text: str) -> str:
    """The tracker that typed ``text`` stands for: a receipt code or a tracker, in any case, with
    or without spaces or dashes, in full-width or ASCII characters.

    Raises :class:`ReceiptCodeError` saying what is wrong.
    """
    normal = unicodedata.normalize("NFKC", text).lower()
    # Only ASCII letters and digits count: spaces, dashes and other signs between the groups,
    # and words around the code ("回执查询码：…" pasted whole), are dropped.
    kept = "".join(ch for ch in normal if ch.isascii() and ch.isalnum())
    if not kept:
        raise ReceiptCodeError("empty")
    if kept.isdigit():
        if len(kept) == _VOTING_CODE_DIGITS and damm_digit(kept) == "0":
            raise ReceiptCodeError("voting-code", len(kept))
        if len(kept) != RECEIPT_CODE_DIGITS:
            raise ReceiptCodeError("length", len(kept))
        if damm_digit(kept) != "0":
            raise ReceiptCodeError("check", len(kept))
        number = int(kept[:_NUMBER_DIGITS])
        if number >= 1 << _TRACKER_BITS:  # several digits wrong, yet the check digit fits
            raise ReceiptCodeError("check", len(kept))
        return _tracker_of_number(number)
    if _TRACKER.fullmatch(kept):
        return "-".join(kept[i : i + 4] for i in range(0, 16, 4))
    raise ReceiptCodeError("characters")
