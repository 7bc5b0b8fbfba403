"""The lottery end to end: apply, freeze, draw, publish, verify, notify."""

from __future__ import annotations

import datetime as dt
import json

from bangyaer.db import utcnow
from bangyaer.notifications import Message
from bangyaer.testing import TinyDistrict, drain, login
from bangyaer_training import verify_published_draw
from bangyaer_training._cli import training
from bangyaer_training.models import Enrollment, Mode, Term, TrainingClass
from click.testing import CliRunner
from sqlalchemy import select

PW = TinyDistrict.PASSWORD


async def _apply(client, class_id: int, child_id: int | None = None):
    if child_id is not None:
        await client.post("/api/v1/me/acting-child", json={"child_id": child_id})
    return await client.post(f"/api/v1/training/classes/{class_id}/enrollments", json={})


async def _close(platform, term_id: int) -> None:
    async with platform.db.transaction() as s:
        (await s.get(Term, term_id)).closes_at = utcnow() - dt.timedelta(minutes=1)


async def _drawn_term(platform, district, make_client, make_term, make_class, capacity=1):
    term = await make_term()
    klass = await make_class(term, mode=Mode.lottery, capacity=capacity)
    family, other, staff = make_client(platform), make_client(platform), make_client(platform)
    await login(family, "parent", PW)
    await login(other, "parent_b", PW)
    await login(staff, "staff", PW)
    for child in ("child_1", "child_2"):
        assert (await _apply(family, klass.id, district.ids[child])).status_code == 201
    assert (await _apply(other, klass.id)).status_code == 201
    await _close(platform, term.id)
    assert (await staff.post(f"/api/v1/training/terms/{term.id}/freeze")).status_code == 200
    assert (await staff.post(f"/api/v1/training/terms/{term.id}/draw")).status_code == 202
    await drain(platform)
    published = (await staff.get(f"/api/v1/training/terms/{term.id}/draw")).json()
    return term, klass, published, (family, other, staff)


async def test_an_application_waits_for_the_draw(client, district, make_term, make_class):
    klass = await make_class(await make_term(), mode=Mode.lottery)
    await login(client, "parent_b", PW)

    response = await _apply(client, klass.id)

    assert response.status_code == 201
    assert response.json()["enrollment"]["state"] == "applied"


async def test_applications_beyond_the_limit_are_refused(client, district, make_term,
                                                         make_class):
    term = await make_term()
    classes = [await make_class(term, mode=Mode.lottery, weekday=d) for d in (1, 2, 3, 4)]
    await login(client, "parent_b", PW)
    for k in classes[:3]:
        assert (await _apply(client, k.id)).status_code == 201

    response = await _apply(client, classes[3].id)

    assert response.status_code == 409
    assert response.json()["error"] == {"code": "too_many_applications",
                                        "message": "每个孩子本学期最多申请 3 个摇号班"}


async def test_the_seed_hash_is_published_before_and_the_seed_only_after(
        client, district, make_term, make_class):
    term = await make_term()

    before = (await client.get(f"/api/v1/training/terms/{term.id}/draw")).json()

    assert before["seed_sha256"] == term.seed_sha256
    assert before["seed"] is None and before["list"] is None


async def test_freezing_before_the_close_is_refused(district, make_client, make_term,
                                                    platform):
    term = await make_term()
    staff = make_client(platform)
    await login(staff, "staff", PW)

    response = await staff.post(f"/api/v1/training/terms/{term.id}/freeze")

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "window_open"


async def test_a_family_cannot_freeze_or_draw(client, district, make_term):
    term = await make_term(phase="closed")
    await login(client, "parent_b", PW)

    response = await client.post(f"/api/v1/training/terms/{term.id}/freeze")

    assert response.status_code == 403


async def test_the_draw_gives_capacity_seats_and_orders_the_rest(
        platform, district, make_client, make_term, make_class):
    _, klass, published, _ = await _drawn_term(platform, district, make_client, make_term,
                                               make_class)

    async with platform.db.session() as s:
        states = sorted(e.state for e in await s.scalars(
            select(Enrollment).where(Enrollment.class_id == klass.id)))
        assert (await s.get(TrainingClass, klass.id)).taken == 1
    assert states == ["awaiting_payment", "waitlisted", "waitlisted"]
    assert published["admission_rates"] == [
        {"id": klass.id, "seats": 1, "applications": 3, "admitted": 1, "rate_percent": 33.3}]


async def test_the_published_draw_recomputes_from_its_own_data(
        platform, district, make_client, make_term, make_class):
    _, _, published, _ = await _drawn_term(platform, district, make_client, make_term,
                                           make_class)

    recomputed = verify_published_draw(json.loads(json.dumps(published)))

    assert recomputed == published["result"]
    assert "王" not in json.dumps(published["list"], ensure_ascii=False)


async def test_verify_draw_command_accepts_the_published_file(
        platform, district, make_client, make_term, make_class, tmp_path):
    _, _, published, _ = await _drawn_term(platform, district, make_client, make_term,
                                           make_class)
    path = tmp_path / "draw.json"
    path.write_text(json.dumps(published), encoding="utf-8")

    result = CliRunner().invoke(training, ["verify-draw", str(path)])

    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == "draw verified"


async def test_verify_draw_command_rejects_a_changed_result(
        platform, district, make_client, make_term, make_class, tmp_path):
    _, _, published, _ = await _drawn_term(platform, district, make_client, make_term,
                                           make_class)
    first = published["result"]["admitted"][0]
    published["result"]["admitted"] = [first + 1]
    path = tmp_path / "draw.json"
    path.write_text(json.dumps(published), encoding="utf-8")

    result = CliRunner().invoke(training, ["verify-draw", str(path)])

    assert result.exit_code == 1
    assert "draw does NOT verify: the published result differs" in result.output


async def test_every_family_is_told_the_result(platform, district, make_client, make_term,
                                               make_class):
    await _drawn_term(platform, district, make_client, make_term, make_class)

    async with platform.db.session() as s:
        told = {m.person_id for m in await s.scalars(
            select(Message).where(Message.source == "training", Message.topic == "draw"))}
    assert told == {district.ids["parent"], district.ids["parent_b"]}


async def test_applying_after_the_freeze_is_refused(platform, district, make_client,
                                                    make_term, make_class):
    term, _, _, (family, _, _) = await _drawn_term(platform, district, make_client,
                                                       make_term, make_class)
    other = await make_class(term, mode=Mode.lottery, weekday=3)
    async with platform.db.transaction() as s:  # reopen the window: the freeze still holds
        (await s.get(Term, term.id)).closes_at = utcnow() + dt.timedelta(hours=1)

    response = await _apply(family, other.id, district.ids["child_1"])

    assert response.status_code == 409
    assert response.json()["error"]["message"] == "摇号名单已封存，不再接受申请"


async def test_a_seat_given_up_after_the_draw_goes_to_the_first_drawn_on_the_list(
        platform, district, make_client, make_term, make_class):
    _, klass, published, (family, other, _) = await _drawn_term(
        platform, district, make_client, make_term, make_class)
    winner = published["result"]["admitted"][0]
    first_waiting = published["result"]["waitlist"][str(klass.id)][0]
    async with platform.db.session() as s:
        child = (await s.get(Enrollment, winner)).child_id
    holder = other if child == district.ids["child_b"] else family

    response = await holder.delete(f"/api/v1/training/enrollments/{winner}")
    await drain(platform)

    assert response.status_code == 200
    async with platform.db.session() as s:
        assert (await s.get(Enrollment, first_waiting)).state == "awaiting_payment"


async def test_an_application_cannot_be_withdrawn_between_freeze_and_draw(
        platform, district, make_client, make_term, make_class):
    term = await make_term()
    klass = await make_class(term, mode=Mode.lottery)
    family, staff = make_client(platform), make_client(platform)
    await login(family, "parent_b", PW)
    await login(staff, "staff", PW)
    applied = (await _apply(family, klass.id)).json()["enrollment"]["id"]
    await _close(platform, term.id)
    await staff.post(f"/api/v1/training/terms/{term.id}/freeze")

    response = await family.delete(f"/api/v1/training/enrollments/{applied}")

    assert response.status_code == 409
    assert response.json()["error"] == {
        "code": "list_frozen", "message": "摇号名单已封存，请在摇号结果公布后再退出"}
