"""Durable jobs in the database, run by ``bangyaer worker`` with retries."""

from ._models import Job, JobStatus
from ._queue import enqueue
from ._retry import RetryDelay, backoff
from ._worker import JobContext, JobHandler, PermanentJobError, Worker

__all__ = [
    "Job",
    "JobContext",
    "JobHandler",
    "JobStatus",
    "PermanentJobError",
    "RetryDelay",
    "Worker",
    "backoff",
    "enqueue",
]
