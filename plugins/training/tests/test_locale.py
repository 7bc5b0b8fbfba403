"""Every message of the training pages and API has an English translation."""

from __future__ import annotations

import re
from pathlib import Path

import bangyaer_training
from babel.messages.extract import DEFAULT_KEYWORDS, extract
from babel.messages.pofile import read_po

PACKAGE = Path(bangyaer_training.__file__).parent
CATALOGUE = PACKAGE / "locale" / "en" / "LC_MESSAGES" / "messages.po"
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def extracted() -> dict[str, str]:
    """Every msgid in the plugin's templates and code, with where it was found."""
    found: dict[str, str] = {}
    sources = [("jinja2.ext:babel_extract", p) for p in sorted(PACKAGE.glob("templates/*.html"))]
    sources += [("python", p) for p in sorted(PACKAGE.glob("*.py"))]
    for method, path in sources:
        with path.open("rb") as fh:
            for lineno, message, _comments, _context in extract(method, fh, DEFAULT_KEYWORDS):
                msgid = message if isinstance(message, str) else message[0]
                found.setdefault(msgid, f"{path.name}:{lineno}")
    return found


def english() -> dict[str, str]:
    with CATALOGUE.open("rb") as fh:
        catalogue = read_po(fh, locale="en")
    return {m.id: m.string for m in catalogue if m.id and m.string and not m.fuzzy}


def test_extraction_finds_template_python_and_table_messages():
    found = extracted()

    # Guards the test itself: an extractor that finds nothing would pass vacuously.
    assert "去缴费 ¥%(amount)s，截止 %(deadline)s" in found  # a template
    assert "请填写退费原因" in found  # Python
    assert "已部分退费" in found  # marked with N_ in a table


def test_every_training_message_has_an_english_translation():
    missing = {msgid: where for msgid, where in extracted().items() if msgid not in english()}

    assert missing == {}, "add these to locale/en/LC_MESSAGES/messages.po"


def test_english_translations_keep_every_placeholder():
    wrong = {msgid: text for msgid, text in english().items()
             if set(PLACEHOLDER.findall(msgid)) != set(PLACEHOLDER.findall(text))}

    assert wrong == {}
