"""District staff create a competition from the desk's form on a phone."""

from __future__ import annotations

import re
from pathlib import Path

import bangyaer_competitions.plugin as competitions
import pytest
from bangyaer.testing import TinyDistrict
from bangyaer_competitions.judging.models import JudgingSetup
from bangyaer_competitions.models import Activity, Group
from playwright.sync_api import expect
from sqlalchemy import select

pytestmark = pytest.mark.browser


@pytest.fixture
def server(make_live_server):
    return make_live_server([competitions])


async def _stored(platform):
    async with platform.db.session() as session:
        activity = (await session.scalars(select(Activity))).one()
        groups = [g.name for g in await session.scalars(
            select(Group).order_by(Group.number))]
        setup = await session.get(JudgingSetup, activity.id)
        assert setup is not None
        return (activity.title, activity.status, activity.code_prefix, groups,
                setup.judges_per_entry, [c["title_zh"] for c in setup.rubric])


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_staff_create_an_activity_through_the_form_on_a_phone(server, phone_page,
                                                              tmp_path: Path):
    page = phone_page
    page.goto(server.url("/login"))
    page.get_by_label("用户名").fill("staff")
    page.get_by_label("密码").fill(TinyDistrict.PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(server.url("/"))

    page.goto(server.url("/competitions/manage"))
    page.get_by_role("link", name="新建活动").click()
    expect(page.get_by_role("heading", name="新建活动")).to_be_visible()
    assert no_sideways_scroll(page)
    page.get_by_label("活动名称").fill("区少儿书画比赛")
    page.get_by_label("作品类型").select_option("artwork")
    page.get_by_label("编号前缀（可留空，如 K2026）").fill("K2026")
    page.get_by_label("报名开始时间").fill("2026-03-01T08:00")
    page.get_by_label("报名截止时间").fill("2026-03-20T18:00")
    # Forgetting the deadline brings the form back with the field named and kept values.
    page.get_by_role("button", name="创建活动（草稿）").click()
    expect(page.get_by_role("alert")).to_have_text("请填写作品提交截止时间")
    deadline = page.get_by_label("作品提交截止时间")
    expect(deadline).to_have_attribute("aria-describedby", "form-error")
    expect(page.get_by_label("活动名称")).to_have_value("区少儿书画比赛")
    deadline.fill("2026-03-25T18:00")
    first = page.get_by_role("group", name="组别 1")
    first.get_by_label("名称", exact=True).fill("小学低段")
    first.get_by_label("学段").select_option("primary")
    first.get_by_label("最低年级").fill("1")
    first.get_by_label("最高年级").fill("3")
    page.get_by_label("每件作品评委数").fill("2")
    criterion = page.get_by_role("group", name="评分项 1")
    criterion.get_by_label("名称", exact=True).fill("主题表达")
    criterion.get_by_label("满分（1–1000）").fill("100")
    page.screenshot(path=tmp_path / "new-activity.png", full_page=True)
    page.get_by_role("button", name="创建活动（草稿）").click()

    expect(page.get_by_role("heading", name="区少儿书画比赛")).to_be_visible()
    expect(page.get_by_role("status")).to_have_text("活动已创建（草稿），发布前可继续修改")
    assert no_sideways_scroll(page)
    assert server.run(_stored) == ("区少儿书画比赛", "draft", "K2026", ["小学低段"], 2,
                                   ["主题表达"])
    page.get_by_role("link", name=re.compile("修改活动")).click()
    expect(page.get_by_label("活动名称")).to_have_value("区少儿书画比赛")
    # The refused first try answered 422 on purpose; nothing else may have failed.
    assert [e for e in page.console_errors if "422" not in e] == []
