"""Staff revoke a certificate over the API; families cannot; the reason is audited."""

from __future__ import annotations

import datetime as dt

from bangyaer.certificates import CertificateTemplate, issue_certificate
from bangyaer.identity import AuditEntry
from sqlalchemy import select


async def issue(platform, holder_id):
    async with platform.db.transaction() as session:
        cert = await issue_certificate(
            session, platform, holder_id=holder_id, source=("competitions", "award:9"),
            template=CertificateTemplate(issuer="区青少年宫"), award="一等奖",
            activity_title="区科技节", issued_on=dt.date(2026, 5, 1))
        return cert.serial


async def test_staff_revoke_and_the_verification_page_shows_the_reason(
        platform, district, client_for):
    serial = await issue(platform, district.ids["child_1"])
    staff = await client_for("staff")

    response = await staff.post(f"/api/v1/certificates/{serial}/revoke",
                                json={"reason": "作品被查实为代笔"})

    assert response.status_code == 200
    assert response.json() == {"serial": serial, "status": "revoked",
                               "revoked_reason": "作品被查实为代笔"}
    page = await (await client_for(None)).get(f"/verify/{serial}")
    assert "作品被查实为代笔" in page.text
    async with platform.db.session() as session:
        entry = await session.scalar(select(AuditEntry).where(
            AuditEntry.action == "core.certificate_revoked"))
    assert entry is not None and entry.detail["reason"] == "作品被查实为代笔"


async def test_a_guardian_cannot_revoke(platform, district, client_for):
    serial = await issue(platform, district.ids["child_1"])
    parent = await client_for("parent")

    response = await parent.post(f"/api/v1/certificates/{serial}/revoke",
                                 json={"reason": "不想要了"})

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"


async def test_revoking_twice_is_a_conflict(platform, district, client_for):
    serial = await issue(platform, district.ids["child_1"])
    staff = await client_for("staff")
    await staff.post(f"/api/v1/certificates/{serial}/revoke", json={"reason": "错发"})

    again = await staff.post(f"/api/v1/certificates/{serial}/revoke", json={"reason": "错发"})

    assert again.status_code == 409
    assert again.json()["error"] == {"code": "already_revoked", "message": "该证书已被撤销"}


async def test_an_unknown_serial_is_not_found(platform, district, client_for):
    staff = await client_for("staff")

    response = await staff.post("/api/v1/certificates/BY26-0000-0000-0000-0000-0/revoke",
                                json={"reason": "错发"})

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "certificate_not_found"


async def test_a_blank_reason_is_refused_and_nothing_changes(platform, district, client_for):
    serial = await issue(platform, district.ids["child_1"])
    staff = await client_for("staff")

    response = await staff.post(f"/api/v1/certificates/{serial}/revoke", json={"reason": "  "})

    assert response.status_code == 422
    assert response.json()["error"]["code"] == "reason_required"
    page = await (await client_for(None)).get(f"/verify/{serial}")
    assert "证书有效" in page.text
