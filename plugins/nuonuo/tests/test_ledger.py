"""End to end with the payments ledger: paid → invoice job → Nuonuo sandbox over HTTP →
PDF in the blob store → refund → red invoice, and a new one for what is left."""

from __future__ import annotations

import datetime as dt

import bangyaer_nuonuo.plugin as nuonuo_plugin
import pytest
from bangyaer.db import utcnow
from bangyaer.identity import Person, PersonKind
from bangyaer.jobs import Job
from bangyaer.payments import (
    Invoice,
    create_order,
    record_payment,
    request_invoice,
    request_refund,
)
from bangyaer.payments.testing import MemoryGateway
from bangyaer.testing import build_plugin, drain
from sqlalchemy import select, update

AMOUNT = 120000  # ¥1200.00, 3% → 1165.05 + 34.95


@pytest.fixture
def gateway():
    return MemoryGateway()


@pytest.fixture
def make_ledger(make_platform, nuonuo_settings, gateway):
    """A platform with the ledger, a memory gateway to pay with, and Nuonuo over HTTP."""
    async def make(**settings):
        payer = build_plugin("paytest", payment_providers=lambda: [gateway])
        platform = await make_platform([payer, nuonuo_plugin],
                                       plugin_settings={"nuonuo": nuonuo_settings(**settings)})
        async with platform.db.transaction() as session:
            child = Person(kind=PersonKind.student, name="王小明")
            session.add(child)
            await session.flush()
            platform.child_id = child.id
        return platform

    return make


@pytest.fixture
async def ledger(make_ledger):
    return await make_ledger()


async def paid_order(platform, gateway):
    async with platform.db.transaction() as session:
        order = await create_order(
            session, plugin="training", purpose_ref="class:7:child:1", title="书法初级班",
            amount_fen=AMOUNT, payer_account_id=None, subject_id=platform.child_id,
            expires_at=utcnow() + dt.timedelta(minutes=30))
        order_no = order.order_no
    trade = gateway.pay(order_no, amount_fen=AMOUNT)
    async with platform.db.transaction() as session:
        await record_payment(session, provider=gateway.id, trade=trade)
    return order_no


async def settle(platform, rounds=6):
    """Run the jobs, bringing each retry forward as if its backoff had passed."""
    for _ in range(rounds):
        async with platform.db.transaction() as session:
            await session.execute(update(Job).where(Job.status == "queued")
                                  .values(run_at=utcnow()))
        await drain(platform)


async def invoices(platform):
    async with platform.db.session() as session:
        return {i.kind: i for i in await session.scalars(select(Invoice))}


async def blob_text(platform, sha256, pdf_text):
    return pdf_text(b"".join([chunk async for chunk in platform.blobs.open(sha256)]))


async def test_an_invoice_is_issued_kept_and_red_flushed_after_a_full_refund(
        ledger, gateway, sandbox, pdf_text):
    order_no = await paid_order(ledger, gateway)
    async with ledger.db.transaction() as session:
        await request_invoice(session, order_no=order_no, buyer_kind="company",
                              buyer_name="杭州某某科技有限公司",
                              buyer_tax_no="91330106MA2B3C4D5E", actor_account_id=None)
    await settle(ledger)

    blue = (await invoices(ledger))["blue"]
    assert (blue.status, blue.provider) == ("issued", "nuonuo")
    assert sandbox.invoice(blue.serial).invoice_no == blue.invoice_no
    text = await blob_text(ledger, blue.pdf_sha256, pdf_text)
    assert "杭州某某科技有限公司" in text and "91330106MA2B3C4D5E" in text
    assert "¥1200.00" in text and "¥1165.05" in text and "¥34.95" in text

    async with ledger.db.transaction() as session:
        await request_refund(session, order_no=order_no, amount_fen=AMOUNT,
                             reason="课程取消", actor_account_id=None, key="refund-1")
    await settle(ledger)

    red = (await invoices(ledger))["red"]
    assert red.status == "issued" and red.invoice_no != blue.invoice_no
    assert sandbox.invoice(blue.serial).red_serial == red.serial
    text = await blob_text(ledger, red.pdf_sha256, pdf_text)
    assert "销项负数" in text and "¥-1200.00" in text
    assert f"对应正数发票代码:{blue.invoice_code}号码:{blue.invoice_no}" in text


async def test_a_partial_refund_red_flushes_and_reissues_for_the_rest(
        ledger, gateway, sandbox, pdf_text):
    order_no = await paid_order(ledger, gateway)
    async with ledger.db.transaction() as session:
        await request_invoice(session, order_no=order_no, buyer_kind="person",
                              buyer_name="王大明", actor_account_id=None)
    await settle(ledger)

    async with ledger.db.transaction() as session:
        await request_refund(session, order_no=order_no, amount_fen=30000,
                             reason="按已上课时退费", actor_account_id=None, key="refund-1")
    await settle(ledger, rounds=10)

    async with ledger.db.session() as session:
        first, red, rest = await session.scalars(select(Invoice).order_by(Invoice.id))
    assert [(i.kind, i.seq, i.status) for i in (first, red, rest)] == [
        ("blue", 1, "issued"), ("red", 1, "issued"), ("blue", 2, "issued")]
    assert sandbox.invoice(first.serial).red_serial == red.serial
    assert len({first.invoice_no, red.invoice_no, rest.invoice_no}) == 3
    text = await blob_text(ledger, rest.pdf_sha256, pdf_text)
    assert "王大明" in text and "¥900.00" in text


async def test_a_lost_answer_is_retried_by_the_job_without_a_second_invoice(
        make_ledger, gateway, sandbox, pdf_text):
    platform = await make_ledger(http_timeout_seconds=0.3)
    order_no = await paid_order(platform, gateway)
    sandbox.delay_next_answer(1.0)
    async with platform.db.transaction() as session:
        await request_invoice(session, order_no=order_no, buyer_kind="person",
                              buyer_name="王大明", actor_account_id=None)
    await settle(platform)

    blue = (await invoices(platform))["blue"]
    assert blue.status == "issued"
    assert [i.serial for i in sandbox.invoices()] == [blue.serial]
    assert "王大明" in await blob_text(platform, blue.pdf_sha256, pdf_text)


async def test_an_invoice_the_platform_refuses_is_recorded_failed(
        ledger, gateway, sandbox):
    order_no = await paid_order(ledger, gateway)
    sandbox.fail_next_billing("开票失败：购方名称与税号不一致")
    async with ledger.db.transaction() as session:
        await request_invoice(session, order_no=order_no, buyer_kind="person",
                              buyer_name="王大明", actor_account_id=None)
    await settle(ledger)

    blue = (await invoices(ledger))["blue"]
    assert (blue.status, blue.message) == ("failed", "开票失败：购方名称与税号不一致")
