"""Demo content: a choir, a robotics team and a dance troupe, each recruiting.

Added once: a second run finds the clubs by name.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from bangyaer.db import utcnow
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from .models import Club, Post, Round

CLUBS: list[dict[str, Any]] = [
    {"name": "棒伢儿童声合唱团", "category": "艺术", "year_min": 2, "year_max": 6,
     "leader_name": "王老师", "place": "少年宫三楼音乐厅", "meets": "每周六 9:00–10:30",
     "capacity": 40, "description": "学习童声合唱的发声与和声，每年参加区艺术节展演。",
     "questions": ["孩子以前学过唱歌或乐器吗？", "请写一首孩子喜欢唱的歌"],
     "audition": True,
     "news": ("合唱团招新开始啦", "本学期招收二至六年级新团员，需参加简单试音。")},
    {"name": "少年宫机器人战队", "category": "科技", "year_min": 4, "year_max": 9,
     "leader_name": "刘老师", "place": "科技楼 201 创客教室", "meets": "每周三 16:00–17:30",
     "capacity": 24, "description": "搭建与编程比赛机器人，备战青少年机器人竞赛。",
     "questions": ["孩子为什么想参加机器人战队？"], "audition": False,
     "news": ("战队获区赛一等奖", "在区青少年机器人竞赛中，战队获得初中组一等奖。")},
    {"name": "彩虹舞蹈团", "category": "艺术", "year_min": 1, "year_max": 6,
     "leader_name": "陈老师", "place": "少年宫二楼舞蹈房", "meets": "每周五 16:30–18:00",
     "capacity": 30, "description": "中国舞基本功与少儿舞蹈排练。请穿舞蹈鞋、带水杯。",
     "questions": [], "audition": True,
     "news": ("期末汇报演出", "1 月 10 日下午在少年宫剧场举行期末汇报演出，欢迎家长观看。")},
]


async def add_demo_clubs(session: AsyncSession) -> None:
    existing = set(await session.scalars(select(Club.name)))
    now = utcnow()
    for spec in CLUBS:
        if spec["name"] in existing:
            continue
        fields = {k: v for k, v in spec.items() if k not in ("questions", "audition", "news")}
        club = Club(**fields)
        session.add(club)
        await session.flush()
        session.add(Round(club_id=club.id, title="本学期招新", opens_at=now - dt.timedelta(days=1),
                          closes_at=now + dt.timedelta(days=30), questions=spec["questions"],
                          audition=spec["audition"]))
        title, body = spec["news"]
        session.add(Post(club_id=club.id, title=title, body=body, created_at=now))
    await session.flush()
