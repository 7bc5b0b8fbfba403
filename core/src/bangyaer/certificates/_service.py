"""Issuing, finding and revoking certificates."""

from __future__ import annotations

import datetime as dt
import io
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from reportlab.lib.utils import ImageReader
from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from .. import events
from ..db import utcnow
from ..identity import Actor, Person, audit
from ..storage import BlobInfo, BlobRecord, BlobStore
from ._pdf import CertificateText, render_pdf
from ._serial import is_well_formed, new_serial, normalise
from ._template import CertificateTemplate
from .models import Certificate, CertificateStatus

if TYPE_CHECKING:
    from ..platform import Platform

__all__ = [
    "ISSUED_EVENT",
    "CertificateError",
    "find_by_serial",
    "issue_certificate",
    "mask_name",
    "revoke_certificate",
]

log = logging.getLogger("bangyaer.certificates")

ISSUED_EVENT = "core.certificate_issued"
MAX_PDF_BYTES = 20 * 1024 * 1024
MAX_IMAGE_BYTES = 5 * 1024 * 1024
# Parsed seal and background images by SHA-256. Blobs never change under a
# name, so the cache cannot go stale; it spares every certificate of a batch
# decoding the same two images again.
_images: dict[str, ImageReader] = {}
_IMAGE_CACHE_SIZE = 32


class CertificateError(ValueError):
    """A certificate request that cannot be met; the message says why."""


def mask_name(name: str) -> str:
    """王小明 → 王*明, 王明 → 王*, 欧阳小明 → 欧**明: enough to recognise, not to collect."""
    name = name.strip()
    if len(name) <= 1:
        return "*"
    if len(name) == 2:
        return f"{name[0]}*"
    return f"{name[0]}{'*' * (len(name) - 2)}{name[-1]}"


def verify_url(platform: Platform, serial: str) -> str:
    return f"{platform.settings.base_url.rstrip('/')}/verify/{serial}"


def _check_text(label: str, value: str, limit: int) -> str:
    if not isinstance(value, str) or not value.strip():
        raise CertificateError(f"{label}: must not be empty")
    if len(value) > limit:
        raise CertificateError(f"{label}: at most {limit} characters, got {len(value)}")
    return value.strip()


def _check_source(source: tuple[str, object]) -> tuple[str, str]:
    plugin, key = source
    plugin = _check_text("source plugin", plugin, 32)
    return plugin, _check_text("source key", str(key), 64)


async def _image(store: BlobStore, sha256: str | None) -> ImageReader | None:
    if sha256 is None:
        return None
    if sha256 not in _images:
        if await store.size(sha256) > MAX_IMAGE_BYTES:
            raise CertificateError(f"image {sha256}: larger than {MAX_IMAGE_BYTES} bytes")
        data = b"".join([chunk async for chunk in store.open(sha256)])
        if len(_images) >= _IMAGE_CACHE_SIZE:
            _images.pop(next(iter(_images)))
        _images[sha256] = ImageReader(io.BytesIO(data))
    return _images[sha256]


async def _one_chunk(data: bytes) -> AsyncIterator[bytes]:
    yield data


async def find_by_source(session: AsyncSession, plugin: str, key: str) -> Certificate | None:
    found: Certificate | None = await session.scalar(
        select(Certificate).where(Certificate.source_plugin == plugin,
                                  Certificate.source_key == key))
    return found


async def issue_certificate(
    session: AsyncSession,
    platform: Platform,
    *,
    holder_id: int,
    source: tuple[str, object],
    template: CertificateTemplate,
    award: str,
    activity_title: str,
    issued_on: dt.date | None = None,
    batch_id: int | None = None,
) -> Certificate:
    """The certificate for ``source`` (plugin id, key), issued now if it is not yet.

    Idempotent by source: asking again returns the first certificate, even
    with other arguments. The PDF goes to the blob store and the event
    ``core.certificate_issued`` is emitted, both in the caller's transaction.
    """
    plugin, key = _check_source(source)
    award = _check_text("award", award, 100)
    activity_title = _check_text("activity title", activity_title, 200)
    existing = await find_by_source(session, plugin, key)
    if existing is not None:
        return existing
    holder = await session.get(Person, holder_id)
    if holder is None:
        raise CertificateError(f"holder {holder_id}: no such person")
    if issued_on is None:
        issued_on = utcnow().astimezone(ZoneInfo(platform.settings.timezone)).date()

    draft = await prepare(platform, holder, template, award, activity_title, issued_on)
    info = await store_pdf(platform, draft.pdf)
    return await record(session, draft, info, source=(plugin, key), batch_id=batch_id)


@dataclass(frozen=True)
class Draft:
    """A certificate laid out but not yet stored or recorded."""

    holder: Person
    template: CertificateTemplate
    text: CertificateText
    pdf: bytes


async def prepare(platform: Platform, holder: Person, template: CertificateTemplate,
                  award: str, activity_title: str, issued_on: dt.date) -> Draft:
    seal = await _image(platform.blobs, template.seal_sha256)
    background = await _image(platform.blobs, template.background_sha256)
    serial = new_serial(issued_on.year)
    text = CertificateText(holder.name, activity_title, award, issued_on, serial,
                           verify_url(platform, serial))
    return Draft(holder, template, text, render_pdf(template, text, seal=seal,
                                                    background=background))


async def store_pdf(platform: Platform, pdf: bytes) -> BlobInfo:
    """Write the PDF's bytes; separate from recording so a batch writes many at once."""
    if len(pdf) > MAX_PDF_BYTES:
        raise CertificateError(f"certificate PDF is {len(pdf)} bytes; at most {MAX_PDF_BYTES}")
    return await platform.blobs.put(_one_chunk(pdf), max_size=MAX_PDF_BYTES)


async def _record_blob(session: AsyncSession, info: BlobInfo) -> None:
    # save_blob's insert, for bytes already put: the batch stores a chunk's
    # PDFs concurrently (their fsyncs overlap), then records them in order.
    values = {"sha256": info.sha256, "size": info.size, "content_type": "application/pdf",
              "created_at": utcnow()}
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else \
        sqlite.insert
    await session.execute(
        insert(BlobRecord).values(**values).on_conflict_do_nothing(index_elements=["sha256"]))


async def record(session: AsyncSession, draft: Draft, info: BlobInfo, *,
                 source: tuple[str, str], batch_id: int | None = None) -> Certificate:
    """Record a stored certificate and emit its event; the winner if another got there first."""
    plugin, key = source
    text = draft.text
    await _record_blob(session, info)
    certificate = Certificate(
        serial=text.serial, holder_id=draft.holder.id, holder_name=text.name,
        source_plugin=plugin, source_key=key, activity_title=text.activity, award=text.award,
        issuer=draft.template.issuer, issued_on=text.issued_on, pdf_sha256=info.sha256,
        status=CertificateStatus.valid, batch_id=batch_id, created_at=utcnow(),
    )
    try:
        # A savepoint: when a concurrent issue for the same source won the
        # race, only this insert is undone and the winner is returned.
        async with session.begin_nested():
            session.add(certificate)
            await session.flush()
    except IntegrityError:
        winner = await find_by_source(session, plugin, key)
        if winner is None:
            raise
        return winner
    await events.emit(
        session, ISSUED_EVENT, subject_id=draft.holder.id, certificate_id=certificate.id,
        serial=text.serial, award=text.award, activity_title=text.activity,
        source_plugin=plugin, source_key=key, issued_on=text.issued_on.isoformat(),
        url=f"/verify/{text.serial}",
    )
    log.info("certificate %s issued for %s:%s", text.serial, plugin, key)
    return certificate


async def find_by_serial(session: AsyncSession, raw: str) -> Certificate | None:
    """The certificate a typed or scanned serial names; None if there is none."""
    serial = normalise(raw)
    if not is_well_formed(serial):
        return None
    found: Certificate | None = await session.scalar(
        select(Certificate).where(Certificate.serial == serial))
    return found


async def revoke_certificate(
    session: AsyncSession, actor: Actor | None, certificate: Certificate, reason: str,
) -> Certificate:
    """Mark a certificate revoked, with the reason the verification page shows; audited."""
    reason = _check_text("reason", reason, 500)
    if certificate.status == CertificateStatus.revoked:
        raise CertificateError(f"certificate {certificate.serial} is already revoked")
    certificate.status = CertificateStatus.revoked
    certificate.revoked_at = utcnow()
    certificate.revoked_reason = reason
    await audit(session, actor, "core.certificate_revoked", "certificate", certificate.id,
                serial=certificate.serial, reason=reason)
    log.info("certificate %s revoked", certificate.serial)
    return certificate
