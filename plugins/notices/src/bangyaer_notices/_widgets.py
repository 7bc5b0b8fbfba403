"""The cockpit widget: items published this month and how often they were read.

Reads are counted honestly from notices_read: a signed-in person opening an
item counts once, however often they come back; anonymous reading of public
items is not counted at all, and the widget says so.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from bangyaer import Scope, WidgetData
from bangyaer.db import utcnow
from sqlalchemy import exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from .models import COLUMN_TITLES, Audience, Column, Item, Read, Status

# Not yet: the month follows Asia/Shanghai rather than settings.timezone; the
# dashboard_widgets hook is not handed the platform, and every district is there.
ZONE = ZoneInfo("Asia/Shanghai")


def month_start(now: dt.datetime) -> dt.datetime:
    local = now.astimezone(ZONE)
    return local.replace(day=1, hour=0, minute=0, second=0, microsecond=0).astimezone(dt.UTC)


async def this_month(session: AsyncSession, scope: Scope) -> WidgetData:
    now = utcnow()
    start = month_start(now)
    published = select(Item.column, func.count(Item.id)).where(
        Item.status == Status.published, Item.publish_at >= start, Item.publish_at <= now)
    if scope.kind == "school":
        # A school sees what reached its families: district-wide items and its own.
        published = published.where(or_(
            Item.whole_district.is_(True),
            exists().where(Audience.item_id == Item.id, Audience.school_id == scope.org_id)))
    reads = (select(Item.column, func.count(Read.id)).join(Item, Item.id == Read.item_id)
             .where(Read.read_at >= start,
                    Read.org_path.startswith(scope.org_path, autoescape=True)))
    counts = dict((await session.execute(published.group_by(Item.column))).all())
    read_counts = dict((await session.execute(reads.group_by(Item.column))).all())
    rows = [(COLUMN_TITLES[c][0], int(counts.get(c, 0)), int(read_counts.get(c, 0)))
            for c in Column]
    return WidgetData(
        columns=("栏目", "本月发布", "本月阅读人次（登录用户，每人每条计一次）"), rows=rows,
        note="阅读人次：登录用户每人每条计一次；未登录的阅读不计入",
    )
