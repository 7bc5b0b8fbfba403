"""The sandbox's directory: corps, home-school departments, people and relations.

Loaded from a plain dict (a JSON fixture), so a test can build several
schools, then move or remove a student between two roster syncs::

    {"corps": [{
        "corp_id": "dingsandboxa", "name": "甲小学", "school_code": "A",
        "app_key": "…", "app_secret": "…", "agent_id": 1001,
        "depts": [{"dept_id": 10, "name": "本部", "dept_type": "campus"},
                  {"dept_id": 11, "super_id": 10, "name": "小学", "dept_type": "period",
                   "period_type": "primary_school"},
                  {"dept_id": 12, "super_id": 11, "name": "三年级", "dept_type": "grade",
                   "grade_level": 3},
                  {"dept_id": 13, "super_id": 12, "name": "三年级1班", "dept_type": "class",
                   "class_level": 1}],
        "users": [{"userid": "s1", "name": "王小明", "role": "student", "class_id": 13,
                   "student_no": "S001"}, …],
        "relations": [{"from_userid": "g1", "to_userid": "s1", "relation_code": "F",
                       "class_id": 13}]}]}
"""

from __future__ import annotations

import copy
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DEPT_TYPES = ("campus", "period", "grade", "class")
PARENT_TYPE = {"period": "campus", "grade": "period", "class": "grade"}
ROLES = ("student", "guardian", "teacher")
PERIOD_TYPES = ("kindergarten", "primary_school", "middle_school", "high_school")
# Relation codes of the home-school roster and the names DingTalk shows for them.
RELATIONS = {"F": "爸爸", "M": "妈妈", "GF": "爷爷", "GM": "奶奶", "WGF": "外公",
             "WGM": "外婆", "O": "其他亲属"}


class FixtureError(ValueError):
    """A sandbox fixture that does not describe a consistent directory."""


@dataclass
class Corp:
    corp_id: str
    name: str
    school_code: str
    app_key: str
    app_secret: str
    agent_id: int
    depts: dict[int, dict[str, Any]] = field(default_factory=dict)
    users: list[dict[str, Any]] = field(default_factory=list)
    relations: list[dict[str, Any]] = field(default_factory=list)

    def names(self) -> dict[str, str]:
        return {u["userid"]: u["name"] for u in self.users}

    def has_user(self, userid: str) -> bool:
        return any(u["userid"] == userid for u in self.users)

    def memberships(self, class_id: int, role: str) -> list[dict[str, Any]]:
        return [u for u in self.users if u["class_id"] == class_id and u["role"] == role]


def unionid(corp_id: str, userid: str) -> str:
    return hashlib.sha256(f"{corp_id}:{userid}".encode()).hexdigest()[:24]


def _need(item: dict[str, Any], key: str, types: type | tuple[type, ...], where: str) -> Any:
    value = item.get(key)
    if not isinstance(value, types) or isinstance(value, bool) or value == "":
        raise FixtureError(f"{where}: {key} is missing or not a {types}: {value!r}")
    return value


def _load_depts(corp: Corp, raw: list[dict[str, Any]], where: str) -> None:
    for i, dept in enumerate(raw):
        here = f"{where} depts[{i}]"
        dept_id = _need(dept, "dept_id", int, here)
        kind = _need(dept, "dept_type", str, here)
        if kind not in DEPT_TYPES:
            raise FixtureError(f"{here}: dept_type {kind!r}, expected one of {DEPT_TYPES}")
        if kind == "period" and dept.get("period_type") not in PERIOD_TYPES:
            raise FixtureError(f"{here}: period_type must be one of {PERIOD_TYPES}")
        if dept_id in corp.depts:
            raise FixtureError(f"{here}: dept_id {dept_id} appears twice")
        corp.depts[dept_id] = dict(dept)
    for dept_id, dept in corp.depts.items():
        parent_type = PARENT_TYPE.get(dept["dept_type"])
        super_id = dept.get("super_id")
        if parent_type is None:
            if super_id is not None:
                raise FixtureError(f"{where}: campus {dept_id} must not have a super_id")
            continue
        parent = corp.depts.get(super_id) if isinstance(super_id, int) else None
        if parent is None or parent["dept_type"] != parent_type:
            raise FixtureError(f"{where}: {dept['dept_type']} {dept_id} needs a super_id "
                               f"that is a {parent_type}, found {super_id!r}")


def _load_people(corp: Corp, raw: dict[str, Any], where: str) -> None:
    for i, user in enumerate(raw.get("users", [])):
        here = f"{where} users[{i}]"
        _need(user, "userid", str, here)
        _need(user, "name", str, here)
        if user.get("role") not in ROLES:
            raise FixtureError(f"{here}: role must be one of {ROLES}")
        class_id = _need(user, "class_id", int, here)
        if corp.depts.get(class_id, {}).get("dept_type") != "class":
            raise FixtureError(f"{here}: class_id {class_id} is not a class of {corp.corp_id}")
        corp.users.append(dict(user))
    for i, rel in enumerate(raw.get("relations", [])):
        here = f"{where} relations[{i}]"
        code = _need(rel, "relation_code", str, here)
        if code not in RELATIONS:
            raise FixtureError(f"{here}: relation_code {code!r}, expected one of "
                               f"{sorted(RELATIONS)}")
        class_id = _need(rel, "class_id", int, here)
        for key, role in (("from_userid", "guardian"), ("to_userid", "student")):
            userid = _need(rel, key, str, here)
            if not any(u["userid"] == userid for u in corp.memberships(class_id, role)):
                raise FixtureError(f"{here}: {key} {userid!r} is not a {role} of class "
                                   f"{class_id}")
        corp.relations.append(dict(rel))


def load_directory(data: dict[str, Any]) -> dict[str, Corp]:
    """Check a fixture and build the corps it describes; FixtureError names the problem."""
    corps: dict[str, Corp] = {}
    for i, raw in enumerate(data.get("corps", [])):
        where = f"corps[{i}]"
        corp = Corp(
            corp_id=_need(raw, "corp_id", str, where), name=_need(raw, "name", str, where),
            school_code=_need(raw, "school_code", str, where),
            app_key=_need(raw, "app_key", str, where),
            app_secret=_need(raw, "app_secret", str, where),
            agent_id=_need(raw, "agent_id", int, where),
        )
        if corp.corp_id in corps:
            raise FixtureError(f"{where}: corp_id {corp.corp_id!r} appears twice")
        _load_depts(corp, list(raw.get("depts", [])), where)
        _load_people(corp, raw, where)
        corps[corp.corp_id] = corp
    return corps


def load_fixture_file(path: str | Path) -> dict[str, Any]:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise FixtureError(f"{path}: cannot read the sandbox fixture: {exc}") from None
    if not isinstance(data, dict):
        raise FixtureError(f"{path}: expected a JSON object with \"corps\"")
    return data


def copy_fixture(data: dict[str, Any]) -> dict[str, Any]:
    return copy.deepcopy(data)
