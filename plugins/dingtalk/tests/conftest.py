"""Fixtures: a DingTalk sandbox on loopback, and platforms configured to use it.

``roster`` builds a directory of three schools (甲小学 A and 乙中学 B exist in
TinyDistrict; 丙幼儿园 C is new to the platform); tests change it and call
``sandbox.load(...)`` between syncs.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from typing import Any

import bangyaer_dingtalk.plugin as dingtalk_plugin
import pytest
from bangyaer.identity import (
    Guardianship,
    OrgKind,
    Person,
    PersonKind,
    add_organisation,
    create_account,
    place_person,
)
from bangyaer.platform import Platform
from bangyaer_dingtalk._runtime import runtime
from bangyaer_dingtalk.sandbox import Sandbox, serve

CORPS = {"A": ("dingcorpa0001", 5001), "B": ("dingcorpb0002", 5002),
         "C": ("dingcorpc0003", 5003)}


def _school(code: str, name: str, period: str, grade: tuple[int, str],
            classes: list[tuple[int, str]]) -> dict[str, Any]:
    corp_id, agent_id = CORPS[code]
    base = {"A": 100, "B": 200, "C": 300}[code]
    depts = [
        {"dept_id": base, "name": f"{name}本部", "dept_type": "campus"},
        {"dept_id": base + 10, "super_id": base, "name": "学段", "dept_type": "period",
         "period_type": period},
        {"dept_id": base + 11, "super_id": base + 10, "name": grade[1], "dept_type": "grade",
         "grade_level": grade[0]},
    ]
    for class_id, class_name in classes:
        depts.append({"dept_id": class_id, "super_id": base + 11, "name": class_name,
                      "dept_type": "class"})
    return {"corp_id": corp_id, "name": name, "school_code": code,
            "app_key": f"key-{code}", "app_secret": f"secret-{code}", "agent_id": agent_id,
            "depts": depts, "users": [], "relations": []}


def _person(corp: dict[str, Any], userid: str, name: str, role: str, class_id: int,
            **extra: Any) -> None:
    corp["users"].append({"userid": userid, "name": name, "role": role,
                          "class_id": class_id, **extra})


def _relation(corp: dict[str, Any], guardian: str, student: str, code: str,
              class_id: int) -> None:
    corp["relations"].append({"from_userid": guardian, "to_userid": student,
                              "relation_code": code, "class_id": class_id})


def build_roster() -> dict[str, Any]:
    a = _school("A", "甲小学", "primary_school", (3, "三年级"),
                [(1111, "三年级1班"), (1112, "三年级2班")])
    _person(a, "sa1", "王小明", "student", 1111, student_no="S101")
    _person(a, "sa2", "李小红", "student", 1111, student_no="S102")
    _person(a, "sa3", "王小刚", "student", 1112, student_no="S103")
    _person(a, "ga1", "王小明爸爸", "guardian", 1111)
    _person(a, "ga1", "王小刚爸爸", "guardian", 1112)
    _person(a, "ga2", "李小红妈妈", "guardian", 1111)
    _person(a, "ta1", "张老师", "teacher", 1111, is_adviser=True)
    _relation(a, "ga1", "sa1", "F", 1111)
    _relation(a, "ga2", "sa2", "M", 1111)
    _relation(a, "ga1", "sa3", "F", 1112)
    # A full class: 31 more children make user/list and relation/list page twice.
    for i in range(31):
        _person(a, f"sx{i}", f"学生{i}", "student", 1112, student_no=f"S5{i:02d}")
        _person(a, f"gx{i}", f"学生{i}家长", "guardian", 1112)
        _relation(a, f"gx{i}", f"sx{i}", "GM", 1112)
    b = _school("B", "乙中学", "middle_school", (1, "初一"), [(2111, "初一(1)班")])
    _person(b, "sb1", "赵小华", "student", 2111, student_no="S201")
    _person(b, "gb1", "赵小华妈妈", "guardian", 2111)
    _person(b, "tb1", "钱老师", "teacher", 2111)
    _relation(b, "gb1", "sb1", "M", 2111)
    c = _school("C", "丙幼儿园", "kindergarten", (3, "大班"), [(3111, "大(1)班")])
    _person(c, "sc1", "孙小朵", "student", 3111, student_no="S301")
    _person(c, "gc1", "孙小朵爸爸", "guardian", 3111)
    _relation(c, "gc1", "sc1", "F", 3111)
    return {"corps": [a, b, c]}


@pytest.fixture
def roster() -> dict[str, Any]:
    return build_roster()


@pytest.fixture
def sandbox(roster: dict[str, Any]) -> Iterator[Sandbox]:
    with serve(Sandbox(copy.deepcopy(roster))) as running:
        yield running


@pytest.fixture
def corp_settings(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
                  ) -> Callable[..., dict[str, Any]]:
    """[plugins.dingtalk] pointing at the sandbox; secrets through the environment."""
    for code in CORPS:
        monkeypatch.setenv(f"BANGYAER_DINGTALK_{code}_APP_KEY", f"key-{code}")
        monkeypatch.setenv(f"BANGYAER_DINGTALK_{code}_APP_SECRET", f"secret-{code}")

    def make(codes: str = "ABC", **extra: Any) -> dict[str, Any]:
        corps = [{"corp_id": CORPS[c][0], "school_code": c, "agent_id": CORPS[c][1]}
                 for c in codes]
        return {"corps": corps, "oapi_base": sandbox.url, "api_base": sandbox.url, **extra}

    return make


async def small_district(platform: Platform) -> dict[str, int]:
    """Two schools and a guardian (王大明, account without a password) of two children at A.

    Lighter than TinyDistrict: no password hashing, which costs seconds per test.
    """
    async with platform.db.transaction() as s:
        district = await add_organisation(s, kind=OrgKind.district, code="D", name="测试区")
        school_a = await add_organisation(s, kind=OrgKind.school, code="A", name="甲小学",
                                          parent=district, stage="primary")
        await add_organisation(s, kind=OrgKind.school, code="B", name="乙中学",
                               parent=district, stage="middle")
        grade = await add_organisation(s, kind=OrgKind.grade, code="G3", name="三年级",
                                       parent=school_a, stage="primary", grade=3)
        klass = await add_organisation(s, kind=OrgKind.klass, code="1", name="三(1)班",
                                       parent=grade, stage="primary", grade=3)
        parent = Person(kind=PersonKind.guardian, name="王大明")
        place_person(parent, school_a)
        kids = [Person(kind=PersonKind.student, name=n, external_no=no)
                for n, no in (("王小明", "S001"), ("王小红", "S002"))]
        for kid in kids:
            place_person(kid, klass)
        s.add_all([parent, *kids])
        await s.flush()
        for kid in kids:
            s.add(Guardianship(guardian_id=parent.id, student_id=kid.id, relation="F"))
        account = await create_account(s, parent, username="parent",
                                       roles=[("guardian", district)])
        return {"district": district.id, "school_a": school_a.id, "parent": parent.id,
                "parent_account": account.id}


@pytest.fixture
def dt_platform(make_platform: Callable[..., Any], corp_settings: Callable[..., Any]
                ) -> Callable[..., Any]:
    async def make(codes: str = "ABC", **extra: Any) -> Platform:
        platform: Platform = await make_platform(
            plugins=[dingtalk_plugin],
            plugin_settings={"dingtalk": corp_settings(codes, **extra)})
        platform.ids = await small_district(platform)  # type: ignore[attr-defined]
        platform.sleeps = []  # type: ignore[attr-defined]

        async def no_wait(seconds: float) -> None:  # backoff is counted, not waited out
            platform.sleeps.append(seconds)  # type: ignore[attr-defined]

        (await runtime(platform)).sleep = no_wait
        return platform

    return make
