"""Uploaded files (minutes' attachments, photos of signed proxy forms, notice documents).

A file is accepted only when its bytes are one of the allowed kinds (PDF, JPEG, PNG, WebP, plain
UTF-8 text), judged by its content and never by the name or the browser's claim, and when it is
within the size limit. It is stored under ``<data dir>/uploads/`` by a random name with no
extension; the original name is kept only in the database. The web layer serves a stored file
with its detected type (never HTML) and ``nosniff``.
"""

from __future__ import annotations

import secrets
import unicodedata
from pathlib import Path

import msgspec

from ballots.errors import N_, DomainError

PDF = "application/pdf"
JPEG = "image/jpeg"
PNG = "image/png"
WEBP = "image/webp"
TEXT = "text/plain"
DOCUMENT_TYPES = frozenset({PDF, JPEG, PNG, WEBP, TEXT})
IMAGE_TYPES = frozenset({JPEG, PNG, WEBP})
NAME_MAX = 200
UPLOAD_DIR = "uploads"


class UploadRefused(DomainError):
    type = "upload-refused"
    status = 422
    title = N_("The file cannot be accepted")
    detail_template = N_("The file cannot be accepted.")


class StoredFile(msgspec.Struct, frozen=True):
    """A file kept under the data directory: its stored name, detected type, size and the name
    it was uploaded with (cleaned)."""

    stored_as: str
    content_type: str
    size: int
    name: str


def detect_type(data: bytes) -> str | None:
    """The kind of file ``data`` is, by its first bytes, or None when it is none we accept."""
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return WEBP
    if b"\x00" in data:
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    head = text.lstrip()[:512].lower()
    if head.startswith(("<!doctype", "<html", "<svg", "<?xml", "<script")):
        return None  # markup is never accepted as text: it could be served back as a page
    return TEXT


def clean_name(name: str) -> str:
    """An uploaded file's name without folders, control characters or excess length."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = "".join(
        ch for ch in unicodedata.normalize("NFC", base) if unicodedata.category(ch)[0] != "C"
    ).strip()
    return (cleaned or "file")[:NAME_MAX]


def store_upload(
    data_dir: Path,
    name: str,
    data: bytes,
    *,
    max_bytes: int,
    allowed: frozenset[str] = DOCUMENT_TYPES,
) -> StoredFile:
    """Check and keep an uploaded file; raise :class:`UploadRefused` (storing nothing) when it is
    empty, too large or not an allowed kind."""
    if not data:
        raise UploadRefused(N_("The file is empty."))
    if len(data) > max_bytes:
        raise UploadRefused(
            N_("The file is too large: at most {limit} MB."),
            limit=max(1, max_bytes // (1024 * 1024)),
        )
    kind = detect_type(data)
    if kind is None or kind not in allowed:
        if allowed == IMAGE_TYPES:
            raise UploadRefused(N_("Only a photo (JPG, PNG or WebP) can be uploaded here."))
        raise UploadRefused(
            N_("Only PDF files, photos (JPG, PNG or WebP) or plain text can be uploaded.")
        )
    folder = data_dir / UPLOAD_DIR
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    stored_as = secrets.token_hex(16)
    (folder / stored_as).write_bytes(data)
    return StoredFile(stored_as=stored_as, content_type=kind, size=len(data), name=clean_name(name))


def read_upload(data_dir: Path, stored_as: str) -> bytes | None:
    """A stored file's bytes, or None when there is no such file (names are 32 hex digits)."""
    if len(stored_as) != 32 or any(ch not in "0123456789abcdef" for ch in stored_as):
        return None
    path = data_dir / UPLOAD_DIR / stored_as
    return path.read_bytes() if path.is_file() else None
