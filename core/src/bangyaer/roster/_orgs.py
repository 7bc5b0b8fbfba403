"""Schools, grades and classes: found by code under their parent, made when missing."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ..identity import Organisation, OrgKind, Stage, add_organisation
from ._bulk import insert_rows, load_in, select_in, update_rows
from ._fields import grade_code, grade_title
from ._model import ClassKey, Roster
from ._report import Counts

GradeKey = tuple[str, Stage, int]


async def write_organisations(
    session: AsyncSession, roster: Roster, district: Organisation, counts: dict[str, Counts]
) -> tuple[dict[str, Organisation], dict[ClassKey, Organisation]]:
    """Bring the file's schools, grades and classes into the tree; (schools, classes)."""
    schools = await _schools(session, roster, district, counts["schools"])
    grades = await _grades(session, roster, schools, counts["grades"])
    classes = await _classes(session, roster, grades, counts["classes"])
    return schools, classes


def _refresh(org: Organisation, counts: Counts, **values: object) -> None:
    """Set ``values`` (and active) on an existing organisation, counting what changed."""
    values["active"] = True
    if all(getattr(org, key) == value for key, value in values.items()):
        counts.unchanged += 1
        return
    for key, value in values.items():
        setattr(org, key, value)
    counts.updated += 1


async def _schools(session: AsyncSession, roster: Roster, district: Organisation,
                   counts: Counts) -> dict[str, Organisation]:
    found = await load_in(
        session,
        select(Organisation).where(Organisation.kind == OrgKind.school,
                                   Organisation.parent_id == district.id),
        Organisation.code, roster.schools)
    existing = {org.code: org for org in found}
    # A school's stage is the one stage it teaches; a nine-year school (小学 and
    # 初中) has none of its own and its grades carry theirs. Grades already in
    # the database count too, so a file covering one half does not flip it.
    taught = await _stages_taught(session, list(existing.values()))
    schools: dict[str, Organisation] = {}
    for code, spec in roster.schools.items():
        org = existing.get(code)
        stages = spec.stages | taught.get(org.id, set()) if org else spec.stages
        stage = next(iter(stages)) if len(stages) == 1 else None
        if org is None:
            org = await add_organisation(session, kind=OrgKind.school, code=code,
                                         name=spec.name, parent=district, stage=stage)
            counts.added += 1
        else:
            _refresh(org, counts, name=spec.name, stage=stage)
        schools[code] = org
    return schools


async def _stages_taught(session: AsyncSession, schools: list[Organisation]
                         ) -> dict[int, set[Stage]]:
    rows = await select_in(
        session,
        select(Organisation.parent_id, Organisation.stage)
        .where(Organisation.kind == OrgKind.grade, Organisation.stage.is_not(None)),
        Organisation.parent_id, [s.id for s in schools])
    taught: dict[int, set[Stage]] = {}
    for parent_id, stage in rows:
        if parent_id is not None and stage is not None:
            taught.setdefault(parent_id, set()).add(Stage(stage))
    return taught


async def _children(session: AsyncSession, kind: OrgKind, parents: list[Organisation]
                    ) -> dict[tuple[int | None, str], Organisation]:
    found = await load_in(
        session, select(Organisation).where(Organisation.kind == kind),
        Organisation.parent_id, [p.id for p in parents])
    return {(org.parent_id, org.code): org for org in found}


async def _grades(session: AsyncSession, roster: Roster, schools: dict[str, Organisation],
                  counts: Counts) -> dict[GradeKey, Organisation]:
    existing = await _children(session, OrgKind.grade, list(schools.values()))
    wanted = sorted({(k.school_code, k.stage, k.grade) for k in roster.classes})
    grades: dict[GradeKey, Organisation] = {}
    missing: list[GradeKey] = []
    parents: list[Organisation] = []
    rows: list[dict[str, Any]] = []
    for school_code, stage, number in wanted:
        school = schools[school_code]
        code, name = grade_code(stage, number), grade_title(stage, number)
        org = existing.get((school.id, code))
        if org is None:
            missing.append((school_code, stage, number))
            parents.append(school)
            rows.append({"kind": OrgKind.grade.value, "code": code, "name": name,
                         "parent_id": school.id, "stage": stage.value, "grade": number})
        else:
            _refresh(org, counts, name=name)
            grades[(school_code, stage, number)] = org
    grades.update(zip(missing, await _add_many(session, parents, rows), strict=True))
    counts.added += len(rows)
    return grades


async def _classes(session: AsyncSession, roster: Roster, grades: dict[GradeKey, Organisation],
                   counts: Counts) -> dict[ClassKey, Organisation]:
    existing = await _children(session, OrgKind.klass, list(grades.values()))
    classes: dict[ClassKey, Organisation] = {}
    missing: list[ClassKey] = []
    parents: list[Organisation] = []
    rows: list[dict[str, Any]] = []
    for key, name in roster.classes.items():
        grade = grades[(key.school_code, key.stage, key.grade)]
        org = existing.get((grade.id, key.code))
        if org is None:
            missing.append(key)
            parents.append(grade)
            rows.append({"kind": OrgKind.klass.value, "code": key.code, "name": name,
                         "parent_id": grade.id, "stage": key.stage.value, "grade": key.grade})
        else:
            _refresh(org, counts, name=name)
            classes[key] = org
    classes.update(zip(missing, await _add_many(session, parents, rows), strict=True))
    counts.added += len(rows)
    return classes


async def _add_many(session: AsyncSession, parents: list[Organisation],
                    rows: list[dict[str, Any]]) -> list[Organisation]:
    """``add_organisation`` for many at once: each row's parent is ``parents[i]``.

    The path rule is add_organisation's: the parent's path, then the new id.
    A district has thousands of classes; one flush each took minutes, and the
    unit of work inserts a self-referencing table row by row.
    """
    if not rows:
        return []
    made = await insert_rows(session, Organisation, rows,
                             (Organisation.id, Organisation.parent_id, Organisation.code))
    # Matched back by (parent, code), unique in the tree: asking for the ids in
    # order would make SQLite insert row by row.
    new_ids = {(parent_id, code): org_id for org_id, parent_id, code in made}
    paths = [{"id": (org_id := new_ids[(row["parent_id"], row["code"])]),
              "path": f"{parent.path}{org_id}/"}
             for parent, row in zip(parents, rows, strict=True)]
    await update_rows(session, Organisation, paths)
    loaded = {org.id: org for org in await load_in(
        session, select(Organisation), Organisation.id, [p["id"] for p in paths])}
    return [loaded[p["id"]] for p in paths]
