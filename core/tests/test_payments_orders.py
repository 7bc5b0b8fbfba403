"""Orders and payments: made once per purpose, paid once per trade, events for plugins."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from bangyaer.db import utcnow
from bangyaer.events import EventRecord
from bangyaer.identity import AuditEntry
from bangyaer.notifications import Message
from bangyaer.payments import (
    AmountMismatch,
    GatewayTrade,
    Order,
    OrderStateError,
    Payment,
    Refund,
    UnknownOrder,
    cancel_order,
    create_order,
    get_order,
    record_payment,
)
from bangyaer.payments.testing import MemoryGateway
from bangyaer.testing import build_plugin, drain
from sqlalchemy import func, select


@pytest.fixture
def gateway():
    return MemoryGateway()


@pytest.fixture
async def ledger(make_platform, gateway):
    plugin = build_plugin("paytest", payment_providers=lambda: [gateway])
    return await make_platform([plugin])


@pytest.fixture
async def people(ledger):
    from bangyaer.testing import TinyDistrict

    return await TinyDistrict().build(ledger)


async def new_order(platform, people, *, ref="class:1:child:1", amount=120000, minutes=30):
    async with platform.db.transaction() as session:
        order = await create_order(
            session, plugin="training", purpose_ref=ref, title="2027 春季 书法初级班 学费",
            amount_fen=amount, payer_account_id=None, subject_id=people.ids["child_1"],
            expires_at=utcnow() + dt.timedelta(minutes=minutes))
        return order.order_no


async def pay(platform, gateway, order_no, *, amount_fen=120000, **kwargs):
    trade = gateway.pay(order_no, amount_fen=amount_fen, **kwargs)
    async with platform.db.transaction() as session:
        return await record_payment(session, provider=gateway.id, trade=trade), trade


async def events_of(platform, type):
    async with platform.db.session() as session:
        return list(await session.scalars(select(EventRecord).where(EventRecord.type == type)))


async def test_the_same_purpose_gives_the_same_order(ledger, people):
    first = await new_order(ledger, people)
    again = await new_order(ledger, people)

    assert first == again
    async with ledger.db.session() as session:
        assert await session.scalar(select(func.count(Order.id))) == 1
        order = await get_order(session, first)
    assert (order.status, order.amount_fen, order.refunded_fen) == ("pending", 120000, 0)


async def test_the_same_purpose_with_another_amount_is_refused(ledger, people):
    await new_order(ledger, people)

    with pytest.raises(OrderStateError, match="不能改为 99 分"):
        await new_order(ledger, people, amount=99)


@pytest.mark.parametrize("amount", [
    pytest.param(1200.0, id="float"), pytest.param(Decimal("1200"), id="decimal"),
    pytest.param(True, id="bool"), pytest.param("1200", id="string")])
async def test_an_amount_that_is_not_int_fen_is_a_type_error(ledger, people, amount):
    with pytest.raises(TypeError, match="amount_fen must be an int number of fen"):
        await new_order(ledger, people, amount=amount)


@pytest.mark.parametrize("amount", [0, -5])
async def test_an_amount_that_is_not_positive_is_refused(ledger, people, amount):
    with pytest.raises(ValueError, match="positive"):
        await new_order(ledger, people, amount=amount)


async def test_order_numbers_are_unguessable_and_fit_the_gateway(ledger, people):
    numbers = {await new_order(ledger, people, ref=f"r{i}") for i in range(20)}

    assert len(numbers) == 20
    for number in numbers:
        assert len(number) <= 32 and number.isalnum()
        assert len(number) - len("P20261204") >= 20  # 80 random bits


async def test_a_payment_is_applied_once_and_tells_plugins(ledger, people, gateway):
    order_no = await new_order(ledger, people)

    outcome, trade = await pay(ledger, gateway, order_no)
    async with ledger.db.transaction() as session:
        again = await record_payment(session, provider=gateway.id, trade=trade)

    assert (outcome.applied, outcome.duplicate) == (True, False)
    assert (again.applied, again.duplicate) == (False, False)
    assert again.order.status == "paid" and again.order.trade_no == trade.trade_no
    paid = await events_of(ledger, "payments.order_paid")
    assert len(paid) == 1
    assert paid[0].subject_id == people.ids["child_1"]
    assert paid[0].payload == {
        "order_no": order_no, "plugin": "training", "purpose_ref": "class:1:child:1",
        "amount_fen": 120000, "provider": "memory", "trade_no": trade.trade_no,
        "paid_at": trade.paid_at.isoformat()}
    async with ledger.db.session() as session:
        assert await session.scalar(select(func.count(Payment.id))) == 1
        audited = await session.scalar(select(AuditEntry).where(
            AuditEntry.action == "payments.order_paid"))
    assert audited.target_id == order_no


async def test_an_unknown_order_changes_nothing(ledger, people, gateway):
    trade = GatewayTrade("P20261204deadbeef", "paid", "T1", 100, utcnow())

    with pytest.raises(UnknownOrder) as caught:
        async with ledger.db.transaction() as session:
            await record_payment(session, provider=gateway.id, trade=trade)

    assert (caught.value.code, caught.value.status, caught.value.message) == (
        "order_not_found", 404, "未找到该订单")


async def test_a_wrong_amount_is_refused_and_nothing_changes(ledger, people, gateway):
    order_no = await new_order(ledger, people)

    with pytest.raises(AmountMismatch) as caught:
        await pay(ledger, gateway, order_no, amount_fen=1)

    assert (caught.value.code, caught.value.status) == ("amount_mismatch", 409)
    async with ledger.db.session() as session:
        order = await get_order(session, order_no)
        assert await session.scalar(select(func.count(Payment.id))) == 0
    assert order.status == "pending" and order.trade_no is None
    assert await events_of(ledger, "payments.order_paid") == []


async def test_a_trade_not_yet_paid_applies_nothing(ledger, people, gateway):
    order_no = await new_order(ledger, people)

    async with ledger.db.transaction() as session:
        outcome = await record_payment(session, provider=gateway.id,
                                       trade=GatewayTrade(order_no, "waiting"))

    assert (outcome.applied, outcome.order.status) == (False, "pending")


async def test_a_second_payment_is_refunded_in_full_and_reported(ledger, people, gateway):
    order_no = await new_order(ledger, people)
    await pay(ledger, gateway, order_no)

    second, trade = await pay(ledger, gateway, order_no)
    await drain(ledger)

    assert (second.applied, second.duplicate) == (False, True)
    assert gateway.refunds[next(iter(gateway.refunds))].amount_fen == 120000
    async with ledger.db.session() as session:
        refund = await session.scalar(select(Refund))
        order = await get_order(session, order_no)
        reported = await session.scalar(select(AuditEntry).where(
            AuditEntry.action == "payments.duplicate_payment"))
    assert (refund.status, refund.amount_fen, refund.reason) == (
        "done", 120000, "重复支付自动退款")
    # The order keeps the first trade, untouched by the duplicate's refund.
    assert (order.status, order.refunded_fen) == ("paid", 0)
    assert reported.detail["trade_no"] == trade.trade_no
    assert await events_of(ledger, "payments.order_refunded") == []
    async with ledger.db.session() as session:
        told = {m.person_id: m for m in await session.scalars(select(Message))}
    assert set(told) == {people.ids["admin"], people.ids["staff"]}
    message = told[people.ids["staff"]]
    assert message.title == "收到重复支付，已自动退款"
    assert trade.trade_no in message.body and "1200.00 元" in message.body
    assert message.url == f"/payments/orders/{order_no}"


async def test_a_duplicate_delivered_again_is_refunded_once(ledger, people, gateway):
    order_no = await new_order(ledger, people)
    await pay(ledger, gateway, order_no)
    _, trade = await pay(ledger, gateway, order_no)

    async with ledger.db.transaction() as session:
        again = await record_payment(session, provider=gateway.id, trade=trade)

    assert (again.applied, again.duplicate) == (False, True)
    async with ledger.db.session() as session:
        assert await session.scalar(select(func.count(Refund.id))) == 1


async def test_cancelling_closes_the_order_and_the_gateway_trade(ledger, people, gateway):
    order_no = await new_order(ledger, people)
    async with ledger.db.transaction() as session:
        order = await get_order(session, order_no)
        from bangyaer.payments.models import Checkout
        session.add(Checkout(order_id=order.id, provider=gateway.id))
    gateway.trades[order_no] = GatewayTrade(order_no, "waiting", amount_fen=120000)

    async with ledger.db.transaction() as session:
        closed = await cancel_order(session, order_no, reason="家长放弃报名")
    await drain(ledger)

    assert closed.status == "closed"
    assert gateway.trades[order_no].status == "closed"
    assert len(await events_of(ledger, "payments.order_closed")) == 1


async def test_a_paid_order_cannot_be_cancelled(ledger, people, gateway):
    order_no = await new_order(ledger, people)
    await pay(ledger, gateway, order_no)

    with pytest.raises(OrderStateError, match="不能从 paid 变为 closed"):
        async with ledger.db.transaction() as session:
            await cancel_order(session, order_no, reason="改主意了")


async def test_concurrent_notifications_of_one_trade_apply_it_once(ledger, people, gateway):
    import asyncio

    order_no = await new_order(ledger, people)
    trade = gateway.pay(order_no, amount_fen=120000)

    async def deliver():
        async with ledger.db.transaction() as session:
            return (await record_payment(session, provider=gateway.id, trade=trade)).applied

    outcomes = await asyncio.gather(*(deliver() for _ in range(4)))

    assert sorted(outcomes) == [False, False, False, True]
    assert len(await events_of(ledger, "payments.order_paid")) == 1


async def test_two_trades_at_once_pay_once_and_refund_the_other(ledger, people, gateway):
    import asyncio

    order_no = await new_order(ledger, people)
    trades = [gateway.pay(order_no, amount_fen=120000) for _ in range(2)]

    async def deliver(trade):
        async with ledger.db.transaction() as session:
            return await record_payment(session, provider=gateway.id, trade=trade)

    outcomes = await asyncio.gather(*(deliver(t) for t in trades))

    assert sorted((o.applied, o.duplicate) for o in outcomes) == [(False, True), (True, False)]
    async with ledger.db.session() as session:
        assert await session.scalar(select(func.count(Refund.id))) == 1
