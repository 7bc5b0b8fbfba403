"""Staff pages: the term's classes, and refunding a paid seat from the roster."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from bangyaer.identity import AuditEntry
from bangyaer.payments import Refund
from bangyaer.testing import drain
from sqlalchemy import func, select


@pytest.fixture
async def platform(paying_platform):
    return paying_platform


async def _paid(client_for, make_term, make_class, ledger, **kw):
    klass = await make_class(await make_term(), capacity=2, **kw)
    family = await client_for("parent_b")
    url = f"/api/v1/training/classes/{klass.id}/enrollments"
    seat = (await family.post(url, json={})).json()["enrollment"]["id"]
    await ledger.pay((await ledger.order_of(seat)).order_no)
    return klass, seat


def _key(page: str, seat: int) -> str:
    form = page[page.index(f'action="/training/enrollments/{seat}/refund"'):]
    found = re.search(r'name="idempotency_key" value="([^"]+)"', form)
    assert found
    return found.group(1)


async def _refunds(platform) -> list[int]:
    async with platform.db.session() as s:
        return list(await s.scalars(select(Refund.amount_fen).order_by(Refund.id)))


async def test_staff_list_a_terms_classes_with_seats_and_states(
        platform, district, client_for, make_term, make_class, ledger):
    klass, _ = await _paid(client_for, make_term, make_class, ledger)
    autumn = await make_term(code="2026A", starts_on=dt.date(2026, 9, 1))
    waiting = await make_class(autumn, name="书法1班", capacity=1)
    staff = await client_for("staff")

    page = await staff.get("/training/manage")
    other = await staff.get(f"/training/manage?term={waiting.term_id}")

    assert page.status_code == 200
    assert f'href="/training/classes/{klass.id}/roster"' in page.text
    assert "1 / 2" in page.text and "先到先得" in page.text
    assert "书法1班" not in page.text
    assert "书法1班" in other.text and klass.name not in other.text
    assert (await (await client_for("parent_b")).get("/training/manage")).status_code == 403


async def test_staff_refund_by_lessons_from_the_roster_once_however_often_sent(
        platform, district, client_for, make_term, make_class, ledger):
    klass, seat = await _paid(client_for, make_term, make_class, ledger, fee_fen=150_000,
                              lessons=16)
    staff = await client_for("staff")
    roster = await staff.get(f"/training/classes/{klass.id}/roster")
    assert "退 已缴 ×（总课时−已上课时）÷ 总课时，向下取整到分" in roster.text
    form = {"csrf_token": staff.headers["X-CSRF-Token"],
            "idempotency_key": _key(roster.text, seat),
            "mode": "by_lessons", "lessons_attended": "5", "reason": "转学"}

    first = await staff.post(f"/training/enrollments/{seat}/refund", data=form)
    again = await staff.post(f"/training/enrollments/{seat}/refund", data=form)
    await drain(platform)

    assert first.status_code == again.status_code == 303
    assert first.headers["location"] == again.headers["location"]
    assert await _refunds(platform) == [103_125]
    done = await staff.get(first.headers["location"])
    assert "提交退费 ¥1031.25" in done.text
    async with platform.db.session() as s:
        audited = await s.scalar(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.action == "training.refund_requested"))
    assert audited == 1


@pytest.mark.parametrize(("fields", "message", "status"), [
    pytest.param({"lessons_attended": "17"}, "已上课时数应在 0 到 16 之间", 422, id="too many"),
    pytest.param({"lessons_attended": "two"}, "已上课时数应为整数", 422, id="not a number"),
    pytest.param({"lessons_attended": "16"}, "没有可退的金额", 409, id="nothing to refund"),
    pytest.param({"reason": " "}, "请填写退费原因", 422, id="no reason"),
])
async def test_a_refused_refund_keeps_the_form_and_says_why_next_to_it(
        platform, district, client_for, make_term, make_class, ledger, fields, message, status):
    klass, seat = await _paid(client_for, make_term, make_class, ledger)
    staff = await client_for("staff")
    roster = await staff.get(f"/training/classes/{klass.id}/roster")
    form = {"csrf_token": staff.headers["X-CSRF-Token"],
            "idempotency_key": _key(roster.text, seat),
            "mode": "by_lessons", "lessons_attended": "3", "reason": "搬家", **fields}

    page = await staff.post(f"/training/enrollments/{seat}/refund", data=form)

    assert page.status_code == status
    assert message in page.text
    assert f'id="refund-{seat}-error"' in page.text
    assert f'aria-describedby="refund-{seat}-' in page.text
    assert f'value="{form["lessons_attended"]}"' in page.text
    assert await _refunds(platform) == []


async def test_a_seat_not_paid_online_cannot_be_refunded_from_the_page(
        platform, district, client_for, make_term, make_class):
    klass = await make_class(await make_term(), fee_fen=150_000)
    family = await client_for("parent_b")
    url = f"/api/v1/training/classes/{klass.id}/enrollments"
    seat = (await family.post(url, json={})).json()["enrollment"]["id"]
    staff = await client_for("staff")

    roster = await staff.get(f"/training/classes/{klass.id}/roster")
    page = await staff.post(f"/training/enrollments/{seat}/refund", data={
        "csrf_token": staff.headers["X-CSRF-Token"], "idempotency_key": "k1",
        "mode": "full", "reason": "退班"})

    assert f'action="/training/enrollments/{seat}/refund"' not in roster.text
    assert page.status_code == 409
    assert "该报名没有在线缴费记录" in page.text
    assert await _refunds(platform) == []


async def test_only_training_staff_may_refund_from_the_page(
        platform, district, client_for, make_term, make_class, ledger):
    _, seat = await _paid(client_for, make_term, make_class, ledger)
    for who in ("parent_b", "teacher_a"):
        client = await client_for(who)
        response = await client.post(f"/training/enrollments/{seat}/refund", data={
            "csrf_token": client.headers["X-CSRF-Token"], "idempotency_key": "k",
            "mode": "full", "reason": "x"})
        assert response.status_code == 403
    assert await _refunds(platform) == []


async def test_the_class_list_is_on_my_page_for_training_staff_only(platform, district,
                                                                    client_for):
    staff_page = await (await client_for("staff")).get("/me")
    family_page = await (await client_for("parent_b")).get("/me")

    assert 'href="/training/manage"' in staff_page.text
    assert 'href="/training/manage"' not in family_page.text
