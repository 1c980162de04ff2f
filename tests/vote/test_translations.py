"""Every user-visible message in the source has a zh-CN translation with the same placeholders."""

from __future__ import annotations

import re
import sys
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))

import i18n_zh  # noqa: E402

PLACEHOLDER = re.compile(r"\{[a-z_]+(?:![rs])?\}|%\([a-z_]+\)s")


def _catalog() -> dict[str, str]:
    with (ROOT / "vote/locale/zh_CN/LC_MESSAGES/messages.po").open("rb") as handle:
        return {str(m.id): str(m.string) for m in read_po(handle) if m.id}


def test_every_message_in_the_source_is_translated() -> None:
    catalog = _catalog()
    untranslated = [m for m in i18n_zh.extract() if not catalog.get(m)]
    assert untranslated == [], "run tools/i18n_zh.py after adding translations"


def test_translations_keep_their_placeholders() -> None:
    for message, translation in _catalog().items():
        assert sorted(PLACEHOLDER.findall(message)) == sorted(PLACEHOLDER.findall(translation)), (
            message
        )
