"""Reading Alipay's trade bill: a zip of GBK CSV files, framed by ``#`` comment lines.

Columns are found by their heading, not their position: Alipay's own guide
says the order may change. Fields carry trailing tabs that are stripped.
"""

from __future__ import annotations

import csv
import io
import zipfile

from bangyaer.payments.providers import BilledRefund, GatewayError, GatewayTrade, fen_from_yuan

from ._client import parse_time

DETAIL_SUFFIX = "业务明细.csv"
TRADE_NO, OUT_TRADE_NO, KIND, FINISHED, AMOUNT, REQUEST_NO = (
    "支付宝交易号", "商户订单号", "业务类型", "完成时间", "订单金额（元）", "退款批次号/请求号")


def _name(info: zipfile.ZipInfo) -> str:
    if info.flag_bits & 0x800:
        return info.filename
    # Without the UTF-8 flag zipfile reads names as cp437; Alipay writes them in GBK.
    try:
        return info.filename.encode("cp437").decode("gbk")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return info.filename


def _detail_text(data: bytes) -> str:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise GatewayError("bill_unreadable", "账单文件不是zip压缩包") from None
    with archive:
        for info in archive.infolist():
            if _name(info).endswith(DETAIL_SUFFIX):
                return archive.read(info).decode("gbk")
    raise GatewayError("bill_unreadable", "账单压缩包里没有业务明细文件")


def parse_bill(data: bytes) -> list[GatewayTrade | BilledRefund]:
    """The payments (业务类型 交易) and refunds (退款) of a bill, in its order."""
    lines = [line for line in _detail_text(data).splitlines()
             if line.strip() and not line.startswith("#")]
    rows = [[cell.strip() for cell in row] for row in csv.reader(lines)]
    if not rows:
        return []
    heading, body = rows[0], rows[1:]
    missing = [c for c in (TRADE_NO, OUT_TRADE_NO, KIND, FINISHED, AMOUNT, REQUEST_NO)
               if c not in heading]
    if missing:
        raise GatewayError("bill_unreadable", f"账单缺少列：{'、'.join(missing)}")
    at = {name: heading.index(name) for name in heading}
    out: list[GatewayTrade | BilledRefund] = []
    for row in body:
        kind = row[at[KIND]] if len(row) >= len(heading) else ""
        if kind == "交易":
            out.append(GatewayTrade(
                order_no=row[at[OUT_TRADE_NO]], status="paid", trade_no=row[at[TRADE_NO]],
                amount_fen=_fen(row[at[AMOUNT]]), paid_at=parse_time(row[at[FINISHED]]),
                raw=dict(zip(heading, row, strict=False))))
        elif kind == "退款":
            # Refunds are printed negative; the ledger counts them as positive fen.
            out.append(BilledRefund(
                request_no=row[at[REQUEST_NO]], order_no=row[at[OUT_TRADE_NO]],
                trade_no=row[at[TRADE_NO]], amount_fen=_fen(row[at[AMOUNT]].removeprefix("-")),
                refunded_at=parse_time(row[at[FINISHED]]),
                raw=dict(zip(heading, row, strict=False))))
    return out


def _fen(text: str) -> int:
    try:
        return fen_from_yuan(text)
    except ValueError:
        raise GatewayError("bill_unreadable", f"账单金额不合法：{text!r}") from None
