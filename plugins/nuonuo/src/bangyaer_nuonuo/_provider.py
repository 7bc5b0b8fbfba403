"""The ``InvoiceProvider`` the payments ledger calls: issue, query, download."""

from __future__ import annotations

import datetime as dt
import logging
from typing import TYPE_CHECKING, Any

from bangyaer.payments import GatewayError, GatewayUnavailable, InvoiceRequest, InvoiceResult
from bangyaer.settings import ConfigError

from ._config import PLUGIN_ID, configured
from ._invoice import BILLING, QUERY, billing_content, nuonuo_order_no, parse_result
from ._runtime import runtime

if TYPE_CHECKING:
    from bangyaer.platform import Platform

    from ._client import NuonuoClient

log = logging.getLogger("bangyaer.nuonuo")
DUPLICATE_ORDER = "E9106"  # 订单编号重复: this orderNo was submitted before


class NuonuoInvoices:
    id = PLUGIN_ID
    title_zh = "诺诺电子发票"
    title_en = "Nuonuo e-invoices"

    def available(self, platform: Platform) -> bool:
        if not configured(platform.config(PLUGIN_ID)):
            return False
        try:
            runtime(platform)
        except ConfigError as exc:
            # The family's order page must still let them pay; the operator finds
            # the reason here and in `bangyaer nuonuo check`.
            log.error("nuonuo is misconfigured: %s", exc)
            return False
        return True

    async def issue(self, platform: Platform, request: InvoiceRequest) -> InvoiceResult:
        rt = runtime(platform)
        content = billing_content(rt.config, request, dt.datetime.now(dt.UTC))
        async with rt.client() as client:
            try:
                result = await client.call(BILLING, content)
            except GatewayError as exc:
                if exc.code != DUPLICATE_ORDER:
                    raise
                # A retry after a lost answer: Nuonuo keeps one invoice per orderNo,
                # so the one it already has is this request's.
                log.info("nuonuo orderNo %s was submitted before; using that invoice",
                         request.request_no)
                return await self._by_order(client, nuonuo_order_no(request.request_no))
        serial = result.get("invoiceSerialNum") if isinstance(result, dict) else None
        if not isinstance(serial, str) or not serial:
            raise GatewayUnavailable(f"requestBillingNew answered without a serial: {result!r}")
        return InvoiceResult(serial=serial, status="pending", raw={"invoiceSerialNum": serial})

    async def _by_order(self, client: NuonuoClient, order_no: str) -> InvoiceResult:
        items = await client.call(QUERY, {"orderNos": [order_no], "isOfferInvoiceDetail": "0"})
        if items == []:
            # Nuonuo said the order exists but does not show it yet: ask again later
            # rather than call the invoice lost.
            raise GatewayUnavailable(f"orderNo {order_no} is known but not found yet")
        return self._one(items, order_no)

    async def query(self, platform: Platform, serial: str) -> InvoiceResult:
        async with runtime(platform).client() as client:
            items = await client.call(QUERY, {"serialNos": [serial],
                                              "isOfferInvoiceDetail": "0"})
        return self._one(items, serial)

    def _one(self, items: Any, key: str) -> InvoiceResult:
        if not isinstance(items, list):
            raise GatewayUnavailable(f"queryInvoiceResult answered {items!r}")
        if not items:
            log.warning("nuonuo knows no invoice %s", key)
            raise GatewayError("invoice_not_found", "诺诺平台没有这张发票")
        return parse_result(items[0])

    async def download(self, platform: Platform, result: InvoiceResult) -> bytes:
        if not result.pdf_url:
            raise GatewayError("pdf_unavailable", "发票尚未开具完成，暂无PDF")
        async with runtime(platform).client() as client:
            pdf = await client.get_bytes(result.pdf_url)
        if not pdf.startswith(b"%PDF-"):
            raise GatewayUnavailable(f"{result.pdf_url}: not a PDF")
        return pdf
