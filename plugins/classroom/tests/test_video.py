"""Streaming a lesson's video with HTTP Range requests, and uploading one."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from .conftest import ClientFor, MakeCourse, upload_video, wav_bytes

VIDEO = wav_bytes(seconds=1)
SIZE = len(VIDEO)


@pytest.fixture
async def lesson(make_course: MakeCourse, staff: httpx.AsyncClient) -> dict[str, Any]:
    course = await make_course("视频课", lessons=[{"title": "看视频", "kind": "video"}])
    lesson = course["lessons"][0]
    assert (await upload_video(staff, lesson["id"], VIDEO)).status_code == 200
    return lesson


@pytest.fixture
async def parent(client_for: ClientFor) -> httpx.AsyncClient:
    return await client_for("parent")


def url(lesson: dict[str, Any]) -> str:
    return f"/classroom/lessons/{lesson['id']}/video"


async def test_whole_video_is_sent_with_accept_ranges(lesson: dict[str, Any],
                                                      parent: httpx.AsyncClient) -> None:
    response = await parent.get(url(lesson))

    assert response.status_code == 200
    assert response.content == VIDEO
    assert response.headers["accept-ranges"] == "bytes"
    assert response.headers["content-type"] == "audio/wav"
    assert response.headers["content-length"] == str(SIZE)


async def test_closed_range_is_partial_content(lesson: dict[str, Any],
                                               parent: httpx.AsyncClient) -> None:
    response = await parent.get(url(lesson), headers={"Range": "bytes=10-19"})

    assert response.status_code == 206
    assert response.content == VIDEO[10:20]
    assert response.headers["content-range"] == f"bytes 10-19/{SIZE}"
    assert response.headers["content-length"] == "10"
    assert response.headers["accept-ranges"] == "bytes"


async def test_suffix_range_sends_the_last_bytes(lesson: dict[str, Any],
                                                 parent: httpx.AsyncClient) -> None:
    response = await parent.get(url(lesson), headers={"Range": "bytes=-500"})

    assert response.status_code == 206
    assert response.content == VIDEO[-500:]
    assert response.headers["content-range"] == f"bytes {SIZE - 500}-{SIZE - 1}/{SIZE}"


async def test_open_range_sends_the_rest(lesson: dict[str, Any],
                                         parent: httpx.AsyncClient) -> None:
    response = await parent.get(url(lesson), headers={"Range": "bytes=100-"})

    assert response.status_code == 206
    assert response.content == VIDEO[100:]
    assert response.headers["content-range"] == f"bytes 100-{SIZE - 1}/{SIZE}"


@pytest.mark.parametrize("header", [
    pytest.param(f"bytes={SIZE}-", id="past-the-end"),
    pytest.param("bytes=20-10", id="backwards"),
    pytest.param("bytes=oops", id="malformed"),
    pytest.param("pages=1-2", id="other-unit"),
])
async def test_bad_or_unsatisfiable_range_is_416_with_the_size(
        lesson: dict[str, Any], parent: httpx.AsyncClient, header: str) -> None:
    response = await parent.get(url(lesson), headers={"Range": header})

    assert response.status_code == 416
    assert response.headers["content-range"] == f"bytes */{SIZE}"
    assert response.content == b""


async def test_if_range_naming_other_bytes_gets_the_whole_file(
        lesson: dict[str, Any], parent: httpx.AsyncClient) -> None:
    response = await parent.get(url(lesson), headers={"Range": "bytes=0-9",
                                                      "If-Range": '"stale"'})

    assert response.status_code == 200
    assert response.content == VIDEO


async def test_if_range_with_the_current_etag_gets_the_range(
        lesson: dict[str, Any], parent: httpx.AsyncClient) -> None:
    etag = (await parent.head(url(lesson))).headers["etag"]

    response = await parent.get(url(lesson), headers={"Range": "bytes=0-9", "If-Range": etag})

    assert response.status_code == 206
    assert response.content == VIDEO[:10]


async def test_head_answers_the_size_without_a_body(lesson: dict[str, Any],
                                                    parent: httpx.AsyncClient) -> None:
    response = await parent.head(url(lesson), headers={"Range": "bytes=0-9"})

    assert response.status_code == 206
    assert response.headers["content-length"] == "10"
    assert response.content == b""


async def test_video_needs_a_signed_in_viewer(lesson: dict[str, Any],
                                              client_for: ClientFor) -> None:
    anonymous = await client_for(None)

    response = await anonymous.get(url(lesson))

    assert response.status_code == 303
    assert response.headers["location"].startswith("/login?next=")


async def test_upload_that_is_not_a_video_is_refused_by_its_content(
        make_course: MakeCourse, staff: httpx.AsyncClient) -> None:
    course = await make_course(lessons=[{"title": "看视频", "kind": "video"}])

    response = await upload_video(staff, course["lessons"][0]["id"], b"MZ\x90\x00" * 40,
                                  name="trick.mp4")

    assert response.status_code == 422
    assert response.json()["error"] == {
        "code": "unsupported_type",
        "message": "不支持的文件类型；只接受 MP4 视频、WebM 视频、WAV 音频"}


@pytest.mark.parametrize("classroom_settings", [{"video_max_bytes": 1024 * 1024}])
async def test_upload_over_the_limit_is_413(make_course: MakeCourse,
                                            staff: httpx.AsyncClient) -> None:
    course = await make_course(lessons=[{"title": "看视频", "kind": "video"}])

    response = await upload_video(staff, course["lessons"][0]["id"], wav_bytes(seconds=140))

    assert response.status_code == 413
    assert response.json()["error"]["message"] == "文件超过 1 MB 的上限"


async def test_mp4_is_recognised_by_its_ftyp_box(make_course: MakeCourse,
                                                 staff: httpx.AsyncClient) -> None:
    course = await make_course(lessons=[{"title": "看视频", "kind": "video"}])
    mp4_head = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 64

    response = await upload_video(staff, course["lessons"][0]["id"], mp4_head, "a.mp4")

    assert response.status_code == 200
    video = await staff.get(response.json()["lesson"]["video_url"])
    assert video.headers["content-type"] == "video/mp4"


async def test_only_a_video_lesson_takes_a_video(make_course: MakeCourse,
                                                 staff: httpx.AsyncClient) -> None:
    course = await make_course()

    response = await upload_video(staff, course["lessons"][0]["id"], VIDEO)

    assert response.status_code == 409
    assert response.json()["error"]["message"] == "只有视频课时可以上传视频"


async def test_families_cannot_upload_videos(lesson: dict[str, Any],
                                             parent: httpx.AsyncClient) -> None:
    response = await upload_video(parent, lesson["id"], VIDEO)

    assert response.status_code == 403
