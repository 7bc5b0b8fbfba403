"""Courses and lessons as the JSON API and the pages show them."""

from __future__ import annotations

from typing import Any

from bangyaer.identity.years import span_name

from .models import Course, Document, Lesson, LessonKind, Progress


def video_url(lesson: Lesson) -> str | None:
    if lesson.kind == LessonKind.video and lesson.video_sha256:
        return f"/classroom/lessons/{lesson.id}/video"
    return None


def lesson_json(lesson: Lesson, progress: Progress | None = None,
                documents: list[Document] | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": lesson.id, "course_id": lesson.course_id, "position": lesson.position,
        "title": lesson.title, "kind": str(lesson.kind), "duration": lesson.duration,
        "url": f"/classroom/lessons/{lesson.id}", "video_url": video_url(lesson),
        "external_url": lesson.external_url or None,
        "progress": None if progress is None else {
            "position": progress.position, "duration": progress.duration,
            "completed": progress.completed_at is not None},
    }
    if documents is not None:
        out["body"] = lesson.body
        out["documents"] = [{"id": d.id, "name": d.name, "size": d.size,
                             "url": f"/classroom/documents/{d.id}"} for d in documents]
    return out


def course_json(course: Course, lesson_count: int | None = None, *,
                suited: bool | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": course.id, "title": course.title, "category": course.category,
        "description": course.description, "teacher": course.teacher,
        "years": {"min": course.year_min, "max": course.year_max,
                  "title": span_name(course.year_min, course.year_max)},
        "published": course.published, "certificate": course.certificate,
        "url": f"/classroom/courses/{course.id}",
    }
    if lesson_count is not None:
        out["lesson_count"] = lesson_count
    if suited is not None:
        out["suited"] = suited
    return out
