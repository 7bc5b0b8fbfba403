"""Fixtures: a Nuonuo sandbox on loopback, and platforms configured to use it over HTTP."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from typing import Any

import bangyaer_nuonuo.plugin as nuonuo_plugin
import pytest
from bangyaer.payments import InvoiceRequest
from bangyaer.platform import Platform
from bangyaer_nuonuo.sandbox import DEMO_APP, Sandbox, serve
from pypdf import PdfReader

GOODS_CODE = "3070201020000000000"
COMPANY_TAX_NO = "91330106MA2B3C4D5E"  # 18 characters, a 统一社会信用代码's shape


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    with serve(Sandbox()) as running:
        yield running


@pytest.fixture
def nuonuo_settings(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
                    ) -> Callable[..., dict[str, Any]]:
    """[plugins.nuonuo] pointing at the sandbox; the secret through the environment."""
    monkeypatch.setenv("BANGYAER_NUONUO_APP_SECRET", DEMO_APP.app_secret)

    def make(**extra: Any) -> dict[str, Any]:
        return {"app_key": DEMO_APP.app_key, "saler_tax_no": DEMO_APP.tax_no,
                "tax_rate": "0.03", "goods_code": GOODS_CODE, "clerk": "张会计",
                "saler_tel": "0571-88888888", "saler_address": "杭州市上城区少年宫路1号",
                "api_url": f"{sandbox.url}/open/v1/services",
                "token_url": f"{sandbox.url}/accessToken", **extra}

    return make


@pytest.fixture
def nuonuo_platform(make_platform: Callable[..., Any],
                    nuonuo_settings: Callable[..., dict[str, Any]]) -> Callable[..., Any]:
    async def make(**extra: Any) -> Platform:
        platform: Platform = await make_platform(
            plugins=[nuonuo_plugin], plugin_settings={"nuonuo": nuonuo_settings(**extra)})
        return platform

    return make


def _person(request_no: str = "INV0001", amount_fen: int = 9999, **extra: Any
            ) -> InvoiceRequest:
    values: dict[str, Any] = {"request_no": request_no, "order_no": "ORD0001",
                              "buyer_kind": "person", "buyer_name": "王大明",
                              "amount_fen": amount_fen, "item_name": "书法初级班学费"}
    return InvoiceRequest(**{**values, **extra})


def _company(request_no: str = "INV0002", amount_fen: int = 120000, **extra: Any
             ) -> InvoiceRequest:
    values = {"buyer_kind": "company", "buyer_name": "杭州某某科技有限公司",
              "buyer_tax_no": COMPANY_TAX_NO, **extra}
    return _person(request_no, amount_fen, **values)


@pytest.fixture
def person() -> Callable[..., InvoiceRequest]:
    """A personal invoice request (王大明, ¥99.99 unless told otherwise)."""
    return _person


@pytest.fixture
def company() -> Callable[..., InvoiceRequest]:
    """A company invoice request (¥1200.00, tax number of 18 characters)."""
    return _company


@pytest.fixture
def pdf_text() -> Callable[[bytes], str]:
    def read(pdf: bytes) -> str:
        return "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)

    return read
