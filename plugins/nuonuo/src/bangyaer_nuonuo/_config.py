"""Settings: one self-use app (自用型应用) on Nuonuo's open platform, secret from the environment.

``[plugins.nuonuo]`` in bangyaer.toml::

    [plugins.nuonuo]
    app_key = "SD63236305"
    saler_tax_no = "339901999999142"
    tax_rate = "0.03"                 # agreed with the district's accountant
    goods_code = "3070201020000000000" # 税收分类编码, 19 digits
    clerk = "张会计"
    # the app secret comes from BANGYAER_NUONUO_APP_SECRET unless app_secret_env says otherwise
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from bangyaer import SettingSpec
from bangyaer.settings import ConfigError

PLUGIN_ID = "nuonuo"
API_URL = "https://sdk.nuonuo.com/open/v1/services"
TOKEN_URL = "https://open.nuonuo.com/accessToken"
SECRET_ENV = "BANGYAER_NUONUO_APP_SECRET"
# VAT rates a 普通发票 line may carry (财税〔2019〕39号 and the small-scale 征收率).
TAX_RATES = frozenset({"0.01", "0.03", "0.05", "0.06", "0.09", "0.13"})
# Not yet: zero-rate and exempt lines (免税) need zeroRateFlag and favouredPolicyName.
_TAX_NO = re.compile(r"[0-9A-Z]{15}|[0-9A-Z]{18}|[0-9A-Z]{20}")
_GOODS_CODE = re.compile(r"[0-9]{19}")
_WHERE = "[plugins.nuonuo]"
CLERK_MAX = 8  # 开票员 is at most 8 characters on Nuonuo's order


def settings_specs() -> list[SettingSpec]:
    return [
        SettingSpec("app_key", "str", "", help="appKey of the self-use app (应用概况)."),
        SettingSpec("app_secret_env", "str", SECRET_ENV,
                    help="Environment variable that holds the app's appSecret."),
        SettingSpec("saler_tax_no", "str", "", help="The seller's 纳税人识别号 (the district's)."),
        SettingSpec("saler_tel", "str", "", help="Seller telephone printed on the invoice."),
        SettingSpec("saler_address", "str", "", help="Seller address printed on the invoice."),
        # The platform refuses an unknown rate when it loads the settings.
        SettingSpec("tax_rate", "str", "", choices=("", *sorted(TAX_RATES)),
                    help='VAT rate as a decimal string, e.g. "0.03".'),
        SettingSpec("goods_code", "str", "", help="税收分类编码 of the service (19 digits)."),
        SettingSpec("goods_name", "str", "培训费",
                    help="Invoice line name when the order gives none."),
        SettingSpec("clerk", "str", "", help="开票员: the clerk's name as Nuonuo knows it."),
        SettingSpec("api_url", "str", API_URL, help="The open platform's service address."),
        SettingSpec("token_url", "str", TOKEN_URL, help="Where access tokens come from."),
        SettingSpec("http_timeout_seconds", "float", 10.0),
        SettingSpec("sandbox", "bool", False, demo=True,
                    help="Serve the Nuonuo sandbox under /nuonuo/_sandbox and use it. Demos and "
                    "development only: its invoices are not real."),
    ]


@dataclass(frozen=True)
class NuonuoConfig:
    app_key: str
    app_secret: str = field(repr=False)
    saler_tax_no: str
    tax_rate: Decimal
    goods_code: str
    clerk: str
    goods_name: str = "培训费"
    saler_tel: str = ""
    saler_address: str = ""
    api_url: str = API_URL
    token_url: str = TOKEN_URL
    http_timeout_seconds: float = 10.0
    sandbox: bool = False

    @property
    def tax_rate_text(self) -> str:
        return str(self.tax_rate)


def valid_tax_no(value: str) -> bool:
    """纳税人识别号: 15, 18 (统一社会信用代码) or 20 characters of digits and capitals."""
    return _TAX_NO.fullmatch(value) is not None


def parse_tax_rate(text: str) -> Decimal:
    """ "0.03" → Decimal("0.03"); anything but a rate a 普通发票 line may carry is refused."""
    try:
        rate = Decimal(text.strip())
    except InvalidOperation:
        raise ConfigError(f"{_WHERE} tax_rate: expected a decimal string such as \"0.03\", "
                          f"found {text!r}") from None
    if str(rate) not in TAX_RATES:
        raise ConfigError(f"{_WHERE} tax_rate: expected one of {sorted(TAX_RATES)} (the rate "
                          f"agreed with the district's accountant), found {text!r}")
    return rate


def configured(values: Mapping[str, Any]) -> bool:
    """Whether the district set Nuonuo up at all (an installed but unused plugin is fine)."""
    return bool(str(values.get("app_key", "")).strip()) or bool(values.get("sandbox"))


def _required(values: Mapping[str, Any], key: str, what: str) -> str:
    value = str(values.get(key, "")).strip()
    if not value:
        raise ConfigError(f"{_WHERE} {key}: not set; expected {what}")
    return value


def parse_config(values: Mapping[str, Any], environ: Mapping[str, str] | None = None,
                 *, sandbox_credentials: tuple[str, str] | None = None) -> NuonuoConfig:
    """Check the settings (already type-checked by the core) and read the secret.

    ``sandbox_credentials`` stand in for an unset app key and secret when the
    platform runs its own sandbox.
    """
    env = os.environ if environ is None else environ
    app_key = str(values.get("app_key", "")).strip()
    env_name = str(values.get("app_secret_env", "") or SECRET_ENV)
    app_secret = env.get(env_name, "")
    if not app_key and sandbox_credentials is not None:
        app_key, app_secret = sandbox_credentials
    if not app_key:
        raise ConfigError(f"{_WHERE} app_key: not set; expected the appKey shown on the "
                          "open platform's 应用概况 page")
    if not app_secret:
        raise ConfigError(f"{_WHERE} app_secret_env: environment variable {env_name} is not "
                          "set; it must hold the app's appSecret")
    tax_no = _required(values, "saler_tax_no", "the seller's 纳税人识别号")
    if not valid_tax_no(tax_no):
        raise ConfigError(f"{_WHERE} saler_tax_no: expected 15, 18 or 20 digits or capital "
                          f"letters, found {tax_no!r}")
    goods_code = _required(values, "goods_code", "the 19-digit 税收分类编码")
    if _GOODS_CODE.fullmatch(goods_code) is None:
        raise ConfigError(f"{_WHERE} goods_code: expected the 19-digit 税收分类编码, "
                          f"found {goods_code!r}")
    timeout = float(values.get("http_timeout_seconds", 10.0))
    if timeout <= 0:
        raise ConfigError(f"{_WHERE} http_timeout_seconds: expected more than 0, "
                          f"found {timeout!r}")
    clerk = _required(values, "clerk", "the 开票员's name as registered with Nuonuo")
    if len(clerk) > CLERK_MAX:
        raise ConfigError(f"{_WHERE} clerk: Nuonuo takes at most {CLERK_MAX} characters, "
                          f"found {clerk!r}")
    return NuonuoConfig(
        app_key=app_key, app_secret=app_secret, saler_tax_no=tax_no,
        tax_rate=parse_tax_rate(_required(values, "tax_rate", 'a rate such as "0.03"')),
        goods_code=goods_code,
        clerk=clerk,
        goods_name=str(values.get("goods_name") or "培训费").strip(),
        saler_tel=str(values.get("saler_tel", "")).strip(),
        saler_address=str(values.get("saler_address", "")).strip(),
        api_url=str(values.get("api_url") or API_URL).strip(),
        token_url=str(values.get("token_url") or TOKEN_URL).strip(),
        http_timeout_seconds=timeout, sandbox=bool(values.get("sandbox", False)),
    )
