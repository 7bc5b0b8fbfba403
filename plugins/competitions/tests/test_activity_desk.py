"""Staff create and edit activities on the desk, under the API's rules and audit."""

from __future__ import annotations

import datetime as dt

import pytest
from bangyaer.identity import AuditEntry
from bangyaer_competitions.judging.models import JudgingSetup
from bangyaer_competitions.models import Activity, Group
from bangyaer_competitions.testing import create_activity, judged_activity
from sqlalchemy import select


def _form(client, **fields):
    return {"csrf_token": client.headers["X-CSRF-Token"], **fields}


def _new(**overrides):
    fields = {
        "title": "区少儿书画比赛", "category": "艺术", "type": "artwork",
        "description": "以“我的家乡”为题", "code_prefix": "K2026",
        "registration_opens_at": "2026-03-01T08:00",
        "registration_closes_at": "2026-03-20T18:00",
        "submission_deadline": "2026-03-25T18:00",
        "entries_per_child": "1", "online_submission": "1", "group_rows": "1",
        "group_name_0": "小学低段", "group_stage_0": "primary", "group_min_0": "1",
        "group_max_0": "3",
        "group_name_1": "小学高段", "group_stage_1": "primary", "group_min_1": "4",
        "group_max_1": "6",
        "judges_per_entry": "3", "aggregation": "mean", "trim_min_scores": "5",
        "disagreement_threshold": "20", "tie_break": "", "mode": "quota",
        "quota_by": "percent", "rounding": "floor", "cut_ties": "include",
    }
    fields.update(overrides)
    return fields


async def _activities(platform) -> list[Activity]:
    async with platform.db.session() as session:
        return list(await session.scalars(select(Activity).order_by(Activity.id)))


async def _audits(platform, action: str) -> list[dict]:
    async with platform.db.session() as session:
        return [a.detail for a in await session.scalars(select(AuditEntry).where(
            AuditEntry.action == action).order_by(AuditEntry.id))]


async def test_the_desk_links_to_a_new_activity_form_with_a_label_for_every_input(staff):
    desk = await staff.get("/competitions/manage")
    page = await staff.get("/competitions/manage/new")

    assert 'href="/competitions/manage/new"' in desk.text
    assert page.status_code == 200
    assert '<label for="af-title">活动名称</label>' in page.text
    assert '<label for="af-registration_opens_at">报名开始时间</label>' in page.text
    assert '<label for="af-crit-max-0">满分（1–1000）</label>' in page.text
    assert '<label for="rs-level-0">一等奖</label>' in page.text


async def test_staff_create_a_draft_with_groups_rubric_and_award_rule(staff, platform):
    response = await staff.post("/competitions/manage/new", data=_form(staff, **_new(
        judges_per_entry="2", crit_title_0="主题表达", crit_max_0="40",
        crit_title_1="技法", crit_max_1="60", crit_key_1="skill",
        aggregation="trimmed_mean", level_0="10", level_1="20")))

    assert response.status_code == 303
    [activity] = await _activities(platform)
    assert response.headers["location"] == f"/competitions/manage/{activity.id}?done=created"
    shown = await staff.get(response.headers["location"])
    assert "活动已创建（草稿），发布前可继续修改" in shown.text
    async with platform.db.session() as session:
        groups = list(await session.scalars(select(Group).order_by(Group.number)))
        setup = await session.get(JudgingSetup, activity.id)
    assert (activity.status, activity.code_prefix, activity.description) == (
        "draft", "K2026", "以“我的家乡”为题")
    # 08:00 in Beijing is midnight UTC.
    assert activity.registration_opens_at.replace(tzinfo=None) == dt.datetime(2026, 3, 1, 0, 0)
    assert [(g.number, g.name, g.grade_min, g.grade_max) for g in groups] == [
        (1, "小学低段", 1, 3), (2, "小学高段", 4, 6)]
    assert setup is not None and setup.judges_per_entry == 2
    assert setup.rubric == [
        {"key": "c1", "title_zh": "主题表达", "title_en": "", "max_score": 40},
        {"key": "skill", "title_zh": "技法", "title_en": "", "max_score": 60}]
    assert setup.aggregation == "trimmed_mean"
    assert [lv["percent"] for lv in setup.award_rule["levels"]] == [10, 20]
    assert await _audits(platform, "competitions.activity_created") != []
    assert (await _audits(platform, "competitions.judging_setup"))[0]["fields"] == [
        "judges_per_entry", "rubric"]
    assert (await _audits(platform, "competitions.results_settings"))[0]["fields"] == [
        "aggregation", "award_rule"]


async def test_a_blank_rubric_keeps_the_types_default(staff, platform):
    await staff.post("/competitions/manage/new", data=_form(staff, **_new()))

    [activity] = await _activities(platform)
    async with platform.db.session() as session:
        setup = await session.get(JudgingSetup, activity.id)
    assert setup is not None and len(setup.rubric) >= 2
    assert await _audits(platform, "competitions.judging_setup") == []
    assert await _audits(platform, "competitions.results_settings") == []


@pytest.mark.parametrize(("overrides", "status", "message", "field"), [
    pytest.param({"title": " "}, 422, "请填写活动名称", "af-title", id="no-title"),
    pytest.param({"registration_closes_at": "2026-02-01T08:00"}, 422,
                 "报名截止时间应晚于报名开始时间", "af-registration_closes_at", id="window"),
    pytest.param({"submission_deadline": ""}, 422, "请填写作品提交截止时间",
                 "af-submission_deadline", id="no-deadline"),
    pytest.param({"submission_deadline": "3月25日"}, 422,
                 "请按“年-月-日 时:分”填写作品提交截止时间", "af-submission_deadline",
                 id="bad-time"),
    pytest.param({"group_max_1": "12"}, 422, "组别“小学高段”的年级范围有误",
                 None, id="grades"),
    pytest.param({"code_prefix": "k"}, 422, "编号前缀应为大写字母开头",
                 "af-prefix", id="prefix"),
    pytest.param({"crit_title_0": "主题", "crit_max_0": "2000"}, 422,
                 "评分细则“主题”的满分应为 1–1000 的整数", None, id="range"),
    pytest.param({"judges_per_entry": "二"}, 422, "每件作品评委数应为整数", "af-k",
                 id="k"),
    pytest.param({"level_0": "150"}, 422, "评奖方式：", None, id="rule"),
])
async def test_a_refused_form_comes_back_with_the_field_named_and_values_kept(
        staff, platform, overrides, status, message, field):
    response = await staff.post("/competitions/manage/new",
                                data=_form(staff, **_new(**overrides)))

    assert response.status_code == status
    assert message in response.text
    assert 'role="alert" id="form-error"' in response.text
    assert 'value="以“我的家乡”为题"' not in response.text  # a textarea, below
    assert ">以“我的家乡”为题</textarea>" in response.text
    if field:
        assert f'id="{field}"' in response.text
        tag = response.text.split(f'id="{field}"', 1)[1].split(">", 1)[0]
        assert 'aria-invalid="true" aria-describedby="form-error"' in tag
    assert await _activities(platform) == []


async def test_the_field_is_named_with_english_punctuation_in_english(staff, platform):
    response = await staff.post("/competitions/manage/new?lang=en",
                                data=_form(staff, **_new(level_0="150")))

    assert response.status_code == 422
    assert "Awards by: " in response.text and "Awards by：" not in response.text
    assert await _activities(platform) == []


async def test_a_taken_code_prefix_is_named_on_the_form(staff, platform):
    await create_activity(staff, code_prefix="K2026", open_it=False)

    response = await staff.post("/competitions/manage/new", data=_form(staff, **_new()))

    assert response.status_code == 409
    assert "编号前缀已被其他活动使用" in response.text
    assert len(await _activities(platform)) == 1


async def test_the_form_is_for_staff_only(client_for):
    parent = await client_for("parent")

    assert (await parent.get("/competitions/manage/new")).status_code == 403
    posted = await parent.post("/competitions/manage/new", data=_form(parent, **_new()))
    assert posted.status_code == 403


async def test_editing_a_draft_changes_only_what_was_changed(staff, platform):
    activity_id = await create_activity(staff, open_it=False, code_prefix="K2026")
    page = await staff.get(f"/competitions/manage/{activity_id}/edit")
    assert 'value="区少儿书画比赛"' in page.text and 'name="group_name_2"' in page.text

    fields = {**_stored_form(page.text), "title": "区少儿书画大赛", "group_name_2": "",
              "group_min_2": "", "group_max_2": ""}
    response = await staff.post(f"/competitions/manage/{activity_id}/edit",
                                data=_form(staff, **fields))

    assert response.status_code == 303, response.text
    [activity] = await _activities(platform)
    async with platform.db.session() as session:
        names = list(await session.scalars(select(Group.name).order_by(Group.number)))
    assert activity.title == "区少儿书画大赛"
    assert names == ["小学低段", "小学高段"]
    assert (await _audits(platform, "competitions.activity_updated"))[-1]["fields"] == [
        "groups", "title"]


async def test_an_open_activity_shows_its_groups_fixed_and_keeps_them(staff, platform):
    activity_id = await create_activity(staff)
    page = await staff.get(f"/competitions/manage/{activity_id}/edit")
    assert 'name="group_name_0"' not in page.text
    assert "活动已发布，组别和编号前缀不能再改" in page.text
    assert '<select id="af-type"' not in page.text and "活动已发布，作品类型不能再改" in page.text

    fields = {**_stored_form(page.text), "title": "区少儿书画大赛"}
    response = await staff.post(f"/competitions/manage/{activity_id}/edit",
                                data=_form(staff, **fields))

    assert response.status_code == 303
    assert (await _activities(platform))[0].title == "区少儿书画大赛"
    assert (await _audits(platform, "competitions.activity_updated"))[-1]["fields"] == [
        "title"]


async def test_a_stale_form_cannot_change_groups_once_open(staff, platform):
    activity_id = await create_activity(staff)
    page = await staff.get(f"/competitions/manage/{activity_id}/edit")

    fields = {**_stored_form(page.text), "group_rows": "1", "group_name_0": "幼儿组",
              "group_stage_0": "kindergarten", "group_min_0": "1", "group_max_0": "3"}
    response = await staff.post(f"/competitions/manage/{activity_id}/edit",
                                data=_form(staff, **fields))

    assert response.status_code == 409
    assert "活动已发布，组别和编号前缀不能再改" in response.text


async def test_a_stale_form_cannot_change_the_kind_of_work_once_open(staff, platform):
    activity_id = await create_activity(staff)
    page = await staff.get(f"/competitions/manage/{activity_id}/edit")

    fields = {**_stored_form(page.text), "type": "performance_video"}
    response = await staff.post(f"/competitions/manage/{activity_id}/edit",
                                data=_form(staff, **fields))

    assert response.status_code == 409
    assert "活动已发布，作品类型不能再改" in response.text
    assert (await _activities(platform))[0].type_id == "artwork"


async def test_after_the_draw_the_rubric_is_shown_fixed(staff, platform, district):
    activity_id = await judged_activity(staff, platform, school_id=district.ids["school_b"])

    page = await staff.get(f"/competitions/manage/{activity_id}/edit")
    fields = {**_stored_form(page.text), "description": "新的说明"}
    response = await staff.post(f"/competitions/manage/{activity_id}/edit",
                                data=_form(staff, **fields))

    assert 'name="judges_per_entry"' not in page.text
    assert "已分配评委，评委人数和评分细则不能再改" in page.text
    assert response.status_code == 303, response.text
    assert await _audits(platform, "competitions.judging_setup") == [
        {"fields": ["judges_per_entry"]}]  # the helper's, before the draw


async def test_a_date_that_is_set_cannot_be_emptied_silently(staff, platform):
    activity_id = await create_activity(
        staff, open_it=False, results_at="2026-05-01T08:00:00+08:00")
    page = await staff.get(f"/competitions/manage/{activity_id}/edit")
    assert 'value="2026-05-01T08:00"' in page.text

    fields = {**_stored_form(page.text), "results_at": ""}
    response = await staff.post(f"/competitions/manage/{activity_id}/edit",
                                data=_form(staff, **fields))

    assert response.status_code == 422
    assert "结果公布时间已设置，不能清空，可改为其他时间" in response.text


async def test_only_the_organiser_edits(staff, client_for):
    activity_id = await create_activity(staff)
    head = await client_for("head_a")

    assert (await head.get(f"/competitions/manage/{activity_id}/edit")).status_code == 403
    posted = await head.post(f"/competitions/manage/{activity_id}/edit",
                             data=_form(head, title="改名"))
    assert posted.status_code == 403


async def test_a_school_admin_creates_for_their_own_school(client_for, platform, district):
    head = await client_for("head_a")
    page = await head.get("/competitions/manage/new")

    response = await head.post("/competitions/manage/new", data=_form(head, **_new(
        org_id=str(district.ids["school_a"]), code_prefix="A2026")))

    assert "主办单位：甲小学" in page.text
    assert response.status_code == 303
    [activity] = await _activities(platform)
    assert activity.org_id == district.ids["school_a"]
    assert activity.eligibility["school_ids"] == [district.ids["school_a"]]


def _stored_form(html: str) -> dict[str, str]:
    """The fields a browser would post back from the page, untouched."""
    import re
    from html import unescape

    out: dict[str, str] = {}
    form = html.split('class="form cx-form"', 1)[1].split("</form>", 1)[0]
    for tag in re.findall(r"<input[^>]*>", form):
        name = re.search(r'name="([^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        kind = re.search(r'type="([^"]+)"', tag)
        if not name or name.group(1) == "csrf_token":
            continue
        if kind and kind.group(1) in ("checkbox", "radio") and "checked" not in tag:
            continue
        if kind and kind.group(1) == "checkbox" and name.group(1) in out:
            continue  # one value per name is enough for these tests
        out[name.group(1)] = unescape(value.group(1)) if value else ""
    for name, body in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', form,
                                 re.S):
        chosen = re.search(r'<option value="([^"]*)" selected', body) or re.search(
            r'<option value="([^"]*)"', body)
        out[name] = unescape(chosen.group(1)) if chosen else ""
    for name, body in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', form,
                                 re.S):
        out[name] = unescape(body)
    return out
