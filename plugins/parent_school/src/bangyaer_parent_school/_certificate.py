"""The completion certificate, issued through the core's certificates service.

A seam, kept in one place: where the core offers ``bangyaer.certificates``
the guardian gets a PDF with a serial and a QR code to /verify/<serial>;
where it does not, the completion and its event stand on their own and the
certificate can be issued later from the ``parent_school.course_completed``
event.
"""

from __future__ import annotations

import logging
from importlib.util import find_spec
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession

from ._guardian import PLUGIN

if TYPE_CHECKING:
    from bangyaer.platform import Platform

    from .models import Completion, Course

log = logging.getLogger("bangyaer.parent_school")

AWARD = "结业"
WORDING = "{name} 家长认真学完家长学校“{activity}”课程并通过结业测验，准予结业，特发此证。"


def available() -> bool:
    return find_spec("bangyaer.certificates") is not None


def source_key(completion: Completion) -> str:
    return f"completion:{completion.id}"


async def issue(session: AsyncSession, platform: Platform, course: Course,
                completion: Completion) -> str | None:
    """Issue the certificate in the caller's transaction; its serial (None without the service)."""
    if not available():
        log.info("course %s completed; no certificates service to issue from", course.id)
        return None
    from bangyaer.certificates import CertificateTemplate, issue_certificate

    template = CertificateTemplate(title="结业证书", wording=WORDING, issuer="区家长学校")
    certificate = await issue_certificate(
        session, platform, holder_id=completion.guardian_id,
        source=(PLUGIN, source_key(completion)), template=template, award=AWARD,
        activity_title=course.title)
    return certificate.serial


async def pdf_of(session: AsyncSession, completion: Completion) -> str | None:
    """The SHA-256 of the certificate's PDF in the blob store, if one was issued."""
    if not available() or completion.certificate_serial is None:
        return None
    from bangyaer.certificates import find_by_source

    certificate = await find_by_source(session, PLUGIN, source_key(completion))
    return certificate.pdf_sha256 if certificate else None
