"""Storage: one shared MetaData, the async engine, sessions and migrations."""

from ._base import Base, TimestampMixin, metadata, utcnow
from ._engine import Database

__all__ = ["Base", "Database", "TimestampMixin", "metadata", "utcnow"]
