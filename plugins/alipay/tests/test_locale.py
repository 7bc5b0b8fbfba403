"""Every message of the Alipay plugin's pages and answers has an English translation."""

from __future__ import annotations

from pathlib import Path

import bangyaer_alipay
from babel.messages.extract import DEFAULT_KEYWORDS, extract
from babel.messages.pofile import read_po

PACKAGE = Path(bangyaer_alipay.__file__).parent
CATALOGUE = PACKAGE / "locale" / "en" / "LC_MESSAGES" / "messages.po"


def extracted() -> dict[str, str]:
    """Every msgid in the plugin's Python modules, with where it was found."""
    found: dict[str, str] = {}
    for path in sorted(PACKAGE.glob("*.py")):
        with path.open("rb") as fh:
            for lineno, message, _comments, _context in extract("python", fh, DEFAULT_KEYWORDS):
                msgid = message if isinstance(message, str) else message[0]
                found.setdefault(msgid, f"{path.name}:{lineno}")
    return found


def english() -> dict[str, str]:
    with CATALOGUE.open("rb") as fh:
        catalogue = read_po(fh, locale="en")
    return {m.id: m.string for m in catalogue if m.id and m.string and not m.fuzzy}


def test_extraction_finds_the_plugins_messages():
    found = extracted()

    # Guards the test itself: an extractor that finds nothing would pass vacuously.
    assert "支付宝沙箱未开启" in found
    assert "无法确认支付宝返回的信息。付款结果以订单页为准，请从订单页查看。" in found


def test_every_message_has_an_english_translation():
    missing = {msgid: where for msgid, where in extracted().items() if msgid not in english()}

    assert missing == {}, "add these to locale/en/LC_MESSAGES/messages.po"
