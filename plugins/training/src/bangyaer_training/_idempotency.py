"""Idempotency-Key: a retried request gets the answer the first one got.

A success is stored in the same transaction as the change it reports, so
an answer exists exactly when the change does. A refusal (4xx) is stored
on its own afterwards, since nothing else was written.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from bangyaer.platform import Platform
from bangyaer.web import ApiError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from starlette.responses import JSONResponse

from .models import IdempotentAnswer

HEADER = "idempotency-key"
Work = Callable[[AsyncSession], Awaitable[tuple[int, dict[str, Any]]]]


def key_of(request: Request) -> str | None:
    key = request.headers.get(HEADER)
    if key is None:
        return None
    key = key.strip()
    if not key or len(key) > 100:
        raise ApiError(422, "invalid_idempotency_key", "Idempotency-Key 应为 1–100 个字符")
    return key


async def _stored(platform: Platform, account_id: int, key: str) -> IdempotentAnswer | None:
    async with platform.db.session() as session:
        found: IdempotentAnswer | None = await session.scalar(
            select(IdempotentAnswer).where(IdempotentAnswer.account_id == account_id,
                                           IdempotentAnswer.key == key)
        )
        return found


Answer = tuple[int, dict[str, Any], bool]  # status, body, replayed


def _replay(answer: IdempotentAnswer, signature: str) -> Answer:
    if answer.request != signature:
        raise ApiError(422, "idempotency_key_reused",
                       "该 Idempotency-Key 已用于另一个请求，请换一个新的")
    return answer.status, answer.body, True


async def run_once(
    platform: Platform, request: Request, account_id: int, work: Work,
    on_conflict: ApiError,
) -> JSONResponse:
    """Run ``work`` in one transaction, at most once per (account, Idempotency-Key)."""
    status, body, replayed = await answer_once(
        platform, account_id, key_of(request), f"{request.method} {request.url.path}", work,
        on_conflict)
    return JSONResponse(body, status_code=status,
                        headers={"Idempotent-Replayed": "true"} if replayed else None)


async def answer_once(
    platform: Platform, account_id: int, key: str | None, signature: str, work: Work,
    on_conflict: ApiError,
) -> Answer:
    """Run ``work`` at most once per (account, key); a repeat gets the stored answer.

    A page's form passes its hidden key here as the JSON API passes its
    header. ``on_conflict`` answers when a unique constraint refused the
    change and no stored answer explains it (the same change made by
    another request). A stored refusal comes back as its status and body.
    """
    if key is not None:
        answer = await _stored(platform, account_id, key)
        if answer is not None:
            return _replay(answer, signature)
    try:
        async with platform.db.transaction() as session:
            status, body = await work(session)
            if key is not None:
                session.add(IdempotentAnswer(account_id=account_id, key=key,
                                             request=signature, status=status, body=body))
                await session.flush()
    except ApiError as exc:
        if key is None or exc.status >= 500:
            raise
        # A concurrent request with this key may have won while we waited
        # on its locks (so we saw "already enrolled"): its answer stands.
        answer = await _stored(platform, account_id, key)
        if answer is not None:
            return _replay(answer, signature)
        if not await _remember_refusal(platform, account_id, key, signature, exc):
            answer = await _stored(platform, account_id, key)
            if answer is not None:
                return _replay(answer, signature)
        raise
    except IntegrityError:
        if key is not None:
            answer = await _stored(platform, account_id, key)
            if answer is not None:
                return _replay(answer, signature)
        raise on_conflict from None
    return status, body, False


async def _remember_refusal(platform: Platform, account_id: int, key: str, signature: str,
                            exc: ApiError) -> bool:
    """Store a refusal; False when a concurrent request stored its answer first."""
    body = {"error": {"code": exc.code, "message": exc.message,
                      **({"detail": exc.detail} if exc.detail else {})}}
    try:
        async with platform.db.transaction() as session:
            session.add(IdempotentAnswer(account_id=account_id, key=key, request=signature,
                                         status=exc.status, body=body))
    except IntegrityError:
        return False
    return True
