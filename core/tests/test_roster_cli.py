"""``bangyaer roster import``: exit codes, the problem list and the counts table."""

from __future__ import annotations

import asyncio
import csv
import io

import pytest
from bangyaer.cli import main, write_default_config
from bangyaer.identity import Person
from bangyaer.platform import Platform
from bangyaer.settings import load_settings
from click.testing import CliRunner
from sqlalchemy import func, select

HEADER = "学校代码,学校名称,学段,年级,班级,学号,学生姓名,性别,出生日期,家长姓名,家长手机,关系"
ROWS = [
    "P01,湖滨小学,小学,三年级,2,S1,王小明,男,2016-03-08,王大明,13800138000,父亲",
    "P01,湖滨小学,小学,一年级,1,S2,王小红,女,2018-09-01,王大明,13800138000,父亲",
    "M01,钱塘中学,初中,初一,3,S3,张三,男,2012-05-01,,,",
]


@pytest.fixture
def home(tmp_path, bangyaer_database_url, monkeypatch):
    home = tmp_path / "home"
    write_default_config(home)
    monkeypatch.setenv("BANGYAER_DATABASE_URL", bangyaer_database_url)

    async def schema():
        platform = Platform(load_settings(home), discover=False)
        try:
            await platform.create_schema()
        finally:
            await platform.close()

    asyncio.run(schema())
    return home


def write(path, rows, header=HEADER):
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8-sig")
    return path


def invoke(home, *args):
    return CliRunner().invoke(main, ["--data-dir", str(home), "roster", "import", *map(str, args)])


def count_people(home, **where):
    async def go():
        platform = Platform(load_settings(home), discover=False)
        try:
            async with platform.db.session() as s:
                return await s.scalar(select(func.count()).select_from(Person)
                                      .filter_by(**where))
        finally:
            await platform.close()

    return asyncio.run(go())


def test_import_prints_a_table_of_counts(home, tmp_path):
    result = invoke(home, write(tmp_path / "r.csv", ROWS))
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "r.csv：3 行，导入完成 (imported)"
    assert lines[1].split() == ["新增", "更新", "未变", "停用"]
    assert lines[5].split() == ["学生", "3", "0", "0", "0"]
    assert lines[6].split() == ["家长", "1", "0", "0", "-"]
    assert count_people(home, kind="student") == 3


def test_reimport_says_nothing_changed(home, tmp_path):
    path = write(tmp_path / "r.csv", ROWS)
    invoke(home, path)
    result = invoke(home, path)
    assert result.exit_code == 0
    assert result.stdout.splitlines()[-1] == "名册与数据库一致，没有任何变化 (nothing changed)"


def test_bad_file_exits_non_zero_and_lists_every_problem(home, tmp_path):
    rows = [ROWS[0], ROWS[1].replace("S2", ""), ROWS[2].replace("初中", "高中")]
    result = invoke(home, write(tmp_path / "r.csv", rows))
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "第 3 行 学号(student_no)：不能为空",
        "第 4 行 学段(stage)：“高中”不是有效的学段，应为 幼儿园、小学 或 初中",
        "Error: 名册有 2 处问题，未导入任何数据 (2 problems; nothing imported)",
    ]
    assert count_people(home) == 0


def test_a_long_problem_list_is_capped_with_a_count(home, tmp_path):
    rows = [f"P01,湖滨小学,小学,三年级,2,S{i},,男,,,," for i in range(60)]
    result = invoke(home, write(tmp_path / "r.csv", rows))
    lines = result.stderr.splitlines()
    assert result.exit_code == 1
    assert len(lines) == 52
    assert lines[49] == "第 51 行 学生姓名(student_name)：不能为空"
    assert lines[50:] == [
        "……另有 10 处问题未显示 (10 more not shown)",
        "Error: 名册有 60 处问题，未导入任何数据 (60 problems; nothing imported)"]


def test_deactivate_missing_flag_marks_left_out_students_inactive(home, tmp_path):
    invoke(home, write(tmp_path / "r.csv", ROWS))
    result = invoke(home, write(tmp_path / "r2.csv", ROWS[:1]), "--deactivate-missing")
    assert result.exit_code == 0
    assert result.stdout.splitlines()[5].split() == ["学生", "0", "0", "1", "1"]
    assert count_people(home, kind="student", active=False) == 1


def test_unknown_columns_are_reported_as_ignored(home, tmp_path):
    result = invoke(home, write(tmp_path / "r.csv", [r + ",x" for r in ROWS], HEADER + ",备注"))
    assert result.exit_code == 0
    assert result.stderr.splitlines() == ["已忽略未知列 (ignored column)：备注"]


def test_a_small_file_shows_no_progress_bar(home, tmp_path):
    result = invoke(home, write(tmp_path / "r.csv", ROWS))
    assert "(reading)" not in result.output and "(writing)" not in result.output


def test_dry_run_says_so_and_writes_nothing(home, tmp_path):
    result = invoke(home, write(tmp_path / "r.csv", ROWS), "--dry-run")
    assert result.stdout.splitlines()[0] == "r.csv：3 行，检查完成，已回滚 (dry run, rolled back)"
    assert count_people(home) == 0


def test_a_large_file_shows_progress_bars_for_reading_and_writing(home, tmp_path):
    out = io.StringIO()
    writer = csv.writer(out)
    for i in range(2000):
        writer.writerow(["P01", "湖滨小学", "小学", "三年级", "2", f"S{i:05d}", f"学生{i}",
                         "", "", "", "", ""])
    result = invoke(home, write(tmp_path / "r.csv", out.getvalue().splitlines()))
    assert result.exit_code == 0
    assert "读取名册 (reading)" in result.stdout
    assert "写入名册 (writing)" in result.stdout
    assert count_people(home, kind="student") == 2000


def test_a_database_without_the_schema_is_a_clean_error(tmp_path, monkeypatch):
    home = tmp_path / "empty"
    write_default_config(home)
    monkeypatch.setenv("BANGYAER_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'none.db'}")
    result = invoke(home, write(tmp_path / "r.csv", ROWS))
    assert result.exit_code == 1
    assert result.stderr.startswith(
        "Error: 数据库错误，未导入任何数据 (database error; nothing imported): no such table")
