"""Believable demo content: a course per school stage with its quiz, and two lectures."""

from __future__ import annotations

import datetime as dt

from bangyaer.db import utcnow
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from .models import Course, Lecture, Lesson, LessonKind, Question

Q = tuple[str, tuple[str, ...], tuple[int, ...]]

COURSES: tuple[tuple[str, str, str, str, tuple[tuple[str, str], ...], tuple[Q, ...]], ...] = (
    ("K-01", "kindergarten", "幼小衔接：帮孩子做好入学准备",
     "从作息、自理和专注力三方面，陪孩子从幼儿园平稳走进小学。",
     (("调整作息，从早睡早起开始",
       "入学前一个月，每天提前 10 分钟起床，晚上 **20:30** 前上床。\n\n"
       "固定的作息让孩子早上有精神，上课不犯困。"),
      ("自己的事情自己做",
       "让孩子自己整理书包、系鞋带、收玩具。\n\n家长少替代、多鼓励，做得慢也别催。")),
     (("入学前调整作息，最合适的做法是：",
       ("开学前一天再调", "提前一个月逐步调整", "不用调整"), (1,)),
      ("哪些是培养自理能力的好办法？（多选）",
       ("让孩子自己整理书包", "家长全部代劳", "孩子做得慢时耐心等待"), (0, 2)))),
    ("P-01", "primary", "陪孩子写作业，不吼不叫",
     "作业时间是亲子关系的试金石。本课讲如何定规矩、给支持、少唠叨。",
     (("先定规矩：时间、地点、顺序",
       "和孩子一起商量作业时间表，贴在书桌前。\n\n约定好的事，家长也要遵守。"),
      ("孩子拖拉怎么办",
       "把作业拆成 20 分钟一段，中间休息 5 分钟。\n\n看到进步就具体地表扬，"
       "比如“今天的字比昨天工整”。")),
     (("孩子写作业拖拉时，较好的做法是：",
       ("一直在旁边催", "把作业拆成小段并及时肯定", "替孩子写"), (1,)),
      ("作业规矩应由谁来定？", ("家长一个人", "孩子一个人", "家长和孩子一起商量"), (2,)),
      ("表扬孩子时，更有效的是：", ("笼统地说“真棒”", "具体说出进步在哪里"), (1,)))),
    ("M-01", "middle", "青春期沟通的艺术",
     "孩子进入初中，话变少了、门关上了。学会倾听，比讲道理更重要。",
     (("先听后说", "孩子愿意开口时，放下手机，看着孩子，不打断、不急着评判。"),
      ("尊重孩子的隐私与选择",
       "敲门再进房间，不偷看日记和手机。\n\n在安全底线之内，把选择权交给孩子。")),
     (("孩子愿意和你聊学校的事时，首先应该：",
       ("马上指出问题", "认真倾听，不急着评判", "转移话题"), (1,)),
      ("以下哪些做法体现了对青春期孩子的尊重？（多选）",
       ("进房间前先敲门", "偷看孩子的聊天记录", "在安全底线内让孩子自己做选择"), (0, 2)))),
)


async def add_demo_parent_school(session: AsyncSession) -> None:
    if await session.scalar(select(Course.id).where(Course.code == COURSES[0][0])):
        return
    for code, stage, title, summary, lessons, questions in COURSES:
        course = Course(code=code, stage=stage, title=title, summary=summary, pass_mark=60)
        session.add(course)
        await session.flush()
        for n, (lesson_title, body) in enumerate(lessons, start=1):
            session.add(Lesson(course_id=course.id, position=n, title=lesson_title,
                               kind=LessonKind.article, body=body))
        for n, (text, options, answer) in enumerate(questions, start=1):
            session.add(Question(course_id=course.id, position=n, text=text,
                                 multiple=len(answer) > 1, options=list(options),
                                 answer=list(answer)))
    now = utcnow()
    session.add_all([
        Lecture(title="双减之下，如何培养孩子的学习习惯", speaker="区家庭教育指导中心 陈老师",
                summary="面向小学家长的现场讲座，讲后答疑。", place="区青少年宫三楼报告厅",
                starts_at=now + dt.timedelta(days=10), stage="primary", seats=200),
        Lecture(title="读懂孩子的情绪", speaker="心理健康教育专家 林老师",
                summary="线上直播，报名后在“消息”中收到直播链接。", place="线上直播",
                starts_at=now + dt.timedelta(days=4), seats=500),
    ])
    await session.flush()
