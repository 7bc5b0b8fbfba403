"""Blind judging: nothing a judge can reach names the child, their school, class or family.

Entries are registered for the TinyDistrict's real children, their works carry
those names in every metadata place (EXIF Artist and GPS, XMP, IPTC, PDF
Author, DOCX creator, MP4, MP3 and WAV tags) and in the uploads' file names;
after freeze and draw a judge crawls every page, API answer, copy, thumbnail
and error page they can reach, and none of those strings (nor the child's or
guardian's ids in a URL) may appear anywhere."""

from __future__ import annotations

import json
import re
from urllib.parse import urlsplit

import pytest
from bangyaer.storage import save_blob
from bangyaer.testing import login
from bangyaer_competitions.anonymise import DOCX, residual_metadata, samples
from bangyaer_competitions.judging.models import JudgingCopy
from bangyaer_competitions.models import Entry, Work, WorkFile
from bangyaer_competitions.testing import (
    act_for,
    close_submissions,
    create_activity,
    invite,
    register,
)
from sqlalchemy import select

JUDGES = ("judge", "j2", "j3")


def _files(child: str, school: str, guardian: str) -> list[tuple[bytes, str, str]]:
    return [
        (samples.jpeg(child, school), "image/jpeg", f"{child}-{school}.jpg"),
        (samples.png(child, school), "image/png", f"{guardian}拍的.png"),
        (samples.webp(child, school), "image/webp", f"{child}.webp"),
        (samples.heic(child, school), "image/heic", f"{child}.heic"),
        (samples.pdf(child, school, guardian), "application/pdf", f"{child}的作文.pdf"),
        (samples.docx(child, school, guardian), DOCX, f"{child}.docx"),
        (samples.mp4(child, school), "video/mp4", f"{child}表演.mp4"),
        (samples.mp3(child, school), "audio/mpeg", f"{child}朗诵.mp3"),
        (samples.wav(child, school), "audio/wav", f"{guardian}录的.wav"),
    ]


async def _attach(platform, code: str, files) -> None:
    async with platform.db.transaction() as session:
        entry = (await session.scalars(select(Entry).where(Entry.code == code))).one()
        work = Work(entry_id=entry.id, version=1, current=True,
                    fields={"title": f"{entry.student_name}的家乡"})
        session.add(work)
        await session.flush()
        for data, content_type, original in files:
            info = await save_blob(session, platform.blobs, _once(data), max_size=len(data),
                                   content_type=content_type)
            kind = next((k for k in ("image", "video", "audio")
                         if content_type.startswith(f"{k}/")), "document")
            session.add(WorkFile(entry_id=entry.id, work_id=work.id, kind=kind,
                                 content_type=content_type, sha256=info.sha256, size=info.size,
                                 original_name=original))
        entry.status = "submitted"


async def _once(data: bytes):
    yield data


@pytest.fixture
async def judged(staff, platform, district, client_for, make_client):
    activity_id = await create_activity(staff)
    parent = await client_for("parent")
    parent_b = await client_for("parent_b")
    children = [(parent, "child_1", "王小明", "甲小学", "王大明"),
                (parent, "child_2", "王小红", "甲小学", "王大明"),
                (parent_b, "child_b", "李小华", "乙中学", "李大华")]
    for client, key, name, school, guardian in children:
        await act_for(client, district.ids[key])
        response = await register(client, activity_id)
        assert response.status_code == 201, response.text
        await _attach(platform, response.json()["code"], _files(name, school, guardian))
    from bangyaer_competitions.testing import add_judge

    for username in JUDGES[1:]:
        await add_judge(platform, username)
    for username in JUDGES:
        for group in (1, 3):
            assert (await invite(staff, activity_id, group, username)).status_code == 201
    await close_submissions(staff, platform, activity_id)
    drawn = await staff.post(f"/api/v1/competitions/activities/{activity_id}/draw", json={})
    assert drawn.status_code == 201, drawn.text
    judge = make_client(platform)
    await login(judge, "judge", "Passw0rd-test")
    return activity_id, judge


def _forbidden(district) -> list[str]:
    words = ["王小明", "王小红", "李小华", "甲小学", "乙中学", "三(1)班", "三(2)班",
             "初一(1)班", "王大明", "李大华", "的家乡", "拍的", "的作文", "实验小学"]
    return words


async def _forbidden_ids(platform, district) -> set[str]:
    return {str(district.ids[k]) for k in ("child_1", "child_2", "child_b", "parent",
                                            "parent_b")}


LINK = re.compile(r'(?:href|src|action)="([^"]+)"')


def _needles(words: list[str]) -> list[bytes]:
    found = samples.needles(*words)
    # JSON escapes non-ASCII text as \\uXXXX unless told not to.
    found += [json.dumps(w).strip('"').encode() for w in words]
    return found


async def test_no_judge_facing_answer_names_a_child_school_class_or_guardian(
        judged, platform, district, tmp_path):
    activity_id, judge = judged
    words = _forbidden(district)
    bad_ids = await _forbidden_ids(platform, district)
    async with platform.db.session() as session:
        entries = list(await session.scalars(select(Entry)))
        copies = list(await session.scalars(select(JudgingCopy)))
        originals = [f.original_name for f in await session.scalars(select(WorkFile))]
    # Every file of the three entries has a copy: none had to be withheld.
    assert len(copies) == 3 * 9
    codes = [e.code for e in entries]

    seen: dict[str, bytes] = {}
    todo = ["/", "/competitions/judging/", "/api/v1/competitions/judging/queue",
            *[f"/api/v1/competitions/judging/entries/{c}" for c in codes],
            "/competitions/judging/entries/K0000-01-00001",
            "/api/v1/competitions/judging/entries/K0000-01-00001",
            "/api/v1/competitions/judging/copies/999999",
            "/api/v1/competitions/judging/copies/999999/thumbnail",
            f"/api/v1/competitions/activities/{activity_id}/judging"]
    while todo:
        url = todo.pop()
        if url in seen:
            continue
        response = await judge.get(url)
        seen[url] = response.content + json.dumps(dict(response.headers)).encode()
        if "text/html" in response.headers.get("content-type", ""):
            todo += [u for u in LINK.findall(response.text)
                     if u.startswith(("/competitions/judging", "/api/v1/competitions/judging"))]
        if response.headers.get("content-type", "").startswith("application/json"):
            todo += re.findall(r'"(/api/v1/competitions/judging/[^"]+)"', response.text)
    # Scoring answers too, the good and the refused.
    code = codes[0]
    bad = await judge.put(f"/api/v1/competitions/judging/entries/{code}/score",
                          json={"scores": {"theme": 99}})
    good = await judge.put(f"/api/v1/competitions/judging/entries/{code}/score",
                           json={"scores": {"theme": 1, "skill": 2, "creativity": 3}})
    form = await judge.post(f"/competitions/judging/entries/{codes[1]}", data={
        "csrf_token": judge.headers["X-CSRF-Token"], "score_theme": "x"})
    seen["PUT bad"], seen["PUT good"], seen["POST form"] = bad.content, good.content, form.content

    assert any("/copies/" in u for u in seen)  # the crawl reached the copies
    assert sum(1 for u in seen if u.endswith("/thumbnail")) >= 6
    needles = _needles(words + originals)
    for url, body in seen.items():
        leaked = [n for n in needles if n in body]
        assert not leaked, f"{url} shows {leaked[:3]}"
    for url in seen:
        numbers = {p for p in urlsplit(url).path.split("/") if p.isdigit()}
        assert not (numbers & bad_ids - {str(c.id) for c in copies} - {str(activity_id)}), url
        assert "student" not in url and "guardian" not in url
    for copy in copies:
        path = tmp_path / copy.name
        path.write_bytes(b"".join([c async for c in platform.blobs.open(copy.sha256)]))
        assert residual_metadata(path, copy.content_type) == []
