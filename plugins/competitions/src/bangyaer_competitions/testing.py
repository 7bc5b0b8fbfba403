"""Helpers for tests of this plugin and of plugins that build on it (activities, files)."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import httpx
from bangyaer.platform import Platform
from PIL import Image
from sqlalchemy import update

from .models import Activity


async def act_for(client: httpx.AsyncClient, child_id: int) -> None:
    response = await client.post("/api/v1/me/acting-child", json={"child_id": child_id})
    response.raise_for_status()


def iso(delta: dt.timedelta) -> str:
    return (dt.datetime.now(dt.UTC) + delta).isoformat()


def activity_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "title": "区少儿书画比赛", "category": "艺术", "type": "artwork",
        "groups": [
            {"name": "小学低段", "stage": "primary", "grade_min": 1, "grade_max": 3},
            {"name": "小学高段", "stage": "primary", "grade_min": 4, "grade_max": 6},
            {"name": "初中组", "stage": "middle", "grade_min": 1, "grade_max": 3},
        ],
        "registration_opens_at": iso(dt.timedelta(hours=-1)),
        "registration_closes_at": iso(dt.timedelta(days=1)),
        "submission_deadline": iso(dt.timedelta(days=2)),
    }
    body.update(overrides)
    return body


async def create_activity(client: httpx.AsyncClient, *, open_it: bool = True,
                          **overrides: Any) -> int:
    response = await client.post("/api/v1/competitions/activities",
                                 json=activity_body(**overrides))
    assert response.status_code == 201, response.text
    activity_id = int(response.json()["id"])
    if open_it:
        moved = await client.post(f"/api/v1/competitions/activities/{activity_id}/transitions",
                                  json={"to": "open"})
        assert moved.status_code == 200, moved.text
    return activity_id


async def set_times(platform: Platform, activity_id: int, **times: dt.timedelta) -> None:
    """Move an activity's dates relative to now, as if the clock had run on."""
    now = dt.datetime.now(dt.UTC)
    async with platform.db.transaction() as session:
        await session.execute(update(Activity).where(Activity.id == activity_id)
                              .values(**{k: now + v for k, v in times.items()}))


async def register(client: httpx.AsyncClient, activity_id: int, **kwargs: Any
                   ) -> httpx.Response:
    return await client.post(f"/api/v1/competitions/activities/{activity_id}/entries",
                             **kwargs)


def jpeg(width: int = 800, height: int = 800) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 80, 40)).save(out, "JPEG")
    return out.getvalue()


def mp4_bytes(size: int) -> bytes:
    """The start of an MP4 (an ftyp box) followed by filler, ``size`` bytes in all."""
    head = b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2"
    return head + b"\x00" * (size - len(head))


async def upload(client: httpx.AsyncClient, code: str, data: bytes, name: str = "a.jpg",
                 content_type: str = "image/jpeg") -> httpx.Response:
    return await client.post(f"/api/v1/competitions/entries/{code}/files", content=data,
                             headers={"Content-Type": content_type, "X-File-Name": name})


# -- judging ------------------------------------------------------------------


async def add_judge(platform: Platform, username: str, *, school_id: int | None = None,
                    name: str = "评委", password: str = "Passw0rd-test") -> int:
    """A judge account (judge role at the district), placed at a school if given; its id."""
    from bangyaer.identity import (
        Organisation,
        OrgKind,
        Person,
        PersonKind,
        create_account,
        district_of,
        place_person,
    )

    async with platform.db.transaction() as session:
        district = await district_of(session)
        assert district is not None
        person = Person(kind=PersonKind.staff, name=name, external_no=f"J-{username}")
        if school_id is not None:
            school = await session.get(Organisation, school_id)
            assert school is not None and school.kind == OrgKind.school
            place_person(person, school)
        session.add(person)
        await session.flush()
        account = await create_account(session, person, username=username, password=password,
                                       roles=[("judge", district)])
        return account.id


async def add_entries(platform: Platform, activity_id: int, group_number: int, count: int, *,
                      school_id: int | None, class_id: int | None = None,
                      files: list[tuple[bytes, str, str]] | None = None,
                      names: list[str] | None = None) -> list[int]:
    """``count`` registered students with a submitted work each, straight into the tables.

    ``files`` are (bytes, content_type, original name) for every entry's work
    (one plain JPEG if not given); returns the entry ids.
    """
    from bangyaer.identity import Person, PersonKind
    from bangyaer.storage import save_blob
    from sqlalchemy import select

    from .models import Entry, Group, Work, WorkFile

    files = files or [(jpeg(), "image/jpeg", "photo.jpg")]
    made: list[int] = []
    async with platform.db.transaction() as session:
        activity = await session.get(Activity, activity_id)
        assert activity is not None
        group = (await session.scalars(select(Group).where(
            Group.activity_id == activity_id, Group.number == group_number))).one()
        blobs = []
        for data, content_type, original in files:
            info = await save_blob(session, platform.blobs, _chunks(data), max_size=len(data),
                                   content_type=content_type)
            blobs.append((info, content_type, original))
        for n in range(count):
            name = names[n] if names and n < len(names) else f"学生{group_number}-{n}"
            student = Person(kind=PersonKind.student, name=name, school_id=school_id,
                             class_id=class_id)
            session.add(student)
            await session.flush()
            group.last_seq += 1
            entry = Entry(activity_id=activity_id, group_id=group.id, seq=group.last_seq,
                          code=f"{activity.code_prefix}-{group.number:02d}-{group.last_seq:05d}",
                          slot=1, status="submitted", student_id=student.id,
                          student_name=name, school_id=school_id, class_id=class_id,
                          org_path=activity.org_path, submitted_at=dt.datetime.now(dt.UTC))
            session.add(entry)
            await session.flush()
            work = Work(entry_id=entry.id, version=1, current=True, fields={"title": name})
            session.add(work)
            await session.flush()
            for info, content_type, original in blobs:
                kind = content_type.split("/")[0] if content_type.startswith(
                    ("image/", "video/", "audio/")) else "document"
                session.add(WorkFile(entry_id=entry.id, work_id=work.id, kind=kind,
                                     content_type=content_type, sha256=info.sha256,
                                     size=info.size, original_name=original))
            made.append(entry.id)
    return made


async def _chunks(data: bytes) -> Any:
    yield data


async def close_submissions(client: httpx.AsyncClient, platform: Platform,
                            activity_id: int) -> None:
    """Move an open activity to submissions_closed and make the judging copies."""
    from bangyaer.testing import drain

    moved = await client.post(f"/api/v1/competitions/activities/{activity_id}/transitions",
                              json={"to": "submissions_closed"})
    assert moved.status_code == 200, moved.text
    await drain(platform)


async def invite(client: httpx.AsyncClient, activity_id: int, group: int, username: str
                 ) -> httpx.Response:
    return await client.post(f"/api/v1/competitions/activities/{activity_id}/judges",
                             json={"group": group, "username": username})


async def judged_activity(client: httpx.AsyncClient, platform: Platform, *, school_id: int,
                          judges: tuple[str, ...] = ("j1", "j2", "j3"), entries: int = 4,
                          k: int = 3, files: list[tuple[bytes, str, str]] | None = None,
                          names: list[str] | None = None, class_id: int | None = None,
                          make_judges: bool = True, seed: str | None = None,
                          **overrides: Any) -> int:
    """An activity drawn and being judged: ``entries`` in group 1 from one school, each
    with ``k`` of ``judges`` (accounts made unless ``make_judges`` is false)."""
    activity_id = await create_activity(client, **overrides)
    await add_entries(platform, activity_id, 1, entries, school_id=school_id,
                      class_id=class_id, files=files, names=names)
    for username in judges:
        if make_judges:
            await add_judge(platform, username)
        response = await invite(client, activity_id, 1, username)
        assert response.status_code == 201, response.text
    setup = await client.put(f"/api/v1/competitions/activities/{activity_id}/judging",
                             json={"judges_per_entry": k})
    assert setup.status_code == 200, setup.text
    await close_submissions(client, platform, activity_id)
    drawn = await client.post(f"/api/v1/competitions/activities/{activity_id}/draw",
                              json={"seed": seed} if seed else {})
    assert drawn.status_code == 201, drawn.text
    return activity_id
