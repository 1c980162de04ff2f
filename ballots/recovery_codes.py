"""One-time recovery codes: what a chair types in place of the TOTP code when the phone is gone.

A chair gets ten codes when added or re-enrolled and may make new ones; each is twelve digits in
groups of four (``4821-9930-1175``), easy to read aloud and to type on a phone. Only an
HMAC-SHA256 of each code under the service secret, bound to the chair, is stored, so a copy of
the database alone reveals none. A code logs in once: it is claimed by a compare-and-set on its
row, so two logins racing with one code cannot both succeed.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import unicodedata
from datetime import UTC, datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ballots.models import ChairRecoveryCode

RECOVERY_CODE_COUNT = 10
RECOVERY_CODE_DIGITS = 12
GROUP = 4


def generate_codes(count: int = RECOVERY_CODE_COUNT) -> list[str]:
    """``count`` different codes, each twelve random digits in groups of four."""
    codes: list[str] = []
    while len(codes) < count:
        digits = f"{secrets.randbelow(10**RECOVERY_CODE_DIGITS):0{RECOVERY_CODE_DIGITS}d}"
        code = "-".join(digits[i : i + GROUP] for i in range(0, RECOVERY_CODE_DIGITS, GROUP))
        if code not in codes:
            codes.append(code)
    return codes


def normalise(text: str) -> str | None:
    """The twelve digits of a typed recovery code (full-width digits, spaces and dashes
    allowed), or None when ``text`` is not shaped like one."""
    folded = unicodedata.normalize("NFKC", text)
    digits = "".join(ch for ch in folded if "0" <= ch <= "9")
    if len(digits) != RECOVERY_CODE_DIGITS:
        return None
    if any(not ("0" <= ch <= "9") and ch not in " -" for ch in folded.strip()):
        return None
    return digits


def code_hash(secret_key: bytes, chair_id: int, digits: str) -> bytes:
    """The stored form of a recovery code of chair ``chair_id``."""
    message = f"chair-recovery-code:{chair_id}:{digits}".encode()
    return hmac.new(secret_key, message, hashlib.sha256).digest()


async def replace_codes(
    session: AsyncSession, secret_key: bytes, chair_id: int, *, now: datetime | None = None
) -> list[str]:
    """Give the chair ten new codes (returned, to be shown once); the old ones stop working.

    The caller audits: this is part of adding, re-enrolling or a chair's own request.
    """
    now = now or datetime.now(UTC)
    codes = generate_codes()
    await session.execute(delete(ChairRecoveryCode).where(ChairRecoveryCode.chair_id == chair_id))
    session.add_all(
        ChairRecoveryCode(
            chair_id=chair_id,
            code_hash=code_hash(secret_key, chair_id, code.replace("-", "")),
            created_at=now,
        )
        for code in codes
    )
    await session.flush()
    return codes


async def claim(
    session: AsyncSession, secret_key: bytes, chair_id: int, digits: str, now: datetime
) -> bool:
    """Mark the chair's unused code ``digits`` used; False when there is no such unused code.

    One UPDATE with the condition that the code is unused: of concurrent claims of one code,
    the database lets exactly one change the row.
    """
    claimed = await session.execute(
        update(ChairRecoveryCode)
        .where(
            ChairRecoveryCode.chair_id == chair_id,
            ChairRecoveryCode.code_hash == code_hash(secret_key, chair_id, digits),
            ChairRecoveryCode.used_at.is_(None),
        )
        .values(used_at=now)
    )
    return bool(claimed.rowcount == 1)  # type: ignore[attr-defined]


async def codes_left(session: AsyncSession, chair_id: int) -> int:
    """How many of the chair's recovery codes are still unused."""
    left = await session.scalar(
        select(func.count())
        .select_from(ChairRecoveryCode)
        .where(ChairRecoveryCode.chair_id == chair_id, ChairRecoveryCode.used_at.is_(None))
    )
    return int(left or 0)
