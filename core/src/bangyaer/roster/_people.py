"""Students, guardians and guardianships, matched in bulk and written in batches."""

from __future__ import annotations

from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from ..db import utcnow
from ..identity import Guardianship, Organisation, Person, PersonKind, place_person
from ._bulk import AnyRow, Progress, insert_rows, select_in, update_rows
from ._model import ClassKey, Roster
from ._report import Counts

_PLACEMENT = ("school_id", "class_id", "stage", "grade", "org_path")


def placement(org: Organisation) -> dict[str, Any]:
    """The columns ``place_person`` sets for ``org``, for writing without ORM objects."""
    probe = Person()
    place_person(probe, org)
    return {key: getattr(probe, key) for key in _PLACEMENT}


def _differs(row: Any, values: dict[str, Any]) -> bool:
    return any(getattr(row, key) != value for key, value in values.items())


async def write_students(
    session: AsyncSession, roster: Roster, classes: dict[ClassKey, Organisation],
    counts: Counts, progress: Progress | None,
) -> dict[str, int]:
    """Add, move or update every student in the file; {student_no: person id}."""
    cols = (Person.id, Person.external_no, Person.name, Person.gender, Person.birth_date,
            Person.active, *(getattr(Person, key) for key in _PLACEMENT))
    found = await select_in(session, select(*cols).where(Person.kind == PersonKind.student),
                            Person.external_no, roster.students)
    existing = {row.external_no: row for row in found}
    places = {key: placement(org) for key, org in classes.items()}
    inserts: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    ids: dict[str, int] = {}
    now = utcnow()
    for no, spec in roster.students.items():
        values: dict[str, Any] = {"name": spec.name, "active": True, **places[spec.klass]}
        # A blank optional cell keeps what the database knows: a file without
        # the column must not erase it.
        if spec.gender:
            values["gender"] = spec.gender
        if spec.birth_date:
            values["birth_date"] = spec.birth_date
        row = existing.get(no)
        if row is None:
            inserts.append({"kind": PersonKind.student.value, "external_no": no,
                            "gender": None, "birth_date": None, **values})
            continue
        ids[no] = row.id
        if _differs(row, values):
            updates.append({"id": row.id, "updated_at": now, **values})
        else:
            counts.unchanged += 1
    if progress:
        progress(counts.unchanged)
    await update_rows(session, Person, updates, progress)
    made = await insert_rows(session, Person, inserts, (Person.id, Person.external_no), progress)
    ids.update({no: person_id for person_id, no in made})
    counts.added += len(inserts)
    counts.updated += len(updates)
    return ids


async def deactivate_missing(
    session: AsyncSession, roster: Roster, schools: dict[str, Organisation], counts: Counts
) -> None:
    """Mark inactive (never delete) the students of the file's schools that it leaves out."""
    found = await select_in(
        session,
        select(Person.id, Person.external_no)
        .where(Person.kind == PersonKind.student, Person.active.is_(True)),
        Person.school_id, [s.id for s in schools.values()])
    now = utcnow()
    gone = [{"id": row.id, "active": False, "updated_at": now}
            for row in found if row.external_no not in roster.students]
    await update_rows(session, Person, gone)
    counts.deactivated += len(gone)


async def write_guardians(
    session: AsyncSession, roster: Roster, schools: dict[str, Organisation],
    counts: Counts, progress: Progress | None,
) -> dict[str, int]:
    """Add or update every guardian in the file, matched by phone; {phone: person id}."""
    cols = (Person.id, Person.phone, Person.external_no, Person.name, Person.active,
            Person.school_id)
    stmt = select(*cols).where(Person.kind == PersonKind.guardian)
    found = await select_in(session, stmt, Person.external_no, roster.guardians)
    # Guardians made elsewhere (by DingTalk, say) have another external_no but
    # may share the phone. The phone column has no index, so look once at
    # just those guardians rather than once per batch of phones.
    conn = await session.connection()
    found += (await conn.execute(stmt.where(
        Person.phone.is_not(None),
        or_(Person.external_no.is_(None), Person.external_no != Person.phone)))).all()
    existing: dict[str, AnyRow] = {}
    # Prefer the guardian whose phone column matches, then the oldest.
    for row in sorted(found, key=lambda r: (r.phone is None, r.id)):
        for phone in (row.phone, row.external_no):
            if phone in roster.guardians:
                existing.setdefault(phone, row)
    places = {code: placement(org) for code, org in schools.items()}
    inserts: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    ids: dict[str, int] = {}
    now = utcnow()
    for phone, spec in roster.guardians.items():
        match = existing.get(phone)
        if match is None:
            inserts.append({"kind": PersonKind.guardian.value, "external_no": phone,
                            "phone": phone, "name": spec.name,
                            **places[spec.school_code]})
            continue
        ids[phone] = match.id
        values: dict[str, Any] = {"name": spec.name, "phone": phone, "active": True}
        # A guardian stays where first placed; each child's own path decides
        # which school may see that child.
        if match.school_id is None:
            values.update(places[spec.school_code])
        if _differs(match, values):
            updates.append({"id": match.id, "updated_at": now, **values})
        else:
            counts.unchanged += 1
    if progress:
        progress(counts.unchanged)
    await update_rows(session, Person, updates, progress)
    made = await insert_rows(session, Person, inserts, (Person.id, Person.phone), progress)
    ids.update({phone: person_id for person_id, phone in made})
    counts.added += len(inserts)
    counts.updated += len(updates)
    return ids


async def write_guardianships(
    session: AsyncSession, roster: Roster, students: dict[str, int], guardians: dict[str, int],
    counts: Counts, progress: Progress | None,
) -> None:
    """Link each guardian to each child the file pairs them with, with the relation."""
    cols = (Guardianship.id, Guardianship.guardian_id, Guardianship.student_id,
            Guardianship.relation)
    found = await select_in(session, select(*cols), Guardianship.student_id,
                            {students[no] for no, _ in roster.links})
    existing = {(row.student_id, row.guardian_id): row for row in found}
    inserts: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    for (no, phone), relation in roster.links.items():
        pair = (students[no], guardians[phone])
        row = existing.get(pair)
        if row is None:
            inserts.append({"student_id": pair[0], "guardian_id": pair[1],
                            "relation": relation})
        elif row.relation != relation:
            updates.append({"id": row.id, "relation": relation})
        else:
            counts.unchanged += 1
    if progress:
        progress(counts.unchanged)
    await update_rows(session, Guardianship, updates, progress)
    await insert_rows(session, Guardianship, inserts, progress=progress)
    counts.added += len(inserts)
    counts.updated += len(updates)
