"""Every Chinese message the plugin gives the ledger or a page has its English."""

from __future__ import annotations

import re
from pathlib import Path

import bangyaer_nuonuo

PACKAGE = Path(bangyaer_nuonuo.__file__).parent
CATALOGUE = PACKAGE / "locale" / "en" / "LC_MESSAGES" / "messages.po"
# GatewayError("code", "message") and _refuse("code", "message"), possibly over two lines.
REFUSAL = re.compile(r'(?:GatewayError|_refuse)\(\s*"[a-z_]+",\s*"([^"]+)"')
SHOWN = re.compile(r'(?:title_zh|description_zh|"message")\s*[=:]\s*"([^"]+)"')


def _msgids() -> set[str]:
    return set(re.findall(r'^msgid "(.+)"$', CATALOGUE.read_text("utf-8"), re.M))


def test_every_message_for_people_is_translated():
    ids, found = _msgids(), []
    for path in PACKAGE.glob("*.py"):
        source = path.read_text("utf-8")
        found += [(path.name, text) for text in REFUSAL.findall(source) + SHOWN.findall(source)]
    assert len(found) >= 12  # the patterns still find the plugin's messages
    missing = [f"{name}: {text}" for name, text in found if text not in ids]
    assert missing == []
