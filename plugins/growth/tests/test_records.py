"""Every event about a student becomes one record, whichever module sent it."""

from __future__ import annotations

import pytest
from bangyaer.events import Event, EventRecord
from bangyaer_growth._record import record_event
from bangyaer_growth.models import Record
from sqlalchemy import func, select


async def records(platform, **where):
    async with platform.db.session() as session:
        query = select(Record).order_by(Record.id)
        for key, value in where.items():
            query = query.where(getattr(Record, key) == value)
        return list(await session.scalars(query))


@pytest.mark.parametrize(("event_type", "payload", "kind", "title", "category"), [
    pytest.param("competitions.entry_registered",
                 {"activity_id": 1, "activity_title": "区科技节", "entry_code": "K-001"},
                 "registered", "报名“区科技节”", "竞赛", id="registered"),
    pytest.param("competitions.work_submitted",
                 {"activity_id": 1, "activity_title": "区科技节", "entry_code": "K-001",
                  "version": 1}, "submitted", "提交作品：区科技节", "竞赛", id="submitted"),
    pytest.param("competitions.result_final",
                 {"activity_title": "区科技节", "group": "小学低段", "code": "K-001",
                  "entry_code": "K-001", "award": "二等奖", "score": 88.5, "rank": 2,
                  "url": "/competitions/entries/K-001"},
                 "activity", "“区科技节”评审结果：二等奖", "竞赛", id="result-final"),
    pytest.param("training.enrolled", {"class_id": 4, "class_name": "少儿编程", "term_id": 1},
                 "enrolled", "录取培训班“少儿编程”", "培训", id="enrolled"),
    pytest.param("training.completed",
                 {"class_id": 4, "class_name": "少儿编程", "term_id": 1, "lessons": 16},
                 "completed", "培训班“少儿编程”结业", "培训", id="completed"),
    pytest.param("classroom.course_completed", {"title": "走进航天", "category": "科技"},
                 "cloud_class", "完成课程“走进航天”", "科技", id="cloud-class"),
    pytest.param("pioneers.took_part", {"title": "清明祭英烈", "category": "德育"},
                 "pioneer_activity", "参加“清明祭英烈”", "德育", id="pioneer-activity"),
    pytest.param("pioneers.badge_earned", {"title": "获得“环保章”", "category": "德育"},
                 "badge", "获得“环保章”", "德育", id="badge"),
    pytest.param("clubs.joined", {"title": "加入“机器人社”", "category": "科技"},
                 "membership", "加入“机器人社”", "科技", id="club"),
])
async def test_known_event_becomes_a_record_of_its_kind(feed, platform, event_type, payload,
                                                        kind, title, category):
    await feed(event_type, **payload)

    [record] = await records(platform)
    assert (record.kind, record.title, record.category, record.source) == (
        kind, title, category, event_type.split(".")[0])


async def test_an_entry_without_a_link_of_its_own_links_to_its_entry_page(feed, platform):
    await feed("competitions.entry_registered", activity_title="区科技节", entry_code="K-001")
    await feed("competitions.work_submitted", activity_title="区科技节", entry_code="K/../x")

    urls = sorted(r.url for r in await records(platform))
    assert urls == ["/competitions/entries/K-001", "/competitions/mine"]


async def test_completed_class_counts_its_lessons_as_training_hours(feed, platform):
    await feed("training.completed", class_name="书法", lessons=12)

    [record] = await records(platform)
    assert record.minutes == 12 * 60


async def test_unknown_event_type_becomes_a_generic_record_from_the_payload(feed, platform):
    await feed("stargazing.night_attended", title="参加天文观测夜", category="科技",
               occurred_at="2026-08-01T20:00:00+08:00", url="/stargazing/nights/3", hours=2.5)

    [record] = await records(platform)
    assert (record.kind, record.title, record.category, record.url, record.minutes) == (
        "activity", "参加天文观测夜", "科技", "/stargazing/nights/3", 150)
    assert record.occurred_at.isoformat() == "2026-08-01T12:00:00+00:00"


async def test_generic_record_without_a_title_is_named_after_the_event_type(feed, platform):
    await feed("stargazing.night_attended")

    [record] = await records(platform)
    assert (record.title, record.category) == ("stargazing.night_attended", "其他")


async def test_link_to_another_site_is_dropped(feed, platform):
    await feed("stargazing.night_attended", title="观测", url="https://evil.example/")

    [record] = await records(platform)
    assert record.url == ""


async def test_certificate_issued_becomes_an_award_linked_to_the_certificate(award, platform):
    cert_id = await award(award="二等奖", activity="区书画比赛")

    [record] = await records(platform)
    assert (record.kind, record.award, record.certificate_id, record.title) == (
        "award", "二等奖", cert_id, "区书画比赛 二等奖")


async def test_award_is_dated_and_categorised_from_its_certificate(award, platform):
    await award(award="二等奖", activity="区书画比赛")

    [record] = await records(platform)
    assert (record.category, record.occurred_at.isoformat()) == (
        "竞赛", "2026-11-20T04:00:00+00:00")


async def test_event_delivered_twice_makes_one_record(feed, platform):
    event_id = await feed("pioneers.took_part", title="植树")
    async with platform.db.transaction() as session:
        event = Event.from_record(await session.get(EventRecord, event_id))
        await record_event(session, event)

    async with platform.db.session() as session:
        assert await session.scalar(select(func.count(Record.id))) == 1


async def test_event_without_a_subject_makes_no_record(feed, platform):
    await feed("stargazing.night_attended", student=None, title="观测")

    assert await records(platform) == []


async def test_event_about_a_guardian_makes_no_record(feed, platform):
    await feed("stargazing.night_attended", student="parent", title="家长课堂")

    assert await records(platform) == []


async def test_roster_events_make_no_record(feed, platform):
    await feed("dingtalk.student_moved", class_id=3)

    assert await records(platform) == []


async def test_cancelled_registration_is_withdrawn_from_the_timeline(feed, platform):
    await feed("competitions.entry_registered", activity_title="区科技节", entry_code="K-9")
    await feed("competitions.entry_cancelled", activity_title="区科技节", entry_code="K-9")

    [record] = await records(platform)
    assert record.withdrawn is True


async def test_record_remembers_the_students_school(feed, platform, district):
    await feed("pioneers.took_part", student="child_b", title="植树")

    [record] = await records(platform)
    assert (record.school_id, record.org_path) == (
        district.ids["school_b"], district.paths["class_b1"])
