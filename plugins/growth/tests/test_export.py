"""The portfolio export: one JSON document in the documented shape, and one PDF."""

from __future__ import annotations

import io

from bangyaer.certificates import Certificate
from bangyaer.identity import AuditEntry
from pypdf import PdfReader
from sqlalchemy import select


async def test_portfolio_json_has_the_documented_shape(client_for, district, feed, award,
                                                       platform):
    await feed("training.completed", class_name="少儿编程", lessons=8)
    cert_id = await award(award="一等奖", activity="区科技节")
    async with platform.db.session() as session:
        serial = (await session.get(Certificate, cert_id)).serial
    parent = await client_for("parent")

    response = await parent.get(f"/api/v1/growth/students/{district.ids['child_1']}/portfolio")

    document = response.json()
    assert response.status_code == 200
    assert document["format"] == "bangyaer.growth.portfolio/1"
    assert document["student"] == {"id": district.ids["child_1"], "name": "王小明",
                                   "school": "甲小学", "class": "三(1)班"}
    assert document["summary"] == {"activities": 1, "awards": [{"level": "一等奖", "count": 1}],
                                   "training_hours": 8.0}
    by_kind = {r["kind"]: r for r in document["records"]}
    award_record, class_record = by_kind["award"], by_kind["completed"]
    base = platform.settings.base_url
    assert award_record["certificate"] == {
        "serial": serial, "status": "valid", "award": "一等奖", "issued_on": "2026-11-20",
        "verify_url": f"{base}/verify/{serial}",
        "download_url": f"{base}/growth/students/{district.ids['child_1']}"
                        f"/certificates/{cert_id}"}
    assert (class_record["kind"], class_record["hours"], class_record["certificate"]) == (
        "completed", 8.0, None)


async def test_portfolio_pdf_lists_the_records_and_the_certificate_serial(
        client_for, district, feed, award, platform):
    await feed("pioneers.took_part", title="清明祭英烈", category="德育")
    cert_id = await award(award="二等奖", activity="区书画比赛")
    async with platform.db.session() as session:
        serial = (await session.get(Certificate, cert_id)).serial
    parent = await client_for("parent")

    response = await parent.get(f"/growth/students/{district.ids['child_1']}/portfolio.pdf")

    assert response.headers["content-type"] == "application/pdf"
    text = PdfReader(io.BytesIO(response.content)).pages[0].extract_text()
    for expected in ("王小明 成长档案", "清明祭英烈", "区书画比赛 二等奖", serial):
        assert expected in text


async def test_staff_export_is_audited_as_an_export(client_for, district, platform):
    staff = await client_for("staff")

    await staff.get(f"/api/v1/growth/students/{district.ids['child_b']}/portfolio")

    async with platform.db.session() as session:
        actions = list(await session.scalars(select(AuditEntry.action)
                                             .where(AuditEntry.action.like("growth.%"))))
    assert actions == ["growth.record_exported"]


async def test_guardian_cannot_export_another_familys_child(client_for, district):
    parent = await client_for("parent_b")

    response = await parent.get(f"/growth/students/{district.ids['child_1']}/portfolio.pdf")

    assert response.status_code == 403
