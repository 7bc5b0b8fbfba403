"""The catalogue: XLSX import with row-level errors, browsing, eligibility, statistics."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
from bangyaer.identity import Person
from bangyaer.testing import TinyDistrict, login
from bangyaer_training._import import COLUMNS
from bangyaer_training.models import Course, TrainingClass
from sqlalchemy import func, select

PW = TinyDistrict.PASSWORD
GOOD = {"班级编号": "MS-01", "班级名称": "少儿美术一班", "课程编号": "MS", "课程名称": "少儿美术",
        "类别": "美术", "级别": 1, "校区编号": "BB", "校区名称": "本部", "招生方式": "先到先得",
        "最小年龄": 6, "最大年龄": 9, "学费（元）": "1200", "课时数": 16, "星期": "周六",
        "开始时间": "09:00", "结束时间": "10:30", "教师": "张老师", "教室": "201", "名额": 20}


def sheet(*rows: dict) -> bytes:
    book = openpyxl.Workbook()
    ws = book.active
    headers = [h for h, _, _ in COLUMNS]
    ws.append(headers)
    for row in rows:
        ws.append([row.get(h) for h in headers])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


async def _staff(make_client, platform):
    staff = make_client(platform)
    await login(staff, "staff", PW)
    return staff


async def test_a_good_sheet_imports_every_class(platform, district, make_client, make_term):
    term = await make_term()
    staff = await _staff(make_client, platform)
    data = sheet(GOOD, {**GOOD, "班级编号": "MS-02", "星期": 7, "学费（元）": "1200.50"})

    response = await staff.post(f"/api/v1/training/terms/{term.id}/catalogue", content=data)

    assert response.status_code == 201, response.text
    assert response.json() == {"imported": 2}
    async with platform.db.session() as s:
        fees = sorted(await s.scalars(select(TrainingClass.fee_fen)))
        assert await s.scalar(select(func.count(Course.id))) == 1
    assert fees == [120_000, 120_050]


async def test_one_bad_row_imports_nothing_and_names_row_and_column(
        platform, district, make_client, make_term):
    term = await make_term()
    staff = await _staff(make_client, platform)
    data = sheet(GOOD, {**GOOD, "班级编号": "MS-02", "名额": "很多", "结束时间": "08:00"})

    response = await staff.post(f"/api/v1/training/terms/{term.id}/catalogue", content=data)

    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid_rows"
    assert error["detail"]["problems"] == [
        "第 3 行「名额」：应为整数，实际为“很多”",
        "第 3 行「结束时间」：应晚于开始时间",
    ]
    async with platform.db.session() as s:
        assert await s.scalar(select(func.count(TrainingClass.id))) == 0


async def test_a_duplicate_class_code_in_the_sheet_is_reported(platform, district,
                                                               make_client, make_term):
    term = await make_term()
    staff = await _staff(make_client, platform)

    response = await staff.post(f"/api/v1/training/terms/{term.id}/catalogue",
                                content=sheet(GOOD, GOOD))

    assert response.json()["error"]["detail"]["problems"] == [
        "第 3 行「班级编号」：与第 2 行重复（MS-01）"]


async def test_a_file_that_is_not_xlsx_is_refused(platform, district, make_client, make_term):
    term = await make_term()
    staff = await _staff(make_client, platform)

    response = await staff.post(f"/api/v1/training/terms/{term.id}/catalogue",
                                content=b"not a workbook")

    assert response.status_code == 422
    assert response.json()["error"]["detail"]["problems"][0].startswith(
        "无法读取文件：不是有效的 XLSX 表格")


async def test_a_family_cannot_import(client, district, make_term):
    term = await make_term()
    await login(client, "parent_b", PW)

    response = await client.post(f"/api/v1/training/terms/{term.id}/catalogue",
                                 content=sheet(GOOD))

    assert response.status_code == 403


async def test_browsing_shows_seats_left_and_filters_by_category(client, district, make_term,
                                                                 make_class):
    term = await make_term()
    await make_class(term, category="美术", capacity=12)
    await make_class(term, category="舞蹈", course_name="中国舞", weekday=3)

    response = await client.get("/api/v1/training/classes?category=美术")

    classes = response.json()["classes"]
    assert [(c["category"], c["seats_left"]) for c in classes] == [("美术", 12)]


async def test_browsing_by_age_keeps_classes_whose_band_includes_it(client, district,
                                                                    make_term, make_class):
    term = await make_term()
    await make_class(term, name="幼儿班", age_min=4, age_max=6)
    await make_class(term, name="少年班", age_min=10, age_max=14, weekday=2)

    response = await client.get("/api/v1/training/classes?age=5")

    assert [c["name"] for c in response.json()["classes"]] == ["幼儿班"]


async def test_the_acting_childs_eligibility_is_shown(client, district, make_term,
                                                      make_class, platform):
    term = await make_term()
    await make_class(term, name="幼儿班", age_min=4, age_max=6)
    await make_class(term, name="初中班", grade_min=7, grade_max=9, weekday=2)
    async with platform.db.transaction() as s:
        (await s.get(Person, district.ids["child_b"])).birth_date = dt.date(2014, 5, 1)
    await login(client, "parent_b", PW)

    response = await client.get("/api/v1/training/classes?eligible=1")

    assert [c["name"] for c in response.json()["classes"]] == ["初中班"]


async def test_the_statistics_workbook_has_a_sheet_per_dimension(
        platform, district, make_client, make_term, make_class):
    term = await make_term()
    await make_class(term, capacity=5)
    staff = await _staff(make_client, platform)

    response = await staff.get(f"/api/v1/training/stats.xlsx?term={term.id}")

    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["按班级", "按课程", "按类别", "按年龄段", "按学费段", "按校区",
                               "按招生方式"]
    rows = list(book["按班级"].iter_rows(values_only=True))
    assert rows[1][8:] == (5, 0, 0, "—", 5)


async def test_the_cockpit_shows_training_widgets(platform, district, make_client, make_term,
                                                  make_class):
    await make_class(await make_term(), capacity=7)
    staff = await _staff(make_client, platform)

    response = await staff.get("/api/v1/dashboard")

    widgets = {w["id"]: w for w in response.json()["widgets"]}
    assert widgets["training.unfilled"]["data"]["value"] == 7
    assert widgets["training.by_category"]["data"]["rows"] == [["美术", 0, 7, 0, "—", 7]]


TERM = {"code": "2027S", "name": "2027 春季", "starts_on": "2027-03-01",
        "continuing_opens_at": "2027-01-10T09:00:00+08:00",
        "continuing_closes_at": "2027-01-15T17:00:00+08:00",
        "opens_at": "2027-01-18T09:00:00+08:00", "closes_at": "2027-01-25T17:00:00+08:00"}


async def test_creating_a_term_publishes_the_seed_hash(platform, district, make_client):
    staff = await _staff(make_client, platform)

    response = await staff.post("/api/v1/training/terms/new", json=TERM)

    assert response.status_code == 201, response.text
    term = response.json()["term"]
    assert len(term["seed_sha256"]) == 64
    assert term["opens_at"] == "2027-01-18T01:00:00+00:00"
    assert "seed" not in term


async def test_a_term_whose_windows_are_out_of_order_is_refused(platform, district,
                                                                make_client):
    staff = await _staff(make_client, platform)

    response = await staff.post("/api/v1/training/terms/new",
                                json={**TERM, "opens_at": "2027-01-12T09:00:00+08:00"})

    assert response.status_code == 422
    assert response.json()["error"] == {
        "code": "invalid_windows",
        "message": "时间应依次为：老生续报开始 < 老生续报结束 ≤ 新生报名开始 < 报名截止"}


async def test_a_term_time_without_a_zone_is_refused(platform, district, make_client):
    staff = await _staff(make_client, platform)

    response = await staff.post("/api/v1/training/terms/new",
                                json={**TERM, "closes_at": "2027-01-25T17:00:00"})

    assert response.status_code == 422
    assert response.json()["error"]["message"] == "字段 closes_at 需带时区，如 +08:00"
