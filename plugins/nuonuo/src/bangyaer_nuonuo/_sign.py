"""X-Nuonuo-Sign: how the open platform authenticates every API call.

The signed string is built from the service path ``/open/v1/services`` read
backwards (a = its last segment, l = the version, p = the one before; behind
a prefix such as the mounted sandbox's only the last three segments count),
then the app key, senid, nonce and timestamp of the query string, and ``f``,
the request body exactly as sent: the body must go out byte for byte as it
was signed, so callers serialise it once and send those bytes. The digest is
HMAC-SHA1 keyed with the appSecret, base64-encoded (Nuonuo's SDKs, MakeSign).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from urllib.parse import urlsplit

__all__ = ["sign", "signed_text"]


def signed_text(path: str, *, app_key: str, senid: str, nonce: str, timestamp: str,
                body: str) -> str:
    pieces = urlsplit(path).path.strip("/").split("/")
    if len(pieces) < 3 or not all(pieces[-3:]):
        raise ValueError(f"not a service path of the open platform: {path!r}")
    prefix, version, action = pieces[-3:]
    return (f"a={action}&l={version}&p={prefix}&k={app_key}&i={senid}"
            f"&n={nonce}&t={timestamp}&f={body}")


def sign(app_secret: str, path: str, *, app_key: str, senid: str, nonce: str,
         timestamp: str, body: str) -> str:
    text = signed_text(path, app_key=app_key, senid=senid, nonce=nonce, timestamp=timestamp,
                       body=body)
    digest = hmac.new(app_secret.encode(), text.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()
