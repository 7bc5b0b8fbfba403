"""Every message of the results pages and API has its English in the plugin's catalogue."""

from __future__ import annotations

import re
from pathlib import Path

import bangyaer_competitions
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po

BASE = Path(bangyaer_competitions.__file__).parent


def _catalogue():
    with (BASE / "locale/en/LC_MESSAGES/messages.po").open("rb") as fh:
        return read_po(fh)


def _missing(ids: set[str]) -> list[str]:
    catalogue = _catalogue()
    return sorted(m for m in ids if not (catalogue.get(m) and catalogue.get(m).string))


def test_every_results_page_message_has_an_english_translation():
    used = {m for page in (BASE / "templates/results").glob("*.html")
            for m in re.findall(r"_\('([^']*)'", page.read_text())}

    assert used and _missing(used) == []


def test_every_results_error_and_message_has_an_english_translation():
    used = {msg for path in (BASE / "results").glob("*.py")
            for _line, msg, _comments, _context in extract_from_file(
                "python", str(path), keywords={"_": None})}

    assert used and _missing(used) == []
