"""The InvoiceProvider against the sandbox over HTTP: issue, poll, download, red-flush."""

from __future__ import annotations

import json
from dataclasses import replace

import bangyaer_nuonuo.plugin as nuonuo_plugin
import pytest
from bangyaer.payments import GatewayError, GatewayUnavailable, InvoiceProvider
from bangyaer_nuonuo import NuonuoInvoices
from bangyaer_nuonuo._invoice import BILLING, QUERY
from bangyaer_nuonuo.sandbox import Sandbox, serve

provider = NuonuoInvoices()


async def issued(platform, request):
    """Issue ``request`` and poll as the ledger's job does, until it is final."""
    result = await provider.issue(platform, request)
    assert result.status == "pending"
    for _ in range(5):
        result = await provider.query(platform, result.serial)
        if result.status != "pending":
            return result
    raise AssertionError("never issued")


def test_the_provider_is_an_invoice_provider():
    assert isinstance(provider, InvoiceProvider)


async def test_a_personal_invoice_is_issued_polled_and_downloaded(
        sandbox, nuonuo_platform, person, pdf_text):
    platform = await nuonuo_platform()
    first = await provider.issue(platform, person())
    assert (await provider.query(platform, first.serial)).status == "pending"  # 开票中
    result = await provider.query(platform, first.serial)

    assert result.status == "issued"
    assert len(result.invoice_code) == 12 and len(result.invoice_no) == 8
    text = pdf_text(await provider.download(platform, result))
    assert "王大明" in text
    assert "¥99.99" in text  # 价税合计
    assert "¥97.08" in text and "¥2.91" in text  # 金额 and 税额 at 3%
    assert "3%" in text and "书法初级班学费" in text
    assert result.invoice_code in text and result.invoice_no in text
    assert "购买方纳税人识别号：无" in text


async def test_a_company_invoice_carries_the_tax_number(
        sandbox, nuonuo_platform, company, pdf_text):
    platform = await nuonuo_platform(tax_rate="0.06")
    result = await issued(platform, company(buyer_email="caiwu@example.com"))

    assert result.status == "issued"
    text = pdf_text(await provider.download(platform, result))
    assert "杭州某某科技有限公司" in text and "91330106MA2B3C4D5E" in text
    assert "¥1200.00" in text and "¥1132.08" in text and "¥67.92" in text
    order = sandbox.invoice(result.serial).order
    assert (order["pushMode"], order["email"]) == ("0", "caiwu@example.com")


@pytest.mark.parametrize("tax_no", [
    pytest.param("91330106MA2B3C4", id="15"), pytest.param("91330106MA2B3C4D5E", id="18"),
    pytest.param("91330106MA2B3C4D5E12", id="20")])
async def test_tax_numbers_of_15_18_and_20_characters_are_accepted(
        sandbox, nuonuo_platform, company, tax_no):
    platform = await nuonuo_platform()
    assert (await provider.issue(platform, company(buyer_tax_no=tax_no))).status == "pending"


@pytest.mark.parametrize("tax_no", [
    pytest.param("", id="missing"), pytest.param("9133010612345", id="13"),
    pytest.param("91330106MA2B3C4D5", id="17"), pytest.param("91330106ma2b3c4d5e", id="lower"),
    pytest.param("91330106-A2B3C4D5E", id="dash")])
async def test_a_bad_company_tax_number_is_refused_before_any_call(
        sandbox, nuonuo_platform, company, tax_no):
    platform = await nuonuo_platform()
    with pytest.raises(GatewayError, match="纳税人识别号应为15、18或20位") as refused:
        await provider.issue(platform, company(buyer_tax_no=tax_no))
    assert refused.value.code == "buyer_tax_no_invalid"
    assert sandbox.calls == [] and sandbox.token_requests == {}


async def test_a_refusal_by_the_platform_is_a_gateway_error_and_issues_nothing(
        sandbox, nuonuo_platform, company):
    platform = await nuonuo_platform()
    sandbox.refuse_next_issue("E9101", "购方税号[91330106MA2B3C4D5E]不存在")
    with pytest.raises(GatewayError, match="不存在") as refused:
        await provider.issue(platform, company())
    assert refused.value.code == "E9101"
    assert sandbox.invoices() == []


async def test_an_invoice_the_tax_system_rejects_ends_failed_with_the_cause(
        sandbox, nuonuo_platform, person):
    platform = await nuonuo_platform()
    sandbox.fail_next_billing("开票失败：税控设备离线")
    result = await issued(platform, person())
    assert result.status == "failed"
    assert result.message == "开票失败：税控设备离线"
    with pytest.raises(GatewayError, match="尚未开具完成"):
        await provider.download(platform, result)


async def test_a_lost_answer_is_unavailable_and_the_retry_finds_the_same_invoice(
        sandbox, nuonuo_platform, person):
    platform = await nuonuo_platform(http_timeout_seconds=0.3)
    sandbox.delay_next_answer(1.0)
    with pytest.raises(GatewayUnavailable, match="no answer in time"):
        await provider.issue(platform, person())
    [made] = sandbox.invoices()  # Nuonuo did the work; only its answer was lost

    again = await provider.issue(platform, person())
    assert again.serial == made.serial
    assert len(sandbox.invoices()) == 1
    assert [m for m, _ in sandbox.calls] == [BILLING, BILLING, QUERY]
    assert sandbox.calls[1] == (BILLING, "E9106")


async def test_reissuing_the_same_request_no_returns_the_issued_invoice(
        sandbox, nuonuo_platform, person):
    platform = await nuonuo_platform()
    first = await issued(platform, person())
    again = await provider.issue(platform, person())
    assert again.serial == first.serial and again.status == "issued"
    assert (again.invoice_code, again.invoice_no) == (first.invoice_code, first.invoice_no)
    assert len(sandbox.invoices()) == 1


async def test_an_issued_invoice_is_red_flushed_once(sandbox, nuonuo_platform, person,
                                                     pdf_text):
    platform = await nuonuo_platform()
    blue = await issued(platform, person())
    red = await issued(platform, person("INV0001R", red_of=(blue.invoice_code,
                                                            blue.invoice_no)))

    assert red.status == "issued" and red.invoice_no != blue.invoice_no
    assert red.raw["invoiceType"] == "2" and red.raw["orderAmount"] == "-99.99"
    assert (red.raw["oldInvoiceCode"], red.raw["oldInvoiceNo"]) == (blue.invoice_code,
                                                                   blue.invoice_no)
    text = pdf_text(await provider.download(platform, red))
    assert "销项负数" in text and "¥-99.99" in text and "王大明" in text
    assert f"对应正数发票代码:{blue.invoice_code}号码:{blue.invoice_no}" in text

    with pytest.raises(GatewayError, match="已冲红"):
        await provider.issue(platform, person("INV0001R2", red_of=(blue.invoice_code,
                                                                    blue.invoice_no)))


async def test_a_red_invoice_for_an_unknown_blue_one_is_refused(
        sandbox, nuonuo_platform, person):
    platform = await nuonuo_platform()
    with pytest.raises(GatewayError, match=r"对应蓝票.*不存在"):
        await provider.issue(platform, person("INV9R", red_of=("033001900119", "29999999")))


async def test_a_failed_red_invoice_can_be_asked_for_again(sandbox, nuonuo_platform, person):
    platform = await nuonuo_platform()
    blue = await issued(platform, person())
    sandbox.fail_next_billing("开票失败")
    red_of = (blue.invoice_code, blue.invoice_no)
    assert (await issued(platform, person("INV0001R", red_of=red_of))).status == "failed"
    assert (await issued(platform, person("INV0001S", red_of=red_of))).status == "issued"


async def test_the_request_carries_no_float_anywhere(sandbox, nuonuo_platform, person):
    platform = await nuonuo_platform()
    result = await provider.issue(platform, person(amount_fen=1))
    order = sandbox.invoice(result.serial).order

    def leaves(value):
        if isinstance(value, dict):
            for v in value.values():
                yield from leaves(v)
        elif isinstance(value, list):
            for v in value:
                yield from leaves(v)
        else:
            yield value

    assert all(isinstance(v, str) for v in leaves(order)), json.dumps(order)
    line = order["invoiceDetail"][0]
    assert (line["taxIncludedAmount"], line["taxExcludedAmount"], line["tax"]) == (
        "0.01", "0.01", "0.00")


async def test_a_float_amount_is_refused(sandbox, nuonuo_platform, person):
    platform = await nuonuo_platform()
    with pytest.raises(TypeError, match="int fen"):
        await provider.issue(platform, person(amount_fen=99.99))
    assert sandbox.calls == []


async def test_querying_an_unknown_serial_is_a_gateway_error(sandbox, nuonuo_platform):
    platform = await nuonuo_platform()
    with pytest.raises(GatewayError, match="没有这张发票") as refused:
        await provider.query(platform, "17963618903924330")
    assert refused.value.code == "invoice_not_found"


async def test_a_pdf_address_that_no_longer_answers_is_a_gateway_error(
        sandbox, nuonuo_platform, person):
    platform = await nuonuo_platform()
    result = await issued(platform, person())
    gone = replace(result, pdf_url=result.pdf_url.replace(".pdf", "x.pdf"))
    with pytest.raises(GatewayError, match="发票PDF无法下载"):
        await provider.download(platform, gone)


async def test_a_request_number_longer_than_nuonuo_takes_maps_to_one_order_no(
        sandbox, nuonuo_platform, person):
    platform = await nuonuo_platform(http_timeout_seconds=0.3)
    long_no = "I20261204" + "ab12" * 5  # the ledger's 29 characters; Nuonuo takes 20
    sandbox.delay_next_answer(1.0)
    with pytest.raises(GatewayUnavailable):
        await provider.issue(platform, person(long_no))
    again = await provider.issue(platform, person(long_no))

    [made] = sandbox.invoices()
    assert again.serial == made.serial
    assert len(made.order_no) == 20 and made.order_no.isalnum()
    other = await provider.issue(platform, person(long_no[:-1] + "3"))
    assert other.serial != made.serial


async def test_an_invoice_stays_in_progress_until_the_platforms_delay_has_passed(
        make_platform, nuonuo_settings, person):
    slow = Sandbox(in_progress_queries=0, issue_delay=60.0)
    with serve(slow):
        settings = nuonuo_settings(api_url=f"{slow.url}/open/v1/services",
                                   token_url=f"{slow.url}/accessToken")
        platform = await make_platform(plugins=[nuonuo_plugin],
                                       plugin_settings={"nuonuo": settings})
        serial = (await provider.issue(platform, person())).serial
        assert (await provider.query(platform, serial)).status == "pending"
        slow.advance(61)
        assert (await provider.query(platform, serial)).status == "issued"


async def test_a_repeated_order_no_that_cannot_be_found_yet_is_asked_again_later(
        sandbox, nuonuo_platform, person):
    platform = await nuonuo_platform()
    sandbox.refuse_next_issue("E9106", "订单编号重复")
    with pytest.raises(GatewayUnavailable, match="not found yet"):
        await provider.issue(platform, person())
    assert (await provider.issue(platform, person())).status == "pending"
