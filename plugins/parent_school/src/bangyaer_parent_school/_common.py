"""Small helpers the handlers share."""

from __future__ import annotations

import datetime as dt

from bangyaer.web import ApiError


def parse_time(name: str, raw: str) -> dt.datetime:
    """An ISO 8601 time with its zone (Beijing time says +08:00), as UTC."""
    try:
        value = dt.datetime.fromisoformat(raw)
    except ValueError:
        raise ApiError(422, "invalid_field",
                       f"{name} 应为 ISO 8601 时间，如 2027-03-01T19:00+08:00",
                       detail={"field": name}) from None
    if value.tzinfo is None:
        raise ApiError(422, "invalid_field", f"{name} 须带时区，如 +08:00",
                       detail={"field": name})
    return value.astimezone(dt.UTC)
