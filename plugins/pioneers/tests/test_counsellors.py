"""A counsellor's reach: the whole brigade, or one squadron; never another school's."""

from __future__ import annotations

from bangyaer.testing import TinyDistrict
from bangyaer_pioneers.models import Counsellor
from sqlalchemy import select

from .conftest import Appoint, ClientFor


async def test_brigade_counsellor_sees_every_squadron_of_the_brigade(
        client_for: ClientFor, appoint: Appoint, district: TinyDistrict) -> None:
    await appoint("teacher_a", "school_a")
    teacher = await client_for("teacher_a")

    body = (await teacher.get(f"/api/v1/pioneers/brigades/{district.ids['school_a']}")).json()

    assert body["brigade"]["name"] == "甲小学"
    assert [s["name"] for s in body["squadrons"]] == ["三(1)班", "三(2)班"]
    assert [c["level"] for c in body["counsellors"]] == ["brigade"]


async def test_squadron_counsellor_sees_only_their_squadron(
        client_for: ClientFor, appoint: Appoint, district: TinyDistrict) -> None:
    await appoint("teacher_a", "class_a1")
    teacher = await client_for("teacher_a")

    brigades = (await teacher.get("/api/v1/pioneers/brigades")).json()["brigades"]
    body = (await teacher.get(f"/api/v1/pioneers/brigades/{district.ids['school_a']}")).json()

    assert brigades == [{"id": district.ids["school_a"], "name": "甲小学", "whole": False}]
    assert [s["name"] for s in body["squadrons"]] == ["三(1)班"]


async def test_squadron_counsellor_lists_their_pioneers(
        client_for: ClientFor, appoint: Appoint, district: TinyDistrict) -> None:
    await appoint("teacher_a", "class_a1")
    teacher = await client_for("teacher_a")

    body = (await teacher.get(f"/api/v1/pioneers/squadrons/{district.ids['class_a1']}")).json()

    assert body["pioneers"] == [{"id": district.ids["child_1"], "name": "王小明", "badges": 0}]


async def test_squadron_counsellor_is_refused_the_next_squadron(
        client_for: ClientFor, appoint: Appoint, district: TinyDistrict) -> None:
    await appoint("teacher_a", "class_a1")
    teacher = await client_for("teacher_a")

    response = await teacher.get(f"/api/v1/pioneers/squadrons/{district.ids['class_a2']}")

    assert response.status_code == 403
    assert response.json()["error"] == {"code": "not_your_squadron",
                                        "message": "只能查看本人担任辅导员的中队"}


async def test_counsellor_is_refused_another_schools_brigade(
        client_for: ClientFor, appoint: Appoint, district: TinyDistrict) -> None:
    await appoint("teacher_a", "school_a")
    teacher = await client_for("teacher_a")

    response = await teacher.get(f"/api/v1/pioneers/brigades/{district.ids['school_b']}")

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "not_your_brigade"


async def test_teacher_not_appointed_reaches_no_brigade(client_for: ClientFor,
                                                        district: TinyDistrict) -> None:
    teacher = await client_for("teacher_a")

    assert (await teacher.get("/api/v1/pioneers/brigades")).json() == {"brigades": []}
    response = await teacher.get(f"/api/v1/pioneers/squadrons/{district.ids['class_a1']}")
    assert response.status_code == 403


async def test_appointment_outside_the_teachers_school_gives_no_reach(
        client_for: ClientFor, appoint: Appoint, district: TinyDistrict) -> None:
    # Written straight into the table: the reach still demands a staff role there.
    await appoint("teacher_a", "class_b1")
    teacher = await client_for("teacher_a")

    response = await teacher.get(f"/api/v1/pioneers/squadrons/{district.ids['class_b1']}")

    assert response.status_code == 403


async def test_school_admin_appoints_a_teacher_of_their_school(
        client_for: ClientFor, platform: object, district: TinyDistrict) -> None:
    head = await client_for("head_a")
    teacher_account = (await (await client_for("teacher_a")).get("/api/v1/me")).json()

    response = await head.post("/api/v1/pioneers/counsellors", json={
        "org_id": district.ids["class_a2"], "account_id": teacher_account["account_id"]})

    assert response.status_code == 201
    teacher = await client_for("teacher_a")
    body = (await teacher.get(f"/api/v1/pioneers/squadrons/{district.ids['class_a2']}")).json()
    assert [p["name"] for p in body["pioneers"]] == ["王小红"]


async def test_appointing_twice_keeps_one_appointment(
        client_for: ClientFor, platform: object, district: TinyDistrict) -> None:
    head = await client_for("head_a")
    account_id = (await (await client_for("teacher_a")).get("/api/v1/me")).json()["account_id"]
    body = {"org_id": district.ids["school_a"], "account_id": account_id}

    first = await head.post("/api/v1/pioneers/counsellors", json=body)
    second = await head.post("/api/v1/pioneers/counsellors", json=body)

    assert first.json()["id"] == second.json()["id"]
    async with platform.db.session() as session:  # type: ignore[attr-defined]
        assert len(list(await session.scalars(select(Counsellor)))) == 1


async def test_other_schools_admin_may_not_appoint(client_for: ClientFor,
                                                   district: TinyDistrict) -> None:
    head_b = await client_for("head_b")
    account_id = (await (await client_for("teacher_a")).get("/api/v1/me")).json()["account_id"]

    response = await head_b.post("/api/v1/pioneers/counsellors", json={
        "org_id": district.ids["school_a"], "account_id": account_id})

    assert response.status_code == 403
    assert response.json()["error"]["message"] == "只能为本校任命辅导员"


async def test_a_guardian_cannot_be_appointed_counsellor(client_for: ClientFor,
                                                         district: TinyDistrict) -> None:
    head = await client_for("head_a")
    account_id = (await (await client_for("parent")).get("/api/v1/me")).json()["account_id"]

    response = await head.post("/api/v1/pioneers/counsellors", json={
        "org_id": district.ids["school_a"], "account_id": account_id})

    assert response.status_code == 422
    assert response.json()["error"]["code"] == "not_school_staff"


async def test_school_admin_may_not_appoint_at_the_district(client_for: ClientFor,
                                                 district: TinyDistrict) -> None:
    head = await client_for("head_a")
    account_id = (await (await client_for("teacher_a")).get("/api/v1/me")).json()["account_id"]

    response = await head.post("/api/v1/pioneers/counsellors", json={
        "org_id": district.ids["district"], "account_id": account_id})

    assert response.status_code == 403
