"""What a certificate looks like: the per-activity template plugins hand in."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Any

__all__ = ["CertificateTemplate"]

SHA256 = re.compile(r"^[0-9a-f]{64}$")
PLACEHOLDERS = ("{name}", "{activity}", "{award}")


@dataclass(frozen=True)
class CertificateTemplate:
    """The fixed parts of one activity's certificates.

    ``wording`` may use ``{name}``, ``{activity}`` and ``{award}``; images are
    blobs (PNG or JPEG) already in the blob store, named by their SHA-256.
    """

    title: str = "荣誉证书"
    wording: str = "{name} 同学在“{activity}”中表现优异，特发此证，以资鼓励。"
    issuer: str = "区青少年宫"
    seal_sha256: str | None = None
    background_sha256: str | None = None

    def __post_init__(self) -> None:
        if not self.title.strip() or len(self.title) > 40:
            raise ValueError(f"certificate title {self.title!r}: expected 1 to 40 characters")
        if not self.issuer.strip() or len(self.issuer) > 200:
            raise ValueError(f"issuer {self.issuer!r}: expected 1 to 200 characters")
        if len(self.wording) > 400:
            raise ValueError(f"wording is {len(self.wording)} characters; at most 400 fit")
        try:
            self.wording.format(name="", activity="", award="")
        except (KeyError, IndexError, ValueError) as exc:
            raise ValueError(f"wording {self.wording!r}: only {', '.join(PLACEHOLDERS)} may "
                             f"appear in braces ({exc!r})") from None
        for label, value in (("seal_sha256", self.seal_sha256),
                             ("background_sha256", self.background_sha256)):
            if value is not None and not SHA256.match(value):
                raise ValueError(f"{label} {value!r}: expected a blob's SHA-256 (64 hex digits)")

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> CertificateTemplate:
        return cls(**data)
