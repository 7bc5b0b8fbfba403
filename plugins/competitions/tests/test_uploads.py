"""Uploading works: kinds read from content, limits while streaming, images checked."""

from __future__ import annotations

import datetime as dt

import pytest
from bangyaer_competitions.models import Entry, WorkFile
from bangyaer_competitions.testing import create_activity, jpeg, register, set_times, upload
from sqlalchemy import func, select

EXECUTABLE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 4096


@pytest.fixture
async def entry_code(staff, parent) -> str:
    activity_id = await create_activity(staff)
    return str((await register(parent, activity_id)).json()["code"])


async def _staged(platform) -> int:
    async with platform.db.session() as session:
        return int(await session.scalar(select(func.count(WorkFile.id))) or 0)


async def test_a_photo_is_staged_with_its_size_and_a_thumbnail(parent, entry_code):
    response = await upload(parent, entry_code, jpeg(1024, 768))

    assert response.status_code == 201
    body = response.json()
    assert (body["kind"], body["content_type"]) == ("image", "image/jpeg")
    assert (body["width"], body["height"]) == (1024, 768)
    thumb = await parent.get(body["thumbnail_url"])
    assert thumb.status_code == 200
    assert thumb.headers["content-type"] == "image/jpeg"
    assert thumb.content[:3] == b"\xff\xd8\xff"


async def test_a_renamed_executable_is_refused_as_an_image(parent, entry_code, platform):
    response = await upload(parent, entry_code, EXECUTABLE, name="photo.jpg",
                            content_type="image/jpeg")

    assert response.status_code == 415
    assert response.json()["error"] == {"code": "unsupported_file_type",
                                        "message": "文件类型不符：本活动只接受图片文件"}
    assert await _staged(platform) == 0


async def test_a_pdf_is_refused_where_only_images_are_taken(parent, entry_code):
    response = await upload(parent, entry_code, b"%PDF-1.7\n" + b"0" * 200, name="a.jpg")

    assert response.status_code == 415
    assert response.json()["error"]["code"] == "unsupported_file_type"


async def test_a_corrupt_jpeg_is_refused(parent, entry_code):
    response = await upload(parent, entry_code, jpeg()[:600])

    assert response.status_code == 422
    assert response.json()["error"] == {
        "code": "invalid_image", "message": "图片已损坏或无法识别，请重新拍摄或选择"}


async def test_a_too_small_image_is_refused_with_its_size(parent, entry_code):
    response = await upload(parent, entry_code, jpeg(320, 240))

    assert response.status_code == 422
    assert response.json()["error"] == {
        "code": "image_too_small",
        "message": "图片尺寸太小（320×240），至少需要 600×600 像素"}


async def test_an_announced_oversized_upload_is_refused_before_any_byte_is_read(
        parent, entry_code):
    read = []

    async def body():
        for _ in range(400):
            read.append(1)
            yield b"\x00" * 65536

    response = await parent.post(
        f"/api/v1/competitions/entries/{entry_code}/files", content=body(),
        headers={"Content-Length": str(25 * 1024 * 1024)})

    assert response.status_code == 413
    assert response.json()["error"] == {"code": "file_too_large",
                                        "message": "文件过大：每个文件不能超过 20 MB"}
    assert read == []


async def test_an_oversized_stream_is_refused_before_the_rest_is_read(
        parent, entry_code, platform):
    chunks = 480  # 30 MB in 64 KB chunks, over the 20 MB limit for artwork
    read = []

    async def body():
        yield jpeg()
        for _ in range(chunks):
            read.append(1)
            yield b"\x00" * 65536

    response = await parent.post(
        f"/api/v1/competitions/entries/{entry_code}/files", content=body())

    assert response.status_code == 413
    assert response.json()["error"]["code"] == "file_too_large"
    assert len(read) < chunks
    assert await _staged(platform) == 0


async def test_the_count_limit_is_checked_before_another_file_is_stored(parent, entry_code):
    for _ in range(3):
        assert (await upload(parent, entry_code, jpeg())).status_code == 201

    response = await upload(parent, entry_code, jpeg())

    assert response.status_code == 409
    assert response.json()["error"] == {
        "code": "too_many_files", "message": "最多上传 3 个图片文件，请先删除多余的文件"}


async def test_a_staged_file_can_be_removed(parent, entry_code, platform):
    file_id = (await upload(parent, entry_code, jpeg())).json()["id"]

    response = await parent.delete(f"/api/v1/competitions/files/{file_id}")

    assert response.status_code == 204
    assert await _staged(platform) == 0


async def test_uploads_after_the_deadline_are_refused_unread(parent, entry_code, platform):
    async with platform.db.session() as session:
        entry = (await session.scalars(select(Entry))).one()
    await set_times(platform, entry.activity_id, registration_closes_at=dt.timedelta(hours=-2),
                    submission_deadline=dt.timedelta(hours=-1))

    response = await upload(parent, entry_code, jpeg())

    assert response.status_code == 409
    assert response.json()["error"] == {
        "code": "submissions_closed",
        "message": "作品提交已截止，作品已锁定，不能再上传或替换"}


async def test_another_family_cannot_upload_to_an_entry(entry_code, client_for):
    stranger = await client_for("parent_b")

    response = await upload(stranger, entry_code, jpeg())

    assert response.status_code == 404
