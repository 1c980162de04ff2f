"""Amounts as residents read them: 万元 where round to the hundred, never rounded off."""

from __future__ import annotations

import pytest

from vote.i18n import current_locale
from vote.pages.labels import money


@pytest.mark.parametrize(
    ("amount", "chinese", "english"),
    [
        (1_300_000, "130 万元", "¥1,300,000"),
        (125_000, "12.5 万元", "¥125,000"),
        (10_500, "1.05 万元", "¥10,500"),
        (12_345_600, "1234.56 万元", "¥12,345,600"),
        (1_234_567, "1,234,567 元", "¥1,234,567"),
        (8_000, "8000 元", "¥8,000"),
    ],
)
def test_money(amount: int, chinese: str, english: str) -> None:
    token = current_locale.set("zh_CN")
    try:
        assert money(amount) == chinese
    finally:
        current_locale.reset(token)
    token = current_locale.set("en")
    try:
        assert money(amount) == english
    finally:
        current_locale.reset(token)
