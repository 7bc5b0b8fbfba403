"""A new activity type needs nothing but the activity_types hook."""

from __future__ import annotations

import bangyaer_competitions.plugin
from bangyaer import PluginInfo, hookimpl
from bangyaer.testing import TinyDistrict, login
from bangyaer_competitions.testing import act_for, activity_body, register
from bangyaer_competitions.types import MB, ActivityType, FileRule, FormField

MP3 = b"ID3\x04\x00\x00\x00\x00\x00\x00" + b"\xff\xfb\x90\x00" * 2000


class RecitalPlugin:
    """A third party's plugin: a poetry-recital type taking one MP3 or M4A."""

    @hookimpl
    def plugin_info(self) -> PluginInfo:
        return PluginInfo(id="recital", title_zh="朗诵", title_en="Recital",
                          requires_core=">=0.1,<0.2")

    @hookimpl
    def activity_types(self) -> list[ActivityType]:
        return [ActivityType("poetry_recital", "诗歌朗诵", "Poetry recital",
                             files=(FileRule("audio", 1, 1, 5 * MB),),
                             fields=(FormField("title", "朗诵篇目", "Poem"),))]


async def test_hook_activity_types_a_type_from_another_plugin_takes_entries_and_works(
        make_platform, make_client):
    platform = await make_platform(plugins=[bangyaer_competitions.plugin, RecitalPlugin()])
    district = await TinyDistrict().build(platform)
    async with make_client(platform) as staff, make_client(platform) as parent:
        await login(staff, "staff", TinyDistrict.PASSWORD)
        await login(parent, "parent", TinyDistrict.PASSWORD)
        await act_for(parent, district.ids["child_1"])
        created = await staff.post("/api/v1/competitions/activities",
                                   json=activity_body(type="poetry_recital", category="文学"))
        activity_id = created.json()["id"]
        await staff.post(f"/api/v1/competitions/activities/{activity_id}/transitions",
                         json={"to": "open"})
        detail = await parent.get(f"/api/v1/competitions/activities/{activity_id}")
        code = (await register(parent, activity_id)).json()["code"]
        audio = await parent.post(f"/api/v1/competitions/entries/{code}/files", content=MP3)
        work = await parent.post(f"/api/v1/competitions/entries/{code}/work",
                                 json={"fields": {"title": "静夜思"},
                                       "file_ids": [audio.json()["id"]]})

    assert created.status_code == 201
    assert detail.json()["work_type"]["files"][0]["kind"] == "audio"
    assert audio.json()["content_type"] == "audio/mpeg"
    assert work.status_code == 201
    assert work.json()["work"]["fields"] == {"title": "静夜思"}


def test_hook_activity_types_builtin_types_come_through_the_hook():
    found = {t.id for t in bangyaer_competitions.plugin.activity_types()}

    assert found == {"artwork", "performance_video", "written_work", "measured_result"}


async def test_an_activity_of_an_unknown_type_is_refused(staff):
    response = await staff.post("/api/v1/competitions/activities",
                                json=activity_body(type="poetry_recital"))

    assert response.status_code == 422
    assert response.json()["error"]["message"] == (
        "作品类型应为 artwork, measured_result, performance_video, written_work")
