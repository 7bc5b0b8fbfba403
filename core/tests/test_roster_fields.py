"""How roster cells are read: the spellings schools use, and the ones refused."""

from __future__ import annotations

import datetime as dt

import pytest
from bangyaer.identity import Stage
from bangyaer.roster._fields import (
    FieldError,
    cell_text,
    class_title,
    column_for_header,
    parse_birth_date,
    parse_class,
    parse_grade,
    parse_phone,
    parse_relation,
    parse_stage,
)
from bangyaer.roster._read import decode_csv

P, M, K = Stage.primary, Stage.middle, Stage.kindergarten


@pytest.mark.parametrize(("text", "stage", "grade"), [
    ("3", P, 3), ("三年级", P, 3), ("3年级", P, 3), ("六年级", P, 6),
    ("初一", M, 1), ("初三", M, 3), ("七年级", M, 1), ("九年级", M, 3), ("8", M, 2), ("2", M, 2),
    ("小班", K, 1), ("中班", K, 2), ("大班", K, 3), ("3", K, 3),
])
def test_grade_spellings_are_read_within_the_stage(text, stage, grade):
    assert parse_grade(text, stage) == grade


@pytest.mark.parametrize(("text", "stage", "message"), [
    ("初一", P, "“初一”属于初中，与学段“小学”不符"),
    ("大班", P, "“大班”属于幼儿园，与学段“小学”不符"),
    ("三年级", M, "“三年级”属于小学，与学段“初中”不符"),
    ("7", P, "小学没有“7”这个年级（应为 1–6）"),
    ("4", K, "幼儿园没有“4”这个年级（应为 1–3）"),
    ("高一", M, "“高一”不是有效的年级，应为 1–6 或 一年级、初一、大班 这样的写法"),
])
def test_grades_that_do_not_fit_the_stage_are_refused(text, stage, message):
    with pytest.raises(FieldError) as caught:
        parse_grade(text, stage)
    assert str(caught.value) == message


@pytest.mark.parametrize(("text", "code"), [
    ("2", ("2", 2)), ("02", ("2", 2)), ("2班", ("2", 2)), ("(2)班", ("2", 2)),
    ("三(2)班", ("2", 2)), ("三（2）班", ("2", 2)), ("初一(12)班", ("12", 12)),
    ("二班", ("2", 2)), ("大二班", ("2", 2)), ("十一班", ("11", 11)), ("中十班", ("10", 10)),
    ("向日葵班", ("向日葵班", None)),
])
def test_class_spellings_give_one_code(text, code):
    assert parse_class(text) == code


@pytest.mark.parametrize(("stage", "grade", "number", "title"), [
    (P, 3, 2, "三(2)班"), (M, 1, 12, "初一(12)班"), (K, 3, 2, "大二班"), (K, 1, 11, "小十一班"),
])
def test_class_titles_follow_each_stage(stage, grade, number, title):
    assert class_title(stage, grade, str(number), number) == title


@pytest.mark.parametrize(("text", "phone"), [
    ("13800138000", "13800138000"), ("138 0013 8000", "13800138000"),
    ("138-0013-8000", "13800138000"), ("+86 13800138000", "13800138000"),
    ("8613800138000", "13800138000"),
])
def test_phone_separators_and_country_code_are_dropped(text, phone):
    assert parse_phone(text) == phone


@pytest.mark.parametrize("text", ["1234", "0571-87001234", "23800138000", "138001380001"])
def test_numbers_that_are_not_mobile_phones_are_refused(text):
    with pytest.raises(FieldError, match="不是有效的手机号"):
        parse_phone(text)


@pytest.mark.parametrize(("text", "code"), [
    ("父亲", "F"), ("爸爸", "F"), ("母亲", "M"), ("妈妈", "M"), ("爷爷", "GF"), ("奶奶", "GM"),
    ("外公", "WGF"), ("外婆", "WGM"), ("其他", "O"), ("WGM", "WGM"), ("mother", "M"),
])
def test_relations_map_to_dingtalk_codes(text, code):
    assert parse_relation(text) == code


@pytest.mark.parametrize(("text", "stage"), [
    ("幼儿园", K), ("小学", P), ("初中", M), ("kindergarten", K), ("Primary", P), ("middle", M),
])
def test_stage_words_in_chinese_and_english(text, stage):
    assert parse_stage(text) == stage


@pytest.mark.parametrize("value", [
    "2016-03-08", "2016/3/8", "2016.03.08", "20160308", "2016年3月8日",
    dt.datetime(2016, 3, 8), dt.date(2016, 3, 8),
])
def test_birth_date_spellings(value):
    assert parse_birth_date(value, dt.date(2024, 9, 1)) == dt.date(2016, 3, 8)


def test_birth_dates_before_1990_are_refused():
    with pytest.raises(FieldError) as caught:
        parse_birth_date("1980-01-01", dt.date(2024, 9, 1))
    assert str(caught.value) == "“1980-01-01”早于 1990 年，请检查"


@pytest.mark.parametrize(("header", "key"), [
    ("学号", "student_no"), ("*学号", "student_no"), (" 学号 ", "student_no"),
    ("出生日期(yyyy-mm-dd)", "birth_date"), ("家长手机（必填）", "guardian_phone"),
    ("Student No", "student_no"), ("GUARDIAN_PHONE", "guardian_phone"), ("\ufeff学校代码",
                                                                        "school_code"),
    ("序号", None), (None, None),
])
def test_header_cells_are_matched_loosely(header, key):
    assert column_for_header(header) == key


@pytest.mark.parametrize(("value", "text"), [
    (20190001, "20190001"), (13800138000.0, "13800138000"), ("  王小明\u3000", "王小明"),
    (None, ""), (dt.datetime(2016, 3, 8), "2016-03-08"),
])
def test_cells_become_trimmed_text(value, text):
    assert cell_text(value) == text


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "utf-16"])
def test_csv_bytes_are_decoded_whatever_excel_chose(encoding):
    assert decode_csv("学号,学生姓名\n".encode(encoding)) == "学号,学生姓名\n"
