"""The payments ledger: orders, payments, refunds and invoices; gateways come from plugins.

A plugin makes an order with ``create_order`` (many at once with
``create_orders``) and learns what happened to it from the events
``payments.order_paid``, ``payments.order_expired``,
``payments.order_closed`` and ``payments.order_refunded``. Gateway plugins
report paid trades with ``record_payment``. Money is int fen throughout.
"""

from ._errors import AmountMismatch, OrderStateError, PaymentsError, RefundTooLarge, UnknownOrder
from ._gateway_jobs import note_checkout
from ._invoices import request_invoice
from ._jobkinds import CLOSE_JOB, EXPIRE_JOB, INVOICE_JOB, MANAGE, REFUND_JOB, REPAIR_JOB
from ._orders import (
    CLOSED_EVENT,
    EXPIRED_EVENT,
    PAID_EVENT,
    REFUNDED_EVENT,
    NewOrder,
    cancel_order,
    create_order,
    create_orders,
    get_order,
    order_view,
    return_url,
)
from ._reconcile import reconcile
from ._record import PaymentOutcome, record_payment
from ._refunds import request_refund
from ._states import InvoiceStatus, OrderStatus, PaymentStatus, RefundStatus
from .models import Invoice, Order, Payment, Refund
from .providers import (
    BilledRefund,
    Checkout,
    GatewayError,
    GatewayRefund,
    GatewayTrade,
    GatewayUnavailable,
    InvoiceProvider,
    InvoiceRequest,
    InvoiceResult,
    OrderView,
    PaymentProvider,
    RefundView,
    fen_from_yuan,
    yuan_from_fen,
)

__all__ = [
    "CLOSED_EVENT",
    "CLOSE_JOB",
    "EXPIRED_EVENT",
    "EXPIRE_JOB",
    "INVOICE_JOB",
    "MANAGE",
    "PAID_EVENT",
    "REFUNDED_EVENT",
    "REFUND_JOB",
    "REPAIR_JOB",
    "AmountMismatch",
    "BilledRefund",
    "Checkout",
    "GatewayError",
    "GatewayRefund",
    "GatewayTrade",
    "GatewayUnavailable",
    "Invoice",
    "InvoiceProvider",
    "InvoiceRequest",
    "InvoiceResult",
    "InvoiceStatus",
    "NewOrder",
    "Order",
    "OrderStateError",
    "OrderStatus",
    "OrderView",
    "Payment",
    "PaymentOutcome",
    "PaymentProvider",
    "PaymentStatus",
    "PaymentsError",
    "Refund",
    "RefundStatus",
    "RefundTooLarge",
    "RefundView",
    "UnknownOrder",
    "cancel_order",
    "create_order",
    "create_orders",
    "fen_from_yuan",
    "get_order",
    "note_checkout",
    "order_view",
    "reconcile",
    "record_payment",
    "request_invoice",
    "request_refund",
    "return_url",
    "yuan_from_fen",
]
