"""Resumable uploads (tus 1.0 core): create, HEAD, PATCH, resume, offset mismatch."""

from __future__ import annotations

import pytest
from bangyaer_competitions.testing import create_activity, mp4_bytes, register

TUS = {"Tus-Resumable": "1.0.0"}
PATCH = {**TUS, "Content-Type": "application/offset+octet-stream"}


@pytest.fixture
async def entry_code(staff, parent) -> str:
    activity_id = await create_activity(staff, type="performance_video")
    return str((await register(parent, activity_id)).json()["code"])


async def _create(client, code: str, length: int):
    return await client.post(f"/api/v1/competitions/entries/{code}/uploads",
                             headers={**TUS, "Upload-Length": str(length),
                                      "Upload-Metadata": "filename ZGFuY2UubXA0"})


async def test_creation_answers_201_with_a_location(parent, entry_code):
    response = await _create(parent, entry_code, 1000)

    assert response.status_code == 201
    assert response.headers["Location"].startswith("/api/v1/competitions/uploads/")
    assert response.headers["Tus-Resumable"] == "1.0.0"
    assert response.headers["Upload-Offset"] == "0"


async def test_an_interrupted_upload_resumes_from_the_servers_offset(parent, entry_code):
    data = mp4_bytes(3 * 1024 * 1024 + 17)
    location = (await _create(parent, entry_code, len(data))).headers["Location"]
    half = len(data) // 2
    first = await parent.patch(location, content=data[:half],
                               headers={**PATCH, "Upload-Offset": "0"})

    # The phone lost its connection; it asks where to go on from.
    head = await parent.head(location, headers=TUS)
    offset = int(head.headers["Upload-Offset"])
    rest = await parent.patch(location, content=data[offset:],
                              headers={**PATCH, "Upload-Offset": str(offset)})

    assert first.status_code == 204
    assert offset == half
    assert rest.status_code == 204
    assert rest.headers["Upload-Offset"] == str(len(data))
    file_id = int(rest.headers["Bangyaer-File-Id"])
    stored = await parent.get(f"/api/v1/competitions/files/{file_id}/content")
    assert stored.content == data
    assert stored.headers["content-type"] == "video/mp4"


async def test_a_patch_at_the_wrong_offset_is_a_409(parent, entry_code):
    data = mp4_bytes(4096)
    location = (await _create(parent, entry_code, len(data))).headers["Location"]
    await parent.patch(location, content=data[:1000], headers={**PATCH, "Upload-Offset": "0"})

    response = await parent.patch(location, content=data[500:],
                                  headers={**PATCH, "Upload-Offset": "500"})

    assert response.status_code == 409
    assert response.json()["error"] == {"code": "offset_mismatch",
                                        "message": "上传位置不符，服务器已收到 1000 字节"}
    assert response.headers["Upload-Offset"] == "1000"


async def test_a_patch_needs_the_offset_octet_stream_type(parent, entry_code):
    location = (await _create(parent, entry_code, 100)).headers["Location"]

    response = await parent.patch(location, content=b"x" * 10,
                                  headers={**TUS, "Upload-Offset": "0",
                                           "Content-Type": "video/mp4"})

    assert response.status_code == 415
    assert response.json()["error"]["code"] == "tus_content_type"


async def test_bytes_past_the_upload_length_are_refused(parent, entry_code):
    data = mp4_bytes(2000)
    location = (await _create(parent, entry_code, 1000)).headers["Location"]

    response = await parent.patch(location, content=data,
                                  headers={**PATCH, "Upload-Offset": "0"})

    assert response.status_code == 413
    assert response.json()["error"]["code"] == "past_upload_length"


async def test_a_wrong_file_type_is_refused_from_its_first_bytes(parent, entry_code):
    data = b"%PDF-1.7\n" + b"0" * 5000
    location = (await _create(parent, entry_code, len(data))).headers["Location"]

    response = await parent.patch(location, content=data,
                                  headers={**PATCH, "Upload-Offset": "0"})

    assert response.status_code == 415
    assert response.json()["error"] == {"code": "unsupported_file_type",
                                        "message": "文件类型不符：本活动只接受视频文件"}


async def test_an_announced_length_over_the_limit_is_refused_at_creation(parent, entry_code):
    response = await _create(parent, entry_code, 3 * 1024 * 1024 * 1024)

    assert response.status_code == 413
    assert response.json()["error"]["message"] == "文件过大：每个文件不能超过 2048 MB"


async def test_creation_needs_the_tus_version_header(parent, entry_code):
    response = await parent.post(f"/api/v1/competitions/entries/{entry_code}/uploads",
                                 headers={"Upload-Length": "10"})

    assert response.status_code == 412
    assert response.json()["error"]["code"] == "tus_version"


async def test_another_account_cannot_see_an_upload(parent, entry_code, client_for):
    location = (await _create(parent, entry_code, 100)).headers["Location"]
    stranger = await client_for("parent_b")

    response = await stranger.head(location, headers=TUS)

    assert response.status_code == 404


async def test_a_file_is_sniffed_across_a_resume_inside_its_first_bytes(parent, entry_code):
    data = b"MZ\x90\x00" + b"\x00" * 4000  # an executable, sent 10 bytes first
    location = (await _create(parent, entry_code, len(data))).headers["Location"]
    await parent.patch(location, content=data[:10], headers={**PATCH, "Upload-Offset": "0"})

    response = await parent.patch(location, content=data[10:],
                                  headers={**PATCH, "Upload-Offset": "10"})

    assert response.status_code == 415
    assert response.json()["error"]["code"] == "unsupported_file_type"
