"""With ``sandbox = true`` (what `bangyaer demo` writes) a demo family pays in the sandbox."""

from __future__ import annotations

from bangyaer_alipay._config import settings_specs
from bangyaer_alipay._runtime import runtime

from .conftest import acknowledged, family_of, new_order, open_cashier, press, until


def test_the_demo_switches_the_sandbox_on():
    [spec] = [s for s in settings_specs() if s.key == "sandbox"]

    assert (spec.default, spec.demo) == (False, True)


async def test_a_demo_family_pays_through_the_mounted_sandbox(make_pay_platform):
    platform = await make_pay_platform({"sandbox": True})
    sandbox = runtime(platform).sandbox
    order_no = await new_order(platform)

    async with family_of(platform) as family:
        cashier = await open_cashier(family, order_no)
        landed = await press(family, cashier, follow=False)
        await until(acknowledged(sandbox, order_no))

    assert str(cashier.url).startswith(f"{platform.url}/alipay/_sandbox/gateway.do?")
    assert "/alipay/_sandbox/static/cashier.css" in cashier.text
    assert landed.headers["location"].startswith(f"{platform.url}/alipay/return?")
    provider = platform.host.collect_by_id("payment_providers")["alipay"]
    # Server-to-server calls reach the same sandbox in-process.
    assert (await provider.query(platform, order_no)).status == "paid"


async def test_the_cashier_stylesheet_is_served_from_the_same_origin(make_pay_platform):
    platform = await make_pay_platform({"sandbox": True})

    async with family_of(platform) as family:
        response = await family.get("/alipay/_sandbox/static/cashier.css")

    assert response.status_code == 200 and "button" in response.text


async def test_without_the_sandbox_setting_the_sandbox_is_not_there(pay_platform, family):
    response = await family.get("/alipay/_sandbox/gateway.do")

    assert response.status_code == 404
