"""The sandbox's invoice PDF: the fields of a 电子发票（普通发票） on an A5-like page.

Drawn with reportlab's built-in CID font STSong-Light, as the core's
certificates are, so the text reads back with any PDF reader (and pypdf).
It imitates the layout loosely; what matters is that buyer, seller, amounts,
tax and the invoice's code and number are there and right.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
from decimal import Decimal

from reportlab.lib.colors import HexColor
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen.canvas import Canvas

from .._tax import signed_yuan
from ._state import App, Invoice

FONT = "STSong-Light"
PAGE = (595.0, 400.0)
BROWN = HexColor("#8a4b08")
INK = HexColor("#222222")
BEIJING = dt.timezone(dt.timedelta(hours=8))


@functools.cache
def _font() -> str:
    pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    return FONT


def _rate(text: str) -> str:
    """ "0.03" → "3%"."""
    return f"{(Decimal(text) * 100).normalize():f}%"


def render_invoice(invoice: Invoice, app: App, blue: Invoice | None = None) -> bytes:
    font = _font()
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=PAGE, invariant=True)
    canvas.setTitle(f"电子发票 {invoice.invoice_code} {invoice.invoice_no}")
    width, height = PAGE
    order = invoice.order
    sign = -1 if invoice.red else 1
    issued = dt.datetime.fromtimestamp(invoice.issued_at, BEIJING)

    canvas.setFillColor(BROWN)
    canvas.setFont(font, 18)
    canvas.drawCentredString(width / 2, height - 44, "电子发票（普通发票）")
    canvas.setFont(font, 9)
    canvas.drawString(36, height - 24, "诺诺沙箱 · 非真实发票")
    if invoice.red:
        canvas.drawCentredString(width / 2, height - 62, "销项负数")
    canvas.setFillColor(INK)
    lines = [
        f"发票代码：{invoice.invoice_code}",
        f"发票号码：{invoice.invoice_no}",
        f"开票日期：{issued.year}年{issued.month:02d}月{issued.day:02d}日",
        f"订单号：{invoice.order_no}",
    ]
    y = height - 84
    for text in lines:
        canvas.drawRightString(width - 36, y, text)
        y -= 13
    canvas.setFont(font, 10)
    y = height - 150
    parties = [
        f"购买方名称：{order.get('buyerName', '')}",
        f"购买方纳税人识别号：{order.get('buyerTaxNum') or '无'}",
        f"销售方名称：{app.saler_name}",
        f"销售方纳税人识别号：{order.get('salerTaxNum', '')}",
    ]
    for text in parties:
        canvas.drawString(36, y, text)
        y -= 15
    detail = order["invoiceDetail"][0]
    y -= 10
    canvas.setStrokeColor(BROWN)
    canvas.line(36, y + 12, width - 36, y + 12)
    canvas.drawString(36, y, "项目名称")
    canvas.drawString(250, y, "金额")
    canvas.drawString(340, y, "税率")
    canvas.drawString(420, y, "税额")
    y -= 15
    canvas.drawString(36, y, f"*{detail.get('goodsName', '')}*")
    canvas.drawString(250, y, signed_yuan(sign * invoice.excluded_fen))
    canvas.drawString(340, y, _rate(invoice.tax_rate))
    canvas.drawString(420, y, signed_yuan(sign * invoice.tax_fen))
    y -= 22
    canvas.line(36, y + 12, width - 36, y + 12)
    canvas.drawString(36, y, f"合计金额：¥{signed_yuan(sign * invoice.excluded_fen)}")
    canvas.drawString(250, y, f"合计税额：¥{signed_yuan(sign * invoice.tax_fen)}")
    y -= 15
    canvas.drawString(36, y, f"价税合计（小写）：¥{signed_yuan(sign * invoice.included_fen)}")
    y -= 22
    remark = order.get("remark", "")
    if blue is not None:
        remark = f"对应正数发票代码:{blue.invoice_code}号码:{blue.invoice_no}"
    if remark:
        canvas.drawString(36, y, f"备注：{remark}")
    canvas.drawString(36, 30, f"开票人：{order.get('clerk', '')}")
    canvas.showPage()
    canvas.save()
    return out.getvalue()
