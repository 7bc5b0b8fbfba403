"""The sandbox as an ASGI app: Alipay's gateway.do, its cashier and its bill download.

Every call to gateway.do is checked as Alipay checks it: the public
parameters (missing → 40001 isv.missing-*, malformed → 40002 isv.invalid-*),
then the RSA2 signature with the app's public key (40002
isv.invalid-signature). API answers are signed with the sandbox's own key
over the exact ``<method>_response`` text; failures that happen before the
method is known answer ``error_response``, unsigned. ``alipay.trade.wap.pay``
and ``alipay.trade.page.pay`` answer with the cashier page instead.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from bangyaer.payments.providers import fen_from_yuan, yuan_from_fen
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from .._sign import sign, sign_content, verify
from ._billfile import bill_zip
from ._state import BEIJING, WAIT, SandboxError, Trade

if TYPE_CHECKING:
    from . import Sandbox

HERE = Path(__file__).parent
TIME = "%Y-%m-%d %H:%M:%S"
PAGE_METHODS = {"alipay.trade.wap.pay": "QUICK_WAP_WAY",
                "alipay.trade.page.pay": "FAST_INSTANT_TRADE_PAY"}
REQUIRED = ("app_id", "method", "sign_type", "sign", "timestamp", "version")
MISSING = {"app_id": "isv.missing-app-id", "method": "isv.missing-method",
           "sign_type": "isv.missing-signature-type", "sign": "isv.missing-signature",
           "timestamp": "isv.missing-timestamp", "version": "isv.missing-version"}
Handler = Callable[["Sandbox", dict[str, Any], dict[str, str], Request], dict[str, str]]

_templates = Environment(loader=FileSystemLoader(HERE / "templates"),
                         autoescape=select_autoescape(["html"]))


def invalid(sub_code: str, sub_msg: str) -> SandboxError:
    return SandboxError("40002", sub_code, sub_msg)


def _check_public(sandbox: Sandbox, params: dict[str, str]) -> dict[str, Any]:
    for key in REQUIRED:
        if not params.get(key):
            raise SandboxError("40001", MISSING[key], f"缺少{key}参数")
    if params["app_id"] != sandbox.state.app_id:
        raise invalid("isv.invalid-app-id", "无效的AppID参数")
    if params["sign_type"] != "RSA2":
        raise invalid("isv.invalid-signature-type", "无效的签名类型")
    try:
        dt.datetime.strptime(params["timestamp"], TIME)
    except ValueError:
        raise invalid("isv.invalid-timestamp", "非法的时间戳参数") from None
    if params.get("format", "JSON").upper() != "JSON":
        raise invalid("isv.invalid-format", "无效的数据格式")
    if params.get("charset", "utf-8").lower() != "utf-8":
        raise invalid("isv.invalid-charset", "字符集错误")
    if not verify(sandbox.app_public_key, sign_content(params), params["sign"]):
        raise invalid("isv.invalid-signature",
                      "验签出错，建议检查签名字符串或签名私钥与应用公钥是否匹配")
    try:
        biz = json.loads(params.get("biz_content") or "{}")
    except ValueError:
        raise invalid("isv.invalid-parameter", "biz_content不是合法的JSON") from None
    if not isinstance(biz, dict):
        raise invalid("isv.invalid-parameter", "biz_content不是合法的JSON")
    return biz


def _amount(biz: dict[str, Any], key: str) -> int:
    try:
        fen = fen_from_yuan(str(biz.get(key, "")))
    except ValueError:
        raise invalid("isv.invalid-parameter", f"参数{key}不合法") from None
    if not 1 <= fen <= 10_000_000_000:
        raise invalid("isv.invalid-parameter", f"参数{key}超出范围")
    return fen


def _text(biz: dict[str, Any], key: str, limit: int, *, required: bool = True) -> str:
    value = biz.get(key, "")
    if not isinstance(value, str) or (required and not value) or len(value) > limit:
        raise invalid("isv.invalid-parameter", f"参数{key}不合法")
    return value


def _subject(biz: dict[str, Any]) -> str:
    value = _text(biz, "subject", 256)
    if any(c in value for c in "/=&"):  # Alipay's documented rule for the order title
        raise invalid("isv.invalid-parameter", "subject不可使用特殊字符，如 /，=，& 等")
    return value


def _trade_of(sandbox: Sandbox, biz: dict[str, Any]) -> Trade:
    out_no = _text(biz, "out_trade_no", 64, required=False)
    trade_no = _text(biz, "trade_no", 64, required=False)
    if not out_no and not trade_no:
        raise invalid("isv.invalid-parameter", "out_trade_no和trade_no不能同时为空")
    return sandbox.state.find(out_no, trade_no)


def _money(trade: Trade) -> dict[str, str]:
    paid = trade.paid_at is not None
    return {"total_amount": yuan_from_fen(trade.total_fen),
            "receipt_amount": yuan_from_fen(trade.total_fen if paid else 0),
            "buyer_pay_amount": yuan_from_fen(trade.total_fen if paid else 0),
            "invoice_amount": yuan_from_fen(trade.total_fen if paid else 0),
            "point_amount": "0.00"}


def trade_query(sandbox: Sandbox, biz: dict[str, Any], params: dict[str, str],
                request: Request) -> dict[str, str]:
    trade = _trade_of(sandbox, biz)
    body = {"trade_no": trade.trade_no, "out_trade_no": trade.out_trade_no,
            "buyer_logon_id": trade.buyer_logon_id, "trade_status": trade.status,
            "buyer_user_id": trade.buyer_id, **_money(trade)}
    if trade.paid_at is not None:
        body["send_pay_date"] = f"{trade.paid_at:{TIME}}"
    return body


def trade_close(sandbox: Sandbox, biz: dict[str, Any], params: dict[str, str],
                request: Request) -> dict[str, str]:
    trade = _trade_of(sandbox, biz)
    trade = sandbox.state.close(trade.out_trade_no, trade.trade_no)
    return {"trade_no": trade.trade_no, "out_trade_no": trade.out_trade_no}


def trade_refund(sandbox: Sandbox, biz: dict[str, Any], params: dict[str, str],
                 request: Request) -> dict[str, str]:
    trade = _trade_of(sandbox, biz)
    amount = _amount(biz, "refund_amount")
    # Without out_request_no Alipay takes the trade's own number: one full refund.
    request_no = _text(biz, "out_request_no", 64, required=False) or trade.out_trade_no
    reason = _text(biz, "refund_reason", 256, required=False)
    trade, moved = sandbox.state.refund(trade, request_no, amount, reason)
    if moved:
        sandbox.notify_trade(trade)
    refund = trade.refunds[request_no]
    return {"trade_no": trade.trade_no, "out_trade_no": trade.out_trade_no,
            "buyer_logon_id": trade.buyer_logon_id, "fund_change": "Y" if moved else "N",
            "refund_fee": yuan_from_fen(trade.refunded_fen),
            "gmt_refund_pay": f"{refund.at:{TIME}}", "buyer_user_id": trade.buyer_id,
            "send_back_fee": yuan_from_fen(amount)}


def refund_query(sandbox: Sandbox, biz: dict[str, Any], params: dict[str, str],
                 request: Request) -> dict[str, str]:
    trade = _trade_of(sandbox, biz)
    request_no = _text(biz, "out_request_no", 64)
    refund = trade.refunds.get(request_no)
    if refund is None:  # Alipay answers 10000 with no refund: it never got the request
        return {"trade_no": trade.trade_no, "out_trade_no": trade.out_trade_no}
    return {"trade_no": trade.trade_no, "out_trade_no": trade.out_trade_no,
            "out_request_no": request_no, "total_amount": yuan_from_fen(trade.total_fen),
            "refund_amount": yuan_from_fen(refund.amount_fen), "refund_status":
            "REFUND_SUCCESS", "gmt_refund_pay": f"{refund.at:{TIME}}"}


def bill_url(sandbox: Sandbox, biz: dict[str, Any], params: dict[str, str],
             request: Request) -> dict[str, str]:
    if biz.get("bill_type") not in ("trade", "signcustomer"):
        raise invalid("isv.invalid-parameter", "参数bill_type不合法")
    try:
        day = dt.date.fromisoformat(_text(biz, "bill_date", 10))
    except ValueError:
        raise invalid("isv.invalid-parameter", "参数bill_date不合法") from None
    if day >= sandbox.state.now().date():  # a day's bill exists from the next morning
        raise SandboxError("40004", "isp.bill_not_exist", "账单不存在")
    token = sandbox.state.bill_token(day.isoformat(), "")
    base = str(request.url).split("?", 1)[0].rsplit("/", 1)[0]
    return {"bill_download_url": f"{base}/bill?" + urlencode(
        {"bizType": "trade", "fileType": "csv.zip", "bizDates": f"{day:%Y%m%d}",
         "token": token})}


API: dict[str, Handler] = {
    "alipay.trade.query": trade_query,
    "alipay.trade.close": trade_close,
    "alipay.trade.refund": trade_refund,
    "alipay.trade.fastpay.refund.query": refund_query,
    "alipay.data.dataservice.bill.downloadurl.query": bill_url,
}


def _signed(sandbox: Sandbox, member: str, body: dict[str, str]) -> Response:
    text = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
    signature = sign(sandbox.key, text)
    raw = f'{{"{member}":{text},"sign":"{signature}"}}'
    return Response(raw, media_type="application/json;charset=utf-8")


async def _params(request: Request) -> dict[str, str]:
    params = dict(request.query_params)
    if request.method == "POST":
        form = await request.form()
        params.update({k: v for k, v in form.items() if isinstance(v, str)})
    return params


async def gateway(request: Request) -> Response:
    sandbox: Sandbox = request.app.state.sandbox
    params = await _params(request)
    method = params.get("method", "")
    known = method in API or method in PAGE_METHODS
    try:
        biz = _check_public(sandbox, params)
        if not known:
            raise invalid("isv.invalid-method", "不存在的方法名")
    except SandboxError as exc:
        if method in PAGE_METHODS:
            return _page(request, "message.html", {"title": "支付错误", "error": exc},
                         status=400)
        if known:
            return _signed(sandbox, method.replace(".", "_") + "_response", exc.body())
        return JSONResponse({"error_response": exc.body()})
    sandbox.state.calls.append((method, biz))
    if method in PAGE_METHODS:
        return _cashier(sandbox, request, method, biz, params)
    member = method.replace(".", "_") + "_response"
    fault = sandbox.state.take_fault(method)
    if fault is not None and fault.delay:
        await asyncio.sleep(fault.delay)
    try:
        if fault is None or fault.apply:
            body = API[method](sandbox, biz, params, request)
        if fault is not None:
            raise SandboxError(fault.code, fault.sub_code, fault.sub_msg)
    except SandboxError as exc:
        return _signed(sandbox, member, exc.body())
    return _signed(sandbox, member, {"code": "10000", "msg": "Success", **body})


def _page(request: Request, name: str, context: dict[str, Any], status: int = 200
          ) -> Response:
    html = _templates.get_template(name).render(request=request, **context)
    return HTMLResponse(html, status_code=status)


def _cashier(sandbox: Sandbox, request: Request, method: str, biz: dict[str, Any],
             params: dict[str, str]) -> Response:
    try:
        if biz.get("product_code") != PAGE_METHODS[method]:
            raise invalid("isv.invalid-parameter", f"product_code应为{PAGE_METHODS[method]}")
        expire = None
        if biz.get("time_expire"):
            try:
                expire = dt.datetime.strptime(str(biz["time_expire"]), TIME).replace(
                    tzinfo=BEIJING)
            except ValueError:
                raise invalid("isv.invalid-parameter", "参数time_expire不合法") from None
        trade = sandbox.state.open(
            out_trade_no=_text(biz, "out_trade_no", 64), subject=_subject(biz),
            total_fen=_amount(biz, "total_amount"), product_code=biz["product_code"],
            notify_url=params.get("notify_url", ""), return_url=params.get("return_url", ""),
            quit_url=str(biz.get("quit_url", "")), time_expire=expire)
    except SandboxError as exc:
        return _page(request, "message.html", {"title": "支付错误", "error": exc}, status=400)
    if trade.status != WAIT:
        done = "该订单已支付" if trade.paid_at else "该交易已关闭"
        return _page(request, "message.html", {"title": done, "text": done})
    ticket = sandbox.ticket(trade.trade_no, method)
    # Mounted in the platform, the cashier shares its origin and session cookie, so
    # the platform's CSRF check applies to its form; Alipay's own is another origin.
    session = request.scope.get("session") or {}
    return _page(request, "cashier.html", {
        "csrf": session.get("csrf") if isinstance(session, dict) else None,
        "trade": trade, "amount": yuan_from_fen(trade.total_fen), "ticket": ticket,
        "phone": method == "alipay.trade.wap.pay", "merchant": sandbox.merchant_name,
        "expire": f"{trade.time_expire:%m月%d日 %H:%M}" if trade.time_expire else ""})


async def cashier_action(request: Request) -> Response:
    sandbox: Sandbox = request.app.state.sandbox
    form = await request.form()
    found = sandbox.tickets.get(str(form.get("ticket", "")))
    if found is None:
        return _page(request, "message.html", {"title": "收银台已失效",
                                               "text": "请回到商户页面重新发起付款"}, 404)
    trade_no, method = found
    trade = sandbox.state.find(trade_no=trade_no)
    if form.get("action") != "pay":
        if trade.quit_url:
            return RedirectResponse(trade.quit_url, status_code=303)
        return _page(request, "message.html", {"title": "已放弃付款",
                                               "text": "您可以关闭本页，稍后回到商户页面付款"})
    try:
        trade = sandbox.state.pay(trade_no)
    except SandboxError as exc:
        return _page(request, "message.html", {"title": "支付失败", "error": exc}, 409)
    sandbox.notify_trade(trade)
    if not trade.return_url:
        return _page(request, "message.html", {"title": "支付成功", "text": "支付成功"})
    back = sandbox.return_params(trade, method)
    joiner = "&" if "?" in trade.return_url else "?"
    return RedirectResponse(trade.return_url + joiner + urlencode(back), status_code=303)


async def bill_download(request: Request) -> Response:
    sandbox: Sandbox = request.app.state.sandbox
    entry = sandbox.state.bills.get(request.query_params.get("token", ""))
    if entry is None:
        return Response("账单下载地址已失效", status_code=404, media_type="text/plain")
    day = dt.date.fromisoformat(entry[0])
    name, data = bill_zip(sandbox.state.seller_id, day, sandbox.state.all_trades(),
                          sandbox.state.now())
    return Response(data, media_type="application/oct-stream",
                    headers={"Content-Disposition": f"attachment; filename={name}"})


async def inspect(request: Request) -> Response:
    sandbox: Sandbox = request.app.state.sandbox
    return JSONResponse({"trades": [sandbox.describe(t) for t in sandbox.state.all_trades()],
                         "deliveries": len(sandbox.notifier.deliveries)})


async def reset(request: Request) -> Response:
    request.app.state.sandbox.reset()
    return JSONResponse({"ok": True})


def build_app(sandbox: Sandbox) -> Starlette:
    app = Starlette(routes=[
        Route("/gateway.do", gateway, methods=["GET", "POST"]),
        Route("/cashier/pay", cashier_action, methods=["POST"]),
        Route("/bill", bill_download),
        Route("/inspect", inspect),
        Route("/inspect/reset", reset, methods=["POST"]),
        Mount("/static", app=StaticFiles(directory=HERE / "static"), name="static"),
    ])
    app.state.sandbox = sandbox
    return app
