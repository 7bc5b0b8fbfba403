"""The growth pages speak Chinese first, and every message has its English."""

from __future__ import annotations

from pathlib import Path

import bangyaer_growth
from babel.messages.extract import DEFAULT_KEYWORDS, extract
from babel.messages.pofile import read_po

PLUGIN = Path(bangyaer_growth.__file__).parent


def template_messages() -> set[str]:
    found: set[str] = set()
    for path in sorted(PLUGIN.glob("templates/*.html")):
        with path.open("rb") as fh:
            for _, message, _, _ in extract("jinja2.ext:babel_extract", fh, DEFAULT_KEYWORDS):
                found.add(message if isinstance(message, str) else message[0])
    return found


def english() -> dict[str, str]:
    with (PLUGIN / "locale" / "en" / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        return {m.id: m.string for m in read_po(fh, locale="en") if m.id and m.string}


def test_every_template_message_has_an_english_translation():
    found = template_messages()

    assert "下载证书" in found  # guards the extraction itself
    assert sorted(found - set(english())) == []


async def test_timeline_reads_in_english_after_the_switch(client_for, district):
    parent = await client_for("parent")
    await parent.get("/lang/en")

    page = await parent.get(f"/growth/students/{district.ids['child_1']}")

    assert "王小明's growth record" in page.text and "Training hours" in page.text
