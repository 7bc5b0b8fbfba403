"""Completion certificates (结业证书) for courses configured to give one.

Issued by a durable job queued in the completing transaction: rendering a
PDF is too slow for a progress report from a phone, and the job retries on
its own. The core's ``issue_certificate`` is idempotent by source, so a job
that runs twice still leaves one certificate.
"""

from __future__ import annotations

import logging
from typing import Any

from bangyaer.certificates import CertificateTemplate, issue_certificate
from bangyaer.jobs import JobContext, PermanentJobError, enqueue
from sqlalchemy.ext.asyncio import AsyncSession

from .models import Completion, Course

log = logging.getLogger("bangyaer.classroom")

ISSUE_JOB = "classroom.issue_certificate"
TEMPLATE = CertificateTemplate(
    title="结业证书",
    wording="{name} 同学完成了第二课堂课程“{activity}”的全部学习，特发此证，以资鼓励。",
)


async def queue_certificate(session: AsyncSession, completion: Completion) -> None:
    await enqueue(session, ISSUE_JOB, {"completion_id": completion.id},
                  key=f"classroom-certificate:{completion.id}")


async def issue(ctx: JobContext, payload: dict[str, Any]) -> None:
    """Job handler: the certificate for one completion."""
    completion_id = payload.get("completion_id")
    if not isinstance(completion_id, int) or isinstance(completion_id, bool):
        raise PermanentJobError(f"payload {payload!r}: expected an integer 'completion_id'")
    async with ctx.platform.db.transaction() as session:
        completion = await session.get(Completion, completion_id)
        course = await session.get(Course, completion.course_id) if completion else None
        if completion is None or course is None:
            raise PermanentJobError(f"completion {completion_id} does not exist")
        certificate = await issue_certificate(
            session, ctx.platform, holder_id=completion.child_id,
            source=("classroom", f"completion:{completion.id}"), template=TEMPLATE,
            award="结业", activity_title=course.title)
        log.info("certificate %s for completion %s", certificate.serial, completion.id)
