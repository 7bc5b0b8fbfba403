"""requestBillingNew and queryInvoiceResult as the sandbox answers them.

The order is checked the way Nuonuo checks a 普通发票(电票) request: the
seller is the app's merchant, amounts add up to the fen, the tax is within
0.06 yuan of amount × rate, a company's tax number has 15, 18 or 20
characters, and a red invoice names an issued blue one that was not
red-flushed before and carries exactly its amounts, negated.
"""

from __future__ import annotations

import re
import secrets
from decimal import Decimal, InvalidOperation
from typing import Any

from .._tax import signed_yuan
from ._state import INVALID, App, Invoice, SandboxError, SandboxState

_TAX_NO = re.compile(r"[0-9A-Z]{15}|[0-9A-Z]{18}|[0-9A-Z]{20}")
_GOODS_CODE = re.compile(r"[0-9]{19}")
_ORDER_NO = re.compile(r"[0-9A-Za-z]{1,20}")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
RATES = {"0.01", "0.03", "0.05", "0.06", "0.09", "0.13"}
TAX_TOLERANCE_FEN = 6  # 税额允许误差为 0.06
MAX_QUERY = 50


def _fen(detail: dict[str, Any], key: str) -> int:
    text = str(detail.get(key, ""))
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise SandboxError(INVALID, f"{key}[{text}]格式不正确") from None
    if value != value.quantize(Decimal("0.01")):
        raise SandboxError(INVALID, f"{key}[{text}]最多两位小数")
    return int(value * 100)


def _text(order: dict[str, Any], key: str, *, required: bool = False) -> str:
    value = order.get(key, "")
    if not isinstance(value, str):
        raise SandboxError(INVALID, f"{key}应为字符串")
    if required and not value.strip():
        raise SandboxError("0201", f"必填项输入参数空: {key}")
    return value.strip()


def _detail(order: dict[str, Any]) -> dict[str, Any]:
    details = order.get("invoiceDetail")
    if not isinstance(details, list) or not details or not isinstance(details[0], dict):
        raise SandboxError("0201", "必填项输入参数空: invoiceDetail")
    # Not yet: one line per invoice; the platform's orders are one training class each.
    if len(details) != 1:
        raise SandboxError(INVALID, "沙箱只支持单行发票明细")
    return details[0]


def _amounts(detail: dict[str, Any], red: bool) -> tuple[int, int, int, str]:
    rate = _text(detail, "taxRate", required=True)
    if rate not in RATES:
        raise SandboxError(INVALID, f"税率[{rate}]不合法")
    if _GOODS_CODE.fullmatch(_text(detail, "goodsCode", required=True)) is None:
        raise SandboxError(INVALID, "商品编码应为19位税收分类编码")
    _text(detail, "goodsName", required=True)
    if detail.get("withTaxFlag") != "1":
        raise SandboxError(INVALID, "沙箱只接受含税单价（withTaxFlag=1）")
    included = _fen(detail, "taxIncludedAmount")
    excluded = _fen(detail, "taxExcludedAmount")
    tax = _fen(detail, "tax")
    sign = -1 if red else 1
    if sign * included <= 0 or sign * excluded <= 0 or sign * tax < 0:
        raise SandboxError(INVALID, "红票金额应为负数，蓝票金额应为正数")
    if excluded + tax != included:
        raise SandboxError(INVALID, "不含税金额与税额之和不等于含税金额")
    # |excluded × rate − tax| ≤ 0.06 yuan, in exact decimals.
    if abs(Decimal(excluded) * Decimal(rate) - tax) > TAX_TOLERANCE_FEN:
        raise SandboxError(INVALID, "税额与不含税金额×税率相差超过0.06元")
    price, num = _fen(detail, "price"), Decimal(str(detail.get("num", "")) or "0")
    if num != sign or price != sign * included:
        raise SandboxError(INVALID, "单价×数量与含税金额不符")
    return sign * included, sign * excluded, sign * tax, rate


def _buyer(order: dict[str, Any]) -> None:
    _text(order, "buyerName", required=True)
    tax_no = _text(order, "buyerTaxNum")
    if tax_no and _TAX_NO.fullmatch(tax_no) is None:
        raise SandboxError(INVALID,
                           f"购方税号[{tax_no}]格式不正确，应为15、18或20位数字或大写字母")
    push = _text(order, "pushMode") or "-1"
    if push not in {"-1", "0", "1", "2"}:
        raise SandboxError(INVALID, f"推送方式[{push}]不合法")
    if push in {"0", "2"} and _EMAIL.fullmatch(_text(order, "email")) is None:
        raise SandboxError(INVALID, "推送方式为邮箱时，email必填且格式正确")
    if push in {"1", "2"} and not _text(order, "buyerPhone"):
        raise SandboxError(INVALID, "推送方式为手机时，buyerPhone必填")


def _blue_for(state: SandboxState, app: App, order: dict[str, Any]) -> Invoice:
    code = _text(order, "invoiceCode", required=True)
    number = _text(order, "invoiceNum", required=True)
    blue = next((i for i in state.invoices.values()
                 if i.app_key == app.app_key and not i.red and i.invoice_code == code
                 and i.invoice_no == number), None)
    if blue is None:
        raise SandboxError(INVALID, f"对应蓝票[{code}/{number}]不存在")
    if blue.red_serial:
        raise SandboxError(INVALID, f"蓝票[{code}/{number}]已冲红")
    return blue


def request_billing(state: SandboxState, app: App, content: dict[str, Any]) -> dict[str, Any]:
    order = content.get("order")
    if not isinstance(order, dict):
        raise SandboxError("0201", "必填项输入参数空: order")
    order_no = _text(order, "orderNo", required=True)
    if _ORDER_NO.fullmatch(order_no) is None:
        raise SandboxError(INVALID, f"订单号[{order_no}]应为不超过20位的字母或数字")
    _text(order, "invoiceDate", required=True)
    if _text(order, "salerTaxNum", required=True) != app.tax_no:
        raise SandboxError(INVALID, "销方税号与授权商户不一致")
    if len(_text(order, "clerk", required=True)) > 8:
        raise SandboxError(INVALID, "开票员最长8个字符")
    kind = _text(order, "invoiceType") or "1"
    if kind not in {"1", "2"}:
        raise SandboxError(INVALID, f"开票类型[{kind}]不合法")
    red = kind == "2"
    _buyer(order)
    included, excluded, tax, rate = _amounts(_detail(order), red)
    with state.lock:
        if (app.app_key, order_no) in state.by_order:
            raise SandboxError("E9106", f"订单编号[{order_no}]重复")
        blue = _blue_for(state, app, order) if red else None
        if blue is not None:
            if blue.status != "2":
                raise SandboxError(INVALID, "对应蓝票尚未开具完成")
            if (blue.included_fen, blue.excluded_fen, blue.tax_fen) != (included, excluded, tax):
                # Not yet: partial red invoices (部分冲红); a refund red-flushes the whole.
                raise SandboxError(INVALID, "红票金额应与蓝票金额相同")
        fault = state.take(state.issue_faults)
        if fault is not None:
            raise fault
        serial = f"{int(state.now() * 1000)}{secrets.randbelow(10**6):06d}"
        invoice = Invoice(
            serial=serial, order_no=order_no, app_key=app.app_key, order=order,
            included_fen=included, excluded_fen=excluded, tax_fen=tax, tax_rate=rate, red=red,
            created_at=state.now(), queries_left=state.in_progress_queries,
            fail_cause=state.take(state.billing_faults) or "",
        )
        if blue is not None:
            invoice.blue_serial = blue.serial
            blue.red_serial = serial
        state.invoices[serial] = invoice
        state.by_order[(app.app_key, order_no)] = serial
    return {"invoiceSerialNum": serial}


def _view(invoice: Invoice, base_url: str) -> dict[str, Any]:
    sign = -1 if invoice.red else 1
    issued = invoice.status == "2"
    blue_code, blue_no = "", ""
    if invoice.red:
        blue_code = str(invoice.order.get("invoiceCode", ""))
        blue_no = str(invoice.order.get("invoiceNum", ""))
    messages = {"2": "开票完成（最终状态）", "20": "开票中", "22": "开票失败"}
    return {
        "serialNo": invoice.serial, "orderNo": invoice.order_no, "status": invoice.status,
        "statusMsg": messages.get(invoice.status, ""), "failCause": invoice.fail_cause,
        "pdfUrl": f"{base_url}/invoice/{invoice.pdf_key}.pdf" if issued else "",
        "invoiceCode": invoice.invoice_code, "invoiceNo": invoice.invoice_no,
        "invoiceTime": int(invoice.issued_at * 1000) if issued else None,
        "orderAmount": signed_yuan(sign * invoice.included_fen),
        "exTaxAmount": signed_yuan(sign * invoice.excluded_fen),
        "taxAmount": signed_yuan(sign * invoice.tax_fen),
        "payerName": invoice.order.get("buyerName", ""),
        "payerTaxNo": invoice.order.get("buyerTaxNum", ""),
        "salerTaxNum": invoice.order.get("salerTaxNum", ""),
        "invoiceType": "2" if invoice.red else "1", "invoiceKind": "p",
        "oldInvoiceCode": blue_code, "oldInvoiceNo": blue_no,
    }


def query_result(state: SandboxState, app: App, content: dict[str, Any],
                 base_url: str) -> list[dict[str, Any]]:
    serials, orders = content.get("serialNos"), content.get("orderNos")
    if not serials and not orders:
        raise SandboxError("0201", "必填项输入参数空: serialNos或orderNos")
    wanted = serials or orders
    if not isinstance(wanted, list) or not all(isinstance(x, str) for x in wanted):
        raise SandboxError(INVALID, "serialNos/orderNos应为字符串数组")
    if len(wanted) > MAX_QUERY:
        raise SandboxError(INVALID, f"一次最多查询{MAX_QUERY}张")
    found: list[dict[str, Any]] = []
    with state.lock:
        for key in wanted:
            serial = key if serials else state.by_order.get((app.app_key, key), "")
            invoice = state.invoices.get(serial)
            if invoice is None or invoice.app_key != app.app_key:
                continue
            state.progress(invoice)
            found.append(_view(invoice, base_url))
    return found
