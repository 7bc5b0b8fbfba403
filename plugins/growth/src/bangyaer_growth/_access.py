"""Who may read a student's growth record.

A guardian reads their own children's; school admins their school's
students'; district staff anyone's. Every staff read is audit-logged: most
students are minors, and the record says a lot about one of them.
"""

from __future__ import annotations

from bangyaer.identity import Actor, Person, PersonKind, audit, authorize
from bangyaer.web import ApiError
from sqlalchemy.ext.asyncio import AsyncSession

VIEW = "growth.view"


def is_staff_reader(actor: Actor) -> bool:
    return bool(actor.scopes(VIEW))


async def readable_student(session: AsyncSession, actor: Actor, student_id: int,
                           *, purpose: str = "view") -> Person:
    """The student if ``actor`` may read their record (staff reads audited); else 403/404."""
    student = await session.get(Person, student_id)
    if actor.is_guardian_of(student_id) and student is not None:
        return student
    if not is_staff_reader(actor):
        raise ApiError(403, "forbidden", "只能查看自己孩子的成长记录")
    if student is None or student.kind != PersonKind.student:
        raise ApiError(404, "not_found", "没有这名学生")
    if not authorize(actor, VIEW, student):
        raise ApiError(403, "forbidden", "只能查看本校学生的成长记录")
    await audit(session, actor, f"growth.record_{purpose}", "person", student.id)
    return student
