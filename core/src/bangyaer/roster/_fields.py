"""The roster's columns and how each cell is read.

Each parser takes the cell as the file gave it (text, a number, a date or
None) and returns the value to store, or raises ``FieldError`` with the
Chinese reason a school office would understand.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from ..identity import Stage


class FieldError(ValueError):
    """A cell that cannot be read; the message is the reason, in Chinese."""


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    required: bool
    aliases: tuple[str, ...] = ()

    @property
    def title(self) -> str:
        """How problems name the column: 学号(student_no)."""
        return f"{self.label}({self.key})"


COLUMNS: tuple[Column, ...] = (
    Column("school_code", "学校代码", True, ("学校编码", "学校编号")),
    Column("school_name", "学校名称", True, ("学校",)),
    Column("stage", "学段", True),
    Column("grade", "年级", True),
    Column("class", "班级", True, ("班级名称", "班", "class_name")),
    Column("student_no", "学号", True, ("学生学号", "学生编号")),
    Column("student_name", "学生姓名", True, ("姓名", "学生")),
    Column("gender", "性别", False, ("sex",)),
    Column("birth_date", "出生日期", False, ("出生年月日", "生日", "birthday")),
    Column("guardian_name", "家长姓名", False, ("监护人姓名", "家长")),
    Column("guardian_phone", "家长手机", False,
           ("家长手机号", "家长电话", "联系电话", "手机号", "监护人手机")),
    Column("relation", "关系", False, ("与学生关系", "家长关系", "relationship")),
)
BY_KEY = {c.key: c for c in COLUMNS}

# Header cells often carry a required-marker or a hint: "*学号", "出生日期(yyyy-mm-dd)".
_HINT = re.compile(r"[（(【\[].*?[）)】\]]")


def _header_token(text: str) -> str:
    text = _HINT.sub("", text.replace("\ufeff", "")).strip().strip("*＊").strip()
    return re.sub(r"[\s\-]+", "_", text).lower()


_HEADER_INDEX: dict[str, str] = {}
for _c in COLUMNS:
    for _name in (_c.key, _c.label, *_c.aliases):
        _HEADER_INDEX[_header_token(_name)] = _c.key


def column_for_header(text: object) -> str | None:
    """The column key a header cell names, or None when it names none of ours."""
    if text is None:
        return None
    return _HEADER_INDEX.get(_header_token(str(text)))


# -- cell text -------------------------------------------------------------

_SCIENTIFIC = re.compile(r"^\d(\.\d+)?[eE]\+\d+$")


def cell_text(value: object) -> str:
    """A cell as trimmed text; whole numbers lose the ".0" spreadsheets add."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).replace("\u3000", " ").strip()


def _identifier(text: str, what: str) -> str:
    if _SCIENTIFIC.match(text):
        raise FieldError(f"“{text}”是科学计数法，请把该列设为文本格式后重新导出")
    if len(text) > 64 or re.search(r"\s", text):
        raise FieldError(f"“{text}”不是有效的{what}（不能含空格，最多 64 个字符）")
    return text


def parse_code(text: str) -> str:
    return _identifier(text, "学校代码")


def parse_student_no(text: str) -> str:
    return _identifier(text, "学号")


def parse_name(text: str, limit: int = 100) -> str:
    text = re.sub(r"\s+", " ", text)
    if len(text) > limit:
        raise FieldError(f"过长（最多 {limit} 个字符）")
    return text


# -- stage, grade and class ------------------------------------------------

_STAGES = {
    "幼儿园": Stage.kindergarten, "幼儿": Stage.kindergarten, "学前": Stage.kindergarten,
    "kindergarten": Stage.kindergarten, "小学": Stage.primary, "primary": Stage.primary,
    "初中": Stage.middle, "初级中学": Stage.middle, "middle": Stage.middle,
}


def parse_stage(text: str) -> Stage:
    stage = _STAGES.get(text.lower())
    if stage is None:
        raise FieldError(f"“{text}”不是有效的学段，应为 幼儿园、小学 或 初中")
    return stage


_CN_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8,
              "九": 9, "十": 10}
GRADE_COUNT = {Stage.kindergarten: 3, Stage.primary: 6, Stage.middle: 3}
STAGE_TITLES = {Stage.kindergarten: "幼儿园", Stage.primary: "小学", Stage.middle: "初中"}
_KINDERGARTEN_GRADES = ("小班", "中班", "大班")
_MIDDLE_GRADES = ("初一", "初二", "初三")


def _grade_word(text: str) -> tuple[Stage | None, int] | None:
    """(stage the word implies, grade within that stage) for words such as 初一 or 大班."""
    if text in _KINDERGARTEN_GRADES:
        return Stage.kindergarten, _KINDERGARTEN_GRADES.index(text) + 1
    if text in _MIDDLE_GRADES:
        return Stage.middle, _MIDDLE_GRADES.index(text) + 1
    match = re.fullmatch(r"([一二三四五六七八九]|\d)年级", text)
    if match:
        number = _CN_DIGITS.get(match[1]) or int(match[1])
        # 七、八、九年级 are the middle school's 1–3 in the nine-year numbering.
        return (Stage.middle, number - 6) if number >= 7 else (Stage.primary, number)
    if re.fullmatch(r"\d{1,2}", text):
        return None, int(text)
    return None


def parse_grade(text: str, stage: Stage | None) -> int:
    """The grade within ``stage``: 1–3 kindergarten (小/中/大班), 1–6 primary, 1–3 middle."""
    found = _grade_word(text)
    if found is None:
        raise FieldError(f"“{text}”不是有效的年级，应为 1–6 或 一年级、初一、大班 这样的写法")
    implied, number = found
    if stage is None:
        raise FieldError("学段无效，无法确定年级")
    if implied is not None and implied != stage:
        raise FieldError(
            f"“{text}”属于{STAGE_TITLES[implied]}，与学段“{STAGE_TITLES[stage]}”不符")
    if implied is None and stage == Stage.middle and 7 <= number <= 9:
        number -= 6
    if not 1 <= number <= GRADE_COUNT[stage]:
        raise FieldError(f"{STAGE_TITLES[stage]}没有“{text}”这个年级"
                         f"（应为 1–{GRADE_COUNT[stage]}）")
    return number


def grade_title(stage: Stage, grade: int) -> str:
    if stage == Stage.kindergarten:
        return _KINDERGARTEN_GRADES[grade - 1]
    if stage == Stage.middle:
        return _MIDDLE_GRADES[grade - 1]
    return f"{'一二三四五六'[grade - 1]}年级"


def grade_code(stage: Stage, grade: int) -> str:
    # The stage letter keeps a nine-year school's 小学一年级 and 初一 apart.
    return f"{stage.value[0].upper()}{grade}"


_NUMBERED_CLASS = re.compile(r"(?:.*?[（(])?\s*0*(\d{1,2})\s*[)）]?\s*班?")
_WORDED_CLASS = re.compile(r"(?:[小中大]|初[一二三]|[一二三四五六七八九]年级?)?"
                           r"([一二三四五六七八九十]{1,2})班")


def parse_class(text: str) -> tuple[str, int | None]:
    """(class code, class number or None for a named class such as 向日葵班)."""
    match = _NUMBERED_CLASS.fullmatch(text)
    if match and int(match[1]) > 0:
        return str(int(match[1])), int(match[1])
    match = _WORDED_CLASS.fullmatch(text)
    number = _cn_to_int(match[1]) if match else None
    if number:
        return str(number), number
    if len(text) > 64:
        raise FieldError("过长（最多 64 个字符）")
    return text, None


def _cn_to_int(text: str) -> int | None:
    """一 … 二十 as a number; None for anything else."""
    if len(text) == 1:
        return _CN_DIGITS.get(text)
    if text[0] == "十" and text[1] in _CN_DIGITS and text[1] != "十":
        return 10 + _CN_DIGITS[text[1]]
    if text[1] == "十" and text[0] in _CN_DIGITS and text[0] != "十":
        return _CN_DIGITS[text[0]] * 10
    return None


def class_title(stage: Stage, grade: int, code: str, number: int | None) -> str:
    if number is None:
        return code
    if stage == Stage.kindergarten:
        # Kindergartens say 大一班, 中二班.
        return f"{grade_title(stage, grade)[0]}{_cn_number(number)}班"
    if stage == Stage.middle:
        return f"{grade_title(stage, grade)}({number})班"
    return f"{'一二三四五六'[grade - 1]}({number})班"


def _cn_number(n: int) -> str:
    digits = "一二三四五六七八九"
    if n < 10:
        return digits[n - 1]
    tens, ones = divmod(n, 10)
    return f"{digits[tens - 1] if tens > 1 else ''}十{digits[ones - 1] if ones else ''}"


# -- person details ---------------------------------------------------------

_GENDERS = {"男": "M", "女": "F", "m": "M", "f": "F", "male": "M", "female": "F"}


def parse_gender(text: str) -> str:
    gender = _GENDERS.get(text.lower())
    if gender is None:
        raise FieldError(f"“{text}”不是有效的性别，应为 男 或 女")
    return gender


_DATE = re.compile(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?|(\d{4})(\d{2})(\d{2})")
EARLIEST_BIRTH = dt.date(1990, 1, 1)


def parse_birth_date(value: object, today: dt.date) -> dt.date:
    if isinstance(value, dt.datetime):
        day = value.date()
    elif isinstance(value, dt.date):
        day = value
    else:
        text = cell_text(value)
        match = _DATE.fullmatch(text)
        try:
            if match is None:
                raise ValueError(text)
            parts = [int(p) for p in match.groups() if p is not None]
            day = dt.date(parts[0], parts[1], parts[2])
        except ValueError:
            raise FieldError(f"“{text}”不是有效的日期，应写成 2015-03-08") from None
    if day > today:
        raise FieldError(f"“{day.isoformat()}”晚于今天")
    if day < EARLIEST_BIRTH:
        raise FieldError(f"“{day.isoformat()}”早于 {EARLIEST_BIRTH.year} 年，请检查")
    return day


_PHONE_NOISE = re.compile(r"[\s\-()（）]")


def parse_phone(text: str) -> str:
    """A mainland mobile number as 11 digits; +86 and separators are dropped."""
    if _SCIENTIFIC.match(text):
        raise FieldError(f"“{text}”是科学计数法，请把该列设为文本格式后重新导出")
    digits = _PHONE_NOISE.sub("", text)
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    if not re.fullmatch(r"1[3-9]\d{9}", digits):
        raise FieldError(f"“{text}”不是有效的手机号（11 位，以 1 开头）")
    return digits


# Codes as DingTalk's home-school roster spells them (see Guardianship.relation).
_RELATIONS = {
    "父亲": "F", "爸爸": "F", "father": "F", "f": "F",
    "母亲": "M", "妈妈": "M", "mother": "M", "m": "M",
    "爷爷": "GF", "祖父": "GF", "gf": "GF",
    "奶奶": "GM", "祖母": "GM", "gm": "GM",
    "外公": "WGF", "外祖父": "WGF", "姥爷": "WGF", "wgf": "WGF",
    "外婆": "WGM", "外祖母": "WGM", "姥姥": "WGM", "wgm": "WGM",
    "其他": "O", "其它": "O", "other": "O", "o": "O",
}
RELATION_TITLES = {"F": "父亲", "M": "母亲", "GF": "爷爷", "GM": "奶奶", "WGF": "外公",
                   "WGM": "外婆", "O": "其他"}


def parse_relation(text: str) -> str:
    code = _RELATIONS.get(text.lower())
    if code is None:
        raise FieldError(
            f"“{text}”不是有效的关系，应为 父亲、母亲、爷爷、奶奶、外公、外婆 或 其他")
    return code
