"""Submitting a work: versions on replacement, frozen after the deadline."""

from __future__ import annotations

import datetime as dt

import pytest
from bangyaer.events import EventRecord
from bangyaer_competitions.models import Entry
from bangyaer_competitions.testing import (
    add_judge,
    close_submissions,
    create_activity,
    invite,
    jpeg,
    register,
    set_times,
    upload,
)
from sqlalchemy import select


@pytest.fixture
async def activity_id(staff) -> int:
    return await create_activity(staff)


@pytest.fixture
async def entry_code(parent, activity_id) -> str:
    return str((await register(parent, activity_id)).json()["code"])


async def _submit(client, code: str, title: str, file_ids: list[int]):
    return await client.post(f"/api/v1/competitions/entries/{code}/work",
                             json={"fields": {"title": title, "description": "水彩"},
                                   "file_ids": file_ids})


async def _photo(client, code: str, colour_size: int = 800) -> int:
    response = await upload(client, code, jpeg(colour_size, colour_size))
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


async def test_submitting_marks_the_entry_submitted(parent, entry_code):
    file_id = await _photo(parent, entry_code)

    response = await _submit(parent, entry_code, "我的家乡", [file_id])

    assert response.status_code == 201
    body = response.json()
    assert body["version"] == 1
    assert body["status_title"] == "已提交"
    assert body["work"]["fields"] == {"title": "我的家乡", "description": "水彩"}
    assert [f["id"] for f in body["work"]["files"]] == [file_id]
    assert [s["done"] for s in body["timeline"]] == [True, True, False, False]


async def test_a_work_needs_its_title(parent, entry_code):
    file_id = await _photo(parent, entry_code)

    response = await _submit(parent, entry_code, "  ", [file_id])

    assert response.status_code == 422
    assert response.json()["error"] == {"code": "invalid_work", "message": "请填写作品名称"}


async def test_a_work_needs_at_least_one_image(parent, entry_code):
    response = await _submit(parent, entry_code, "我的家乡", [])

    assert response.status_code == 422
    assert response.json()["error"] == {"code": "wrong_file_count",
                                        "message": "需要上传 1–3 个图片文件，现在是 0 个"}


async def test_another_entrys_file_cannot_be_used(parent, entry_code, client_for, activity_id):
    other = await client_for("parent_b")
    # parent_b's child is in the middle-school group of the same activity
    other_code = (await register(other, activity_id)).json()["code"]
    foreign = await _photo(other, other_code)

    response = await _submit(parent, entry_code, "我的家乡", [foreign])

    assert response.status_code == 422
    assert response.json()["error"]["code"] == "unknown_file"


async def test_replacing_keeps_earlier_versions_for_staff(parent, staff, entry_code):
    first = await _photo(parent, entry_code)
    await _submit(parent, entry_code, "初稿", [first])
    second = await _photo(parent, entry_code, 900)

    replaced = await _submit(parent, entry_code, "定稿", [second])
    versions = await staff.get(f"/api/v1/competitions/entries/{entry_code}/versions")

    assert replaced.json()["version"] == 2
    assert [f["id"] for f in replaced.json()["work"]["files"]] == [second]
    assert [(v["version"], v["current"], v["fields"]["title"], [f["id"] for f in v["files"]])
            for v in versions.json()["versions"]] == [
        (2, True, "定稿", [second]), (1, False, "初稿", [first])]


async def test_guardians_cannot_read_the_version_history(parent, entry_code):
    response = await parent.get(f"/api/v1/competitions/entries/{entry_code}/versions")

    assert response.status_code == 403


async def test_works_are_frozen_after_the_deadline(parent, entry_code, activity_id, platform):
    file_id = await _photo(parent, entry_code)
    await set_times(platform, activity_id, registration_closes_at=dt.timedelta(hours=-2),
                    submission_deadline=dt.timedelta(minutes=-1))

    response = await _submit(parent, entry_code, "迟到的作品", [file_id])

    assert response.status_code == 409
    assert response.json()["error"] == {
        "code": "submissions_closed",
        "message": "作品提交已截止，作品已锁定，不能再上传或替换"}


async def test_works_are_frozen_once_submissions_close(parent, staff, entry_code, activity_id):
    file_id = await _photo(parent, entry_code)
    await staff.post(f"/api/v1/competitions/activities/{activity_id}/transitions",
                     json={"to": "submissions_closed"})

    response = await _submit(parent, entry_code, "迟到的作品", [file_id])

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "submissions_closed"


async def test_a_cancelled_entry_takes_no_work(parent, entry_code):
    file_id = await _photo(parent, entry_code)
    await parent.delete(f"/api/v1/competitions/entries/{entry_code}")

    response = await _submit(parent, entry_code, "我的家乡", [file_id])

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "entry_cancelled"


async def test_the_timeline_follows_the_activity_into_judging(parent, staff, entry_code,
                                                               activity_id, platform):
    await _submit(parent, entry_code, "我的家乡", [await _photo(parent, entry_code)])
    await add_judge(platform, "j1")
    for group in (1, 2, 3):
        await invite(staff, activity_id, group, "j1")
    base = f"/api/v1/competitions/activities/{activity_id}"
    await staff.put(f"{base}/judging", json={"judges_per_entry": 1})
    await close_submissions(staff, platform, activity_id)
    # Judging starts with the draw.
    assert (await staff.post(f"{base}/draw", json={})).status_code == 201

    status = await parent.get(f"/api/v1/competitions/entries/{entry_code}/status")

    assert status.json()["status_title"] == "评审中"
    assert [s["done"] for s in status.json()["timeline"]] == [True, True, True, False]


async def test_a_submission_emits_an_event_with_the_version(parent, entry_code, platform):
    await _submit(parent, entry_code, "我的家乡", [await _photo(parent, entry_code)])

    async with platform.db.session() as session:
        event = (await session.scalars(select(EventRecord).where(
            EventRecord.type == "competitions.work_submitted"))).one()
        entry = (await session.scalars(select(Entry))).one()

    assert (event.subject_id, event.payload["version"]) == (entry.student_id, 1)
