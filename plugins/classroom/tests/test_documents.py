"""PDF handouts with a lesson: checked by content, and hidden with their course."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from .conftest import ClientFor, MakeCourse

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
async def course(make_course: MakeCourse) -> dict[str, Any]:
    return await make_course("书法入门")


async def attach(staff: httpx.AsyncClient, lesson_id: int, data: bytes,
                 name: str = "字帖.pdf") -> httpx.Response:
    return await staff.post(f"/api/v1/classroom/lessons/{lesson_id}/documents",
                            files={"file": (name, data, "application/pdf")})


async def test_a_handout_is_listed_and_downloaded(course: dict[str, Any],
                                                  staff: httpx.AsyncClient,
                                                  client_for: ClientFor) -> None:
    lesson = course["lessons"][0]["id"]
    added = await attach(staff, lesson, PDF)
    parent = await client_for("parent")

    shown = (await parent.get(f"/api/v1/classroom/lessons/{lesson}")).json()["lesson"]
    download = await parent.get(added.json()["document"]["url"])

    assert [d["name"] for d in shown["documents"]] == ["字帖.pdf"]
    assert download.content == PDF
    assert download.headers["content-type"] == "application/pdf"
    assert "filename*=UTF-8''%E5%AD%97%E5%B8%96.pdf" in download.headers["content-disposition"]


async def test_a_handout_that_is_not_a_pdf_is_refused(course: dict[str, Any],
                                                      staff: httpx.AsyncClient) -> None:
    response = await attach(staff, course["lessons"][0]["id"], b"PK\x03\x04zip", "a.pdf")

    assert response.status_code == 422
    assert response.json()["error"]["message"] == "不支持的文件类型；只接受 PDF 文档"


async def test_a_handout_of_an_unpublished_course_is_404(course: dict[str, Any],
                                                         staff: httpx.AsyncClient,
                                                         client_for: ClientFor) -> None:
    added = await attach(staff, course["lessons"][0]["id"], PDF)
    await staff.post(f"/api/v1/classroom/courses/{course['id']}/unpublish")
    parent = await client_for("parent")

    response = await parent.get(added.json()["document"]["url"])

    assert response.status_code == 404
