"""The service's Ed25519 signing key: created on first use, kept with owner-only permissions.

Tree heads of every ballot's bulletin board are signed with it; its public key is published so
anyone can check them. ``VOTE_SIGNING_KEY`` (the 32-byte seed, hex) may replace the key file.
"""

from __future__ import annotations

import base64
import hashlib
import os
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat


class Signer:
    """Signs messages with the service key and tells its public key."""

    def __init__(self, private_key: Ed25519PrivateKey) -> None:
        self._key = private_key
        self.public_key = private_key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)

    @property
    def public_key_b64(self) -> str:
        return base64.b64encode(self.public_key).decode()

    @property
    def key_id(self) -> str:
        """A short name for the key: the first 16 hex digits of SHA-256 of the public key."""
        return hashlib.sha256(self.public_key).hexdigest()[:16]

    def sign(self, message: bytes) -> bytes:
        return self._key.sign(message)


def signer_from_seed(seed: bytes) -> Signer:
    """A signer from a 32-byte Ed25519 seed."""
    return Signer(Ed25519PrivateKey.from_private_bytes(seed))


def load_or_create_signer(path: Path) -> Signer:
    """Read the seed (hex) from ``path``, creating it with mode 0600 if it does not exist."""
    if path.exists():
        return signer_from_seed(bytes.fromhex(path.read_text().strip()))
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    seed = os.urandom(32)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another worker created it first
        return signer_from_seed(bytes.fromhex(path.read_text().strip()))
    with os.fdopen(fd, "w") as handle:
        handle.write(seed.hex())
    return signer_from_seed(seed)
