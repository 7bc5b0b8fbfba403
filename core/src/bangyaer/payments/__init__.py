"""The payments ledger: orders, payments, refunds and invoices; gateways come from plugins."""

from .providers import (
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
    "Checkout",
    "GatewayError",
    "GatewayRefund",
    "GatewayTrade",
    "GatewayUnavailable",
    "InvoiceProvider",
    "InvoiceRequest",
    "InvoiceResult",
    "OrderView",
    "PaymentProvider",
    "RefundView",
    "fen_from_yuan",
    "yuan_from_fen",
]
