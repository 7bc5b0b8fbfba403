"""X-Nuonuo-Sign, checked against the documented string built independently here."""

from __future__ import annotations

import base64
import hashlib
import hmac

import pytest
from bangyaer_nuonuo._sign import sign, signed_text

ARGS = {"app_key": "SD63236305", "senid": "a" * 32, "nonce": "12345678",
        "timestamp": "1796000000", "body": '{"order":{"buyerName":"王大明"}}'}


def test_the_signed_string_is_the_documented_one():
    assert signed_text("https://sdk.nuonuo.com/open/v1/services", **ARGS) == (
        "a=services&l=v1&p=open&k=SD63236305&i=" + "a" * 32
        + '&n=12345678&t=1796000000&f={"order":{"buyerName":"王大明"}}')


def test_the_signature_is_base64_hmac_sha1_keyed_with_the_secret():
    text = ("a=services&l=v1&p=open&k=SD63236305&i=" + "a" * 32
            + '&n=12345678&t=1796000000&f={"order":{"buyerName":"王大明"}}')
    expected = base64.b64encode(
        hmac.new(b"the-secret", text.encode("utf-8"), hashlib.sha1).digest()).decode()
    assert sign("the-secret", "https://sdk.nuonuo.com/open/v1/services", **ARGS) == expected


def test_a_prefix_in_front_of_the_service_path_does_not_change_the_signature():
    bare = sign("s", "https://sdk.nuonuo.com/open/v1/services", **ARGS)
    assert sign("s", "http://127.0.0.1:8000/nuonuo/_sandbox/open/v1/services", **ARGS) == bare


def test_a_url_without_a_service_path_is_refused():
    with pytest.raises(ValueError, match="service path"):
        signed_text("https://sdk.nuonuo.com/", **ARGS)
