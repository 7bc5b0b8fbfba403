"""Durable jobs in the database, run by ``bangyaer worker`` with retries."""

from ._models import Job, JobStatus
from ._queue import enqueue
from ._worker import JobContext, JobHandler, PermanentJobError, Worker

__all__ = [
    "Job",
    "JobContext",
    "JobHandler",
    "JobStatus",
    "PermanentJobError",
    "Worker",
    "enqueue",
]
