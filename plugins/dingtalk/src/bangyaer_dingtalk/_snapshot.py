"""Reading one corp's home-school roster (家校通讯录) from DingTalk into memory.

The walk follows the classic structure campus → period → grade → class
(topapi/edu/dept/list, 30 a page), then each class's students, guardians and
teachers (topapi/edu/user/list) and guardian–student relations
(topapi/edu/user/relation/list). Everything is read before anything is
written, so no database transaction stays open across network calls, and a
walk that failed anywhere is marked incomplete: nobody is deactivated on the
strength of a partial roster.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ._client import DingTalkClient, DingTalkError

log = logging.getLogger("bangyaer.dingtalk")

# DingTalk's period types and the core's school stages; high schools are out
# of the district's remit and skipped.
STAGES = {"kindergarten": "kindergarten", "primary_school": "primary",
          "middle_school": "middle"}
Progress = Callable[[str, int, int], None]
CLASSES_AT_ONCE = 4


@dataclass
class ClassRoster:
    dept_id: int
    name: str
    grade_dept_id: int
    students: list[dict[str, Any]] = field(default_factory=list)
    guardians: list[dict[str, Any]] = field(default_factory=list)
    teachers: list[dict[str, Any]] = field(default_factory=list)
    relations: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Grade:
    dept_id: int
    name: str
    stage: str
    level: int | None


@dataclass
class Snapshot:
    corp_id: str
    campus_name: str = ""
    grades: dict[int, Grade] = field(default_factory=dict)
    classes: dict[int, ClassRoster] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return not self.errors

    @property
    def stage(self) -> str | None:
        stages = [g.stage for g in self.grades.values()]
        return stages[0] if stages else None


def _feature(dept: dict[str, Any]) -> dict[str, Any]:
    try:
        value = json.loads(dept.get("feature") or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _error(snapshot: Snapshot, what: str, exc: DingTalkError) -> None:
    log.warning("corp %s: %s failed: errcode %s (request_id %s)",
                snapshot.corp_id, what, exc.errcode, exc.request_id)
    snapshot.errors.append(f"{what}: errcode {exc.errcode} {exc.errmsg}".strip())


async def _children(client: DingTalkClient, snapshot: Snapshot, super_id: int | None,
                    kind: str) -> list[dict[str, Any]]:
    try:
        nodes = await client.edu_departments(super_id)
    except DingTalkError as exc:
        _error(snapshot, f"dept/list super_id={super_id}", exc)
        return []
    return [n for n in nodes if n.get("dept_type") == kind]


async def _walk_tree(client: DingTalkClient, snapshot: Snapshot) -> list[int]:
    class_ids: list[int] = []
    for campus in await _children(client, snapshot, None, "campus"):
        snapshot.campus_name = snapshot.campus_name or str(campus.get("name", ""))
        for period in await _children(client, snapshot, int(campus["dept_id"]), "period"):
            period_type = _feature(period).get("period_type", "")
            stage = STAGES.get(period_type)
            if stage is None:
                snapshot.skipped.append(f"period {period['dept_id']} ({period_type})")
                continue
            for grade in await _children(client, snapshot, int(period["dept_id"]), "grade"):
                level = _feature(grade).get("grade_level")
                gid = int(grade["dept_id"])
                snapshot.grades[gid] = Grade(gid, str(grade["name"]), stage,
                                             int(level) if level else None)
                for klass in await _children(client, snapshot, gid, "class"):
                    cid = int(klass["dept_id"])
                    snapshot.classes[cid] = ClassRoster(cid, str(klass["name"]), gid)
                    class_ids.append(cid)
    return class_ids


async def _read_class(client: DingTalkClient, snapshot: Snapshot, roster: ClassRoster) -> None:
    for role, target in (("student", roster.students), ("guardian", roster.guardians),
                         ("teacher", roster.teachers)):
        try:
            target.extend(await client.edu_users(roster.dept_id, role))
        except DingTalkError as exc:
            _error(snapshot, f"user/list class_id={roster.dept_id} role={role}", exc)
    try:
        roster.relations.extend(await client.edu_relations(roster.dept_id))
    except DingTalkError as exc:
        _error(snapshot, f"user/relation/list class_id={roster.dept_id}", exc)


async def read_roster(client: DingTalkClient, progress: Progress | None = None) -> Snapshot:
    """Everything the corp's home-school roster says, and what could not be read."""
    snapshot = Snapshot(client.corp.corp_id)
    class_ids = await _walk_tree(client, snapshot)
    # A few classes at a time: far below DingTalk's 20 calls a second per app,
    # and a school of 60 classes is read in a fraction of the time.
    gate = asyncio.Semaphore(CLASSES_AT_ONCE)
    done = 0

    async def one(class_id: int) -> None:
        nonlocal done
        async with gate:
            await _read_class(client, snapshot, snapshot.classes[class_id])
        done += 1
        if progress is not None:
            progress(snapshot.corp_id, done, len(class_ids))

    await asyncio.gather(*(one(class_id) for class_id in class_ids))
    return snapshot
