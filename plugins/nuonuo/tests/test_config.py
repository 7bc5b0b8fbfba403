"""A misconfigured deployment is refused with the key, what was expected and what was found."""

from __future__ import annotations

from decimal import Decimal

import pytest
from bangyaer.settings import ConfigError
from bangyaer_nuonuo._config import parse_config

SECRET = {"BANGYAER_NUONUO_APP_SECRET": "s3cret"}
GOOD = {"app_key": "SD63236305", "saler_tax_no": "339901999999142", "tax_rate": "0.03",
        "goods_code": "3070201020000000000", "clerk": "张会计"}


def test_a_complete_configuration_is_read_with_the_secret_from_the_environment():
    config = parse_config(GOOD, SECRET)
    assert config.app_secret == "s3cret" and config.tax_rate == Decimal("0.03")
    assert "s3cret" not in repr(config)


def test_the_secret_may_come_from_another_variable():
    config = parse_config({**GOOD, "app_secret_env": "DISTRICT_NUONUO"},
                          {"DISTRICT_NUONUO": "other"})
    assert config.app_secret == "other"


@pytest.mark.parametrize(("change", "environ", "message"), [
    pytest.param({"app_key": ""}, SECRET, r"app_key: not set; expected the appKey", id="key"),
    pytest.param({}, {}, r"environment variable BANGYAER_NUONUO_APP_SECRET is not set",
                 id="secret"),
    pytest.param({"tax_rate": ""}, SECRET, r"tax_rate: not set", id="no-rate"),
    pytest.param({"tax_rate": "3%"}, SECRET, r"tax_rate: expected a decimal string.*'3%'",
                 id="percent"),
    pytest.param({"tax_rate": "0.07"}, SECRET, r"tax_rate: expected one of .*'0.07'",
                 id="unknown-rate"),
    pytest.param({"goods_code": "30702"}, SECRET, r"goods_code: expected the 19-digit",
                 id="goods-code"),
    pytest.param({"saler_tax_no": "12345"}, SECRET, r"saler_tax_no: expected 15, 18 or 20",
                 id="saler"),
    pytest.param({"clerk": " "}, SECRET, r"clerk: not set", id="clerk"),
    pytest.param({"clerk": "区少年宫财务室开票员"}, SECRET, r"clerk: Nuonuo takes at most 8",
                 id="clerk-too-long"),
    pytest.param({"http_timeout_seconds": 0.0}, SECRET, r"http_timeout_seconds: expected more",
                 id="timeout"),
])
def test_a_misconfiguration_names_the_key(change, environ, message):
    with pytest.raises(ConfigError, match=message):
        parse_config({**GOOD, **change}, environ)
