"""Every message of the staff desks (activity form, judging desk) has its English."""

from __future__ import annotations

import re
from pathlib import Path

import bangyaer_competitions
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po

BASE = Path(bangyaer_competitions.__file__).parent
# Labels the templates pass through _() from a list rather than as literals.
LISTED = {"报名开始时间", "报名截止时间", "作品提交截止时间", "评审开始时间（可留空）",
          "结果公布时间（可留空）", "幼儿园", "小学", "初中"}


def _missing(ids: set[str]) -> list[str]:
    with (BASE / "locale/en/LC_MESSAGES/messages.po").open("rb") as fh:
        catalogue = read_po(fh)
    return sorted(m for m in ids if not (catalogue.get(m) and catalogue.get(m).string))


def test_every_desk_page_message_has_an_english_translation():
    pages = [BASE / "templates/manage_form.html", *(BASE / "templates/judging").glob("*.html")]
    used = {m for page in pages for m in re.findall(r"_\('([^']*)'", page.read_text())}

    assert len(used) > 50 and _missing(used | LISTED) == []


def test_every_desk_error_and_message_has_an_english_translation():
    paths = [BASE / "desk_form.py", BASE / "activity_desk.py", BASE / "pages.py",
             *(BASE / "judging").glob("*.py")]
    used = {msg for path in paths
            for _line, msg, _comments, _context in extract_from_file(
                "python", str(path), keywords={"_": None, "N_": None})}

    assert len(used) > 40 and _missing(used) == []
