"""Settings from environment variables, and the service secret kept on disk.

``VOTE_DATABASE_URL``  database URL (default: SQLite file ``./var/vote.sqlite3``)
``VOTE_BASE_URL``      public base URL used in QR codes and links (default http://127.0.0.1:8000)
``VOTE_DATA_DIR``      where the secret key and the default database live (default ``./var``)
``VOTE_REDIS_URL``     Redis for rate limits and live updates across workers (default: none,
                       in-process)
``VOTE_SECRET_KEY``    the secret as hex, instead of the key file (for containers)
``VOTE_SIGNING_KEY``   the board signing key's 32-byte Ed25519 seed as hex, instead of its file
``VOTE_TREE_HEAD_INTERVAL`` seconds between signed tree heads of open ballots (default 300)
``VOTE_SCHEDULE_INTERVAL`` at most this many seconds between looks for ballots due to open or
                       close on schedule (default 5; 0 turns the automatic moves off)
``VOTE_TRUSTED_PROXIES`` comma-separated proxy addresses or networks (CIDR) whose
                       X-Forwarded-For is believed
``VOTE_TRUSTED_NETWORKS`` comma-separated networks (CIDR), such as the committee office's, whose
                       addresses get ten times the rate limits for voting codes and logins
``VOTE_OFFICE_PHONE``  the phone number printed on invitations for questions (default: none)
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import msgspec

from ballots.signing import Signer, load_or_create_signer, signer_from_seed


class Settings(msgspec.Struct, frozen=True):
    """Everything the app and the CLI need to know about their environment."""

    database_url: str
    base_url: str
    data_dir: Path
    redis_url: str = ""
    secret_key_hex: str = ""
    signing_key_hex: str = ""
    trusted_proxies: tuple[str, ...] = ()
    trusted_networks: tuple[str, ...] = ()
    max_body_bytes: int = 64 * 1024
    tree_head_interval: float = 300.0
    schedule_interval: float = 5.0
    max_upload_bytes: int = 10 * 1024 * 1024
    office_phone: str = ""

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        """Read settings from ``env`` (default: the process environment)."""
        env = dict(os.environ if env is None else env)
        data_dir = Path(env.get("VOTE_DATA_DIR", "var")).resolve()
        default_db = f"sqlite+aiosqlite:///{data_dir / 'vote.sqlite3'}"
        proxies = _list(env.get("VOTE_TRUSTED_PROXIES", ""))
        return cls(
            database_url=env.get("VOTE_DATABASE_URL", default_db),
            base_url=env.get("VOTE_BASE_URL", "http://127.0.0.1:8000").rstrip("/"),
            data_dir=data_dir,
            redis_url=env.get("VOTE_REDIS_URL", ""),
            secret_key_hex=env.get("VOTE_SECRET_KEY", ""),
            signing_key_hex=env.get("VOTE_SIGNING_KEY", ""),
            tree_head_interval=float(env.get("VOTE_TREE_HEAD_INTERVAL", "300")),
            schedule_interval=float(env.get("VOTE_SCHEDULE_INTERVAL", "5")),
            trusted_proxies=proxies,
            trusted_networks=_list(env.get("VOTE_TRUSTED_NETWORKS", "")),
            office_phone=" ".join(env.get("VOTE_OFFICE_PHONE", "").split())[:40],
        )

    def secret_key(self) -> bytes:
        """The service secret: from ``VOTE_SECRET_KEY``, or a key file created on first use.

        The file is created with owner-only permissions (0600) in the data directory.
        """
        if self.secret_key_hex:
            return bytes.fromhex(self.secret_key_hex)
        return load_or_create_key(self.data_dir / "secret.key")


def _list(value: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in value.split(",") if part.strip())


def signer(settings: Settings) -> Signer:
    """The Ed25519 key that signs board tree heads (file ``signing.key``, mode 0600)."""
    if settings.signing_key_hex:
        return signer_from_seed(bytes.fromhex(settings.signing_key_hex))
    return load_or_create_signer(settings.data_dir / "signing.key")


def load_or_create_key(path: Path) -> bytes:
    """Read a 32-byte key from ``path``, creating it (mode 0600) if it does not exist."""
    if path.exists():
        return bytes.fromhex(path.read_text().strip())
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    key = secrets.token_bytes(32)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL
    try:
        fd = os.open(path, flags, 0o600)
    except FileExistsError:  # another worker created it first
        return bytes.fromhex(path.read_text().strip())
    with os.fdopen(fd, "w") as handle:
        handle.write(key.hex())
    return key


def ensure_data_dir(settings: Settings) -> None:
    """Create the data directory (owner-only) if the default SQLite database lives there."""
    settings.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
