"""The guardian's pages: one tap registers and shows 报名成功 with the code."""

from __future__ import annotations

from bangyaer_competitions.testing import create_activity, register


async def _form_post(client, url: str, **data: str):
    token = client.headers["X-CSRF-Token"]
    return await client.post(url, data={"csrf_token": token, **data},
                             headers={"X-CSRF-Token": ""})


async def test_one_tap_on_the_page_registers_and_shows_the_code(staff, parent):
    activity_id = await create_activity(staff, code_prefix="K2026")
    page = await parent.get("/competitions/")
    assert "一键报名（小学低段）" in page.text

    response = await _form_post(parent, f"/competitions/activities/{activity_id}/register")
    shown = await parent.get(response.headers["location"])

    assert response.status_code == 303
    assert "报名成功" in shown.text
    assert "K2026-01-00001" in shown.text


async def test_the_page_gives_the_reason_a_child_cannot_enter(staff, client_for):
    await create_activity(staff, eligibility={"stages": ["primary"]})
    other = await client_for("parent_b")

    page = await other.get("/competitions/")

    assert "不能报名：本活动仅限小学学生参加" in page.text


async def test_a_guardian_of_two_who_has_not_chosen_a_child_is_asked_to(staff, client_for):
    activity_id = await create_activity(staff)
    guardian = await client_for("parent")  # two children, neither chosen yet

    page = await guardian.get("/competitions/")
    one = await guardian.get(f"/competitions/activities/{activity_id}")

    assert (page.status_code, one.status_code) == (200, 200)
    assert "请先选择孩子" in page.text and "一键报名" not in page.text
    assert "请先选择孩子" in one.text and "一键报名" not in one.text


async def test_the_entry_page_offers_upload_and_cancel_while_open(staff, parent):
    activity_id = await create_activity(staff)
    code = (await register(parent, activity_id)).json()["code"]

    page = await parent.get(f"/competitions/entries/{code}")

    assert 'id="cx-work"' in page.text
    assert "取消报名" in page.text
    assert "/static/competitions/competitions.js" in page.text


async def test_my_entries_page_lists_the_entry(staff, parent):
    activity_id = await create_activity(staff)
    code = (await register(parent, activity_id)).json()["code"]

    page = await parent.get("/competitions/mine")

    assert code in page.text


async def test_the_staff_desk_moves_an_activity_along(staff):
    activity_id = await create_activity(staff)

    response = await _form_post(staff, f"/competitions/manage/{activity_id}/move",
                                to="submissions_closed")
    page = await staff.get(f"/competitions/manage/{activity_id}")

    assert response.status_code == 303
    assert "已截止提交" in page.text


async def test_the_staff_desk_links_to_the_draw_instead_of_a_judging_button(staff):
    activity_id = await create_activity(staff)
    await _form_post(staff, f"/competitions/manage/{activity_id}/move", to="submissions_closed")

    page = await staff.get(f"/competitions/manage/{activity_id}")

    assert 'name="to" value="judging"' not in page.text
    assert f'href="/competitions/manage/{activity_id}/judging">分配评委</a>' in page.text
    assert "完成后活动自动改为“评审中”" in page.text


async def test_a_posted_move_that_belongs_to_a_desk_step_is_refused(staff):
    activity_id = await create_activity(staff)
    await _form_post(staff, f"/competitions/manage/{activity_id}/move", to="submissions_closed")

    response = await _form_post(staff, f"/competitions/manage/{activity_id}/move",
                                to="judging")
    page = await staff.get(f"/competitions/manage/{activity_id}")

    assert response.status_code == 409
    assert "请在评审管理页分配评委，分配完成后活动自动进入“评审中”" in response.text
    assert "已截止提交" in page.text and "评审中 ·" not in page.text


async def test_the_home_screen_has_a_competitions_tile(parent):
    home = await parent.get("/")

    assert 'href="/competitions/"' in home.text


async def test_the_me_page_links_to_my_entries(parent):
    me = await parent.get("/me")

    assert 'href="/competitions/mine"' in me.text
    assert "我的报名" in me.text


async def test_pages_need_sign_in(client):
    response = await client.get("/competitions/")

    assert response.status_code == 303
    assert response.headers["location"].startswith("/login")


def test_every_page_message_has_an_english_translation():
    import re
    from pathlib import Path

    import bangyaer_competitions
    from babel.messages.pofile import read_po

    base = Path(bangyaer_competitions.__file__).parent
    with (base / "locale/en/LC_MESSAGES/messages.po").open("rb") as fh:
        catalogue = read_po(fh)
    used = {m for page in (base / "templates").glob("*.html")
            for m in re.findall(r"_\('([^']*)'", page.read_text())}

    missing = sorted(m for m in used if not (catalogue.get(m) and catalogue.get(m).string))
    assert missing == []


async def test_the_activities_page_speaks_english_when_asked(staff, parent):
    await create_activity(staff)

    page = await parent.get("/competitions/?lang=en")

    assert "Register in one tap" in page.text
