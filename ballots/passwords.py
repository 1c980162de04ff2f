"""Chair passwords: Argon2id hashes, made and checked in one thread off the event loop.

A check runs in the password thread, one at a time and at most four a second, so a storm of
logins queues (at most ``MAX_QUEUED_CHECKS``; past that it is refused as busy, try again in two
seconds) instead of taking the machine from the voters. Callers check outside any database
connection.
"""

from __future__ import annotations

import asyncio
import time
from concurrent.futures import ThreadPoolExecutor

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from ballots.errors import LoginBusy

# OWASP's first Argon2id profile (19 MiB, 2 passes, 1 lane): with TOTP as the second factor it
# guards a leaked database well, and one check costs one core for under 0.1 s, not four.
_hasher = PasswordHasher(time_cost=2, memory_cost=19_456, parallelism=1)
_POOL = ThreadPoolExecutor(max_workers=1, thread_name_prefix="password")
MAX_QUEUED_CHECKS = 8
_queued = 0
# Checking against this keeps the timing of unknown-user logins like that of real ones.
DUMMY_HASH = _hasher.hash("not a real password")


# Checks start at most four a second on average (a burst of four at once): plenty for every chair
# of a district, and a storm of wrong logins then takes a fifth of one core at most, never the
# voters' share. Only the password thread touches the bucket.
CHECKS_PER_SECOND = 4.0
CHECK_BURST = 4.0
_bucket = {"tokens": CHECK_BURST, "at": time.monotonic()}


def _take_turn() -> None:
    now = time.monotonic()
    tokens = min(CHECK_BURST, _bucket["tokens"] + (now - _bucket["at"]) * CHECKS_PER_SECOND)
    if tokens < 1.0:
        time.sleep((1.0 - tokens) / CHECKS_PER_SECOND)
        now, tokens = time.monotonic(), 1.0
    _bucket["tokens"], _bucket["at"] = tokens - 1.0, now


def _verify(password_hash: str, password: str) -> tuple[bool, bool]:
    _take_turn()
    try:
        _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False, False
    return True, _hasher.check_needs_rehash(password_hash)


async def check_password(password_hash: str, password: str) -> tuple[bool, bool]:
    """Whether ``password`` fits ``password_hash``, and whether the hash should be renewed.

    Raises :class:`LoginBusy` when too many checks are already waiting.
    """
    global _queued
    if _queued >= MAX_QUEUED_CHECKS:
        raise LoginBusy(seconds=2)
    _queued += 1
    try:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(_POOL, _verify, password_hash, password)
    finally:
        _queued -= 1


async def hash_password(password: str) -> str:
    """A new Argon2id hash of ``password``."""
    return await asyncio.get_running_loop().run_in_executor(_POOL, _hasher.hash, password)
