"""The access token in the database, so that every process of a deployment shares one."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from sqlalchemy import delete

from .models import StoredToken

if TYPE_CHECKING:
    from bangyaer.platform import Platform


class DatabaseTokens:
    """``TokenStore`` on the platform's database; expiry as POSIX seconds."""

    def __init__(self, platform: Platform) -> None:
        self.platform = platform

    async def load(self, app_key: str) -> tuple[str, float] | None:
        async with self.platform.db.session() as session:
            row = await session.get(StoredToken, app_key)
            return None if row is None else (row.token, row.expires_at.timestamp())

    async def save(self, app_key: str, token: str, expires_at: float) -> None:
        # Not yet: two processes that find no token at the same moment each take one;
        # the later one wins here, and both stay valid until they expire.
        async with self.platform.db.transaction() as session:
            row = await session.get(StoredToken, app_key)
            when = dt.datetime.fromtimestamp(expires_at, dt.UTC)
            if row is None:
                session.add(StoredToken(app_key=app_key, token=token, expires_at=when))
            else:
                row.token, row.expires_at = token, when

    async def forget(self, app_key: str, token: str) -> None:
        async with self.platform.db.transaction() as session:
            await session.execute(delete(StoredToken).where(
                StoredToken.app_key == app_key, StoredToken.token == token))
