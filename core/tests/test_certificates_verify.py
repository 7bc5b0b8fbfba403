"""The public verification page: valid, revoked (with the reason, audited) and unknown."""

from __future__ import annotations

import datetime as dt

import pytest
from bangyaer.certificates import (
    Certificate,
    CertificateError,
    CertificateTemplate,
    issue_certificate,
    mask_name,
    new_serial,
    revoke_certificate,
)
from bangyaer.identity import AuditEntry
from sqlalchemy import select


async def issue(platform, holder_id):
    async with platform.db.transaction() as session:
        cert = await issue_certificate(
            session, platform, holder_id=holder_id, source=("competitions", "award:7"),
            template=CertificateTemplate(issuer="区青少年宫"), award="二等奖",
            activity_title="区书画比赛", issued_on=dt.date(2026, 6, 1))
        return cert.id, cert.serial


@pytest.mark.parametrize(("name", "masked"), [
    pytest.param("王小明", "王*明", id="three"),
    pytest.param("王明", "王*", id="two"),
    pytest.param("欧阳小明", "欧**明", id="four"),
    pytest.param("王", "*", id="one"),
])
def test_holder_name_is_partly_masked(name, masked):
    assert mask_name(name) == masked


async def test_valid_certificate_shows_activity_award_date_issuer_and_masked_name(
        platform, district, client):
    _, serial = await issue(platform, district.ids["child_1"])

    page = await client.get(f"/verify/{serial}")

    assert page.status_code == 200
    for text in ("证书有效", "区书画比赛", "二等奖", "2026-06-01", "区青少年宫", "王*明", serial):
        assert text in page.text
    assert "王小明" not in page.text


async def test_serial_typed_in_lower_case_finds_the_certificate(platform, district, client):
    _, serial = await issue(platform, district.ids["child_1"])

    page = await client.get(f"/verify/{serial.lower()}")

    assert page.status_code == 200 and "证书有效" in page.text


async def test_revoked_certificate_shows_the_reason(platform, district, client):
    cert_id, serial = await issue(platform, district.ids["child_1"])
    async with platform.db.transaction() as session:
        await revoke_certificate(session, None, await session.get(Certificate, cert_id),
                                 "成绩复核后更正")

    page = await client.get(f"/verify/{serial}")

    assert page.status_code == 200
    assert "证书已撤销" in page.text and "成绩复核后更正" in page.text
    assert "证书有效" not in page.text


async def test_revoking_is_audited_with_the_reason(platform, district):
    cert_id, serial = await issue(platform, district.ids["child_1"])
    async with platform.db.transaction() as session:
        await revoke_certificate(session, None, await session.get(Certificate, cert_id),
                                 "重复颁发")

    async with platform.db.session() as session:
        entry = await session.scalar(
            select(AuditEntry).where(AuditEntry.action == "core.certificate_revoked"))
    assert (entry.target_type, entry.target_id, entry.detail) == (
        "certificate", str(cert_id), {"serial": serial, "reason": "重复颁发"})


async def test_revoking_twice_is_refused(platform, district):
    cert_id, serial = await issue(platform, district.ids["child_1"])
    async with platform.db.transaction() as session:
        cert = await session.get(Certificate, cert_id)
        await revoke_certificate(session, None, cert, "重复颁发")
        with pytest.raises(CertificateError, match=f"^certificate {serial} is already revoked$"):
            await revoke_certificate(session, None, cert, "再次撤销")


async def test_revoking_without_a_reason_is_refused(platform, district):
    cert_id, _ = await issue(platform, district.ids["child_1"])
    async with platform.db.transaction() as session:
        with pytest.raises(CertificateError, match=r"^reason: must not be empty$"):
            await revoke_certificate(session, None, await session.get(Certificate, cert_id), "")


@pytest.mark.parametrize("serial", [
    pytest.param(new_serial(2026), id="well-formed-never-issued"),
    pytest.param("BY26-0000-0000-0000-0000-1", id="bad-check-character"),
    pytest.param("nonsense", id="not-a-serial"),
])
async def test_unknown_serial_says_certificate_not_found(platform, district, client, serial):
    await issue(platform, district.ids["child_1"])

    page = await client.get(f"/verify/{serial}")

    assert page.status_code == 404
    assert "未找到该证书" in page.text


async def test_verification_page_needs_no_sign_in_and_sets_no_cookie(platform, district,
                                                                      client):
    _, serial = await issue(platform, district.ids["child_1"])

    page = await client.get(f"/verify/{serial}")

    assert page.status_code == 200 and "set-cookie" not in page.headers


async def test_verification_page_reads_in_english_after_the_switch(platform, district, client):
    _, serial = await issue(platform, district.ids["child_1"])
    await client.get("/lang/en")

    page = await client.get(f"/verify/{serial}")

    assert "This certificate is valid" in page.text and "Date of issue" in page.text
