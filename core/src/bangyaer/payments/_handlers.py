"""The ledger's job handlers, by kind, for the core's job_handlers hook."""

from __future__ import annotations

from typing import Any

from ._gateway_jobs import run_close, run_expire, run_repair
from ._invoices import run_invoice
from ._jobkinds import CLOSE_JOB, EXPIRE_JOB, INVOICE_JOB, REFUND_JOB, REPAIR_JOB
from ._refunds import run_refund

JOB_HANDLERS: dict[str, Any] = {
    EXPIRE_JOB: run_expire,
    CLOSE_JOB: run_close,
    REPAIR_JOB: run_repair,
    REFUND_JOB: run_refund,
    INVOICE_JOB: run_invoice,
}
