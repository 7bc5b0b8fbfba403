"""Alipay's asynchronous notification (异步通知) and the payer's return (同步返回).

The notification is the only thing that tells the ledger a payment happened
without it asking: it is verified with Alipay's public key over every
parameter but ``sign`` and ``sign_type``, must name our app_id and seller_id,
and is answered with exactly ``success`` once applied, or already applied,
so that Alipay stops redelivering. Anything we refuse is answered ``fail``
and logged; nothing changes. The return page only says where to go next:
the payer's browser can be replayed, so it never marks anything paid.
"""

from __future__ import annotations

import logging

from bangyaer.payments import AmountMismatch, UnknownOrder, record_payment, return_url
from bangyaer.settings import ConfigError
from bangyaer.web import ApiError, api, get_platform
from bangyaer.web import gettext as _
from sqlalchemy.exc import OperationalError
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response

from ._provider import trade_from
from ._runtime import runtime
from ._sign import sign_content, verify

log = logging.getLogger("bangyaer.alipay")
PAID = ("TRADE_SUCCESS", "TRADE_FINISHED")
NOT_PAID = ("WAIT_BUYER_PAY", "TRADE_CLOSED")


def _answer(word: str) -> Response:
    return PlainTextResponse(word)


@api("Alipay's asynchronous notification (异步通知): a signed form post from Alipay; "
     "answers text/plain `success` once applied or already applied, `fail` when refused",
     auth=False, responses={200: "`success` or `fail`, as Alipay's protocol wants"})
async def notify(request: Request) -> Response:
    platform = get_platform(request)
    try:
        config = runtime(platform).config
    except ConfigError as exc:
        log.error("alipay notification refused: %s", exc)
        return _answer("fail")
    if config is None:
        log.warning("alipay notification refused: Alipay is not configured")
        return _answer("fail")
    form = await request.form()
    params = {k: v for k, v in form.items() if isinstance(v, str)}
    out_no, trade_no = params.get("out_trade_no", ""), params.get("trade_no", "")
    signature = params.get("sign", "")
    content = sign_content(params, exclude=("sign", "sign_type"))
    if not signature or not verify(config.alipay_key, content, signature):
        log.warning("alipay notification for %r refused: the signature does not verify",
                    out_no)
        return _answer("fail")
    if params.get("app_id") != config.app_id or params.get("seller_id") != config.seller_id:
        log.warning("alipay notification for %r refused: app_id %r / seller_id %r are not ours",
                    out_no, params.get("app_id"), params.get("seller_id"))
        return _answer("fail")
    status = params.get("trade_status", "")
    if status in NOT_PAID:
        # Nothing to apply: an unpaid trade, or one closed by a close or a full
        # refund the ledger asked for itself and confirms through its own calls.
        log.info("alipay notification %s for %s: %s, nothing to apply", trade_no, out_no,
                 status)
        return _answer("success")
    if status not in PAID:
        log.warning("alipay notification for %r refused: trade_status %r", out_no, status)
        return _answer("fail")
    if not trade_no:
        log.warning("alipay notification for %r refused: no trade_no", out_no)
        return _answer("fail")
    try:
        trade = trade_from(params, out_no)
    except ValueError:
        log.warning("alipay notification for %r refused: total_amount %r", out_no,
                    params.get("total_amount"))
        return _answer("fail")
    try:
        async with platform.db.transaction() as session:
            outcome = await record_payment(session, provider="alipay", trade=trade)
    except (UnknownOrder, AmountMismatch) as exc:
        log.warning("alipay notification %s for %r refused: %s", trade_no, out_no,
                    type(exc).__name__)
        return _answer("fail")
    except OperationalError as exc:
        # A busy database (SQLite's lock wait under a rush) loses nothing: the
        # transaction rolled back and Alipay delivers again when it hears "fail".
        log.warning("alipay notification %s for %r not applied yet: %s", trade_no, out_no,
                    exc.orig if exc.orig is not None else exc)
        return _answer("fail")
    log.info("alipay notification %s for %s: applied=%s duplicate=%s", trade_no, out_no,
             outcome.applied, outcome.duplicate)
    return _answer("success")


async def return_page(request: Request) -> Response:
    platform = get_platform(request)
    config = runtime(platform).config
    params = dict(request.query_params)
    signature = params.get("sign", "")
    content = sign_content(params, exclude=("sign", "sign_type"))
    if (config is None or not signature or params.get("app_id") != config.app_id
            or not verify(config.alipay_key, content, signature)
            or not params.get("out_trade_no")):
        log.warning("alipay return for %r refused: not signed by Alipay for our app",
                    params.get("out_trade_no"))
        raise ApiError(400, "alipay_return_invalid",
                       _("无法确认支付宝返回的信息。付款结果以订单页为准，请从订单页查看。"))
    return RedirectResponse(return_url(platform, params["out_trade_no"]), status_code=303)
