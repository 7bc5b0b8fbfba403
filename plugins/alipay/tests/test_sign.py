"""RSA2 signing and verification, against vectors computed with bare cryptography primitives."""

from __future__ import annotations

import base64

import pytest
from bangyaer_alipay._sign import (
    KeyFormatError,
    load_private_key,
    load_public_key,
    response_source,
    sign,
    sign_content,
    verify,
)
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding

PARAMS = {
    "app_id": "2021004100000001", "method": "alipay.trade.query", "format": "JSON",
    "charset": "utf-8", "sign_type": "RSA2", "timestamp": "2026-12-04 13:30:00",
    "version": "1.0", "notify_url": "", "biz_content": '{"out_trade_no":"P20261204abc"}',
}
# Written out by hand from Alipay's rule: non-empty, sorted, k=v joined by &, sign left out.
EXPECTED = ("app_id=2021004100000001&biz_content={\"out_trade_no\":\"P20261204abc\"}"
            "&charset=utf-8&format=JSON&method=alipay.trade.query&sign_type=RSA2"
            "&timestamp=2026-12-04 13:30:00&version=1.0")


def reference_signature(key, text: str) -> str:
    raw = key.sign(text.encode("utf-8"), padding.PKCS1v15(), hashes.SHA256())
    return base64.b64encode(raw).decode()


def test_the_signed_text_is_the_sorted_non_empty_parameters_without_sign():
    assert sign_content({**PARAMS, "sign": "xyz"}) == EXPECTED


def test_notifications_also_leave_out_sign_type():
    params = {"trade_status": "TRADE_SUCCESS", "sign_type": "RSA2", "sign": "s", "app_id": "1"}

    assert sign_content(params, exclude=("sign", "sign_type")) == \
        "app_id=1&trade_status=TRADE_SUCCESS"


def test_the_signature_is_sha256_with_rsa_pkcs1_v15(app_key):
    # PKCS#1 v1.5 is deterministic: the same key and text give the same bytes.
    assert sign(app_key, EXPECTED) == reference_signature(app_key, EXPECTED)


def test_a_signature_made_elsewhere_verifies(app_key):
    assert verify(app_key.public_key(), EXPECTED, reference_signature(app_key, EXPECTED))


@pytest.mark.parametrize("text, signature", [
    pytest.param(EXPECTED.replace("abc", "abd"), None, id="changed-text"),
    pytest.param(EXPECTED, "bm90IGEgc2lnbmF0dXJl", id="other-bytes"),
    pytest.param(EXPECTED, "%%%not-base64", id="not-base64"),
])
def test_a_wrong_signature_does_not_verify(app_key, text, signature):
    signature = signature or reference_signature(app_key, EXPECTED)

    assert not verify(app_key.public_key(), text, signature)


def test_another_key_does_not_verify(app_key, stranger_key):
    assert not verify(app_key.public_key(), EXPECTED, reference_signature(stranger_key, EXPECTED))


def test_chinese_text_is_signed_as_utf8(app_key):
    text = "subject=2027 春季 书法初级班 学费&total_amount=1200.00"

    assert sign(app_key, text) == reference_signature(app_key, text)


def _pem(key, fmt):
    return key.private_bytes(serialization.Encoding.PEM, fmt,
                             serialization.NoEncryption()).decode()


@pytest.mark.parametrize("form", ["pkcs8-pem", "pkcs1-pem", "pkcs8-bare", "pkcs1-bare"])
def test_private_keys_load_in_every_form_alipay_tools_write(app_key, form):
    fmt = (serialization.PrivateFormat.PKCS8 if form.startswith("pkcs8")
           else serialization.PrivateFormat.TraditionalOpenSSL)
    text = _pem(app_key, fmt)
    if form.endswith("bare"):  # the key tool's one line of base64, no armour
        text = "".join(line for line in text.splitlines() if not line.startswith("-----"))

    loaded = load_private_key(text)

    assert loaded.private_numbers() == app_key.private_numbers()


def test_alipay_public_key_loads_from_the_consoles_bare_base64(app_key):
    der = app_key.public_key().public_bytes(serialization.Encoding.DER,
                                            serialization.PublicFormat.SubjectPublicKeyInfo)

    loaded = load_public_key(base64.b64encode(der).decode())

    assert loaded.public_numbers() == app_key.public_key().public_numbers()


@pytest.mark.parametrize("text", ["", "not a key", "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END"])
def test_garbage_is_not_a_key(text):
    with pytest.raises(KeyFormatError):
        load_private_key(text)
    with pytest.raises(KeyFormatError):
        load_public_key(text)


def test_the_response_text_is_taken_exactly_as_sent():
    inner = '{ "code": "10000", "msg":"Success", "subject": "\\u4e66\\u6cd5" }'
    body = f'{{"alipay_trade_query_response": {inner},"sign":"abc"}}'

    assert response_source(body, "alipay_trade_query_response") == inner


def test_a_nested_member_of_the_same_name_is_not_taken():
    inner = '{"code":"10000","msg":"Success"}'
    decoy = '{"alipay_trade_query_response":{"code":"40004"}}'
    body = f'{{"other":{decoy},"alipay_trade_query_response":{inner},"sign":"s"}}'

    assert response_source(body, "alipay_trade_query_response") == inner


def test_a_missing_member_gives_nothing():
    assert response_source('{"error_response":{"code":"40002"}}',
                           "alipay_trade_query_response") is None
    assert response_source("not json", "alipay_trade_query_response") is None
