"""The rush: many guardians at once on one class never oversell it."""

from __future__ import annotations

import asyncio
from collections import Counter

from bangyaer.web import create_app
from bangyaer_training.models import SEATED, Enrollment, TrainingClass
from sqlalchemy import func, select


async def test_fifty_concurrent_guardians_fill_ten_seats_exactly(
        platform, district, make_term, make_class, make_families, family_client):
    klass = await make_class(await make_term(), capacity=10)
    families = await make_families(platform, 50, district.ids["district"],
                                   district.paths["school_a"])
    app = create_app(platform=platform)
    clients = [family_client(app, platform.settings.secret_key, a, c) for a, c in families]
    url = f"/api/v1/training/classes/{klass.id}/enrollments"

    responses = await asyncio.gather(*(c.post(url, json={}) for c in clients))

    statuses = Counter(r.status_code for r in responses)
    assert statuses == {201: 10, 409: 40}, [r.text for r in responses if r.status_code >= 500]
    assert {r.json()["error"]["code"] for r in responses if r.status_code == 409} == {
        "class_full"}
    async with platform.db.session() as s:
        assert (await s.get(TrainingClass, klass.id)).taken == 10
        seated = await s.scalar(select(func.count(Enrollment.id)).where(
            Enrollment.class_id == klass.id, Enrollment.state.in_([str(x) for x in SEATED])))
    assert seated == 10
    for c in clients:
        await c.aclose()


async def test_concurrent_retries_with_one_key_take_one_seat(
        platform, district, make_term, make_class, make_families, family_client):
    klass = await make_class(await make_term(), capacity=10)
    [(account, child)] = await make_families(platform, 1, district.ids["district"],
                                             district.paths["school_a"])
    app = create_app(platform=platform)
    client = family_client(app, platform.settings.secret_key, account, child)
    url = f"/api/v1/training/classes/{klass.id}/enrollments"

    responses = await asyncio.gather(*(
        client.post(url, json={}, headers={"Idempotency-Key": "tap-tap-tap"})
        for _ in range(8)))

    assert {r.status_code for r in responses} == {201}
    ids = {r.json()["enrollment"]["id"] for r in responses if r.status_code == 201}
    assert len(ids) == 1
    async with platform.db.session() as s:
        assert (await s.get(TrainingClass, klass.id)).taken == 1
    await client.aclose()
