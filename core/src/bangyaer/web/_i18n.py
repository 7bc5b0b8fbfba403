"""Translations: Chinese is the source language; ``en`` catalogues sit beside it.

Message ids are the Chinese text itself, so a string nobody translated still
reads correctly to families. Catalogues are ``.po`` files read at start-up
(no compile step); every plugin may ship ``locale/en/LC_MESSAGES/messages.po``.
Python code marks its messages with ``gettext`` (imported as ``_``); a message
kept in a table and translated later is marked with ``N_`` so extraction
still finds it.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from babel.messages.pofile import read_po

LOCALES = ("zh_CN", "en")
DEFAULT_LOCALE = "zh_CN"

current_locale: contextvars.ContextVar[str] = contextvars.ContextVar(
    "bangyaer_locale", default=DEFAULT_LOCALE
)


class Translations:
    def __init__(self) -> None:
        self._catalogues: dict[str, dict[str, str | tuple[str, ...]]] = {"en": {}}

    def load_dir(self, locale_dir: Path) -> None:
        """Merge the catalogues found under ``locale_dir/<locale>/LC_MESSAGES``."""
        for locale in self._catalogues:
            po = locale_dir / locale / "LC_MESSAGES" / "messages.po"
            if not po.exists():
                continue
            with po.open("rb") as fh:
                catalogue = read_po(fh, locale=locale)
            table = self._catalogues[locale]
            for message in catalogue:
                if not message.id or not message.string or message.fuzzy:
                    continue
                key = message.id if isinstance(message.id, str) else message.id[0]
                string = message.string
                table[key] = string if isinstance(string, str) else tuple(string)

    def gettext(self, message: str, locale: str | None = None) -> str:
        locale = locale or current_locale.get()
        found = self._catalogues.get(locale, {}).get(message)
        if isinstance(found, tuple):
            return found[0]
        return found or message

    def ngettext(self, singular: str, plural: str, n: int, locale: str | None = None) -> str:
        locale = locale or current_locale.get()
        found = self._catalogues.get(locale, {}).get(singular)
        if isinstance(found, tuple):
            return found[0 if n == 1 else min(1, len(found) - 1)]
        if isinstance(found, str):
            return found
        return singular if n == 1 else plural

    def known(self, locale: str) -> Iterable[str]:
        return self._catalogues.get(locale, {}).keys()


# The running app's catalogues, set per request next to the locale, so that
# code raising an error deep inside a handler can word it for the reader.
current_translations: contextvars.ContextVar[Translations | None] = contextvars.ContextVar(
    "bangyaer_translations", default=None
)


def gettext(message: str, **params: Any) -> str:
    """``message`` in the request's language, with ``%(name)s`` filled from ``params``."""
    translations = current_translations.get()
    text = translations.gettext(message) if translations is not None else message
    return text % params if params else text


def N_(message: str) -> str:
    """Mark ``message`` for extraction without translating it yet."""
    return message


def negotiate(cookie: str | None, query: str | None, default: str = DEFAULT_LOCALE) -> str:
    for candidate in (query, cookie):
        if candidate in LOCALES:
            return candidate
    return default if default in LOCALES else DEFAULT_LOCALE
