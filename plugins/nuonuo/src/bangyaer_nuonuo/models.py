"""The plugin's one table: the app's access token, shared by every process of a deployment.

Nuonuo gives a self-use app 50 tokens in 30 days; a web process and a worker
that each took their own after every restart would run out in weeks.
"""

from __future__ import annotations

import datetime as dt

from bangyaer.db import Base
from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column


class StoredToken(Base):
    __tablename__ = "nuonuo_token"

    app_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    token: Mapped[str] = mapped_column(String(256))
    expires_at: Mapped[dt.datetime]
