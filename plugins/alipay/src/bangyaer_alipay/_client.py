"""Calls to Alipay's gateway.do: signed requests, verified answers, errors sorted.

Every answer is ``{"<method>_response": {...}, "sign": "..."}`` with ``code``
10000 on success, else ``code``/``msg`` and the business ``sub_code``/
``sub_msg``. ``SYSTEM_ERROR`` sub-codes, code 20000, HTTP errors, timeouts
and answers whose signature does not verify become ``GatewayUnavailable``
(the same call may be repeated: every call here is idempotent); any other
refusal is a ``GatewayError`` carrying the sub_code.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import httpx
from bangyaer.payments.providers import GatewayError, GatewayUnavailable

from ._config import AlipayConfig
from ._sign import response_source, sign, sign_content, verify

log = logging.getLogger("bangyaer.alipay")
BEIJING = ZoneInfo("Asia/Shanghai")
TIME = "%Y-%m-%d %H:%M:%S"
UNAVAILABLE_SUB_CODES = frozenset({"ACQ.SYSTEM_ERROR", "aop.SYSTEM_ERROR", "isp.unknow-error",
                                   "isp.unknown-error"})


def beijing(moment: dt.datetime) -> str:
    """Alipay's time format, in Beijing time, for a timezone-aware moment."""
    return moment.astimezone(BEIJING).strftime(TIME)


def parse_time(text: str) -> dt.datetime | None:
    try:
        return dt.datetime.strptime(text.strip()[:19], TIME).replace(tzinfo=BEIJING)
    except ValueError:
        return None


class AlipayClient:
    def __init__(self, config: AlipayConfig, http: httpx.AsyncClient) -> None:
        self.config = config
        self.http = http

    def signed_params(self, method: str, biz: dict[str, Any], **extra: str) -> dict[str, str]:
        params = {
            "app_id": self.config.app_id, "method": method, "format": "JSON",
            "charset": "utf-8", "sign_type": "RSA2",
            "timestamp": beijing(dt.datetime.now(dt.UTC)), "version": "1.0",
            "biz_content": json.dumps(biz, ensure_ascii=False, separators=(",", ":")),
            **{k: v for k, v in extra.items() if v},
        }
        params["sign"] = sign(self.config.app_key, sign_content(params))
        return params

    def page_url(self, method: str, biz: dict[str, Any], **extra: str) -> str:
        """A signed GET address of the cashier; the payer's browser opens it."""
        return f"{self.config.gateway_url}?{urlencode(self.signed_params(method, biz, **extra))}"

    async def call(self, method: str, biz: dict[str, Any]) -> dict[str, Any]:
        """The verified ``<method>_response`` of a successful call."""
        params = self.signed_params(method, biz)
        # As Alipay's SDKs do: the public parameters (charset among them, which the
        # gateway needs before it can read the body) in the URL, biz_content in the body.
        body = {"biz_content": params.pop("biz_content")}
        try:
            response = await self.http.post(
                self.config.gateway_url, params=params, data=body,
                headers={"Content-Type": "application/x-www-form-urlencoded;charset=utf-8"})
        except httpx.HTTPError as exc:
            log.warning("alipay %s: %s", method, type(exc).__name__)
            raise GatewayUnavailable(f"{method}: {type(exc).__name__}: {exc}") from exc
        if response.status_code >= 400:
            raise GatewayUnavailable(f"{method}: HTTP {response.status_code}")
        return self._answer(method, response.text)

    def _answer(self, method: str, text: str) -> dict[str, Any]:
        member = method.replace(".", "_") + "_response"
        try:
            whole = json.loads(text)
        except ValueError:
            raise GatewayUnavailable(f"{method}: the answer is not JSON") from None
        if not isinstance(whole, dict):
            raise GatewayUnavailable(f"{method}: the answer is not a JSON object")
        source = response_source(text, member)
        if source is None:
            # Refusals before Alipay knew the method come unsigned as error_response;
            # they can only refuse, never report a payment.
            error = whole.get("error_response")
            if isinstance(error, dict):
                raise self._error(method, error)
            raise GatewayUnavailable(f"{method}: the answer has no {member}")
        signature = whole.get("sign")
        if not isinstance(signature, str) or not verify(self.config.alipay_key, source,
                                                        signature):
            log.error("alipay %s: the answer's signature does not verify with the configured "
                      "Alipay public key", method)
            raise GatewayUnavailable(f"{method}: the answer's signature does not verify")
        body = whole[member]
        if not isinstance(body, dict):
            raise GatewayUnavailable(f"{method}: {member} is not an object")
        if body.get("code") != "10000":
            raise self._error(method, body)
        return body

    def _error(self, method: str, body: dict[str, Any]) -> Exception:
        code, sub_code = str(body.get("code", "")), str(body.get("sub_code", ""))
        message = str(body.get("sub_msg") or body.get("msg") or "")
        if code == "20000" or sub_code in UNAVAILABLE_SUB_CODES:
            log.warning("alipay %s: %s %s", method, code, sub_code)
            return GatewayUnavailable(f"{method}: {code} {sub_code}: {message}")
        log.info("alipay %s refused: %s %s", method, code, sub_code)
        return GatewayError(sub_code or code, message)

    async def download(self, url: str) -> bytes:
        try:
            response = await self.http.get(url)
        except httpx.HTTPError as exc:
            raise GatewayUnavailable(f"bill download: {type(exc).__name__}") from exc
        if response.status_code != 200:
            raise GatewayUnavailable(f"bill download: HTTP {response.status_code}")
        return response.content
