"""Demo content: three district art competitions, open, being judged and in their 公示.

Everything is made by the plugin's own steps — creating and opening an
activity, registering a child as their guardian, uploading and submitting a
work, freezing, inviting judges, the draw, scoring, computing and the 公示 —
inside the demo's seeding transaction, so a visitor sees what those steps
really make. The judging copies are made here, entry by entry, instead of by
the worker's job: the job opens transactions of its own, which would wait
for the seeding one to finish. The job queued by the move stays harmless: it
finds judges already drawn and makes nothing.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import random
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import Any

from bangyaer.db import utcnow
from bangyaer.identity import (
    Account,
    Actor,
    Guardianship,
    Organisation,
    Person,
    PersonKind,
    create_account,
    load_actor,
    place_person,
)
from bangyaer.platform import Platform
from PIL import Image, ImageDraw
from PIL.PngImagePlugin import PngInfo
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from . import activity_form, files, lifecycle, registration, staff, works
from .judging import freeze, judges, marking, service
from .judging.models import Assignment, JudgingSetup
from .judging.setup import change, setup_of
from .models import Activity, Entry, Work
from .results import compute, publish, settings
from .types import types_of

log = logging.getLogger("bangyaer.competitions")
SEED = 20270301
ORGANISER = "staff"
DEMO_JUDGES = ("judge1", "judge2", "judge3")
# The 公示 activity's panel, so the demo judges' queue holds only work still to do.
PAST_PANEL = (("kh-judge1", "何振华"), ("kh-judge2", "孙晓岚"), ("kh-judge3", "蒋一鸣"))
SIZE = 640  # the artwork type asks for at least 600 × 600 pixels

STAGE_GROUPS: dict[str, dict[str, Any]] = {
    "kindergarten": {"name": "幼儿组", "stage": "kindergarten", "grade_min": 1, "grade_max": 3},
    "lower": {"name": "小学低段", "stage": "primary", "grade_min": 1, "grade_max": 3},
    "upper": {"name": "小学高段", "stage": "primary", "grade_min": 4, "grade_max": 6},
    "middle": {"name": "初中组", "stage": "middle", "grade_min": 1, "grade_max": 3},
}
TITLES = {
    "landscape": ("我的家乡", "西湖的早晨", "运河边的老房子", "钱塘潮", "外婆家的小院",
                  "雨后的断桥", "山里的茶园", "城市的夜晚", "春天的柳浪", "回家的路"),
    "space": ("去火星上种菜", "海底城市", "会飞的学校", "星际快递员", "机器人小伙伴",
              "月球上的运动会", "未来的西湖", "太空电梯", "云上的图书馆", "时光列车"),
}
COMMENTS = ("构图饱满，色彩明快。", "主题鲜明，细节还可以再丰富。", "想象力丰富，画面有故事感。",
            "线条稳定，用色大胆。", "")


@dataclass(frozen=True)
class DemoActivity:
    prefix: str
    title: str
    description: str
    groups: tuple[str, ...]
    # Days from now: registration opens, closes, the submission deadline, judging, results.
    days: tuple[int, int, int, int, int]
    theme: str
    per_group: int


OPEN = DemoActivity(
    "SH2027", "2027 区青少年书画大赛",
    "以“我眼中的新时代”为主题，书法、国画、水彩、儿童画均可。每人限报一件作品，"
    "请上传作品照片（1–3 张，拍摄时请保持画面平整、光线均匀）。",
    ("kindergarten", "lower", "upper", "middle"), (-3, 21, 21, 25, 45), "landscape", 3)
JUDGING = DemoActivity(
    "HX2026", "2026 区中小学生“美丽家乡”绘画比赛",
    "用画笔描绘家乡的山水、街巷和人。作品已截止提交，评委正在进行匿名评审。",
    ("lower", "upper", "middle"), (-60, -20, -14, -10, 10), "landscape", 10)
PUBLICISED = DemoActivity(
    "KH2026", "2026 区少儿科幻画大赛",
    "畅想未来科技与生活。评审结果正在公示，公示期内家长可在报名详情页提出申诉。",
    ("lower", "upper"), (-90, -50, -45, -40, -1), "space", 10)
AWARD_RULE = {"mode": "quota", "rounding": "floor", "cut_ties": "include",
              "levels": [{"name": "一等奖", "percent": 10}, {"name": "二等奖", "percent": 20},
                         {"name": "三等奖", "percent": 30}]}


async def add_demo_competitions(session: AsyncSession, district: Organisation,
                                platform: Platform) -> None:
    """The three demo activities; nothing when they exist already."""
    if await session.scalar(select(Activity.id).where(Activity.code_prefix == OPEN.prefix)):
        return
    rng = random.Random(SEED)
    organiser = await _actor_of(session, platform, ORGANISER)
    kind = types_of(platform)["artwork"]
    reserved = await _demo_parents_children(session)
    pool = await _children(session, exclude=reserved)

    opened = await _create(session, platform, organiser, district, OPEN)
    for n, child in enumerate(_pick(rng, pool, OPEN)):
        await _enter(session, platform, opened, kind, child, rng, OPEN.theme,
                     with_work=n % 3 != 2)

    judging = await _entered_and_frozen(session, platform, organiser, district, kind, JUDGING,
                                        rng, _pick(rng, pool, JUDGING))
    await _draw(session, organiser, judging, DEMO_JUDGES, k=2)
    await _score(session, platform, judging, rng, share=0.4)

    panel = [username for username, _ in PAST_PANEL]
    await _panel_accounts(session, district, PAST_PANEL)
    entrants = _pick(rng, pool, PUBLICISED) + [c for c in reserved.get("parent2", [])
                                               if c.stage == "primary"]
    publicised = await _entered_and_frozen(session, platform, organiser, district, kind,
                                           PUBLICISED, rng, entrants)
    await _draw(session, organiser, publicised, panel, k=3)
    await _score(session, platform, publicised, rng, share=1.0)
    await _publicise(session, platform, organiser, publicised)
    log.info("demo competitions added: %s, %s, %s", opened.id, judging.id, publicised.id)


# -- people ---------------------------------------------------------------------------


async def _actor_of(session: AsyncSession, platform: Platform, username: str,
                    child: Person | None = None) -> Actor:
    account_id = await session.scalar(select(Account.id).where(Account.username == username))
    if account_id is None:
        raise LookupError(f"the demo account {username!r} is missing")
    return await load_actor(session, platform.permissions, account_id,
                            child.id if child else None)


async def _demo_parents_children(session: AsyncSession) -> dict[str, list[Person]]:
    """The printed guardians' children, kept out of the open activity so they can enter it."""
    rows = await session.execute(
        select(Account.username, Person).join(
            Guardianship, Guardianship.guardian_id == Account.person_id)
        .join(Person, Person.id == Guardianship.student_id)
        .where(Account.username.in_(("parent", "parent2"))).order_by(Person.id))
    out: dict[str, list[Person]] = {}
    for username, child in rows:
        out.setdefault(str(username), []).append(child)
    return out


async def _children(session: AsyncSession, exclude: dict[str, list[Person]]
                    ) -> dict[str, list[Person]]:
    """Children with a guardian to register them, by the demo groups they fit."""
    skip = {c.id for kids in exclude.values() for c in kids}
    with_guardian = select(Guardianship.student_id)
    rows = await session.scalars(select(Person).where(
        Person.kind == PersonKind.student, Person.active.is_(True),
        Person.school_id.is_not(None), Person.id.in_(with_guardian)).order_by(Person.id))
    pool: dict[str, list[Person]] = {key: [] for key in STAGE_GROUPS}
    for child in rows:
        if child.id in skip or child.grade is None:
            continue
        for key, group in STAGE_GROUPS.items():
            if child.stage == group["stage"] and \
                    group["grade_min"] <= child.grade <= group["grade_max"]:
                pool[key].append(child)
    return pool


def _pick(rng: random.Random, pool: dict[str, list[Person]], spec: DemoActivity
          ) -> list[Person]:
    """``per_group`` children of each group, taken out of the pool so no child repeats."""
    picked = []
    for key in spec.groups:
        chosen = rng.sample(pool[key], min(spec.per_group, len(pool[key])))
        pool[key] = [c for c in pool[key] if c not in chosen]
        picked += chosen
    return picked


async def _guardian_actor(session: AsyncSession, platform: Platform, child: Person) -> Actor:
    account_id = await session.scalar(
        select(Account.id).join(Guardianship, Guardianship.guardian_id == Account.person_id)
        .where(Guardianship.student_id == child.id).order_by(Account.id).limit(1))
    return await load_actor(session, platform.permissions, account_id, child.id)


async def _panel_accounts(session: AsyncSession, district: Organisation,
                          panel: Sequence[tuple[str, str]]) -> None:
    """Judges from outside the district's schools, without a password: nobody signs in as them."""
    for username, name in panel:
        person = Person(kind=PersonKind.staff, name=name, external_no=f"T-{username}")
        place_person(person, district)
        session.add(person)
        await session.flush()
        await create_account(session, person, username=username, roles=[("judge", district)])


# -- activities, entries and works ----------------------------------------------------


async def _create(session: AsyncSession, platform: Platform, organiser: Actor,
                  district: Organisation, spec: DemoActivity) -> Activity:
    """A district activity, made and opened as staff would; registration open until seeded."""
    now = utcnow()
    opens, closes, deadline, judging, results = (now + dt.timedelta(days=d) for d in spec.days)
    if closes <= now:  # entered now, moved into the past once its works are in
        closes = deadline = now + dt.timedelta(hours=1)
    data = {"title": spec.title, "category": "艺术", "type": "artwork",
            "code_prefix": spec.prefix, "description": spec.description,
            "registration_opens_at": opens.isoformat(),
            "registration_closes_at": closes.isoformat(),
            "submission_deadline": deadline.isoformat(),
            "judging_starts_at": judging.isoformat(), "results_at": results.isoformat()}
    values = activity_form.parse(data, list(platform.config("competitions")["categories"]),
                                 list(types_of(platform)))
    groups = activity_form.parse_groups([STAGE_GROUPS[key] for key in spec.groups])
    activity = await staff._insert(session, organiser, district, values, groups)
    await lifecycle.move(session, activity, "open", organiser)
    return activity


async def _enter(session: AsyncSession, platform: Platform, activity: Activity, kind: Any,
                 child: Person, rng: random.Random, theme: str, *, with_work: bool) -> Entry:
    """Register ``child`` as their guardian would, and upload and submit a drawing."""
    guardian = await _guardian_actor(session, platform, child)
    # The registering steps without their own transactions: the demo's holds the database.
    plan = await registration._plan(session, child, activity.id, None, False)
    if isinstance(plan, registration.Registered):
        return plan.entry
    entry = (await registration._write(session, guardian, child, plan, None, False)).entry
    await session.flush()
    if not with_work:
        return entry
    title = rng.choice(TITLES[theme])
    data, name = artwork(rng, theme, child, tagged=rng.random() < 0.5)
    info, inspector = await files.store_stream(platform, kind, {}, _chunks(data))
    row = await files.record_file(session, platform, entry.id, guardian, info, inspector, name)
    await works.submit(session, guardian, activity, kind, entry, {"title": title}, [row.id])
    return entry


async def _entered_and_frozen(session: AsyncSession, platform: Platform, organiser: Actor,
                              district: Organisation, kind: Any, spec: DemoActivity,
                              rng: random.Random, children: Sequence[Person]) -> Activity:
    """An activity whose entries came in on its dates, now frozen with judging copies."""
    activity = await _create(session, platform, organiser, district, spec)
    entries = [await _enter(session, platform, activity, kind, child, rng, spec.theme,
                            with_work=True) for child in children]
    now = utcnow()
    opens, closes, deadline, _judging, _results = (now + dt.timedelta(days=d)
                                                   for d in spec.days)
    activity.registration_closes_at, activity.submission_deadline = closes, deadline
    for entry in entries:  # handed in on a day of the window, not today
        entry.submitted_at = opens + (closes - opens) * rng.random()
        work = await session.scalar(select(Work).where(Work.entry_id == entry.id))
        if work is not None:
            work.submitted_at = entry.submitted_at
    # Not yet: the history and audit log date every move to the seeding; only the dates shown
    # to families and the entries' hand-in times are moved back, which is what they read.
    await lifecycle.move(session, activity, "submissions_closed", organiser)
    setup = await setup_of(session, activity, kind)
    withheld: list[dict[str, Any]] = []
    for entry in entries:
        withheld += await freeze._copy_entry(session, platform, entry.id)
    setup.withheld, setup.frozen_at = withheld, utcnow()
    return activity


async def _chunks(data: bytes) -> AsyncIterator[bytes]:
    yield data


# -- judging and results ---------------------------------------------------------------


async def _draw(session: AsyncSession, organiser: Actor, activity: Activity,
                usernames: Sequence[str], *, k: int) -> None:
    """Invite the judges to every group and draw k of them for each entry, from a fixed seed."""
    setup = await session.get(JudgingSetup, activity.id)
    assert setup is not None  # made when the works were frozen
    for group in await registration.groups_of(session, activity.id):
        for username in usernames:
            await judges.invite(session, organiser, activity,
                                {"group": group.number, "username": username})
    change(setup, {"judges_per_entry": k})
    await service.draw(session, organiser, activity, setup, seed=f"demo-{activity.code_prefix}")


async def _score(session: AsyncSession, platform: Platform, activity: Activity,
                 rng: random.Random, *, share: float) -> None:
    """Each judge scores the first ``share`` of their queue, as they would on the score page."""
    setup = await session.get(JudgingSetup, activity.id)
    assert setup is not None
    # How good each work is, so that judges broadly agree and the ranks mean something.
    quality: dict[int, float] = {}
    rows = list(await session.execute(
        select(Assignment, Entry.code).join(Entry, Entry.id == Assignment.entry_id)
        .where(Assignment.activity_id == activity.id).order_by(Entry.code, Assignment.id)))
    by_judge: dict[int, list[Assignment]] = {}
    for assignment, _code in rows:
        by_judge.setdefault(assignment.judge_account_id, []).append(assignment)
    for judge_id, held in sorted(by_judge.items()):
        judge = await load_actor(session, platform.permissions, judge_id)
        for assignment in held[:round(len(held) * share)]:
            level = quality.setdefault(assignment.entry_id, rng.uniform(0.55, 0.95))
            scores = {c["key"]: max(0, min(int(c["max_score"]), round(
                int(c["max_score"]) * (level + rng.uniform(-0.08, 0.08)))))
                for c in setup.rubric}
            await marking.save_score(session, judge, assignment, activity, scores,
                                     rng.choice(COMMENTS))


async def _publicise(session: AsyncSession, platform: Platform, organiser: Actor,
                     activity: Activity) -> None:
    setup = await session.get(JudgingSetup, activity.id)
    assert setup is not None
    await settings.update(session, organiser, activity, setup, {"award_rule": AWARD_RULE})
    await compute.compute(session, platform, organiser, activity, setup)
    await publish.publicise(session, platform, organiser, activity, setup,
                            publish.window(None, None))


# -- artworks -----------------------------------------------------------------------------


def artwork(rng: random.Random, theme: str, child: Person, *, tagged: bool
            ) -> tuple[bytes, str]:
    """A child's drawing as a phone photo of it: (bytes, file name).

    ``tagged`` photos carry what a phone writes — the owner as EXIF artist and
    author, where it was taken as GPS, or a PNG text chunk — so the judging
    copies show the anonymiser removing it.
    """
    image = Image.new("RGB", (SIZE, SIZE), _sky(rng, theme))
    draw = ImageDraw.Draw(image)
    (_space if theme == "space" else _landscape)(draw, rng)
    out = io.BytesIO()
    if rng.random() < 0.3:
        info = PngInfo()
        if tagged:
            info.add_text("Author", child.name)
            info.add_itxt("Description", f"{child.name}的画", lang="zh")
        image.save(out, "PNG", pnginfo=info)
        return out.getvalue(), f"{child.name}的作品.png"
    exif = Image.Exif()
    if tagged:
        exif[0x013B] = f"Student {child.external_no or child.id}"  # Artist: ASCII only
        exif[0x9C9D] = (child.name + "\0").encode("utf-16-le")     # XPAuthor
        gps = exif.get_ifd(0x8825)
        gps.update({1: "N", 2: (30.0, 14.0, float(rng.randint(0, 59))), 3: "E",
                    4: (120.0, 9.0, float(rng.randint(0, 59)))})
    image.save(out, "JPEG", quality=85, exif=exif)
    return out.getvalue(), f"IMG_{rng.randint(1000, 9999)}.jpg"


def _sky(rng: random.Random, theme: str) -> tuple[int, int, int]:
    if theme == "space":
        return (rng.randint(10, 40), rng.randint(10, 40), rng.randint(60, 110))
    return (rng.randint(150, 200), rng.randint(200, 230), rng.randint(235, 255))


def _colour(rng: random.Random) -> tuple[int, int, int]:
    return (rng.randint(40, 250), rng.randint(40, 250), rng.randint(40, 250))


def _landscape(draw: ImageDraw.ImageDraw, rng: random.Random) -> None:
    sun = rng.randint(60, SIZE - 60)
    draw.ellipse((sun - 40, 50, sun + 40, 130), fill=(250, 200, 60))
    for _ in range(3):
        x = rng.randint(-100, SIZE)
        draw.polygon([(x, 420), (x + 180, rng.randint(200, 320)), (x + 360, 420)],
                     fill=(rng.randint(60, 120), rng.randint(140, 190), rng.randint(70, 110)))
    draw.rectangle((0, 420, SIZE, SIZE), fill=(rng.randint(80, 140), 170, 90))
    for _ in range(rng.randint(2, 4)):
        x, w = rng.randint(20, SIZE - 140), rng.randint(80, 120)
        draw.rectangle((x, 380, x + w, 480), fill=(245, 240, 225), outline=(60, 60, 60))
        draw.polygon([(x - 10, 380), (x + w // 2, 330), (x + w + 10, 380)], fill=(70, 70, 80))
        draw.rectangle((x + w // 3, 430, x + w // 3 + 20, 480), fill=(120, 80, 40))
    for _ in range(rng.randint(3, 6)):
        x = rng.randint(10, SIZE - 10)
        draw.rectangle((x - 5, 500, x + 5, 560), fill=(110, 70, 30))
        draw.ellipse((x - 30, 450, x + 30, 515), fill=(40, rng.randint(120, 170), 60))


def _space(draw: ImageDraw.ImageDraw, rng: random.Random) -> None:
    for _ in range(80):
        x, y = rng.randint(0, SIZE), rng.randint(0, SIZE)
        draw.point((x, y), fill=(255, 255, 230))
    for _ in range(rng.randint(1, 3)):
        x, y, r = rng.randint(60, SIZE - 60), rng.randint(60, 300), rng.randint(30, 80)
        draw.ellipse((x - r, y - r, x + r, y + r), fill=_colour(rng))
        draw.ellipse((x - r - 20, y - 8, x + r + 20, y + 8), outline=_colour(rng), width=3)
    x = rng.randint(150, SIZE - 150)
    draw.polygon([(x, 280), (x + 40, 360), (x + 40, 500), (x - 40, 500), (x - 40, 360)],
                 fill=(230, 230, 235), outline=(90, 90, 100))
    draw.ellipse((x - 18, 380, x + 18, 416), fill=(90, 170, 230))
    draw.polygon([(x - 40, 500), (x - 70, 540), (x - 40, 460)], fill=(220, 60, 50))
    draw.polygon([(x + 40, 500), (x + 70, 540), (x + 40, 460)], fill=(220, 60, 50))
    draw.polygon([(x - 25, 500), (x, 580), (x + 25, 500)], fill=(250, 170, 40))
