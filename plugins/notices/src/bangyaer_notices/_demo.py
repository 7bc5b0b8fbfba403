"""Demo content: a district's ordinary month of notices, a 公示 and news.

Published through the plugin's own public API with ``("notices", "demo:…")``
sources, so running the demo twice leaves one copy of each item.
"""

from __future__ import annotations

import datetime as dt

from bangyaer.db import utcnow
from bangyaer.identity import Organisation, OrgKind
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from .api import publish_notice

DAY = dt.timedelta(days=1)

WINTER_CLASSES = """\
各位家长：

2027 年寒假培训班将于 **1 月 18 日** 开课，现将报名安排通知如下。

## 报名时间

- 老生续报：1 月 2 日 9:00 至 1 月 4 日 17:00
- 新生报名：1 月 6 日 9:00 至 1 月 8 日 17:00（名额不足时摇号）

## 开设课程

| 类别 | 课程 | 适合年级 |
| --- | --- | --- |
| 艺术 | 少儿国画、书法、合唱 | 一至六年级 |
| 科技 | 机器人编程、航模 | 三至九年级 |
| 体育 | 围棋、国际象棋、乒乓球 | 一至九年级 |

报名请在“培训”模块中选择孩子后办理。缴费成功后可在“我的”页面开具电子发票。

区青少年宫
"""

HOLIDAY_HOURS = """\
元旦期间（1 月 1 日至 1 月 3 日）少年宫场馆暂停开放，1 月 4 日起恢复正常。
期间的周末培训课程顺延一周，具体时间以班主任通知为准。
"""

READING_MONTH = """\
为培养孩子的阅读习惯，区青少年宫联合各校开展“书香润童年”读书月活动。

1. 每位同学读完一本好书，撰写不少于 300 字的读后感；
2. 由班主任推荐优秀作品至学校，学校于 12 月 25 日前统一报送；
3. 优秀作品将在少年宫展厅展出，并收入学生成长记录。
"""

SCHOOL_CLASSES = """\
本学期第二课堂选课将于下周一 8:00 开放，每位同学限选两门。
请家长提前与孩子商量好选课意向，选课结果可在“第二课堂”模块中查看。
"""

AWARD_LIST = """\
第十二届区青少年科技创新大赛评审工作已经结束，经评委会评审，现将获奖名单公示如下：

| 姓名 | 学校 | 组别 | 作品 | 奖项 |
| --- | --- | --- | --- | --- |
| 王*明 | 实验小学 | 小学高段 | 智能垃圾分类箱 | 一等奖 |
| 李*涵 | 城南小学 | 小学高段 | 会浇花的小车 | 一等奖 |
| 张* | 第二中学 | 初中组 | 校园水质监测仪 | 二等奖 |
| 陈*宇 | 实验小学 | 小学低段 | 纸桥承重实验 | 二等奖 |
| 刘*彤 | 城南小学 | 小学低段 | 我的天气日记 | 三等奖 |
| 赵*轩 | 第二中学 | 初中组 | 太阳能手机支架 | 三等奖 |

为保护未成年人信息，姓名已做部分隐去处理。

公示期内如对获奖结果有异议，请以真实姓名实名反映，并写明理由与联系方式。
"""

AUTUMN_LIST = """\
经各班推荐、少年宫审核，2026 年秋季培训班优秀学员名单如下（共 48 名）：
少儿国画班 黄*怡、周*然；机器人编程班 吴*杰、郑*；合唱班 孙*琪 等。
完整名单可在少年宫一楼公告栏查阅。
"""

ROBOTS = """\
在近日举行的市青少年机器人竞赛中，我区代表队获得 **3 金 5 银** 的好成绩。
参赛同学来自 6 所学校，赛前在少年宫机器人工作室集训了两个月。
"""

CHOIR = """\
12 月 1 日晚，“童心向党”少年合唱展演在区文化中心举行。
来自 12 所学校的 600 余名少先队员登台演唱，家长和老师们为孩子们送上热烈掌声。
"""

OPEN_DAY = """\
上周六，少年宫举办家长开放日。家长们走进书法、编程和舞蹈教室，
和孩子一起体验课堂，并与任课老师面对面交流孩子的学习情况。
"""


async def add_demo_notices(session: AsyncSession, district: Organisation) -> None:
    now = utcnow()
    school = await session.scalar(
        select(Organisation).where(Organisation.kind == OrgKind.school,
                                   Organisation.path.startswith(district.path))
        .order_by(Organisation.code).limit(1))
    notices = [
        ("通知", "关于2027年寒假少年宫培训班报名的通知", WINTER_CLASSES, 1, True),
        ("通知", "元旦假期场馆开放时间调整的通知", HOLIDAY_HOURS, 3, False),
        ("通知", "关于开展“书香润童年”读书月活动的通知", READING_MONTH, 8, False),
        ("新闻", "我区学子在市青少年机器人竞赛中获佳绩", ROBOTS, 2, False),
        ("新闻", "“童心向党”少年合唱展演精彩上演", CHOIR, 5, False),
        ("新闻", "家长开放日：走进少年宫的一天", OPEN_DAY, 9, False),
    ]
    for column, title, body, days_ago, pinned in notices:
        await publish_notice(session, column=column, title=title, body=body, pinned=pinned,
                             source=("notices", f"demo:{title}"),
                             publish_at=now - days_ago * DAY)
    await publish_notice(
        session, column="公示", title="第十二届区青少年科技创新大赛获奖名单公示",
        body=AWARD_LIST, source=("notices", "demo:award-list"), pinned=True,
        period=(now - 2 * DAY, now + 5 * DAY), publish_at=now - 2 * DAY,
        objection_contact="区青少年宫竞赛部（少年宫三楼 302 室，工作日 9:00–17:00）",
    )
    await publish_notice(
        session, column="公示", title="2026年秋季培训班优秀学员名单公示", body=AUTUMN_LIST,
        source=("notices", "demo:autumn-list"), period=(now - 20 * DAY, now - 13 * DAY),
        publish_at=now - 20 * DAY, objection_contact="区青少年宫培训部（少年宫一楼服务台）",
    )
    if school is not None:
        await publish_notice(
            session, column="通知", title=f"{school.name}：第二课堂选课提醒", body=SCHOOL_CLASSES,
            source=("notices", "demo:school-classes"), public=False, school_ids=[school.id],
            publish_at=now - DAY,
        )
