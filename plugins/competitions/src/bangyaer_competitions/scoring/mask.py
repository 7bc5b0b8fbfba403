"""Names partly masked for the 公示: enough for a family to recognise, not to collect.

Guarantees: Chinese names keep their first and last character (王小明 →
王*明, 欧阳小明 → 欧**明) and a two-character name its first (王明 → 王*);
a one-character name becomes ``*``. Names written in words (Latin letters,
or parts joined by a middle dot as in 阿依古丽·买买提) keep the initial of
each word and mask the rest of it (Zhang Wei → Z**** W**, 阿依古丽·买买提 →
阿***·买**), so the number of words stays readable and no word is whole.
Surrounding space is dropped and runs of spaces become one; an empty name
stays empty.
"""

from __future__ import annotations

import re

__all__ = ["mask_name"]

# Spaces, hyphens and the middle dots used in transcribed names separate words.
_SEPARATORS = re.compile(r"(\s+|[-·・•‧])")


def mask_name(name: str) -> str:
    name = " ".join(name.split())
    if not name:
        return ""
    parts = _SEPARATORS.split(name)
    if len(parts) == 1:
        return _chinese(name) if _is_cjk(name) else _word(name)
    return "".join(part if _SEPARATORS.fullmatch(part) else _word(part) for part in parts)


def _chinese(name: str) -> str:
    if len(name) == 1:
        return "*"
    if len(name) == 2:
        return f"{name[0]}*"
    return f"{name[0]}{'*' * (len(name) - 2)}{name[-1]}"


def _word(word: str) -> str:
    if not word:
        return word
    if len(word) == 1:
        return "*"
    return word[0] + "*" * (len(word) - 1)


def _is_cjk(text: str) -> bool:
    return all("\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff" or ch >= "\U00020000"
               for ch in text)
