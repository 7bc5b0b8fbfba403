"""Fixtures for the growth tests: the plugin's platform, clients per user, events fed in."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from typing import Any

import bangyaer_growth.plugin
import httpx
import pytest
from bangyaer.certificates import CertificateTemplate, issue_certificate
from bangyaer.events import emit
from bangyaer.platform import Platform
from bangyaer.testing import TinyDistrict, drain

ClientFor = Callable[[str | None], Awaitable[httpx.AsyncClient]]
Feed = Callable[..., Awaitable[int]]


@pytest.fixture
async def platform(make_platform: Any) -> Platform:
    made: Platform = await make_platform(plugins=[bangyaer_growth.plugin])
    return made




@pytest.fixture
def feed(platform: Platform, district: TinyDistrict) -> Feed:
    """Emit one event about a TinyDistrict student (by key) and run the deliveries."""

    async def factory(event_type: str, student: str | None = "child_1", **payload: Any) -> int:
        subject = district.ids[student] if student else None
        async with platform.db.transaction() as session:
            record = await emit(session, event_type, subject_id=subject, **payload)
            event_id = record.id
        await drain(platform)
        return event_id

    return factory


@pytest.fixture
def award(platform: Platform, district: TinyDistrict) -> Callable[..., Awaitable[int]]:
    """Issue a certificate to a student (the event goes to growth) and run the jobs."""

    async def factory(student: str = "child_1", key: str = "award:1", award: str = "一等奖",
                      activity: str = "区科技创新大赛",
                      issued_on: dt.date = dt.date(2026, 11, 20)) -> int:
        async with platform.db.transaction() as session:
            cert = await issue_certificate(
                session, platform, holder_id=district.ids[student],
                source=("competitions", key), template=CertificateTemplate(), award=award,
                activity_title=activity, issued_on=issued_on)
            cert_id = cert.id
        await drain(platform)
        return cert_id

    return factory
