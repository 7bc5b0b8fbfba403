"""The "dingtalk" notification channel: inbox messages sent on as work notices (工作通知).

Every message is already in the person's inbox when the channel sees it, so
DingTalk refusing someone loses nothing: that person reads it in the inbox.
The channel records one delivery per message, never the same content to the
same person twice in one (Shanghai) day, then sends in jobs of at most 100
userids (asyncsend_v2), and a later job asks getsendresult who was reached.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections import defaultdict
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from bangyaer.db import utcnow
from bangyaer.identity import Account, ExternalIdentity
from bangyaer.jobs import JobContext, PermanentJobError, enqueue
from bangyaer.notifications import Message
from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from ._apply import PROVIDER
from ._client import THROTTLED, TOKEN_ERRORS, DingTalkError, DingTalkUnavailable
from ._config import PLUGIN_ID, CorpConfig
from ._messages import build_message
from ._runtime import runtime
from .models import Delivery, DeliveryStatus

if TYPE_CHECKING:
    from bangyaer.platform import Platform

log = logging.getLogger("bangyaer.dingtalk")
SEND_JOB = f"{PLUGIN_ID}.send_notices"
CHECK_JOB = f"{PLUGIN_ID}.check_notices"
CHUNK = 100  # asyncsend_v2 takes at most 100 userids a call
CHECK_DELAY = dt.timedelta(seconds=30)
SHANGHAI = ZoneInfo("Asia/Shanghai")
REFUSALS = {
    "invalid_user_id_list": "钉钉无此用户或不在应用可见范围",
    "forbidden_user_id_list": "钉钉限流：同一内容一天只发一次或超出每日上限",
    "failed_user_id_list": "钉钉发送失败",
}


class DeliveryPending(Exception):
    """DingTalk has not finished the task yet; the job is retried later."""


def content_key(message: Message) -> str:
    return hashlib.sha256(
        f"{message.title}\n{message.body}\n{message.url}".encode()).hexdigest()


def shanghai_day(now: dt.datetime | None = None) -> dt.date:
    return (now or utcnow()).astimezone(SHANGHAI).date()


async def _recipients(session: AsyncSession, person_ids: set[int],
                      corps: dict[str, CorpConfig]) -> dict[int, tuple[str, str]]:
    """(corp_id, userid) for each person with an active DingTalk identity at a known corp."""
    rows = await session.execute(
        select(Account.person_id, ExternalIdentity.tenant, ExternalIdentity.subject)
        .join(ExternalIdentity, ExternalIdentity.account_id == Account.id)
        .where(ExternalIdentity.provider == PROVIDER, Account.person_id.in_(person_ids),
               Account.active.is_(True))
        .order_by(ExternalIdentity.id))
    found: dict[int, tuple[str, str]] = {}
    for person_id, corp_id, userid in rows:
        if corp_id in corps:
            found.setdefault(person_id, (corp_id, userid))  # one corp each: sent once
    return found


def _insert(session: AsyncSession) -> Any:
    dialect = session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(Delivery)


class WorkNoticeChannel:
    """Handed to the core through ``notification_channels``."""

    id = PLUGIN_ID

    async def send(self, ctx: JobContext, messages: Sequence[Message]) -> None:
        await queue_deliveries(ctx.platform, messages)


async def queue_deliveries(platform: Platform, messages: Sequence[Message]) -> int:
    """Record a delivery per reachable person and queue send jobs; how many were queued."""
    rt = await runtime(platform)
    corps = {c.corp_id: c for c in rt.config.corps}
    day = shanghai_day()
    by_corp: dict[str, list[int]] = defaultdict(list)
    async with platform.db.transaction() as session:
        reach = await _recipients(session, {m.person_id for m in messages}, corps)
        for message in messages:
            target = reach.get(message.person_id)
            if target is None:
                continue  # no DingTalk identity: the inbox is the only channel
            stmt = _insert(session).values(
                message_id=message.id, person_id=message.person_id, corp_id=target[0],
                userid=target[1], content_key=content_key(message), day=day,
                status=DeliveryStatus.queued, reason="", created_at=utcnow(),
            ).on_conflict_do_nothing().returning(Delivery.id)
            new_id = (await session.execute(stmt)).scalar_one_or_none()
            if new_id is not None:  # None: already sent today, or this message already is
                by_corp[target[0]].append(new_id)
        for corp_id, ids in by_corp.items():
            for start in range(0, len(ids), CHUNK):
                part = ids[start:start + CHUNK]
                await enqueue(session, SEND_JOB, {"corp_id": corp_id, "delivery_ids": part},
                              key=f"{SEND_JOB}:{part[0]}")
    return sum(len(ids) for ids in by_corp.values())


async def _refuse(platform: Platform, ids: list[int], reason: str) -> None:
    async with platform.db.transaction() as session:
        for delivery in await session.scalars(select(Delivery).where(Delivery.id.in_(ids))):
            delivery.status = DeliveryStatus.refused
            delivery.reason = reason[:200]
            delivery.checked_at = utcnow()


async def send_job(ctx: JobContext, payload: dict[str, Any]) -> None:
    platform = ctx.platform
    rt = await runtime(platform)
    corp = rt.config.corp(str(payload["corp_id"]))
    async with platform.db.session() as session:
        rows = list((await session.execute(
            select(Delivery, Message).join(Message, Message.id == Delivery.message_id)
            .where(Delivery.id.in_(payload["delivery_ids"]),
                   Delivery.status == DeliveryStatus.queued)
            .order_by(Delivery.id))).all())
    if not rows:
        return  # a retry after the deliveries were already sent
    ids = [d.id for d, _ in rows]
    if corp is None:
        await _refuse(platform, ids, "学校的钉钉企业已不在配置中")
        return
    msg = build_message(rt.config.message_type, rows[0][1], corp, platform.settings.base_url)
    try:
        async with rt.http() as http:
            task_id = await rt.client(corp, http).send_work_notice(
                [d.userid for d, _ in rows], msg)
    except DingTalkUnavailable:
        raise  # the network or DingTalk itself: retry the job later
    except DingTalkError as exc:
        if exc.errcode in THROTTLED or exc.errcode in TOKEN_ERRORS:
            raise  # the client already retried; the job's own backoff comes next
        log.warning("corp %s: work notice refused: errcode %s (request_id %s)",
                    corp.corp_id, exc.errcode, exc.request_id)
        await _refuse(platform, ids, f"errcode {exc.errcode} {exc.errmsg}")
        return
    async with platform.db.transaction() as session:
        for delivery in await session.scalars(select(Delivery).where(Delivery.id.in_(ids))):
            delivery.status, delivery.task_id = DeliveryStatus.sent, task_id
        await enqueue(session, CHECK_JOB, {"corp_id": corp.corp_id, "task_id": task_id},
                      key=f"{CHECK_JOB}:{corp.corp_id}:{task_id}",
                      run_at=utcnow() + CHECK_DELAY)


def _reasons(result: dict[str, Any]) -> dict[str, str]:
    reasons: dict[str, str] = {}
    for key, text in REFUSALS.items():
        for userid in result.get(key) or []:
            reasons[str(userid)] = text
    for item in result.get("forbidden_list") or []:
        if str(item.get("code")) == "143106":
            reasons[str(item.get("userid"))] = "钉钉限流：同一内容一天只发一次 (143106)"
    return reasons


async def check_job(ctx: JobContext, payload: dict[str, Any]) -> None:
    platform = ctx.platform
    rt = await runtime(platform)
    corp = rt.config.corp(str(payload["corp_id"]))
    if corp is None:
        raise PermanentJobError(f"corp {payload['corp_id']} is no longer configured")
    async with rt.http() as http:
        result = await rt.client(corp, http).send_result(int(payload["task_id"]))
    reasons = _reasons(result)
    reached = {str(u) for key in ("read_user_id_list", "unread_user_id_list")
               for u in result.get(key) or []}
    pending = 0
    async with platform.db.transaction() as session:
        for delivery in await session.scalars(select(Delivery).where(
                Delivery.corp_id == corp.corp_id, Delivery.task_id == int(payload["task_id"]),
                Delivery.status == DeliveryStatus.sent)):
            if delivery.userid in reasons:
                delivery.status, delivery.reason = DeliveryStatus.refused, reasons[
                    delivery.userid]
            elif delivery.userid in reached:
                delivery.status = DeliveryStatus.delivered
            else:
                pending += 1
                continue
            delivery.checked_at = utcnow()
    if pending:
        raise DeliveryPending(f"{pending} recipients of task {payload['task_id']} not settled")
