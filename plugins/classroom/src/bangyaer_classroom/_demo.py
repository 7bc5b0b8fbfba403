"""Demo content: a few cloud courses made of text lessons and external-link videos.

An uploaded video needs a real file in the blob store, and a believable one
is far larger than demo data should be; the demo's videos are links, and the
tests upload real media. Added once: a second run finds the courses by title.
"""

from __future__ import annotations

from typing import Any

from bangyaer.db import utcnow
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from .models import Course, Lesson, LessonKind

COURSES: list[dict[str, Any]] = [
    {
        "title": "跟着节气学古诗", "category": "语言文学", "teacher": "区少年宫 陈老师",
        "year_min": 1, "year_max": 6,
        "description": "二十四节气里的古诗词，每课一首，读一读、背一背、画一画。",
        "lessons": [
            ("立春：《春晓》", LessonKind.text,
             "春眠不觉晓，处处闻啼鸟。\n夜来风雨声，花落知多少。\n\n"
             "读一读：找一找诗里写了哪些声音？"),
            ("清明：《清明》朗读", LessonKind.link, "https://www.xuexi.cn/"),
            ("小练习：画出你心中的春天", LessonKind.text,
             "用彩笔画一幅春天的画，请家长拍照留念。"),
        ],
    },
    {
        "title": "少儿编程入门：用积木讲故事", "category": "科技", "teacher": "机器人社 刘老师",
        "year_min": 3, "year_max": 8,
        "description": "用图形化编程做一个会动的小故事，认识顺序、循环和条件。",
        "lessons": [
            ("认识舞台和角色", LessonKind.link, "https://scratch.mit.edu/"),
            ("让角色动起来：循环", LessonKind.text,
             "“重复执行”积木让角色一直走。想一想：怎样让它碰到边缘就回头？"),
        ],
    },
    {
        "title": "居家安全小课堂", "category": "安全教育", "teacher": "区少年宫",
        "year_min": 1, "year_max": 9,
        "description": "用电、用火、防溺水：孩子一个人在家时要记住的几件事。",
        "lessons": [
            ("安全用电", LessonKind.text,
             "不用湿手碰插座；电器冒烟先断电，再告诉大人。"),
            ("防溺水“六不”", LessonKind.text,
             "不私自下水游泳，不擅自与他人结伴游泳，不在无家长带领时游泳……"),
        ],
    },
]


async def add_demo_courses(session: AsyncSession) -> None:
    existing = set(await session.scalars(select(Course.title)))
    for spec in COURSES:
        if spec["title"] in existing:
            continue
        lessons: list[tuple[str, LessonKind, str]] = spec["lessons"]
        fields = {k: v for k, v in spec.items() if k != "lessons"}
        course = Course(published=True, published_at=utcnow(), **fields)
        session.add(course)
        await session.flush()
        for position, (title, kind, content) in enumerate(lessons, start=1):
            link = content if kind == LessonKind.link else ""
            body = "" if kind == LessonKind.link else content
            session.add(Lesson(course_id=course.id, position=position, title=title, kind=kind,
                               external_url=link, body=body))
    await session.flush()
