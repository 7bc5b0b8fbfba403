"""RSA2 signatures as Alipay's open platform defines them.

A request is signed over its parameters: every non-empty one except
``sign``, sorted by key, joined as ``k=v`` with ``&``, in UTF-8, with
SHA256withRSA (PKCS#1 v1.5), base64. Asynchronous notifications and the
return page's parameters are verified the same way but also leave out
``sign_type``. A gateway answer is verified over the exact JSON text of its
``<method>_response`` member, as it came over the wire, never a re-encoding.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Iterable, Mapping

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

__all__ = [
    "KeyFormatError",
    "load_private_key",
    "load_public_key",
    "public_pem",
    "response_source",
    "sign",
    "sign_content",
    "verify",
]


class KeyFormatError(ValueError):
    """A key text is neither PEM nor the bare base64 Alipay's key tool writes."""


def sign_content(params: Mapping[str, str], exclude: Iterable[str] = ("sign",)) -> str:
    """The text a signature covers: sorted non-empty ``k=v`` pairs joined with ``&``."""
    skip = set(exclude)
    pairs = sorted((k, v) for k, v in params.items() if k not in skip and v not in ("", None))
    return "&".join(f"{k}={v}" for k, v in pairs)


def sign(key: rsa.RSAPrivateKey, content: str) -> str:
    raw = key.sign(content.encode("utf-8"), padding.PKCS1v15(), hashes.SHA256())
    return base64.b64encode(raw).decode("ascii")


def verify(key: rsa.RSAPublicKey, content: str, signature: str) -> bool:
    try:
        raw = base64.b64decode(signature, validate=True)
    except (binascii.Error, ValueError):
        return False
    try:
        key.verify(raw, content.encode("utf-8"), padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature:
        return False
    return True


def _der(text: str) -> bytes:
    body = re.sub(r"\s+", "", text)
    try:
        return base64.b64decode(body, validate=True)
    except (binascii.Error, ValueError):
        raise KeyFormatError("not PEM and not base64") from None


def load_private_key(text: str) -> rsa.RSAPrivateKey:
    """The app's private key: PEM (PKCS#8 or PKCS#1) or the bare base64 of either."""
    data = text.strip()
    try:
        if data.startswith("-----BEGIN"):
            key = serialization.load_pem_private_key(data.encode(), password=None)
        else:
            key = serialization.load_der_private_key(_der(data), password=None)
    except KeyFormatError:
        raise
    except (ValueError, TypeError) as exc:
        raise KeyFormatError(f"not an unencrypted RSA private key ({exc})") from None
    if not isinstance(key, rsa.RSAPrivateKey):
        raise KeyFormatError("not an RSA key; RSA2 needs an RSA key of 2048 bits")
    return key


def load_public_key(text: str) -> rsa.RSAPublicKey:
    """Alipay's public key: PEM (``PUBLIC KEY``) or the bare base64 the console shows."""
    data = text.strip()
    try:
        if data.startswith("-----BEGIN"):
            key = serialization.load_pem_public_key(data.encode())
        else:
            key = serialization.load_der_public_key(_der(data))
    except KeyFormatError:
        raise
    except (ValueError, TypeError) as exc:
        raise KeyFormatError(f"not an RSA public key ({exc})") from None
    if not isinstance(key, rsa.RSAPublicKey):
        raise KeyFormatError("not an RSA key")
    return key


def public_pem(key: rsa.RSAPublicKey) -> str:
    return key.public_bytes(serialization.Encoding.PEM,
                            serialization.PublicFormat.SubjectPublicKeyInfo).decode()


def response_source(body: str, member: str) -> str | None:
    """The exact text of the top-level ``member`` value in the JSON ``body``, if present."""
    try:
        whole = json.loads(body)
    except ValueError:
        return None
    if not isinstance(whole, dict) or member not in whole:
        return None
    decoder = json.JSONDecoder()
    for match in re.finditer(r'"' + re.escape(member) + r'"\s*:\s*', body):
        try:
            value, end = decoder.raw_decode(body, match.end())
        except ValueError:
            continue
        # A nested member of the same name cannot fool us: the value must be
        # the top-level one.
        if value == whole[member]:
            return body[match.end():end]
    return None
