"""Uploads: judged by their bytes, limited in size, stored by a random name; refusals store nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from ballots.uploads import (
    IMAGE_TYPES,
    UploadRefused,
    clean_name,
    detect_type,
    read_upload,
    store_upload,
)

PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def test_kinds_are_judged_by_content() -> None:
    assert detect_type(b"%PDF-1.7\n...") == "application/pdf"
    assert detect_type(PNG_BYTES) == "image/png"
    assert detect_type(b"\xff\xd8\xff\xe0rest") == "image/jpeg"
    assert detect_type(b"RIFF\x00\x00\x00\x00WEBPVP8 ") == "image/webp"
    assert detect_type("会议纪要：同意加装电梯".encode()) == "text/plain"
    assert detect_type(b"<!DOCTYPE html><script>alert(1)</script>") is None
    assert detect_type(b"  <svg onload=alert(1)>") is None
    assert detect_type(b"MZ\x90\x00binary") is None


def test_a_file_is_kept_by_a_random_name_and_read_back(tmp_path: Path) -> None:
    stored = store_upload(tmp_path, "C:\\照片\\委托书.png", PNG_BYTES, max_bytes=1024)
    assert stored.name == "委托书.png"
    assert stored.content_type == "image/png"
    assert len(stored.stored_as) == 32
    assert read_upload(tmp_path, stored.stored_as) == PNG_BYTES
    assert read_upload(tmp_path, "../secret.key") is None


@pytest.mark.parametrize(
    ("data", "allowed", "message"),
    [
        (b"", None, "The file is empty."),
        (b"%PDF-" + b"x" * 2000, None, "The file is too large: at most {limit} MB."),
        (b"<html></html>", None, "Only PDF files, photos (JPG, PNG or WebP) or plain text"),
        (b"%PDF-1.7", IMAGE_TYPES, "Only a photo (JPG, PNG or WebP) can be uploaded here."),
    ],
)
def test_refusals_say_why_and_store_nothing(
    tmp_path: Path, data: bytes, allowed: frozenset[str] | None, message: str
) -> None:
    with pytest.raises(UploadRefused) as refused:
        if allowed is None:
            store_upload(tmp_path, "a.pdf", data, max_bytes=1024)
        else:
            store_upload(tmp_path, "a.pdf", data, max_bytes=1024, allowed=allowed)
    assert refused.value.detail_msgid.startswith(message)
    assert not (tmp_path / "uploads").exists() or not any((tmp_path / "uploads").iterdir())


def test_names_lose_folders_and_control_characters() -> None:
    assert clean_name("../../etc/passwd") == "passwd"
    assert clean_name("纪要\x00\u202e.txt") == "纪要.txt"
    assert clean_name("") == "file"
