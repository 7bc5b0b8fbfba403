"""Issuing a certificate: its PDF says who, what and which serial; issuing is idempotent."""

from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess
from pathlib import Path

import pytest
import zxingcpp
from bangyaer.certificates import (
    ISSUED_EVENT,
    Certificate,
    CertificateError,
    CertificateTemplate,
    is_well_formed,
    issue_certificate,
    new_serial,
)
from bangyaer.events import EventRecord
from PIL import Image
from pypdf import PdfReader
from sqlalchemy import func, select

DAY = dt.date(2026, 11, 20)


async def issue(platform, holder_id, key="award:1", **overrides):
    values = {"template": CertificateTemplate(issuer="区青少年宫"), "award": "一等奖",
              "activity_title": "区科技创新大赛", "issued_on": DAY}
    values.update(overrides)
    async with platform.db.transaction() as session:
        cert = await issue_certificate(session, platform, holder_id=holder_id,
                                       source=("competitions", key), **values)
        session.expunge(cert)
    return cert


def render_page(pdf: Path, stem: Path) -> None:
    subprocess.run(["pdftoppm", "-r", "200", "-png", "-singlefile", str(pdf), str(stem)],
                   check=True, capture_output=True)


async def pdf_bytes(platform, cert: Certificate) -> bytes:
    return b"".join([chunk async for chunk in platform.blobs.open(cert.pdf_sha256)])


async def test_certificate_pdf_names_the_holder_award_and_serial(platform, district):
    cert = await issue(platform, district.ids["child_1"])

    text = PdfReader(io.BytesIO(await pdf_bytes(platform, cert))).pages[0].extract_text()

    assert "王小明" in text
    assert "一等奖" in text
    assert "区科技创新大赛" in text
    assert cert.serial in text
    assert "2026年11月20日" in text


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="needs poppler's pdftoppm")
async def test_certificate_qr_code_points_to_its_verification_page(platform, district,
                                                                   tmp_path: Path):
    cert = await issue(platform, district.ids["child_1"])
    (tmp_path / "cert.pdf").write_bytes(await pdf_bytes(platform, cert))

    # The text font is not embedded (readers bring STSong); poppler without
    # its CJK language pack complains about it, but the QR is vector squares.
    render_page(tmp_path / "cert.pdf", tmp_path / "page")
    found = zxingcpp.read_barcodes(Image.open(tmp_path / "page.png"))

    assert [code.text for code in found] == [
        f"{platform.settings.base_url}/verify/{cert.serial}"]


async def test_certificate_serial_is_well_formed_and_random(platform, district):
    first = await issue(platform, district.ids["child_1"], key="award:1")
    second = await issue(platform, district.ids["child_1"], key="award:2")

    assert is_well_formed(first.serial) and is_well_formed(second.serial)
    assert first.serial.startswith("BY26-")
    assert first.serial != second.serial


async def test_issuing_again_for_the_same_source_returns_the_first_certificate(
        platform, district):
    first = await issue(platform, district.ids["child_1"])
    again = await issue(platform, district.ids["child_1"], award="二等奖")

    async with platform.db.session() as session:
        count = await session.scalar(select(func.count(Certificate.id)))
    assert (again.id, again.serial, again.award, count) == (first.id, first.serial, "一等奖", 1)


async def test_issuing_emits_one_event_about_the_holder(platform, district):
    cert = await issue(platform, district.ids["child_1"])
    await issue(platform, district.ids["child_1"])

    async with platform.db.session() as session:
        rows = list(await session.scalars(
            select(EventRecord).where(EventRecord.type == ISSUED_EVENT)))
    assert [(r.subject_id, r.payload["serial"], r.payload["award"]) for r in rows] == [
        (district.ids["child_1"], cert.serial, "一等奖")]


async def test_issuing_for_a_person_who_does_not_exist_is_refused(platform, district):
    with pytest.raises(CertificateError, match=r"^holder 99999: no such person$"):
        await issue(platform, 99999)


async def test_issuing_without_an_award_is_refused(platform, district):
    with pytest.raises(CertificateError, match=r"^award: must not be empty$"):
        await issue(platform, district.ids["child_1"], award="  ")


def test_template_with_an_unknown_placeholder_is_refused():
    with pytest.raises(ValueError, match=r"only \{name\}, \{activity\}, \{award\} may appear"):
        CertificateTemplate(wording="{name} 在 {school} 获奖")


async def test_seal_image_from_the_blob_store_is_drawn_on_the_certificate(platform, district):
    from bangyaer.storage import save_blob

    png = io.BytesIO()
    Image.new("RGBA", (64, 64), (200, 0, 0, 160)).save(png, "PNG")

    async def chunks():
        yield png.getvalue()

    async with platform.db.transaction() as session:
        seal = await save_blob(session, platform.blobs, chunks(), max_size=10**6,
                               content_type="image/png")
    cert = await issue(platform, district.ids["child_1"],
                       template=CertificateTemplate(seal_sha256=seal.sha256))

    page = PdfReader(io.BytesIO(await pdf_bytes(platform, cert))).pages[0]
    assert len(page.images) == 1




def test_serial_with_one_character_mistyped_is_not_well_formed():
    serial = new_serial(2026)
    position = 6
    wrong = "1" if serial[position] != "1" else "2"

    assert not is_well_formed(serial[:position] + wrong + serial[position + 1:])


def test_serial_carries_eighty_random_bits():
    serial = new_serial(2026)

    assert len(serial.split("-", 1)[1].replace("-", "")) == 17  # 16 × 5 bits + check


def test_template_survives_the_batch_rows_json():
    template = CertificateTemplate(title="结业证书", wording="{name} 完成“{activity}”。",
                                   issuer="区少年宫", seal_sha256="a" * 64)

    assert CertificateTemplate.from_json(template.to_json()) == template


def test_template_with_an_image_that_is_not_a_blob_name_is_refused():
    with pytest.raises(ValueError, match=r"^background_sha256 'seal\.png': expected a blob"):
        CertificateTemplate(background_sha256="seal.png")
