"""The demo's training: the spring term's classes, and a seat the demo family can pay for."""

from __future__ import annotations

import bangyaer_training.plugin
from bangyaer.demo import demo_password, seed_demo
from bangyaer.identity import Account
from bangyaer.payments import Order
from bangyaer.testing import login
from bangyaer_training.models import Enrollment, State, TrainingClass
from sqlalchemy import func, select


async def test_the_demo_family_has_a_seat_waiting_to_be_paid(make_platform, make_client):
    platform = await make_platform(plugins=[bangyaer_training.plugin])
    result = await seed_demo(platform)
    assert result.plugin_failures == []
    async with platform.db.session() as session:
        [seat] = list(await session.scalars(select(Enrollment)))
        klass = await session.get(TrainingClass, seat.class_id)
        [order] = list(await session.scalars(select(Order)))
        payer = await session.scalar(select(Account).where(Account.username == "parent2"))
        classes = await session.scalar(select(func.count()).select_from(TrainingClass))

    assert classes == 8 and (seat.state, klass.taken) == (State.awaiting_payment, 1)
    assert (order.status, order.amount_fen, order.subject_id) == (
        "pending", klass.fee_fen, seat.child_id)
    async with make_client(platform) as client:
        await login(client, "parent2", demo_password(platform.settings.secret_key, "parent2"))
        page = await client.get(f"/payments/orders/{order.order_no}")
    assert page.status_code == 200 and klass.name in page.text
    assert order.payer_account_id == payer.id


async def test_seeding_again_adds_no_second_seat(make_platform):
    platform = await make_platform(plugins=[bangyaer_training.plugin])
    await seed_demo(platform)
    await seed_demo(platform)

    async with platform.db.session() as session:
        assert await session.scalar(select(func.count()).select_from(Enrollment)) == 1
