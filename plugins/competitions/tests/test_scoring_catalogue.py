"""Every message of the scoring package has its English, and staff reading English get it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import bangyaer_competitions
import pytest
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po
from bangyaer.web import current_locale
from bangyaer.web._i18n import Translations, current_translations
from bangyaer_competitions.scoring.awards import AwardRule, describe_rule

BASE = Path(bangyaer_competitions.__file__).parent


def test_every_scoring_message_has_an_english_translation() -> None:
    with (BASE / "locale/en/LC_MESSAGES/messages.po").open("rb") as fh:
        catalogue = read_po(fh)
    used = {msg for path in (BASE / "scoring").glob("*.py")
            for _line, msg, _comments, _context in extract_from_file(
                "python", str(path), keywords={"_": None, "N_": None})}

    missing = sorted(m for m in used if not (catalogue.get(m) and catalogue.get(m).string))
    assert len(used) > 30
    assert missing == []


@pytest.fixture
def english() -> Iterator[None]:
    translations = Translations()
    translations.load_dir(BASE / "locale")
    locale, catalogues = current_locale.set("en"), current_translations.set(translations)
    yield
    current_translations.reset(catalogues)
    current_locale.reset(locale)


@pytest.mark.usefixtures("english")
def test_a_bad_rule_is_explained_in_english_when_asked() -> None:
    with pytest.raises(ValueError) as caught:
        AwardRule.from_json({"mode": "quota", "levels": [{"name": "一等奖", "percent": 101}]})

    assert str(caught.value) == (
        "The percentage of First prize must be a whole number from 0 to 100")


@pytest.mark.usefixtures("english")
def test_the_rule_is_described_in_english_when_asked() -> None:
    rule = AwardRule.from_json({"mode": "quota", "rounding": "ceil", "levels": [
        {"name": "一等奖", "percent": 10}, {"name": "优胜奖", "count": 20}]})

    assert describe_rule(rule) == (
        "Awards by places: First prize: 10%, Merit award: 20 places; percentages are of the "
        "scored entries in each group, places rounded up. Entries tied across a cut line all "
        "get the higher award.")
