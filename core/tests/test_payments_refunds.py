"""Refunds, expiry and invoices: jobs that talk to the gateway until it is settled."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from bangyaer.db import utcnow
from bangyaer.events import EventRecord
from bangyaer.payments import (
    GatewayTrade,
    GatewayUnavailable,
    Invoice,
    OrderStateError,
    Refund,
    RefundTooLarge,
    create_order,
    get_order,
    record_payment,
    request_invoice,
    request_refund,
)
from bangyaer.payments._gateway_jobs import note_checkout
from bangyaer.payments.testing import MemoryGateway, MemoryInvoicer
from bangyaer.testing import TinyDistrict, build_plugin, drain
from pypdf import PdfReader
from sqlalchemy import select, update

AMOUNT = 120000


@pytest.fixture
def gateway():
    return MemoryGateway()


@pytest.fixture
def invoicer():
    return MemoryInvoicer()


@pytest.fixture
async def ledger(make_platform, gateway, invoicer):
    plugin = build_plugin("paytest", payment_providers=lambda: [gateway],
                          invoice_providers=lambda: [invoicer])
    platform = await make_platform([plugin])
    platform.people = await TinyDistrict().build(platform)
    return platform


async def new_order(platform, *, minutes=30, checkout=None):
    async with platform.db.transaction() as session:
        order = await create_order(
            session, plugin="training", purpose_ref="class:7:child:1", title="书法初级班",
            amount_fen=AMOUNT, payer_account_id=None,
            subject_id=platform.people.ids["child_1"],
            expires_at=utcnow() + dt.timedelta(minutes=minutes))
        if checkout is not None:
            await note_checkout(session, order, checkout)
        return order.order_no


async def paid_order(platform, gateway):
    order_no = await new_order(platform)
    trade = gateway.pay(order_no, amount_fen=AMOUNT)
    async with platform.db.transaction() as session:
        await record_payment(session, provider=gateway.id, trade=trade)
    return order_no


async def refund(platform, order_no, amount, key="k1", reason="按已上课时退费"):
    async with platform.db.transaction() as session:
        made = await request_refund(session, order_no=order_no, amount_fen=amount,
                                    reason=reason, actor_account_id=None, key=key)
        return made.refund_no


async def order_of(platform, order_no):
    async with platform.db.session() as session:
        return await get_order(session, order_no)


async def events(platform, type):
    async with platform.db.session() as session:
        return [e.payload for e in await session.scalars(
            select(EventRecord).where(EventRecord.type == type).order_by(EventRecord.id))]


async def make_due(platform):
    """Bring every queued job's time forward, as if the clock had reached it."""
    from bangyaer.jobs import Job

    async with platform.db.transaction() as session:
        await session.execute(update(Job).where(Job.status == "queued").values(run_at=utcnow()))


async def test_a_full_refund_refunds_the_order_and_tells_plugins(ledger, gateway):
    order_no = await paid_order(ledger, gateway)

    refund_no = await refund(ledger, order_no, AMOUNT)
    await drain(ledger)

    order = await order_of(ledger, order_no)
    assert (order.status, order.refunded_fen) == ("refunded", AMOUNT)
    assert gateway.refunds[refund_no].amount_fen == AMOUNT
    [event] = await events(ledger, "payments.order_refunded")
    assert event == {"order_no": order_no, "plugin": "training",
                     "purpose_ref": "class:7:child:1", "amount_fen": AMOUNT,
                     "refund_no": refund_no, "refund_fen": AMOUNT, "refunded_fen": AMOUNT,
                     "full": True, "reason": "按已上课时退费"}


async def test_a_partial_refund_keeps_the_order_paid(ledger, gateway):
    order_no = await paid_order(ledger, gateway)

    await refund(ledger, order_no, 30000)
    await drain(ledger)

    order = await order_of(ledger, order_no)
    assert (order.status, order.refunded_fen) == ("paid", 30000)
    [event] = await events(ledger, "payments.order_refunded")
    assert (event["full"], event["refunded_fen"]) == (False, 30000)


async def test_more_than_is_left_is_refused(ledger, gateway):
    order_no = await paid_order(ledger, gateway)
    await refund(ledger, order_no, 100000, key="a")

    with pytest.raises(RefundTooLarge, match="最多可退 20000 分"):
        await refund(ledger, order_no, 20001, key="b")


async def test_the_same_key_makes_one_refund(ledger, gateway):
    order_no = await paid_order(ledger, gateway)

    first = await refund(ledger, order_no, 30000, key="same")
    again = await refund(ledger, order_no, 30000, key="same")

    assert first == again
    async with ledger.db.session() as session:
        assert len(list(await session.scalars(select(Refund)))) == 1


async def test_a_pending_order_cannot_be_refunded(ledger, gateway):
    order_no = await new_order(ledger)

    with pytest.raises(OrderStateError, match="只有已支付的订单可以退款"):
        await refund(ledger, order_no, 100)


@pytest.mark.parametrize("amount", [pytest.param(300.0, id="float"),
                                    pytest.param(True, id="bool")])
async def test_a_refund_amount_that_is_not_int_fen_is_a_type_error(ledger, gateway, amount):
    order_no = await paid_order(ledger, gateway)

    with pytest.raises(TypeError):
        await refund(ledger, order_no, amount)


async def test_a_refund_after_a_timeout_is_sent_again_with_the_same_number(ledger, gateway):
    order_no = await paid_order(ledger, gateway)
    gateway.fail_next("refund", GatewayUnavailable("read timeout"))

    refund_no = await refund(ledger, order_no, 30000)
    await drain(ledger)
    async with ledger.db.session() as session:
        waiting = await session.scalar(select(Refund))
    assert (waiting.status, waiting.last_error) == ("pending",
                                                    "gateway unavailable: read timeout")
    await make_due(ledger)
    await drain(ledger)

    assert [ref for method, ref in gateway.calls if method == "refund"] == [refund_no] * 2
    assert (await order_of(ledger, order_no)).refunded_fen == 30000


async def test_an_unclear_refund_is_confirmed_by_query(ledger, gateway):
    from bangyaer.payments import GatewayRefund

    order_no = await paid_order(ledger, gateway)
    original = gateway.refund

    async def unclear(platform, view):
        await original(platform, view)
        return GatewayRefund(view.request_no, "pending")

    gateway.refund = unclear
    await refund(ledger, order_no, 500)
    await drain(ledger)

    assert ("query_refund", gateway.calls[-1][1]) == gateway.calls[-1]
    assert (await order_of(ledger, order_no)).refunded_fen == 500


async def test_expiry_closes_the_trade_and_tells_plugins(ledger, gateway):
    order_no = await new_order(ledger, checkout=gateway.id)
    gateway.trades[order_no] = GatewayTrade(order_no, "waiting", amount_fen=AMOUNT)

    await make_due(ledger)
    await drain(ledger)

    assert (await order_of(ledger, order_no)).status == "expired"
    assert gateway.trades[order_no].status == "closed"
    assert [e["order_no"] for e in await events(ledger, "payments.order_expired")] == [order_no]


async def test_a_last_second_payment_found_at_expiry_is_recorded_as_paid(ledger, gateway):
    order_no = await new_order(ledger, checkout=gateway.id)
    gateway.pay(order_no, amount_fen=AMOUNT)  # its notification never arrives

    await make_due(ledger)
    await drain(ledger)

    assert (await order_of(ledger, order_no)).status == "paid"
    assert await events(ledger, "payments.order_expired") == []
    assert len(await events(ledger, "payments.order_paid")) == 1


async def test_the_repair_query_applies_a_lost_notification(ledger, gateway):
    order_no = await new_order(ledger, minutes=120, checkout=gateway.id)
    gateway.pay(order_no, amount_fen=AMOUNT)
    from bangyaer.jobs import Job

    async with ledger.db.transaction() as session:  # only the repair job comes due
        await session.execute(update(Job).where(Job.kind == "core.payments.repair")
                              .values(run_at=utcnow()))
    await drain(ledger)

    assert (await order_of(ledger, order_no)).status == "paid"


async def test_a_payment_after_expiry_is_refunded_automatically(ledger, gateway):
    order_no = await new_order(ledger, checkout=gateway.id)
    await make_due(ledger)
    await drain(ledger)

    trade = gateway.pay(order_no, amount_fen=AMOUNT)
    async with ledger.db.transaction() as session:
        late = await record_payment(session, provider=gateway.id, trade=trade)
    await drain(ledger)

    assert (late.applied, late.duplicate, late.order.status) == (False, True, "expired")
    assert [r.amount_fen for r in gateway.refunds.values()] == [AMOUNT]


async def ask_invoice(platform, order_no, **kwargs):
    fields = {"buyer_kind": "person", "buyer_name": "王大明"} | kwargs
    async with platform.db.transaction() as session:
        return (await request_invoice(session, order_no=order_no, actor_account_id=None,
                                      **fields)).id


async def invoices(platform):
    async with platform.db.session() as session:
        return {i.kind: i for i in await session.scalars(select(Invoice))}


async def pdf_text(platform, sha256):
    data = b"".join([chunk async for chunk in platform.blobs.open(sha256)])
    return PdfReader(io.BytesIO(data)).pages[0].extract_text()


async def test_an_invoice_is_issued_polled_and_its_pdf_kept(ledger, gateway, invoicer):
    order_no = await paid_order(ledger, gateway)
    invoicer.polls = 2

    first = await ask_invoice(ledger, order_no)
    again = await ask_invoice(ledger, order_no, buyer_name="别的抬头")
    for _ in range(4):
        await make_due(ledger)
        await drain(ledger)

    assert first == again
    blue = (await invoices(ledger))["blue"]
    assert blue.status == "issued" and blue.invoice_no
    assert invoicer.queried[blue.serial] == 3
    text = await pdf_text(ledger, blue.pdf_sha256)
    assert f"BLUE invoice 033001900111 {blue.invoice_no} order {order_no}" in text


async def test_a_company_needs_a_tax_number(ledger, gateway):
    from bangyaer.payments._invoices import InvoiceInputError

    order_no = await paid_order(ledger, gateway)

    with pytest.raises(InvoiceInputError, match="纳税人识别号"):
        await ask_invoice(ledger, order_no, buyer_kind="company", buyer_name="某公司",
                          buyer_tax_no="123")


async def test_a_failed_invoice_is_recorded_with_the_platforms_message(ledger, gateway,
                                                                        invoicer):
    order_no = await paid_order(ledger, gateway)
    invoicer.refuse = "购方税号有误"

    await ask_invoice(ledger, order_no)
    await drain(ledger)

    blue = (await invoices(ledger))["blue"]
    assert (blue.status, blue.message) == ("failed", "购方税号有误")


async def test_a_full_refund_red_flushes_the_invoice(ledger, gateway, invoicer):
    order_no = await paid_order(ledger, gateway)
    invoicer.polls = 0
    await ask_invoice(ledger, order_no)
    await drain(ledger)

    await refund(ledger, order_no, AMOUNT)
    await drain(ledger)

    found = await invoices(ledger)
    blue, red = found["blue"], found["red"]
    assert red.status == "issued" and red.amount_fen == blue.amount_fen
    assert invoicer.issued[red.serial].red_of == (blue.invoice_code, blue.invoice_no)
    assert "RED invoice" in await pdf_text(ledger, red.pdf_sha256)


async def test_a_refund_the_gateway_refuses_fails_and_staff_are_told(ledger, gateway):
    from bangyaer.notifications import Message
    from bangyaer.payments import GatewayError

    order_no = await paid_order(ledger, gateway)
    gateway.fail_next("refund", GatewayError("ACQ.SELLER_BALANCE_NOT_ENOUGH", "余额不足"))

    await refund(ledger, order_no, 30000)
    await drain(ledger)

    async with ledger.db.session() as session:
        failed = await session.scalar(select(Refund))
        told = list(await session.scalars(select(Message)))
    assert failed.status == "failed" and "ACQ.SELLER_BALANCE_NOT_ENOUGH" in failed.last_error
    assert (await order_of(ledger, order_no)).refunded_fen == 0
    assert {m.title for m in told} == {"退款失败，请人工处理"}
    assert len(told) == 2  # the district admin and the district staff member


async def test_expiry_waits_while_the_gateway_is_unreachable(ledger, gateway):
    order_no = await new_order(ledger, checkout=gateway.id)
    gateway.fail_next("query", GatewayUnavailable("connect timeout"))

    await make_due(ledger)
    await drain(ledger)
    waiting = (await order_of(ledger, order_no)).status
    await make_due(ledger)
    await drain(ledger)

    assert waiting == "pending"
    assert (await order_of(ledger, order_no)).status == "expired"


async def test_an_invoice_is_asked_again_with_the_same_number_after_a_timeout(
        ledger, gateway, invoicer):
    order_no = await paid_order(ledger, gateway)
    invoicer.polls = 0
    invoicer.failures["issue"] = [GatewayUnavailable("read timeout")]

    await ask_invoice(ledger, order_no)
    await drain(ledger)
    assert (await invoices(ledger))["blue"].status == "requested"
    await make_due(ledger)
    await drain(ledger)

    blue = (await invoices(ledger))["blue"]
    assert blue.status == "issued"
    assert list(invoicer.issued) == [f"S-{blue.request_no}"]


async def test_an_unpaid_order_gets_no_invoice(ledger, gateway):
    order_no = await new_order(ledger)

    with pytest.raises(OrderStateError, match="只有已支付的订单可以开具发票"):
        await ask_invoice(ledger, order_no)


async def test_cancelling_an_unknown_order_is_refused(ledger):
    from bangyaer.payments import UnknownOrder, cancel_order

    with pytest.raises(UnknownOrder):
        async with ledger.db.transaction() as session:
            await cancel_order(session, "P20261204nothere", reason="测试")


async def test_a_wrong_amount_found_at_expiry_is_reported_not_applied(ledger, gateway):
    from bangyaer.notifications import Message

    order_no = await new_order(ledger, checkout=gateway.id)
    gateway.pay(order_no, amount_fen=1)

    await make_due(ledger)
    await drain(ledger)

    order = await order_of(ledger, order_no)
    async with ledger.db.session() as session:
        told = {m.title for m in await session.scalars(select(Message))}
    assert (order.status, order.trade_no) == ("expired", None)
    assert told == {"支付金额与订单不符，请人工核对"}


async def test_staff_are_told_when_a_refund_runs_out_of_attempts(ledger, gateway):
    from bangyaer.jobs import Job
    from bangyaer.notifications import Message
    from bangyaer.payments._refunds import REFUND_ATTEMPTS

    order_no = await paid_order(ledger, gateway)
    gateway.fail_next("refund", *[GatewayUnavailable("down")] * REFUND_ATTEMPTS)
    await refund(ledger, order_no, 100)

    for _ in range(REFUND_ATTEMPTS):
        await make_due(ledger)
        await drain(ledger)

    async with ledger.db.session() as session:
        job = await session.scalar(select(Job).where(Job.kind == "core.payments.refund"))
        told = {m.title for m in await session.scalars(select(Message))}
        stuck = await session.scalar(select(Refund))
    assert (job.status, job.attempts) == ("dead", REFUND_ATTEMPTS)
    assert stuck.status == "pending"
    assert told == {"退款多次未能完成，请人工处理"}


async def test_staff_are_told_when_an_invoice_never_comes(ledger, gateway, invoicer):
    from bangyaer.notifications import Message
    from bangyaer.payments._invoices import INVOICE_ATTEMPTS

    order_no = await paid_order(ledger, gateway)
    invoicer.polls = 10**6  # the platform never finishes

    await ask_invoice(ledger, order_no)
    for _ in range(INVOICE_ATTEMPTS):
        await make_due(ledger)
        await drain(ledger)

    async with ledger.db.session() as session:
        told = {m.title for m in await session.scalars(select(Message))}
    assert (await invoices(ledger))["blue"].status == "pending"
    assert told == {"电子发票长时间未开出，请人工处理"}


async def all_invoices(platform):
    async with platform.db.session() as session:
        return [(i.kind, i.seq, i.status, i.amount_fen) for i in await session.scalars(
            select(Invoice).order_by(Invoice.seq, Invoice.id))]


async def settle(platform, rounds=4):
    for _ in range(rounds):
        await make_due(platform)
        await drain(platform)


async def test_a_failed_invoice_can_be_asked_again_with_corrected_details(
        ledger, gateway, invoicer):
    order_no = await paid_order(ledger, gateway)
    invoicer.polls, invoicer.refuse = 0, "购方税号有误"
    await ask_invoice(ledger, order_no, buyer_kind="company", buyer_name="某科技有限公司",
                      buyer_tax_no="91330100MA2XXXXX0A")
    await drain(ledger)
    invoicer.refuse = ""

    again = await ask_invoice(ledger, order_no, buyer_kind="company",
                              buyer_name="某科技有限公司", buyer_tax_no="91330100MA2XXXXX1B")
    double = await ask_invoice(ledger, order_no, buyer_name="重复提交")
    await settle(ledger)

    assert again == double
    assert await all_invoices(ledger) == [("blue", 1, "failed", AMOUNT),
                                          ("blue", 2, "issued", AMOUNT)]
    sent = [r for r in invoicer.issued.values() if r.buyer_tax_no.endswith("1B")]
    assert len(sent) == 1 and sent[0].buyer_name == "某科技有限公司"


async def test_an_issued_invoice_is_not_asked_for_twice(ledger, gateway, invoicer):
    order_no = await paid_order(ledger, gateway)
    invoicer.polls = 0
    first = await ask_invoice(ledger, order_no)
    await drain(ledger)

    assert await ask_invoice(ledger, order_no, buyer_name="另一个抬头") == first
    assert len(invoicer.issued) == 1


async def test_a_partial_refund_red_flushes_and_invoices_the_rest(ledger, gateway, invoicer):
    order_no = await paid_order(ledger, gateway)
    invoicer.polls = 0
    await ask_invoice(ledger, order_no, buyer_name="王大明", email="wang@example.cn")
    await drain(ledger)

    await refund(ledger, order_no, 30000)
    await settle(ledger)

    assert await all_invoices(ledger) == [
        ("blue", 1, "issued", AMOUNT), ("red", 1, "issued", AMOUNT),
        ("blue", 2, "issued", AMOUNT - 30000)]
    async with ledger.db.session() as session:
        first, red, rest = await session.scalars(select(Invoice).order_by(Invoice.id))
    assert invoicer.issued[red.serial].red_of == (first.invoice_code, first.invoice_no)
    again = invoicer.issued[rest.serial]
    assert (again.buyer_name, again.buyer_email, again.red_of) == ("王大明", "wang@example.cn",
                                                                   None)
    assert f"amount {AMOUNT - 30000} fen" in await pdf_text(ledger, rest.pdf_sha256)


async def test_a_second_refund_red_flushes_the_reissued_invoice_and_a_full_one_ends_it(
        ledger, gateway, invoicer):
    order_no = await paid_order(ledger, gateway)
    invoicer.polls = 0
    await ask_invoice(ledger, order_no)
    await drain(ledger)
    await refund(ledger, order_no, 30000, key="k1")
    await settle(ledger)

    await refund(ledger, order_no, 20000, key="k2")
    await settle(ledger)
    await refund(ledger, order_no, AMOUNT - 50000, key="k3")
    await settle(ledger)

    assert await all_invoices(ledger) == [
        ("blue", 1, "issued", AMOUNT), ("red", 1, "issued", AMOUNT),
        ("blue", 2, "issued", AMOUNT - 30000), ("red", 2, "issued", AMOUNT - 30000),
        ("blue", 3, "issued", AMOUNT - 50000), ("red", 3, "issued", AMOUNT - 50000)]
    assert (await order_of(ledger, order_no)).status == "refunded"


async def test_a_refund_while_the_invoice_is_being_issued_is_matched_once_it_is(
        ledger, gateway, invoicer):
    order_no = await paid_order(ledger, gateway)
    invoicer.polls = 1
    await ask_invoice(ledger, order_no)
    await drain(ledger)  # asked, still being issued
    assert await all_invoices(ledger) == [("blue", 1, "pending", AMOUNT)]

    await refund(ledger, order_no, 30000)
    await settle(ledger)

    assert await all_invoices(ledger) == [
        ("blue", 1, "issued", AMOUNT), ("red", 1, "issued", AMOUNT),
        ("blue", 2, "issued", AMOUNT - 30000)]


async def test_a_refund_of_a_failed_invoice_asks_for_nothing(ledger, gateway, invoicer):
    order_no = await paid_order(ledger, gateway)
    invoicer.polls, invoicer.refuse = 0, "开票平台拒绝"
    await ask_invoice(ledger, order_no)
    await drain(ledger)

    await refund(ledger, order_no, 30000)
    await settle(ledger)

    assert await all_invoices(ledger) == [("blue", 1, "failed", AMOUNT)]
