"""What the ledger refuses, with a code for programs and a message for families."""

from __future__ import annotations

__all__ = ["AmountMismatch", "OrderStateError", "PaymentsError", "RefundTooLarge",
           "UnknownOrder"]


class PaymentsError(Exception):
    """A refused ledger operation; ``message`` is zh-CN, ``status`` the HTTP answer."""

    code = "payments_error"
    status = 400

    def __init__(self, message: str, *, code: str | None = None,
                 status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        if status is not None:
            self.status = status


class UnknownOrder(PaymentsError):
    code = "order_not_found"
    status = 404


class AmountMismatch(PaymentsError):
    code = "amount_mismatch"
    status = 409


class OrderStateError(PaymentsError):
    code = "order_state"
    status = 409


class RefundTooLarge(PaymentsError):
    code = "refund_too_large"
    status = 409
