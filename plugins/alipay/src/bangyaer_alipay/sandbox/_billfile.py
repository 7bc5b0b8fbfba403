"""The trade bill (交易账单) as Alipay's bill download serves it.

A zip holding two GBK-encoded CSV files, ``<pid>_<yyyymmdd>_业务明细.csv``
(one line per payment or refund, framed by ``#`` comment lines) and
``…_业务明细(汇总).csv``. Fields carry trailing tabs and spaces, as Alipay's
do, so a parser must strip them.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Iterable

from bangyaer.payments.providers import yuan_from_fen as yuan

from ._state import Trade

DETAIL_COLUMNS = (
    "支付宝交易号", "商户订单号", "业务类型", "商品名称", "创建时间", "完成时间", "门店编号",
    "门店名称", "操作员", "终端号", "对方账户", "订单金额（元）", "商家实收（元）",
    "支付宝红包（元）", "集分宝（元）", "支付宝优惠（元）", "商家优惠（元）", "券核销金额（元）",
    "券名称", "商家红包消费金额（元）", "卡消费金额（元）", "退款批次号/请求号", "服务费（元）",
    "分润（元）", "备注",
)
TIME = "%Y-%m-%d %H:%M:%S"


def _line(values: Iterable[str]) -> str:
    return ",".join(f"{v}\t" for v in values)


def _row(trade: Trade, kind: str, amount_fen: int, at: dt.datetime, request_no: str) -> str:
    sign = "-" if kind == "退款" else ""
    money = f"{sign}{yuan(amount_fen)}"
    fee = f"{sign}{yuan(amount_fen * 6 // 1000)}"  # 0.6% service fee, rounded down
    return _line([
        trade.trade_no, trade.out_trade_no, kind, trade.subject, f"{trade.created:{TIME}}",
        f"{at:{TIME}}", "", "", "", "", trade.buyer_logon_id, money, money, "0.00", "0.00",
        "0.00", "0.00", "0.00", "", "0.00", "0.00", request_no, fee, "0.00", "",
    ])


def bill_zip(seller_id: str, day: dt.date, trades: Iterable[Trade], exported: dt.datetime
             ) -> tuple[str, bytes]:
    """(download file name, zip bytes) of ``day``'s bill."""
    rows: list[str] = []
    paid = refunded = 0
    paid_count = refund_count = 0
    for trade in sorted(trades, key=lambda t: t.trade_no):
        if trade.paid_at is not None and trade.paid_at.date() == day:
            rows.append(_row(trade, "交易", trade.total_fen, trade.paid_at, ""))
            paid, paid_count = paid + trade.total_fen, paid_count + 1
        for refund in trade.refunds.values():
            if refund.at.date() == day:
                rows.append(_row(trade, "退款", refund.amount_fen, refund.at,
                                 refund.out_request_no))
                refunded, refund_count = refunded + refund.amount_fen, refund_count + 1
    stamp = f"{day:%Y%m%d}"
    detail = "\r\n".join([
        "#支付宝交易记录明细查询",
        f"#账号：[{seller_id}0156]",
        f"#起始日期：[{day:%Y年%m月%d日} 00:00:00]   "
        f"终止日期：[{day + dt.timedelta(1):%Y年%m月%d日} 00:00:00]",
        "#" + "-" * 40 + "业务明细列表" + "-" * 40,
        _line(DETAIL_COLUMNS),
        *rows,
        "#" + "-" * 40 + "业务明细列表结束" + "-" * 36,
        f"#交易合计：{paid_count}笔，商家实收共{yuan(paid)}元，商家优惠共0.00元",
        f"#退款合计：{refund_count}笔，商家实收退款共-{yuan(refunded)}元，商家优惠退款共0.00元",
        f"#导出时间：[{exported:%Y年%m月%d日 %H:%M:%S}]",
    ]) + "\r\n"
    summary = "\r\n".join([
        "#支付宝业务汇总查询",
        f"#账号：[{seller_id}0156]",
        _line(("门店编号", "门店名称", "交易订单总笔数", "退款订单总笔数", "订单金额（元）",
               "商家实收（元）")),
        _line(("", "合计", str(paid_count), str(refund_count), yuan(paid - refunded),
               yuan(paid - refunded))),
        f"#导出时间：[{exported:%Y年%m月%d日 %H:%M:%S}]",
    ]) + "\r\n"
    base = f"{seller_id}0156_{stamp}"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"{base}_业务明细.csv", detail.encode("gbk"))
        archive.writestr(f"{base}_业务明细(汇总).csv", summary.encode("gbk"))
    return f"{base}.csv.zip", buffer.getvalue()
