"""Importing a roster file: the tree, the people, validation, idempotency."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from pathlib import Path

import pytest
from bangyaer.identity import AuditEntry, Guardianship, Organisation, Person
from bangyaer.roster import RosterInvalid, import_roster_file
from sqlalchemy import func, select

HEADER = ("学校代码", "学校名称", "学段", "年级", "班级", "学号", "学生姓名", "性别", "出生日期",
          "家长姓名", "家长手机", "关系")

# Three schools; 王小明 and 王小红 share their father; 王小明 also lists his mother.
GOOD_ROWS = (
    ("P01", "湖滨小学", "小学", "三年级", "2", "S1", "王小明", "男", "2016-03-08",
     "王大明", "13800138000", "父亲"),
    ("P01", "湖滨小学", "小学", "三年级", "2", "S1", "王小明", "男", "2016-03-08",
     "李美", "13900139000", "母亲"),
    ("P01", "湖滨小学", "小学", "一年级", "(1)班", "S2", "王小红", "女", "2018/9/1",
     "王大明", "13800138000", "父亲"),
    ("M01", "钱塘中学", "初中", "初一", "3", "S3", "张三", "男", "2012年5月1日", "", "", ""),
    ("K01", "柳浪幼儿园", "幼儿园", "大班", "二班", "S4", "赵四", "", "",
     "赵爸", "+86 137-0013-7000", "爸爸"),
)


def write_csv(path: Path, rows: Sequence[Sequence[object]], header: Sequence[str] = HEADER,
              encoding: str = "utf-8-sig") -> Path:
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    path.write_bytes(out.getvalue().encode(encoding))
    return path


def write_xlsx(path: Path, rows: Sequence[Sequence[object]], header: Sequence[str] = HEADER,
               title: str | None = None) -> Path:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    if title:
        sheet.append([title])
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    book.save(path)
    return path


def change(row: tuple[str, ...], **values: str) -> tuple[str, ...]:
    cells = list(row)
    for key, value in values.items():
        cells[HEADER.index(key)] = value
    return tuple(cells)


async def students(platform):
    async with platform.db.session() as s:
        people = await s.scalars(select(Person).where(Person.kind == "student")
                                 .order_by(Person.external_no))
        return {p.external_no: p for p in people}


async def table_counts(platform):
    async with platform.db.session() as s:
        return {model.__name__: await s.scalar(select(func.count()).select_from(model))
                for model in (Organisation, Person, Guardianship, AuditEntry)}


async def org(platform, **where):
    async with platform.db.session() as s:
        return await s.scalar(select(Organisation).filter_by(**where))


# -- a good file ------------------------------------------------------------


async def test_good_file_builds_district_schools_grades_and_classes(platform, tmp_path):
    await import_roster_file(platform.db, write_csv(tmp_path / "r.csv", GOOD_ROWS))
    district = await org(platform, kind="district")
    school = await org(platform, kind="school", code="P01")
    grade = await org(platform, kind="grade", parent_id=school.id, code="P3")
    klass = await org(platform, kind="class", parent_id=grade.id, code="2")
    assert (district.name, school.name, school.stage, school.parent_id) == (
        "本区", "湖滨小学", "primary", district.id)
    assert (grade.name, klass.name, klass.grade) == ("三年级", "三(2)班", 3)
    assert klass.path == f"/{district.id}/{school.id}/{grade.id}/{klass.id}/"


async def test_good_file_names_classes_the_way_each_stage_does(platform, tmp_path):
    await import_roster_file(platform.db, write_csv(tmp_path / "r.csv", GOOD_ROWS))
    async with platform.db.session() as s:
        names = set(await s.scalars(select(Organisation.name)
                                    .where(Organisation.kind == "class")))
    assert names == {"三(2)班", "一(1)班", "初一(3)班", "大二班"}


async def test_good_file_places_students_in_their_classes(platform, tmp_path):
    await import_roster_file(platform.db, write_csv(tmp_path / "r.csv", GOOD_ROWS))
    kids = await students(platform)
    klass = await org(platform, kind="class", name="三(2)班")
    s1 = kids["S1"]
    assert (s1.name, s1.gender, s1.birth_date.isoformat()) == ("王小明", "M", "2016-03-08")
    assert (s1.class_id, s1.org_path, s1.stage, s1.grade) == (klass.id, klass.path,
                                                              "primary", 3)
    assert kids["S4"].gender is None and kids["S4"].birth_date is None
    assert sorted(kids) == ["S1", "S2", "S3", "S4"]


async def test_guardian_of_two_children_is_one_person_with_two_guardianships(
        platform, tmp_path):
    await import_roster_file(platform.db, write_csv(tmp_path / "r.csv", GOOD_ROWS))
    kids = await students(platform)
    async with platform.db.session() as s:
        father = (await s.scalars(select(Person).where(Person.phone == "13800138000"))).one()
        links = (await s.execute(select(Guardianship.student_id, Guardianship.relation)
                                 .where(Guardianship.guardian_id == father.id))).all()
    assert (father.kind, father.name, father.external_no) == ("guardian", "王大明",
                                                               "13800138000")
    assert sorted(links) == sorted([(kids["S1"].id, "F"), (kids["S2"].id, "F")])


async def test_relation_words_and_phone_formats_are_normalised(platform, tmp_path):
    await import_roster_file(platform.db, write_csv(tmp_path / "r.csv", GOOD_ROWS))
    async with platform.db.session() as s:
        rows = (await s.execute(
            select(Person.phone, Guardianship.relation)
            .join(Guardianship, Guardianship.guardian_id == Person.id)
            .order_by(Person.phone))).all()
    assert rows == [("13700137000", "F"), ("13800138000", "F"), ("13800138000", "F"),
                    ("13900139000", "M")]


async def test_report_counts_what_was_added(platform, tmp_path):
    report = await import_roster_file(platform.db, write_csv(tmp_path / "r.csv", GOOD_ROWS))
    added = {kind: c.added for kind, c in report.counts.items()}
    assert added == {"schools": 3, "grades": 4, "classes": 4, "students": 4, "guardians": 3,
                     "guardianships": 4}
    assert (report.rows, report.changed) == (5, True)


async def test_import_is_audited_with_counts_and_file_name_but_no_names(platform, tmp_path):
    await import_roster_file(platform.db, write_csv(tmp_path / "名册.csv", GOOD_ROWS))
    async with platform.db.session() as s:
        entry = (await s.scalars(select(AuditEntry))).one()
    assert (entry.action, entry.target_type, entry.target_id) == ("roster.import", "roster",
                                                                  "名册.csv")
    assert entry.detail["counts"]["students"]["added"] == 4
    text = str(entry.detail)
    assert not any(secret in text for secret in ("王小明", "王大明", "13800138000"))


# -- bad files ----------------------------------------------------------------

BAD_ROWS = (
    GOOD_ROWS[0],
    change(GOOD_ROWS[2], 学号=""),
    change(GOOD_ROWS[3], 学段="高中", 性别="未知"),
    change(GOOD_ROWS[4], 年级="初一", 家长手机="1234"),
    change(GOOD_ROWS[0], 学生姓名="王晓明"),
    change(GOOD_ROWS[1], 出生日期="2016-02-30", 关系="舅舅"),
)


async def test_bad_rows_are_each_reported_with_row_and_column(platform, tmp_path):
    with pytest.raises(RosterInvalid) as caught:
        await import_roster_file(platform.db, write_csv(tmp_path / "r.csv", BAD_ROWS))
    assert [str(p) for p in caught.value.problems] == [
        "第 3 行 学号(student_no)：不能为空",
        "第 4 行 学段(stage)：“高中”不是有效的学段，应为 幼儿园、小学 或 初中",
        "第 4 行 性别(gender)：“未知”不是有效的性别，应为 男 或 女",
        "第 5 行 年级(grade)：“初一”属于初中，与学段“幼儿园”不符",
        "第 5 行 家长手机(guardian_phone)：“1234”不是有效的手机号（11 位，以 1 开头）",
        "第 6 行 学号(student_no)：与第 2 行学号相同，但学生姓名不一致",
        "第 7 行 出生日期(birth_date)：“2016-02-30”不是有效的日期，应写成 2015-03-08",
        "第 7 行 关系(relation)：“舅舅”不是有效的关系，"
        "应为 父亲、母亲、爷爷、奶奶、外公、外婆 或 其他",
    ]


async def test_bad_rows_mean_nothing_is_written(platform, tmp_path):
    with pytest.raises(RosterInvalid):
        await import_roster_file(platform.db, write_csv(tmp_path / "r.csv", BAD_ROWS))
    assert await table_counts(platform) == {"Organisation": 0, "Person": 0,
                                            "Guardianship": 0, "AuditEntry": 0}


@pytest.mark.parametrize(("rows", "message"), [
    pytest.param((GOOD_ROWS[0], change(GOOD_ROWS[2], 学校名称="湖滨第二小学")),
                 "第 3 行 学校名称(school_name)：与第 2 行同一学校代码的名称“湖滨小学”不一致",
                 id="school-name"),
    pytest.param((GOOD_ROWS[0], change(GOOD_ROWS[2], 家长姓名="王明")),
                 "第 3 行 家长姓名(guardian_name)：与第 2 行同一家长手机的姓名“王大明”不一致",
                 id="guardian-name"),
    pytest.param((GOOD_ROWS[0], change(GOOD_ROWS[0], 关系="爷爷")),
                 "第 3 行 关系(relation)：与第 2 行同一学生和家长的关系“父亲”不一致",
                 id="relation"),
    pytest.param((GOOD_ROWS[0], change(GOOD_ROWS[1], 班级="3")),
                 "第 3 行 学号(student_no)：与第 2 行学号相同，但班级不一致", id="class"),
])
async def test_rows_that_contradict_an_earlier_row_are_errors(platform, tmp_path, rows,
                                                              message):
    with pytest.raises(RosterInvalid) as caught:
        await import_roster_file(platform.db, write_csv(tmp_path / "r.csv", rows))
    assert [str(p) for p in caught.value.problems] == [message]


async def test_an_identical_repeated_row_is_not_an_error(platform, tmp_path):
    report = await import_roster_file(
        platform.db, write_csv(tmp_path / "r.csv", (GOOD_ROWS[0], GOOD_ROWS[0])))
    assert (report.counts["students"].added, report.counts["guardianships"].added) == (1, 1)


@pytest.mark.parametrize(("cells", "message"), [
    pytest.param({"家长手机": ""}, "第 2 行 家长手机(guardian_phone)：填写了家长姓名时不能为空",
                 id="name-without-phone"),
    pytest.param({"家长姓名": ""}, "第 2 行 家长姓名(guardian_name)：填写了家长手机时不能为空",
                 id="phone-without-name"),
    pytest.param({"家长姓名": "", "家长手机": ""},
                 "第 2 行 关系(relation)：没有家长信息时不应填写", id="relation-alone"),
    pytest.param({"学号": "1.38E+10"},
                 "第 2 行 学号(student_no)：“1.38E+10”是科学计数法，"
                 "请把该列设为文本格式后重新导出",
                 id="scientific-notation"),
    pytest.param({"年级": "7"}, "第 2 行 年级(grade)：小学没有“7”这个年级（应为 1–6）",
                 id="grade-out-of-range"),
    pytest.param({"出生日期": "2999-01-01"}, "第 2 行 出生日期(birth_date)：“2999-01-01”晚于今天",
                 id="born-in-future"),
])
async def test_cell_problems_have_exact_messages(platform, tmp_path, cells, message):
    row = change(GOOD_ROWS[0], **cells)
    with pytest.raises(RosterInvalid) as caught:
        await import_roster_file(platform.db, write_csv(tmp_path / "r.csv", [row]))
    assert [str(p) for p in caught.value.problems] == [message]


async def test_missing_required_columns_are_named(platform, tmp_path):
    header = [h for h in HEADER if h not in ("学号", "班级")]
    rows = [[c for h, c in zip(HEADER, GOOD_ROWS[0], strict=True) if h in header]]
    with pytest.raises(RosterInvalid) as caught:
        await import_roster_file(platform.db, write_csv(tmp_path / "r.csv", rows, header))
    assert [str(p) for p in caught.value.problems] == [
        "第 1 行 班级(class)：表头中缺少此列", "第 1 行 学号(student_no)：表头中缺少此列"]


async def test_a_file_without_a_header_is_refused(platform, tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("a,b,c\n1,2,3\n", encoding="utf-8")
    with pytest.raises(RosterInvalid) as caught:
        await import_roster_file(platform.db, path)
    assert [str(p) for p in caught.value.problems] == [
        "文件：未找到表头：前 10 行中没有 学号、学生姓名、班级 等列名"]


async def test_old_xls_files_are_refused_with_what_to_do(platform, tmp_path):
    path = tmp_path / "r.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(RosterInvalid) as caught:
        await import_roster_file(platform.db, path)
    assert str(caught.value.problems[0]) == (
        "文件：不支持旧版 .xls 文件，请在 Excel 中另存为 .xlsx 或 CSV")


# -- other encodings and formats ----------------------------------------------


async def test_gb18030_csv_from_chinese_excel_is_read(platform, tmp_path):
    path = write_csv(tmp_path / "r.csv", GOOD_ROWS, encoding="gb18030")
    report = await import_roster_file(platform.db, path)
    assert report.counts["students"].added == 4
    assert (await students(platform))["S1"].name == "王小明"


async def test_utf8_csv_without_bom_is_read(platform, tmp_path):
    path = write_csv(tmp_path / "r.csv", GOOD_ROWS, encoding="utf-8")
    assert (await import_roster_file(platform.db, path)).counts["students"].added == 4


async def test_english_headers_and_unknown_columns_are_accepted(platform, tmp_path):
    header = ("school_code", "school_name", "stage", "grade", "class", "student_no",
              "student_name", "gender", "birth_date", "guardian_name", "guardian_phone",
              "relation", "备注")
    rows = [(*GOOD_ROWS[0][:2], "primary", "3", "2", *GOOD_ROWS[0][5:], "转学生")]
    report = await import_roster_file(platform.db, write_csv(tmp_path / "r.csv", rows, header))
    assert (report.counts["students"].added, report.ignored_columns) == (1, ["备注"])


async def test_xlsx_with_a_title_row_numbers_and_dates_is_read(platform, tmp_path):
    import datetime as dt

    rows = [("P01", "湖滨小学", "小学", 3, 2, 20190001, "王小明", "男", dt.datetime(2016, 3, 8),
             "王大明", 13800138000, "父亲")]
    path = write_xlsx(tmp_path / "r.xlsx", rows, title="2024 学年湖滨小学学生名册")
    await import_roster_file(platform.db, path)
    s1 = (await students(platform))["20190001"]
    async with platform.db.session() as s:
        phone = await s.scalar(select(Person.phone).where(Person.kind == "guardian"))
    assert (s1.name, s1.birth_date, s1.grade, phone) == ("王小明", dt.date(2016, 3, 8), 3,
                                                          "13800138000")


async def test_xlsx_problems_use_the_sheet_row_numbers(platform, tmp_path):
    rows = [GOOD_ROWS[0], change(GOOD_ROWS[2], 学生姓名="")]
    path = write_xlsx(tmp_path / "r.xlsx", rows, title="学生名册")
    with pytest.raises(RosterInvalid) as caught:
        await import_roster_file(platform.db, path)
    assert [str(p) for p in caught.value.problems] == ["第 4 行 学生姓名(student_name)：不能为空"]


# -- importing again ----------------------------------------------------------


async def test_reimporting_the_same_file_changes_nothing(platform, tmp_path):
    path = write_csv(tmp_path / "r.csv", GOOD_ROWS)
    await import_roster_file(platform.db, path)
    before = await students(platform)
    report = await import_roster_file(platform.db, path)
    after = await students(platform)
    assert not report.changed
    assert {k: c.unchanged for k, c in report.counts.items()} == {
        "schools": 3, "grades": 4, "classes": 4, "students": 4, "guardians": 3,
        "guardianships": 4}
    assert [(p.id, p.updated_at) for p in after.values()] == [
        (p.id, p.updated_at) for p in before.values()]


async def test_reimport_adds_no_rows(platform, tmp_path):
    path = write_csv(tmp_path / "r.csv", GOOD_ROWS)
    await import_roster_file(platform.db, path)
    first = await table_counts(platform)
    await import_roster_file(platform.db, path)
    second = await table_counts(platform)
    assert second == {**first, "AuditEntry": 2}


async def test_a_student_whose_class_changed_is_moved_not_duplicated(platform, tmp_path):
    await import_roster_file(platform.db, write_csv(tmp_path / "r.csv", GOOD_ROWS))
    before = (await students(platform))["S1"]
    moved = [change(r, 年级="四年级", 班级="1") if r[5] == "S1" else r for r in GOOD_ROWS]
    report = await import_roster_file(platform.db, write_csv(tmp_path / "r2.csv", moved))
    after = await students(platform)
    klass = await org(platform, kind="class", name="四(1)班")
    assert (report.counts["students"].updated, report.counts["students"].added) == (1, 0)
    assert (after["S1"].id, after["S1"].class_id, after["S1"].org_path, after["S1"].grade) == (
        before.id, klass.id, klass.path, 4)
    assert len(after) == 4


async def test_a_student_who_changed_school_is_moved(platform, tmp_path):
    await import_roster_file(platform.db, write_csv(tmp_path / "r.csv", GOOD_ROWS))
    moved = [change(GOOD_ROWS[3], 学号="S2")]
    await import_roster_file(platform.db, write_csv(tmp_path / "r2.csv", moved))
    school = await org(platform, kind="school", code="M01")
    s2 = (await students(platform))["S2"]
    assert (s2.school_id, s2.stage, s2.name) == (school.id, "middle", "张三")


async def test_a_blank_optional_cell_keeps_what_is_known(platform, tmp_path):
    await import_roster_file(platform.db, write_csv(tmp_path / "r.csv", GOOD_ROWS))
    blank = [change(r, 性别="", 出生日期="") for r in GOOD_ROWS]
    report = await import_roster_file(platform.db, write_csv(tmp_path / "r2.csv", blank))
    s1 = (await students(platform))["S1"]
    assert (s1.gender, s1.birth_date.isoformat(), report.changed) == ("M", "2016-03-08", False)


async def test_a_changed_relation_updates_the_guardianship(platform, tmp_path):
    await import_roster_file(platform.db, write_csv(tmp_path / "r.csv", GOOD_ROWS))
    rows = [change(GOOD_ROWS[1], 关系="外婆")]
    report = await import_roster_file(platform.db, write_csv(tmp_path / "r2.csv", rows))
    async with platform.db.session() as s:
        relation = await s.scalar(
            select(Guardianship.relation).join(Person, Person.id == Guardianship.guardian_id)
            .where(Person.phone == "13900139000"))
    assert (relation, report.counts["guardianships"].updated) == ("WGM", 1)


async def test_missing_students_stay_active_by_default(platform, tmp_path):
    await import_roster_file(platform.db, write_csv(tmp_path / "r.csv", GOOD_ROWS))
    report = await import_roster_file(platform.db, write_csv(tmp_path / "r2.csv",
                                                             GOOD_ROWS[:2]))
    assert all(p.active for p in (await students(platform)).values())
    assert report.counts["students"].deactivated == 0


async def test_deactivate_missing_only_touches_the_files_schools(platform, tmp_path):
    await import_roster_file(platform.db, write_csv(tmp_path / "r.csv", GOOD_ROWS))
    # The second file covers 湖滨小学 (P01) only, and leaves out S2.
    report = await import_roster_file(platform.db, write_csv(tmp_path / "r2.csv",
                                                             GOOD_ROWS[:2]),
                                      deactivate_missing_students=True)
    active = {no: p.active for no, p in (await students(platform)).items()}
    assert active == {"S1": True, "S2": False, "S3": True, "S4": True}
    assert report.counts["students"].deactivated == 1


async def test_a_deactivated_student_listed_again_is_reactivated(platform, tmp_path):
    await import_roster_file(platform.db, write_csv(tmp_path / "r.csv", GOOD_ROWS))
    await import_roster_file(platform.db, write_csv(tmp_path / "r2.csv", GOOD_ROWS[:2]),
                             deactivate_missing_students=True)
    report = await import_roster_file(platform.db, write_csv(tmp_path / "r.csv", GOOD_ROWS))
    assert (await students(platform))["S2"].active
    assert report.counts["students"].updated == 1


async def test_dry_run_counts_but_writes_nothing(platform, tmp_path):
    report = await import_roster_file(platform.db, write_csv(tmp_path / "r.csv", GOOD_ROWS),
                                      dry_run=True)
    assert (report.dry_run, report.counts["students"].added) == (True, 4)
    assert (await table_counts(platform))["Person"] == 0


async def test_a_nine_year_school_has_no_single_stage(platform, tmp_path):
    rows = [GOOD_ROWS[0], change(GOOD_ROWS[3], 学校代码="P01", 学校名称="湖滨小学")]
    await import_roster_file(platform.db, write_csv(tmp_path / "r.csv", rows))
    school = await org(platform, kind="school", code="P01")
    async with platform.db.session() as s:
        grades = set(await s.scalars(select(Organisation.code)
                                     .where(Organisation.parent_id == school.id)))
    assert (school.stage, grades) == (None, {"P3", "M1"})


async def test_an_existing_district_is_used_not_duplicated(platform, tmp_path, district):
    await import_roster_file(platform.db, write_csv(tmp_path / "r.csv", GOOD_ROWS))
    async with platform.db.session() as s:
        districts = list(await s.scalars(select(Organisation.name)
                                         .where(Organisation.kind == "district")))
    assert districts == ["测试区"]


async def test_existing_guardian_is_matched_by_phone(platform, tmp_path, district):
    async with platform.db.transaction() as s:
        parent = await s.get(Person, district.ids["parent"])
        parent.phone = "13800138000"
    await import_roster_file(platform.db, write_csv(tmp_path / "r.csv", GOOD_ROWS))
    async with platform.db.session() as s:
        count = await s.scalar(select(func.count()).select_from(Person)
                               .where(Person.phone == "13800138000"))
        name = await s.scalar(select(Person.name).where(Person.id == district.ids["parent"]))
    assert (count, name) == (1, "王大明")


async def test_a_file_with_only_a_header_is_refused(platform, tmp_path):
    with pytest.raises(RosterInvalid) as caught:
        await import_roster_file(platform.db, write_csv(tmp_path / "r.csv", []))
    assert [str(p) for p in caught.value.problems] == ["文件：表头下没有任何学生数据"]


@pytest.mark.parametrize("writer", [write_csv, write_xlsx], ids=["csv", "xlsx"])
def test_reading_reports_progress_against_the_files_size(tmp_path, writer):
    from bangyaer.roster import load_roster

    rows = [change(GOOD_ROWS[3], 学号=f"S{i:04d}") for i in range(2499)]
    path = writer(tmp_path / f"r.{writer.__name__[6:]}", rows)
    calls = []
    load_roster(path, lambda done, expected: calls.append((done, expected)))
    assert calls == [(1000, 2500), (2000, 2500), (2500, 2500)]
