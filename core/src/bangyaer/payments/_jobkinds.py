"""The ledger's job kinds; the core registers their handlers in builtin.job_handlers."""

EXPIRE_JOB = "core.payments.expire"
CLOSE_JOB = "core.payments.close"
REPAIR_JOB = "core.payments.repair"
REFUND_JOB = "core.payments.refund"
INVOICE_JOB = "core.payments.invoice"

# The staff permission; the core names its permissions "core.<what>".
MANAGE = "core.payments.manage"
