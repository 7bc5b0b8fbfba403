"""Durable jobs in the database, run by ``bangyaer worker`` with retries."""

from ._models import Job, JobStatus
from ._queue import NewJob, enqueue, enqueue_many
from ._retry import RetryDelay, backoff
from ._worker import JobContext, JobHandler, PermanentJobError, Worker

__all__ = [
    "Job",
    "JobContext",
    "JobHandler",
    "JobStatus",
    "NewJob",
    "PermanentJobError",
    "RetryDelay",
    "Worker",
    "backoff",
    "enqueue",
    "enqueue_many",
]
