"""Finalising: refusals and override, guardians told once, events, e-certificates."""

from __future__ import annotations

import asyncio
import datetime as dt
import io
from collections.abc import Sequence
from typing import Any

import bangyaer_competitions.plugin
import pytest
from bangyaer import hookimpl
from bangyaer.certificates import Certificate
from bangyaer.contrib import PluginInfo
from bangyaer.events import EventRecord
from bangyaer.identity import AuditEntry
from bangyaer.jobs import JobContext
from bangyaer.notifications import Message
from bangyaer.testing import drain
from bangyaer_competitions.models import Activity
from bangyaer_competitions.results.models import Publication
from bangyaer_competitions.results.testing import (
    add_entries,
    add_judges,
    compute,
    judging_activity,
    publish,
    score,
    set_rule,
    shift_window,
)
from pypdf import PdfReader
from sqlalchemy import select

NAMES = ["张三丰", "欧阳小明", "李华", "周末"]


class RecordingChannel:
    id = "pager"

    def __init__(self) -> None:
        self.sent: list[Message] = []

    async def send(self, ctx: JobContext, messages: Sequence[Message]) -> None:
        self.sent.extend(messages)


class ChannelPlugin:
    def __init__(self, channel: RecordingChannel) -> None:
        self.channel = channel

    @hookimpl
    def plugin_info(self) -> PluginInfo:
        return PluginInfo(id="pager", title_zh="寻呼", title_en="Pager", requires_core=">=0.1")

    @hookimpl
    def notification_channels(self) -> list[Any]:
        return [self.channel]


@pytest.fixture
def channel() -> RecordingChannel:
    return RecordingChannel()


@pytest.fixture
async def platform(make_platform, channel):
    return await make_platform(plugins=[bangyaer_competitions.plugin, ChannelPlugin(channel)])


@pytest.fixture
async def seeded(staff, platform, district):
    seeded = await judging_activity(staff, platform)
    await add_judges(platform, district, seeded, 3)
    codes = await add_entries(platform, district, seeded, 1, NAMES)
    for code, total in zip(codes, [90, 80, 70, 60], strict=True):
        await score(platform, seeded, code, [total] * 3)
    await set_rule(staff, seeded)
    await compute(staff, seeded)
    await publish(staff, seeded)
    seeded.codes = codes  # type: ignore[attr-defined]
    return seeded


def _finalise(staff, seeded, **body):
    return staff.post(
        f"/api/v1/competitions/activities/{seeded.activity_id}/results/finalise", json=body)


async def _rows(platform, model, *where):
    async with platform.db.session() as session:
        return list(await session.scalars(select(model).where(*where).order_by(model.id)))


async def test_finalising_waits_for_the_window(staff, seeded):
    response = await _finalise(staff, seeded)

    assert response.status_code == 409
    assert response.json()["error"]["message"] == (
        "公示期尚未结束。如确需提前确定，请填写理由后强制确定。")


async def test_finalising_waits_for_open_appeals(staff, parent, platform, seeded):
    await parent.post(f"/api/v1/competitions/entries/{seeded.codes[1]}/appeal",
                      json={"reason": "请复核"})
    await shift_window(platform, seeded, dt.timedelta(seconds=-1))

    response = await _finalise(staff, seeded)

    assert response.status_code == 409
    assert response.json()["error"]["message"].startswith("还有 1 件申诉未处理完。")


async def test_a_blank_override_reason_does_not_override(staff, seeded):
    response = await _finalise(staff, seeded, override_reason="  ")

    assert response.status_code == 409


async def test_staff_may_override_with_a_reason_and_it_is_audited(staff, platform, seeded):
    response = await _finalise(staff, seeded, override_reason="区里统一安排提前颁奖")

    assert response.status_code == 201, response.text
    logged = await _rows(platform, AuditEntry,
                         AuditEntry.action == "competitions.finalise_override")
    assert [(e.detail["reason"], e.detail["problem"]) for e in logged] == [
        ("区里统一安排提前颁奖", "公示期尚未结束")]


async def test_finalising_needs_a_publicity(staff, platform, district):
    fresh = await judging_activity(staff, platform, code_prefix="K2027")

    response = await _finalise(staff, fresh, override_reason="试试")

    assert response.status_code == 409
    assert response.json()["error"]["message"] == "只有已公示结果的活动才能确定最终结果"


async def test_finalising_after_the_window_makes_the_results_final(staff, platform, seeded):
    await shift_window(platform, seeded, dt.timedelta(seconds=-1))

    response = await _finalise(staff, seeded)

    assert response.status_code == 201
    assert response.json()["kind"] == "final"
    async with platform.db.session() as session:
        activity = await session.get(Activity, seeded.activity_id)
    assert activity is not None and activity.status == "finished"


async def test_each_guardian_hears_once_per_entry_even_when_retried(
        staff, platform, district, seeded, channel):
    await shift_window(platform, seeded, dt.timedelta(seconds=-1))

    first = await _finalise(staff, seeded)
    again = await _finalise(staff, seeded)
    await drain(platform)

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"]
    told = await _rows(platform, Message, Message.topic == "result")
    assert [m.person_id for m in told] == [district.ids["parent"]] * 4
    assert told[0].title == "“区少儿书画比赛”评审结果"
    assert told[0].body == (f"张三丰 在“区少儿书画比赛”（小学低段，参赛编号 {seeded.codes[0]}）"
                            "中荣获一等奖，电子奖状稍后可在成长记录中查看。")
    assert told[3].body == ("“区少儿书画比赛”（小学低段）评审结果已确定："
                            f"周末（{seeded.codes[3]}）名列第 4 名，感谢参与。")
    assert sorted(m.id for m in channel.sent) == [m.id for m in told]
    assert len(await _rows(platform, Publication, Publication.kind == "final")) == 1


async def test_an_event_per_entry_feeds_the_growth_record(staff, platform, seeded):
    await shift_window(platform, seeded, dt.timedelta(seconds=-1))

    await _finalise(staff, seeded)
    await _finalise(staff, seeded)

    events = await _rows(platform, EventRecord, EventRecord.type == "competitions.result_final")
    assert [e.subject_id for e in events] == [seeded.students[c] for c in seeded.codes]
    assert events[0].payload == {
        "activity_title": "区少儿书画比赛", "group": "小学低段", "code": seeded.codes[0],
        "entry_code": seeded.codes[0], "award": "一等奖", "score": 90.0, "rank": 1,
        "url": f"/competitions/entries/{seeded.codes[0]}"}
    assert events[3].payload["award"] is None


async def test_awarded_entries_get_e_certificates(staff, platform, seeded):
    await shift_window(platform, seeded, dt.timedelta(seconds=-1))

    await _finalise(staff, seeded)
    await _finalise(staff, seeded)
    await drain(platform)

    certificates = await _rows(platform, Certificate)
    assert [(c.holder_id, c.award) for c in certificates] == [
        (seeded.students[seeded.codes[0]], "一等奖"), (seeded.students[seeded.codes[1]], "二等奖"),
        (seeded.students[seeded.codes[2]], "三等奖")]
    pdf = b"".join([chunk async for chunk in platform.blobs.open(certificates[1].pdf_sha256)])
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert "欧阳小明" in text and "二等奖" in text and "小学低段" in text
    assert "区少儿书画比赛" in text


async def test_the_entry_page_shows_the_final_result_without_an_appeal_form(
        staff, parent, platform, seeded):
    await shift_window(platform, seeded, dt.timedelta(seconds=-1))
    await _finalise(staff, seeded)

    page = await parent.get(f"/competitions/entries/{seeded.codes[0]}")

    assert "评审结果" in page.text and "一等奖" in page.text
    assert "提交申诉" not in page.text


async def test_two_finalisations_at_once_finalise_once(staff, client_for, platform, seeded):
    await shift_window(platform, seeded, dt.timedelta(seconds=-1))
    other = await client_for("staff")

    answers = await asyncio.gather(_finalise(staff, seeded), _finalise(other, seeded))

    assert sorted(a.status_code for a in answers) == [200, 201]
    assert len(await _rows(platform, Publication, Publication.kind == "final")) == 1
    assert len(await _rows(platform, Message, Message.topic == "result")) == 4
    assert len(await _rows(platform, EventRecord,
                           EventRecord.type == "competitions.result_final")) == 4
