"""create_orders: many orders in a few statements, each exactly as create_order makes it."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import logging
from decimal import Decimal

import pytest
from bangyaer.db import utcnow
from bangyaer.identity import Account, AuditEntry
from bangyaer.jobs import Job
from bangyaer.payments import (
    EXPIRE_JOB,
    NewOrder,
    Order,
    OrderStateError,
    create_order,
    create_orders,
)
from bangyaer.payments import _orders as ledger_orders
from bangyaer.testing import TinyDistrict
from sqlalchemy import func, select, text

pytestmark = pytest.mark.anyio  # see test_blobs.py: keeps parametrize arguments


@pytest.fixture
async def ledger(make_platform):
    return await make_platform()


@pytest.fixture
async def people(ledger):
    return await TinyDistrict().build(ledger)


@pytest.fixture
async def payer(ledger, people) -> int:
    async with ledger.db.session() as session:
        return await session.scalar(
            select(Account.id).where(Account.person_id == people.ids["parent"]))


@pytest.fixture
def item(people, payer):
    expires = utcnow().replace(microsecond=0) + dt.timedelta(hours=48)

    def make(ref: str, amount: int = 120_000, **changes: object) -> NewOrder:
        made = NewOrder(plugin="training", purpose_ref=ref, title="2027 春季 书法初级班 学费",
                        amount_fen=amount, payer_account_id=payer,
                        subject_id=people.ids["child_1"], expires_at=expires)
        return dataclasses.replace(made, **changes)

    return make


async def counts(session) -> tuple[int, int, int]:
    """Orders, jobs and audit rows the session sees (its own unflushed ones included)."""
    await session.flush()
    return (await session.scalar(select(func.count(Order.id))),
            await session.scalar(select(func.count(Job.id))),
            await session.scalar(select(func.count(AuditEntry.id))))


async def one_by_one(ledger, items: list[NewOrder]) -> list[str]:
    async with ledger.db.transaction() as session:
        return [(await create_order(session, **vars(i))).order_no for i in items]


async def in_bulk(ledger, items: list[NewOrder]) -> list[str]:
    async with ledger.db.transaction() as session:
        return [o.order_no for o in await create_orders(session, items)]


async def test_new_orders_come_back_in_the_order_given(ledger, item):
    refs = ["enrollment:3", "enrollment:1", "enrollment:2"]

    numbers = await in_bulk(ledger, [item(r, amount=100 + n) for n, r in enumerate(refs)])

    async with ledger.db.session() as session:
        orders = [await session.scalar(select(Order).where(Order.order_no == n))
                  for n in numbers]
    assert [(o.purpose_ref, o.amount_fen, o.status) for o in orders] == [
        ("enrollment:3", 100, "pending"), ("enrollment:1", 101, "pending"),
        ("enrollment:2", 102, "pending")]
    assert len(set(numbers)) == 3


async def test_each_order_gets_the_job_and_audit_row_create_order_gives(ledger, item):
    [single] = await one_by_one(ledger, [item("enrollment:1")])
    [bulk] = await in_bulk(ledger, [item("enrollment:2")])

    async def made_for(order_no: str) -> tuple[tuple, tuple, tuple]:
        async with ledger.db.session() as session:
            order = await session.scalar(select(Order).where(Order.order_no == order_no))
            job = await session.scalar(select(Job).where(
                Job.idempotency_key == f"payments:expire:{order_no}"))
            entry = await session.scalar(select(AuditEntry).where(
                AuditEntry.target_id == order_no))
        assert job is not None and entry is not None
        return ((order.plugin, order.title, order.amount_fen, order.status,
                 order.payer_account_id, order.subject_id, order.expires_at,
                 order.refunded_fen),
                (job.kind, job.payload == {"order_no": order_no}, job.status, job.attempts,
                 job.max_attempts, job.run_at == order.expires_at),
                (entry.action, entry.account_id, entry.target_type,
                 {**entry.detail, "purpose_ref": None}))

    assert await made_for(bulk) == await made_for(single)
    single_job = await made_for(single)
    assert single_job[1] == (EXPIRE_JOB, True, "queued", 0, 8, True)
    assert single_job[2][0] == "payments.order_created"


async def test_an_order_already_made_is_returned_and_not_made_again(ledger, item):
    [first] = await one_by_one(ledger, [item("enrollment:1")])

    again = await in_bulk(ledger, [item("enrollment:1")])

    assert again == [first]
    async with ledger.db.session() as session:
        assert await counts(session) == (1, 1, 1)


async def test_made_and_new_orders_mixed_keep_their_places(ledger, item):
    made = await one_by_one(ledger, [item("enrollment:2"), item("enrollment:4")])

    numbers = await in_bulk(ledger, [item(f"enrollment:{n}") for n in (1, 2, 3, 4)])

    assert numbers[1] == made[0] and numbers[3] == made[1]
    assert len(set(numbers)) == 4
    async with ledger.db.session() as session:
        assert await counts(session) == (4, 4, 4)
        refs = {o.order_no: o.purpose_ref for o in await session.scalars(select(Order))}
    assert [refs[n] for n in numbers] == [f"enrollment:{n}" for n in (1, 2, 3, 4)]


async def test_a_purpose_twice_in_a_batch_gets_one_order(ledger, item):
    numbers = await in_bulk(ledger, [item("enrollment:1"), item("enrollment:1")])

    assert numbers[0] == numbers[1]
    async with ledger.db.session() as session:
        assert await counts(session) == (1, 1, 1)


async def test_another_amount_for_a_made_order_refuses_the_batch_and_writes_nothing(
        ledger, item):
    [made] = await one_by_one(ledger, [item("enrollment:2")])

    async with ledger.db.transaction() as session:
        with pytest.raises(OrderStateError, match=r"事项 enrollment:2 .*不能改为 99 分"):
            await create_orders(session, [item("enrollment:1"),
                                          item("enrollment:2", amount=99)])
        assert await counts(session) == (1, 1, 1)
    async with ledger.db.session() as session:
        order = await session.scalar(select(Order))
    assert (order.order_no, order.amount_fen) == (made, 120_000)


async def test_two_amounts_for_one_purpose_in_a_batch_are_refused(ledger, item):
    async with ledger.db.transaction() as session:
        with pytest.raises(OrderStateError, match="事项 enrollment:1 在同一批中金额不一致"):
            await create_orders(session, [item("enrollment:1"),
                                          item("enrollment:1", amount=99)])
        assert await counts(session) == (0, 0, 0)


@pytest.mark.parametrize(("changes", "error", "message"), [
    pytest.param({"amount_fen": 1200.0}, TypeError, "amount_fen must be an int", id="float"),
    pytest.param({"amount_fen": Decimal("1200")}, TypeError, "not Decimal", id="decimal"),
    pytest.param({"amount_fen": True}, TypeError, "amount_fen must be an int", id="bool"),
    pytest.param({"amount_fen": 0}, ValueError, "positive", id="zero"),
    pytest.param({"title": "  "}, ValueError, "title must be a non-empty", id="blank-title"),
    pytest.param({"purpose_ref": "r" * 101}, ValueError, "at most 100", id="long-ref"),
    pytest.param({"plugin": ""}, ValueError, "plugin must be", id="no-plugin"),
    pytest.param({"expires_at": dt.datetime(2027, 3, 1)}, ValueError, "timezone-aware",
                 id="naive-expiry"),
])
async def test_a_bad_item_refuses_the_batch_before_anything_is_written(
        ledger, item, changes, error, message):
    async with ledger.db.transaction() as session:
        with pytest.raises(error, match=rf"items\[1\]: .*{message}"):
            await create_orders(session, [item("enrollment:1"),
                                          item("enrollment:2", **changes)])
        assert await counts(session) == (0, 0, 0)


async def test_the_same_bad_item_is_refused_by_create_order_too(ledger, item):
    with pytest.raises(TypeError, match="amount_fen must be an int"):
        await one_by_one(ledger, [item("enrollment:1", amount_fen=1200.0)])


async def test_no_items_make_nothing(ledger):
    async with ledger.db.transaction() as session:
        assert await create_orders(session, []) == []
        assert await counts(session) == (0, 0, 0)


async def test_fields_are_trimmed_as_create_order_trims_them(ledger, item):
    [number] = await in_bulk(ledger, [item(" enrollment:1 ", title=" 学费 ")])
    [again] = await one_by_one(ledger, [item("enrollment:1")])

    assert again == number
    async with ledger.db.session() as session:
        order = await session.scalar(select(Order))
    assert (order.purpose_ref, order.title) == ("enrollment:1", "学费")


async def test_an_order_made_concurrently_is_found_one_at_a_time(ledger, item, monkeypatch):
    """A concurrent request orders a purpose after the lookup: the batch insert fails."""
    [theirs] = await one_by_one(ledger, [item("enrollment:2")])

    async def missed(session, keys):
        return {}  # the lookup ran before the concurrent request committed

    monkeypatch.setattr(ledger_orders, "_by_purposes", missed)
    numbers = await in_bulk(ledger, [item(f"enrollment:{n}") for n in (1, 2, 3)])

    assert numbers[1] == theirs
    async with ledger.db.session() as session:
        assert await counts(session) == (3, 3, 3)
        refs = {o.order_no: o.purpose_ref for o in await session.scalars(select(Order))}
        keys = set(await session.scalars(select(Job.idempotency_key)))
    assert [refs[n] for n in numbers] == ["enrollment:1", "enrollment:2", "enrollment:3"]
    assert keys == {f"payments:expire:{n}" for n in numbers}


async def test_a_large_batch_is_looked_up_in_chunks(ledger, item, monkeypatch):
    monkeypatch.setattr(ledger_orders, "LOOKUP_CHUNK", 3)
    made = await one_by_one(ledger, [item("enrollment:1"), item("enrollment:7")])

    numbers = await in_bulk(ledger, [item(f"enrollment:{n}") for n in range(1, 9)])

    assert (numbers[0], numbers[6]) == (made[0], made[1])
    async with ledger.db.session() as session:
        assert await counts(session) == (8, 8, 8)


async def test_a_batch_racing_a_request_for_one_of_its_purposes_still_gets_it_right(
        ledger, item, caplog):
    if ledger.db.is_sqlite:
        pytest.skip("a row lock to wait on is PostgreSQL's; SQLite has one writer at a time")
    caplog.set_level(logging.INFO, logger="bangyaer.payments")
    async with ledger.db.transaction() as theirs:
        first = await create_order(theirs, **vars(item("enrollment:2")))
        batch = asyncio.create_task(in_bulk(ledger, [item(f"enrollment:{n}") for n in (1, 2, 3)]))
        # The batch has not seen the uncommitted order and waits on its unique key.
        for _ in range(200):
            # A transaction of its own each time: one keeps its first snapshot of the stats.
            async with ledger.db.session() as watcher:
                waiting = await watcher.scalar(text(
                    "SELECT count(*) FROM pg_stat_activity "
                    "WHERE wait_event_type = 'Lock' AND datname = current_database()"))
            if waiting or batch.done():
                break
            await asyncio.sleep(0.05)
        assert waiting == 1
    numbers = await batch

    assert numbers[1] == first.order_no
    assert "met a concurrent one" in caplog.text
    async with ledger.db.session() as session:
        assert await counts(session) == (3, 3, 3)
