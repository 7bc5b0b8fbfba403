"""A family watches a cloud-class lesson on a phone, and the progress is saved.

The lesson's media is a short WAV file made here with the standard library:
a real file the phone's <video> element plays (audio only), streamed from
the blob store through the Range endpoint like any uploaded video.
"""

from __future__ import annotations

import io
import wave
from pathlib import Path

import bangyaer_classroom.plugin as classroom_plugin
import pytest
from bangyaer.db import utcnow
from bangyaer.storage import save_blob
from bangyaer.testing import TinyDistrict
from bangyaer_classroom.models import Course, Lesson, LessonKind, Progress
from playwright.sync_api import expect
from sqlalchemy import select

pytestmark = pytest.mark.browser


def wav(seconds: int) -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(1)
        w.setframerate(8000)
        w.writeframes(b"\x80" * 8000 * seconds)
    return out.getvalue()


async def _chunks(data: bytes):  # type: ignore[no-untyped-def]
    yield data


async def seed(platform):  # type: ignore[no-untyped-def]
    district = await TinyDistrict().build(platform)
    async with platform.db.transaction() as session:
        info = await save_blob(session, platform.blobs, _chunks(wav(6)), max_size=1 << 20)
        course = Course(title="听一听：大自然的声音", category="科学", year_min=1, year_max=9,
                        published=True, published_at=utcnow())
        session.add(course)
        await session.flush()
        lesson = Lesson(course_id=course.id, position=1, title="森林里的早晨",
                        kind=LessonKind.video, video_sha256=info.sha256,
                        video_type="audio/wav", video_size=info.size)
        session.add(lesson)
        await session.flush()
        district.ids["lesson"] = lesson.id
    return district


@pytest.fixture
def server(make_live_server):  # type: ignore[no-untyped-def]
    return make_live_server([classroom_plugin], seed=seed)


def test_family_watches_a_lesson_on_a_phone_and_progress_is_saved(
        server, phone_page, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    page = phone_page
    lesson_id = server.seeded.ids["lesson"]
    page.goto(server.url("/login?next=/classroom/"))
    page.get_by_label("用户名").fill("parent_b")
    page.get_by_label("密码").fill(TinyDistrict.PASSWORD)
    page.get_by_role("button", name="登录").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("第二课堂")
    page.get_by_role("link", name="听一听：大自然的声音").click()
    page.get_by_role("link", name="森林里的早晨").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("森林里的早晨")
    video = page.locator("video")
    expect(video).to_have_attribute("src", f"/classroom/lessons/{lesson_id}/video")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    # Muted playback needs no gesture; jump near the end so the lesson ends soon.
    video.evaluate("""v => new Promise(resolve => {
        const go = () => { v.muted = true; v.currentTime = v.duration - 1; v.play(); resolve(); };
        if (v.readyState >= 1) { go(); } else { v.addEventListener('loadedmetadata', go); }
    })""")
    expect(page.get_by_role("status")).to_have_text("本课时已学完", timeout=60_000)
    page.screenshot(path=tmp_path / "lesson.png", full_page=True)

    async def saved(platform):  # type: ignore[no-untyped-def]
        async with platform.db.session() as session:
            return (await session.scalars(select(Progress))).all()

    [progress] = server.run(saved)
    assert progress.child_id == server.seeded.ids["child_b"]
    assert progress.lesson_id == lesson_id
    assert progress.duration == 6 and progress.position == 6
    assert progress.completed_at is not None

    page.reload()
    expect(page.get_by_role("status")).to_have_text("本课时已学完")
    assert page.console_errors == []
