"""Freezing: when submissions close, every file gets an anonymised copy, made once."""

from __future__ import annotations

import io

import pytest
from bangyaer.testing import drain
from bangyaer_competitions.anonymise import residual_metadata, samples
from bangyaer_competitions.judging.models import JudgingCopy, JudgingSetup
from bangyaer_competitions.models import Entry
from bangyaer_competitions.testing import add_entries, close_submissions, create_activity
from PIL import Image
from sqlalchemy import select


@pytest.fixture
async def activity_id(staff, platform, district) -> int:
    activity_id = await create_activity(staff)
    await add_entries(platform, activity_id, 1, 2, school_id=district.ids["school_a"], files=[
        (samples.jpeg(), "image/jpeg", "王小明-实验小学.jpg"),
        (samples.png(), "image/png", "王小明的画.png")])
    return activity_id


async def _copies(platform) -> list[JudgingCopy]:
    async with platform.db.session() as session:
        return list(await session.scalars(select(JudgingCopy).order_by(JudgingCopy.id)))


async def _blob(platform, sha: str) -> bytes:
    return b"".join([chunk async for chunk in platform.blobs.open(sha)])


async def test_closing_submissions_makes_a_named_copy_of_every_file(staff, platform,
                                                                    activity_id, tmp_path):
    await close_submissions(staff, platform, activity_id)

    copies = await _copies(platform)
    async with platform.db.session() as session:
        codes = {e.id: e.code for e in await session.scalars(select(Entry))}
        setup = await session.get(JudgingSetup, activity_id)
    assert [(c.name, c.content_type) for c in copies] == [
        (f"{codes[c.entry_id]}-{c.position}{ext}", kind) for c, (ext, kind) in zip(
            copies, [(".jpg", "image/jpeg"), (".png", "image/png")] * 2, strict=True)]
    assert setup.frozen_at is not None and setup.withheld == []
    for copy in copies:
        path = tmp_path / copy.name
        path.write_bytes(await _blob(platform, copy.sha256))
        assert residual_metadata(path, copy.content_type) == []
        assert not any(n in path.read_bytes() for n in samples.needles(samples.NAME,
                                                                       samples.SCHOOL))


async def test_the_thumbnail_is_made_from_the_anonymised_copy(staff, platform, activity_id):
    await close_submissions(staff, platform, activity_id)

    jpeg_copy = (await _copies(platform))[0]
    thumb = Image.open(io.BytesIO(await _blob(platform, jpeg_copy.thumb_sha256)))
    copy = Image.open(io.BytesIO(await _blob(platform, jpeg_copy.sha256)))

    # The upload is 640×480 turned by EXIF orientation 6: the copy has the turn in its
    # pixels, and so does a thumbnail made from it.
    assert copy.size == (480, 640)
    assert thumb.width < thumb.height
    assert not thumb.getexif() and "exif" not in thumb.info


async def test_making_the_copies_again_keeps_those_already_made(staff, platform, activity_id):
    await close_submissions(staff, platform, activity_id)
    before = [(c.id, c.sha256) for c in await _copies(platform)]

    again = await staff.post(f"/api/v1/competitions/activities/{activity_id}/judging/copies")
    await drain(platform)

    assert again.status_code == 202
    assert [(c.id, c.sha256) for c in await _copies(platform)] == before


async def test_a_file_that_cannot_be_made_safe_is_withheld_and_listed(staff, platform,
                                                                      district):
    activity_id = await create_activity(staff)
    # Claims to be a JPEG but is not one: the anonymiser refuses it.
    await add_entries(platform, activity_id, 1, 1, school_id=district.ids["school_a"],
                      files=[(b"not a picture at all" * 10, "image/jpeg", "x.jpg")])

    await close_submissions(staff, platform, activity_id)

    state = (await staff.get(f"/api/v1/competitions/activities/{activity_id}/judging")).json()
    assert await _copies(platform) == []
    assert [(w["position"], w["reason"]) for w in state["withheld"]] == [
        (1, "文件内容与登记的类型不符，无法生成评审副本")]
    assert state["copies"] == {"files": 1, "copies": 0, "withheld": 1}
    assert state["frozen_at"] is not None
    desk = await staff.get(f"/competitions/manage/{activity_id}/judging")
    assert "文件内容与登记的类型不符" in desk.text


async def test_staff_see_how_far_the_copies_are(staff, platform, activity_id):
    url = f"/api/v1/competitions/activities/{activity_id}/judging"
    moved = await staff.post(f"/api/v1/competitions/activities/{activity_id}/transitions",
                             json={"to": "submissions_closed"})
    assert moved.status_code == 200

    before = (await staff.get(url)).json()
    await drain(platform)
    after = (await staff.get(url)).json()

    assert (before["copies"], before["frozen_at"]) == ({"files": 4, "copies": 0,
                                                         "withheld": 0}, None)
    assert after["copies"] == {"files": 4, "copies": 4, "withheld": 0}
    assert after["frozen_at"] is not None


async def test_a_measured_activity_moved_on_before_the_copies_are_made_still_gets_them(
        staff, platform, district):
    # Measured results have no draw, so the plain move to judging is theirs to make.
    activity_id = await create_activity(staff, type="measured_result")
    await add_entries(platform, activity_id, 1, 2, school_id=district.ids["school_a"])
    base = f"/api/v1/competitions/activities/{activity_id}"
    for to in ("submissions_closed", "judging"):
        assert (await staff.post(f"{base}/transitions", json={"to": to})).status_code == 200

    await drain(platform)

    assert len(await _copies(platform)) == 2
    assert (await staff.get(f"{base}/judging")).json()["frozen_at"] is not None


async def test_judging_waits_for_the_draw_while_the_copies_are_made(staff, platform,
                                                                    activity_id):
    base = f"/api/v1/competitions/activities/{activity_id}"
    await staff.post(f"{base}/transitions", json={"to": "submissions_closed"})

    refused = await staff.post(f"{base}/transitions", json={"to": "judging"})
    await drain(platform)

    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "transition_needs_step"
    assert len(await _copies(platform)) == 4
    assert (await staff.get(f"{base}/stats")).json()["status"] == "submissions_closed"
