"""Believable demo content: badges, activities for the whole district, brigade news."""

from __future__ import annotations

import datetime as dt

from bangyaer.db import utcnow
from bangyaer.identity import Organisation, OrgKind
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from .models import Activity, Badge, Kind, News

BADGES = (
    ("reading", "阅读章", "一学期读完 4 本课外书，并写一篇读后感。"),
    ("volunteer", "志愿服务章", "参加社区或学校志愿服务累计 8 小时。"),
    ("green", "环保章", "坚持垃圾分类打卡 21 天，带动一位家人一起做。"),
    ("sports", "运动章", "每天锻炼一小时，体质测试达到良好。"),
    ("science", "科技章", "完成一项小发明、小制作或科学小实验并展示。"),
    ("etiquette", "礼仪章", "升旗仪式佩戴红领巾、行队礼规范，待人有礼。"),
)
ACTIVITIES = (
    ("我和国旗合个影", Kind.photo,
     "国庆前后，和家人一起在国旗下拍一张照片，上传时请注意不要拍到他人面部。", -3, 14),
    ("红领巾读书月：我最喜欢的一本书", Kind.text,
     "用 200 字左右写写你最喜欢的一本书，说说它为什么打动你。", -1, 20),
    ("垃圾分类 21 天打卡", Kind.checkin,
     "每天在家完成垃圾分类后打卡一次，可以留言记下当天的小发现。", 0, 21),
)


async def add_demo_pioneers(session: AsyncSession, district: Organisation) -> None:
    if await session.scalar(select(Badge.id).where(Badge.code == BADGES[0][0])):
        return
    session.add_all(Badge(code=c, name=n, criteria=t) for c, n, t in BADGES)
    now = utcnow()
    for title, kind, theme, start, days in ACTIVITIES:
        opens = now + dt.timedelta(days=start)
        session.add(Activity(title=title, kind=kind, theme=theme, org_path=district.path,
                             opens_at=opens, closes_at=opens + dt.timedelta(days=days)))
    schools = await session.scalars(select(Organisation).where(
        Organisation.kind == OrgKind.school,
        Organisation.path.startswith(district.path, autoescape=True)))
    for school in schools:
        session.add(News(
            school_id=school.id, title=f"{school.name}大队举行新队员入队仪式",
            body="本周一升旗仪式上，一年级新队员光荣地戴上了红领巾。\n\n"
                 "大队辅导员勉励大家：红领巾是红旗的一角，要时刻记住自己是一名少先队员。",
            published_at=now - dt.timedelta(days=2)))
    await session.flush()
