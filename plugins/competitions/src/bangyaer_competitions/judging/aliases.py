"""Review aliases: what a judge is shown instead of the entry code once a 公示 exists.

The 公示 pairs each awarded entry code with a masked name and a school. A
judge given an entry after that (an appeal's re-judging, or any later
extra, reassigned or manual assignment) could look the code up there, so
they see ``复核-<assignment id>`` instead, reach the entry and its copies
only through that alias, and download copies named ``R<assignment id>-<n>``.
Assignment ids say nothing about the entry; the stored copies are the same.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection
from pathlib import PurePosixPath

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ..anonymise import copy_name
from ..results.models import Publication
from .models import Assignment

PREFIX = "复核-"
_ALIAS = re.compile(r"^复核-([1-9][0-9]{0,17})$")


def alias(assignment_id: int) -> str:
    return f"{PREFIX}{assignment_id}"


def parse(handle: str) -> int | None:
    """The assignment id an alias names, or None for anything else (an entry code)."""
    found = _ALIAS.match(handle)
    return int(found.group(1)) if found else None


def file_name(assignment_id: int, position: int, stored_name: str) -> str:
    """A copy's name under an alias: "R<assignment id>-<position><extension>"."""
    return copy_name(f"R{assignment_id}", position, PurePosixPath(stored_name).suffix)


async def first_publications(session: AsyncSession, activity_ids: Collection[int]
                             ) -> dict[int, dt.datetime]:
    """activity id → when its first 公示 (or final publication) was made."""
    out: dict[int, dt.datetime] = {}
    if not activity_ids:
        return out
    rows = await session.execute(select(Publication.activity_id, Publication.published_at)
                                 .where(Publication.activity_id.in_(activity_ids)))
    for activity_id, at in rows:
        if activity_id not in out or at < out[activity_id]:
            out[activity_id] = at
    return out


def is_aliased(assignment: Assignment, published: dt.datetime | None) -> bool:
    """Whether its judge sees an alias: made when a 公示 could name the entry."""
    if assignment.round == "appeal":
        return True
    return published is not None and assignment.assigned_at >= published
