"""Translations: zh-CN by default, complete English, chosen per request.

Message ids are English. The zh-CN catalogue lives in ``locale/zh_CN/LC_MESSAGES/messages.po``
and is compiled in memory at start-up, so no compiled files are kept in the repository. The
current request's locale lives in a context variable that templates and error handlers read.
"""

from __future__ import annotations

import gettext
import io
from contextvars import ContextVar
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from ballots.errors import NOUNS, fill

LOCALES = ("zh_CN", "en")
DEFAULT_LOCALE = "zh_CN"
LOCALE_DIR = Path(__file__).with_name("locale")

current_locale: ContextVar[str] = ContextVar("current_locale", default=DEFAULT_LOCALE)


@cache
def translations(locale: str) -> gettext.NullTranslations:
    """The compiled catalogue for ``locale`` (English is the message ids themselves)."""
    po_path = LOCALE_DIR / locale / "LC_MESSAGES" / "messages.po"
    if locale == "en" or not po_path.exists():
        return gettext.NullTranslations()
    with po_path.open("rb") as handle:
        catalog = read_po(handle, locale=locale)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


def gettext_(message: str) -> str:
    """Translate ``message`` into the current request's locale."""
    return translations(current_locale.get()).gettext(message)


def ngettext_(singular: str, plural: str, n: int) -> str:
    """Translate a message with a plural form into the current locale."""
    return translations(current_locale.get()).ngettext(singular, plural, n)


def localise(message: str, params: dict[str, Any]) -> str:
    """Translate a domain message and fill in its parameters, translating known nouns too."""
    translated = {
        key: gettext_(value) if isinstance(value, str) and value in NOUNS else value
        for key, value in params.items()
    }
    return fill(gettext_(message), translated)


def normalise_locale(value: str | None) -> str | None:
    """Map ``zh-CN``, ``zh``, ``zh_Hans``, ``en-US``… to a supported locale, or None."""
    if not value:
        return None
    tag = value.strip().replace("-", "_").lower()
    if tag.startswith("zh"):
        return "zh_CN"
    if tag.startswith("en"):
        return "en"
    return None


@lru_cache(maxsize=1024)
def negotiate(query: str | None, cookie: str | None, accept_language: str | None) -> str:
    """Pick the locale: explicit ``?lang=``, then the ``lang`` cookie, then Accept-Language
    (remembered: browsers send a handful of distinct headers, on every request)."""
    for candidate in (query, cookie):
        locale = normalise_locale(candidate)
        if locale:
            return locale
    if accept_language:
        weighted = []
        for part in accept_language.split(","):
            tag, _, params = part.strip().partition(";")
            quality = 1.0
            if params.strip().startswith("q="):
                try:
                    quality = float(params.strip()[2:])
                except ValueError:
                    quality = 0.0
            if quality > 0:  # q=0 means "not acceptable" (RFC 9110 §12.4.2)
                weighted.append((quality, tag))
        for _, tag in sorted(weighted, key=lambda item: -item[0]):
            locale = normalise_locale(tag)
            if locale:
                return locale
    return DEFAULT_LOCALE
