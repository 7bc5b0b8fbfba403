"""Live lectures: a seat per registration, never oversold, one registration per guardian."""

from __future__ import annotations

import datetime as dt

import anyio
import httpx
from bangyaer.identity import Guardianship, Organisation, Person, create_account, place_person
from bangyaer.platform import Platform
from bangyaer.testing import TinyDistrict, login
from bangyaer_parent_school.models import Lecture, Registration
from sqlalchemy import func, select

from .conftest import ClientFor, MakeLecture


def url(lecture: int) -> str:
    return f"/api/v1/parent_school/lectures/{lecture}/registration"


async def seats_taken(platform: Platform, lecture: int) -> tuple[int, int]:
    async with platform.db.session() as session:
        taken = await session.scalar(select(Lecture.seats_taken).where(Lecture.id == lecture))
        rows = await session.scalar(select(func.count()).select_from(Registration))
    return int(taken or 0), int(rows or 0)


async def test_registering_takes_a_seat(client_for: ClientFor, make_lecture: MakeLecture,
                                        platform: Platform) -> None:
    lecture = await make_lecture(seats=2)

    response = await (await client_for("parent")).post(url(lecture))

    assert response.status_code == 201
    assert response.json()["lecture"]["seats_left"] == 1
    assert await seats_taken(platform, lecture) == (1, 1)


async def test_a_full_lecture_answers_409(client_for: ClientFor, make_lecture: MakeLecture,
                                          platform: Platform) -> None:
    lecture = await make_lecture(seats=1)
    await (await client_for("parent")).post(url(lecture))

    response = await (await client_for("parent_b")).post(url(lecture))

    assert response.status_code == 409
    assert response.json()["error"] == {"code": "lecture_full",
                                        "message": "名额已满，请关注下一场讲座"}
    assert await seats_taken(platform, lecture) == (1, 1)


async def test_registering_again_takes_no_second_seat(
        client_for: ClientFor, make_lecture: MakeLecture, platform: Platform) -> None:
    lecture = await make_lecture(seats=2)
    parent = await client_for("parent")
    first = await parent.post(url(lecture))

    again = await parent.post(url(lecture))

    assert again.status_code == 200
    assert again.json()["registration_id"] == first.json()["registration_id"]
    assert await seats_taken(platform, lecture) == (1, 1)


async def test_cancelling_gives_the_seat_back(client_for: ClientFor, make_lecture: MakeLecture,
                                              platform: Platform) -> None:
    lecture = await make_lecture(seats=1)
    parent = await client_for("parent")
    await parent.post(url(lecture))

    response = await parent.delete(url(lecture))

    assert response.status_code == 204
    assert await seats_taken(platform, lecture) == (0, 0)
    assert (await (await client_for("parent_b")).post(url(lecture))).status_code == 201


async def test_a_lecture_that_has_started_takes_no_registrations(
        client_for: ClientFor, make_lecture: MakeLecture) -> None:
    lecture = await make_lecture(starts_in=-dt.timedelta(minutes=5))

    response = await (await client_for("parent")).post(url(lecture))

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "lecture_started"


async def add_guardians(platform: Platform, district: TinyDistrict, n: int) -> list[str]:
    names = []
    async with platform.db.transaction() as session:
        school = await session.get(Organisation, district.ids["school_a"])
        home = await session.get(Organisation, district.ids["district"])
        assert school is not None and home is not None
        for i in range(n):
            person = Person(kind="guardian", name=f"家长{i}", external_no=f"GX{i}")
            place_person(person, school)
            session.add(person)
            await session.flush()
            session.add(Guardianship(guardian_id=person.id, student_id=district.ids["child_1"]))
            await create_account(session, person, username=f"rush{i}",
                                 password=TinyDistrict.PASSWORD, roles=[("guardian", home)])
            names.append(f"rush{i}")
    return names


async def test_guardians_pressing_at_once_never_oversell_the_lecture(
        platform: Platform, district: TinyDistrict, make_client: object,
        make_lecture: MakeLecture) -> None:
    lecture = await make_lecture(seats=2)
    clients: list[httpx.AsyncClient] = []
    for name in await add_guardians(platform, district, 6):
        client = make_client(platform)  # type: ignore[operator]
        await login(client, name, TinyDistrict.PASSWORD)
        clients.append(client)
    statuses: list[int] = []

    async def press(client: httpx.AsyncClient) -> None:
        statuses.append((await client.post(url(lecture))).status_code)

    async with anyio.create_task_group() as group:
        for client in clients:
            group.start_soon(press, client)

    assert sorted(statuses) == [201, 201, 409, 409, 409, 409]
    assert await seats_taken(platform, lecture) == (2, 2)
    for client in clients:
        await client.aclose()


async def test_lecture_page_registers_and_shows_it(client_for: ClientFor,
                                                   make_lecture: MakeLecture) -> None:
    import re

    lecture = await make_lecture(seats=3)
    parent = await client_for("parent")
    page = (await parent.get(f"/parent_school/lectures/{lecture}")).text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token is not None

    done = await parent.post(f"/parent_school/lectures/{lecture}",
                             data={"csrf_token": token.group(1)})

    assert "报名成功" in done.text and "2 / 3" in done.text and "取消报名" in done.text
