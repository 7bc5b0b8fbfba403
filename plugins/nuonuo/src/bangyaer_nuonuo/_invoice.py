"""The ledger's invoice request as a Nuonuo order, and Nuonuo's answer as an InvoiceResult.

One line per order: the training class's fee, tax included (withTaxFlag 1),
quantity 1. A red invoice (冲红) is the same line negated, with the blue
invoice's code and number; Nuonuo writes the 对应正数发票 remark itself.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Mapping
from typing import Any

from bangyaer.payments import GatewayError, GatewayUnavailable, InvoiceRequest, InvoiceResult

from ._config import NuonuoConfig, valid_tax_no
from ._tax import signed_yuan, split_tax

BILLING = "nuonuo.OpeMplatform.requestBillingNew"
QUERY = "nuonuo.OpeMplatform.queryInvoiceResult"
BEIJING = dt.timezone(dt.timedelta(hours=8))
RED_REASON = "3"  # 服务中止: the class the family paid for will not be given
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_ORDER_NO = re.compile(r"[0-9A-Za-z_-]{1,32}")
_NUONUO_ORDER_NO = re.compile(r"[0-9A-Za-z]{1,20}")  # orderNo: at most 20 characters
_MAX_NAME = 100  # 购方名称 and 地址/电话 are at most 100 characters on the form

# queryInvoiceResult status: 2 开票完成 (final); 20 开票中, 21 开票成功签章中;
# 22 开票失败, 24 开票成功签章失败 (both final: "无需再查询"); 3, 31 作废 (paper only).
ISSUED = frozenset({"2"})
IN_PROGRESS = frozenset({"20", "21"})
FAILED = frozenset({"22", "24", "3", "31"})


def _refuse(code: str, message: str) -> GatewayError:
    return GatewayError(code, message)


def check_request(request: InvoiceRequest) -> None:
    """Refuse what Nuonuo would refuse, before a call that costs quota."""
    amount = request.amount_fen
    if not isinstance(amount, int) or isinstance(amount, bool):
        raise TypeError(f"amount_fen must be int fen, not {type(amount).__name__}")
    if amount <= 0:
        raise _refuse("amount_invalid", "开票金额必须大于0")
    if _ORDER_NO.fullmatch(request.request_no) is None:
        raise _refuse("request_no_invalid", "开票流水号只能由字母、数字、下划线组成，最长32位")
    name = request.buyer_name.strip()
    if not name or len(name) > _MAX_NAME:
        raise _refuse("buyer_name_invalid", "请填写发票抬头（个人姓名或单位名称），最多100个字")
    if request.buyer_kind == "company":
        if not valid_tax_no(request.buyer_tax_no.strip()):
            raise _refuse("buyer_tax_no_invalid",
                          "单位的纳税人识别号应为15、18或20位数字或大写字母")
    elif request.buyer_kind != "person":
        raise _refuse("buyer_kind_invalid", "发票抬头类型应为个人或单位")
    if request.buyer_email and _EMAIL.fullmatch(request.buyer_email.strip()) is None:
        raise _refuse("buyer_email_invalid", "接收发票的邮箱格式不正确")
    if request.red_of is not None and not all(part.strip() for part in request.red_of):
        raise _refuse("red_of_invalid", "冲红需要原蓝票的发票代码和号码")


def nuonuo_order_no(request_no: str) -> str:
    """The orderNo Nuonuo keeps for ``request_no``: itself if it fits, else a digest of it.

    Nuonuo takes at most 20 characters and keeps one invoice per orderNo, so
    the same request must always map to the same orderNo; 19 hex digits of
    SHA-256 (76 bits) keep different requests apart.
    """
    if _NUONUO_ORDER_NO.fullmatch(request_no):
        return request_no
    return "H" + hashlib.sha256(request_no.encode()).hexdigest()[:19].upper()


def _push_mode(email: str, phone: str) -> str:
    # -1 不推送, 0 邮箱, 1 手机, 2 邮箱和手机
    return {(True, True): "2", (True, False): "0", (False, True): "1"}.get(
        (bool(email), bool(phone)), "-1")


def billing_content(config: NuonuoConfig, request: InvoiceRequest, now: dt.datetime
                    ) -> dict[str, Any]:
    check_request(request)
    split = split_tax(request.amount_fen, config.tax_rate)
    sign = -1 if request.red_of is not None else 1
    email, phone = request.buyer_email.strip(), request.buyer_phone.strip()
    company = request.buyer_kind == "company"
    order: dict[str, Any] = {
        "buyerName": request.buyer_name.strip(),
        "buyerTaxNum": request.buyer_tax_no.strip() if company else "",
        "buyerPhone": phone,
        "salerTaxNum": config.saler_tax_no,
        "salerTel": config.saler_tel,
        "salerAddress": config.saler_address,
        "orderNo": nuonuo_order_no(request.request_no),
        "invoiceDate": now.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M:%S"),
        "clerk": config.clerk,
        "pushMode": _push_mode(email, phone),
        "email": email,
        "invoiceType": "1",
        # Not yet: 数电票 (pc/bs) need a 红字确认单 before a red invoice; this is the 电子普票.
        "invoiceLine": "p",
        "invoiceDetail": [{
            "goodsName": request.item_name.strip() or config.goods_name,
            "goodsCode": config.goods_code,
            "withTaxFlag": "1",
            "price": signed_yuan(split.included_fen),
            "num": str(sign),
            "taxRate": config.tax_rate_text,
            "taxIncludedAmount": signed_yuan(sign * split.included_fen),
            "taxExcludedAmount": signed_yuan(sign * split.excluded_fen),
            "tax": signed_yuan(sign * split.tax_fen),
            "invoiceLineProperty": "0",
        }],
    }
    if request.red_of is not None:
        code, number = (part.strip() for part in request.red_of)
        order.update(invoiceType="2", invoiceCode=code, invoiceNum=number,
                     redReason=RED_REASON)
    return {"order": order}


def _flat(item: Mapping[str, Any]) -> dict[str, str]:
    return {str(k): "" if v is None else str(v) for k, v in item.items()
            if not isinstance(v, list | dict)}


def parse_result(item: Mapping[str, Any]) -> InvoiceResult:
    """One entry of queryInvoiceResult's list."""
    status = str(item.get("status", ""))
    serial = str(item.get("serialNo", ""))
    raw = _flat(item)
    if status in ISSUED and item.get("pdfUrl"):
        return InvoiceResult(serial=serial, status="issued",
                             invoice_code=str(item.get("invoiceCode") or ""),
                             invoice_no=str(item.get("invoiceNo") or ""),
                             pdf_url=str(item.get("pdfUrl") or ""), raw=raw)
    if status in IN_PROGRESS or status in ISSUED:  # issued, PDF not signed yet
        return InvoiceResult(serial=serial, status="pending", message=str(
            item.get("statusMsg") or ""), raw=raw)
    if status in FAILED:
        cause = str(item.get("failCause") or item.get("statusMsg") or "")
        return InvoiceResult(serial=serial, status="failed", message=cause, raw=raw)
    raise GatewayUnavailable(f"invoice {serial}: unknown status {status!r}")
