"""On a phone: a family pays for a seat from my classes; staff refund a paid seat by lessons."""

from __future__ import annotations

import datetime as dt
import re

import bangyaer_training.plugin as training_plugin
import pytest
from bangyaer.db import utcnow
from bangyaer.testing import TinyDistrict, drain
from bangyaer_training._lottery import new_seed
from bangyaer_training.models import Campus, Course, Mode, Term, TrainingClass
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


async def seed(platform):  # type: ignore[no-untyped-def]
    district = await TinyDistrict().build(platform)
    now, hour = utcnow(), dt.timedelta(hours=1)
    seed_hex, commitment = new_seed()
    async with platform.db.transaction() as s:
        term = Term(code="2027S", name="2027 春季", starts_on=now.date() + dt.timedelta(days=60),
                    seed=seed_hex, seed_sha256=commitment, continuing_opens_at=now - 3 * hour,
                    continuing_closes_at=now - 2 * hour, opens_at=now - 2 * hour,
                    closes_at=now + 24 * hour)
        course = Course(code="SF1", name="书法", category="书法")
        campus = Campus(code="BB", name="少年宫本部")
        s.add_all([term, course, campus])
        await s.flush()
        klass = TrainingClass(term_id=term.id, course_id=course.id, campus_id=campus.id,
                              code="SF1-01", name="书法初级班", mode=Mode.first_come,
                              fee_fen=98_000, lessons=16, weekday=6, start_time=dt.time(9),
                              end_time=dt.time(10, 30), capacity=10, taken=0)
        s.add(klass)
        await s.flush()
        district.class_id = klass.id
    return district


def sign_in(page, server, username, next_path):  # type: ignore[no-untyped-def]
    page.goto(server.url(f"/login?next={next_path}"))
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(TinyDistrict.PASSWORD)
    page.get_by_role("button", name="登录").click()


def test_a_family_pays_for_a_seat_from_my_classes_on_a_phone(  # type: ignore[no-untyped-def]
        make_live_server, phone_page, instant_payments):
    server = make_live_server([training_plugin, instant_payments], seed=seed)
    page = phone_page
    sign_in(page, server, "parent_b", f"/training/classes/{server.seeded.class_id}")

    page.get_by_role("button", name="立即报名").click()
    expect(page.get_by_role("status")).to_contain_text("已录取，待缴费")
    page.get_by_role("link", name="查看我的培训班").click()
    due = re.compile(r"^去缴费 ¥980\.00，截止 \d{4}-\d\d-\d\d \d\d:\d\d$")
    pay = page.get_by_role("link", name=due)
    expect(pay).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    pay.click()

    expect(page.get_by_role("heading", level=1)).to_have_text("2027 春季 书法初级班 学费")
    page.get_by_role("button", name="使用支付宝支付").click()
    expect(page.locator(".status")).to_have_text("已支付")
    server.run(drain)  # the worker: the ledger's event reaches training
    page.goto(server.url("/training/mine"))

    expect(page.get_by_text("已确认")).to_be_visible()
    expect(page.get_by_text("已在线缴费 ¥980.00")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("去缴费"))).to_have_count(0)
    assert page.console_errors == []


def test_staff_refund_a_paid_seat_by_lessons_on_a_phone(  # type: ignore[no-untyped-def]
        make_live_server, phone_page, instant_payments):
    server = make_live_server([training_plugin, instant_payments], seed=seed)
    page = phone_page
    sign_in(page, server, "parent_b", f"/training/classes/{server.seeded.class_id}")
    page.get_by_role("button", name="立即报名").click()
    page.get_by_role("link", name="查看我的培训班").click()
    page.get_by_role("link", name=re.compile("去缴费")).click()
    page.get_by_role("button", name="使用支付宝支付").click()
    expect(page.locator(".status")).to_have_text("已支付")
    server.run(drain)

    page.context.clear_cookies()
    sign_in(page, server, "staff", "/training/manage")
    page.get_by_role("link", name="书法初级班").click()
    page.get_by_role("link", name="退费").click()
    page.get_by_label("已上课时（0–16）").fill("5")
    # 980.00 × 11 ÷ 16 = 673.75, shown before anything is sent.
    expect(page.locator("output.refund-amount")).to_have_text("¥673.75")
    page.get_by_label("退费原因（家长可见）").fill("转学")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.get_by_role("button", name="提交退费").click()

    expect(page.locator("#done")).to_contain_text("提交退费 ¥673.75")
    # What is left to give back after it: the 5 lessons attended.
    expect(page.locator("output.refund-amount")).to_have_text("¥306.25")
    assert page.console_errors == []
