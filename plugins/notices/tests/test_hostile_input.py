"""Hostile input: markup in titles, bodies and file names; oversized and disguised files."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from bangyaer.platform import Platform
from bangyaer.storage import BlobRecord
from bangyaer_notices.models import Attachment, Item
from sqlalchemy import func, select

from .conftest import ClientFor, MakeItem

LIMIT = 64 * 1024
PDF = b"%PDF-1.7\n" + b"0" * 100
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 100
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 100
ACCEPTED = ("PDF 文档、PNG 图片、JPEG 图片、GIF 图片、WebP 图片、Office 文档、"
            "Office 97-2003 文档")
HOSTILE_BODY = "\n\n".join([
    "<script>alert('body')</script>",
    '<img src=x onerror="alert(1)">',
    "[点我](javascript:alert(1)) [再点](JaVaScRiPt:alert(2)) [三](java\tscript:alert(3))",
    "<a href=\"javascript:alert(4)\" onclick=\"alert(5)\">链接</a>",
    "![外站图片](https://tracker.example/pixel.png)",
    "[数据](data:text/html;base64,PHNjcmlwdD4=)",
])


@pytest.fixture
def notices_settings() -> dict[str, Any]:
    return {"attachment_max_bytes": LIMIT, "cover_max_bytes": LIMIT}


def tags_with_handlers(html: str) -> list[str]:
    return re.findall(r"<[a-zA-Z][^>]*\son[a-z]+\s*=", html)


def files_under(root: str) -> list[Path]:
    return [p for p in Path(root).rglob("*") if p.is_file()]


async def stored_nothing(platform: Platform) -> bool:
    async with platform.db.session() as session:
        blobs = await session.scalar(select(func.count()).select_from(BlobRecord))
        files = await session.scalar(select(func.count(Attachment.id)))
        covers = await session.scalar(
            select(func.count(Item.id)).where(Item.cover_sha256.is_not(None)))
    on_disk = files_under(platform.settings.blob_dir)
    return blobs == files == covers == 0 and on_disk == []


async def test_script_in_a_title_is_shown_as_text(client_for: ClientFor,
                                                 make_item: MakeItem) -> None:
    item = await make_item("<script>alert('title')</script>通知")
    anonymous = await client_for(None)

    for url in ("/notices/", f"/notices/{item.id}", "/notices/c/notice"):
        page = await anonymous.get(url)
        assert "&lt;script&gt;alert(&#39;title&#39;)&lt;/script&gt;通知" in page.text
        assert "<script>alert(" not in page.text


async def test_event_handler_in_a_title_is_shown_as_text(client_for: ClientFor,
                                                        make_item: MakeItem) -> None:
    item = await make_item('<img src=x onerror="alert(1)">')
    anonymous = await client_for(None)

    page = await anonymous.get(f"/notices/{item.id}")

    assert tags_with_handlers(page.text) == []
    assert "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;" in page.text


async def test_body_markup_cannot_run_script(client_for: ClientFor,
                                            make_item: MakeItem) -> None:
    item = await make_item("正文测试", body=HOSTILE_BODY)
    anonymous = await client_for(None)

    page = await anonymous.get(f"/notices/{item.id}")

    body = page.text.split('<div class="notice-body">', 1)[1].split("</div>", 1)[0]
    assert "<script" not in body
    assert tags_with_handlers(body) == []
    assert not re.search(r'href="\s*(javascript|data):', body, re.IGNORECASE)
    assert "&lt;script&gt;alert('body')&lt;/script&gt;" in body


async def test_body_keeps_no_image_from_another_site(client_for: ClientFor,
                                                    make_item: MakeItem) -> None:
    item = await make_item("正文测试", body=HOSTILE_BODY)
    anonymous = await client_for(None)

    page = await anonymous.get(f"/notices/{item.id}")

    assert "tracker.example" not in page.text
    assert "外站图片" in page.text


async def test_markup_in_an_attachment_name_is_shown_as_text(
        client_for: ClientFor, make_item: MakeItem) -> None:
    item = await make_item("附件测试")
    staff = await client_for("staff")
    name = '<img src=x onerror="alert(1)">.pdf'

    upload = await staff.post(f"/api/v1/notices/items/{item.id}/attachments",
                              files={"file": (name, PDF, "application/pdf")})
    page = await (await client_for(None)).get(f"/notices/{item.id}")

    # The client sends " as %22 in a multipart file name, as browsers do.
    assert upload.json()["attachment"]["name"] == "_img src=x onerror=%22alert(1)%22_.pdf"
    assert tags_with_handlers(page.text) == []
    assert "_img src=x onerror=%22alert(1)%22_.pdf</a>" in page.text


async def test_path_in_an_attachment_name_is_dropped(client_for: ClientFor,
                                                    make_item: MakeItem) -> None:
    item = await make_item("附件测试")
    staff = await client_for("staff")

    upload = await staff.post(f"/api/v1/notices/items/{item.id}/attachments",
                              files={"file": ("..\\..\\系统/通知.pdf", PDF, "application/pdf")})

    assert upload.json()["attachment"]["name"] == "通知.pdf"


async def test_oversized_attachment_is_refused_and_nothing_is_stored(
        platform: Platform, client_for: ClientFor, make_item: MakeItem) -> None:
    item = await make_item("附件测试")
    staff = await client_for("staff")

    response = await staff.post(
        f"/api/v1/notices/items/{item.id}/attachments",
        files={"file": ("大文件.pdf", PDF + b"0" * LIMIT, "application/pdf")})

    assert response.status_code == 413
    assert response.json()["error"] == {"code": "file_too_large",
                                        "message": "文件超过 64 KB 上限，未保存"}
    assert await stored_nothing(platform)


async def test_program_renamed_pdf_is_refused_and_nothing_is_stored(
        platform: Platform, client_for: ClientFor, make_item: MakeItem) -> None:
    item = await make_item("附件测试")
    staff = await client_for("staff")

    response = await staff.post(f"/api/v1/notices/items/{item.id}/attachments",
                                files={"file": ("报名表.pdf", EXE, "application/pdf")})

    assert response.status_code == 422
    assert response.json()["error"] == {
        "code": "unsupported_file",
        "message": f"不支持的文件类型（Windows 可执行程序）；只接受 {ACCEPTED}"}
    assert await stored_nothing(platform)


async def test_picture_named_pdf_is_refused_for_its_wrong_extension(
        platform: Platform, client_for: ClientFor, make_item: MakeItem) -> None:
    item = await make_item("附件测试")
    staff = await client_for("staff")

    response = await staff.post(f"/api/v1/notices/items/{item.id}/attachments",
                                files={"file": ("报名表.pdf", PNG, "application/pdf")})

    assert response.status_code == 422
    assert response.json()["error"]["message"] == (
        "文件内容是 PNG 图片，文件名却是“.pdf”；请改用 .png 扩展名后再上传")
    assert await stored_nothing(platform)


async def test_document_is_refused_as_a_cover(platform: Platform, client_for: ClientFor,
                                             make_item: MakeItem) -> None:
    item = await make_item("封面测试")
    staff = await client_for("staff")

    response = await staff.put(f"/api/v1/notices/items/{item.id}/cover",
                               files={"file": ("封面.pdf", PDF, "application/pdf")})

    assert response.status_code == 422
    assert response.json()["error"]["message"] == (
        "不支持的文件类型（PDF 文档）；只接受 PNG 图片、JPEG 图片、GIF 图片、WebP 图片")
    assert await stored_nothing(platform)


async def test_empty_file_is_refused(platform: Platform, client_for: ClientFor,
                                    make_item: MakeItem) -> None:
    item = await make_item("附件测试")
    staff = await client_for("staff")

    response = await staff.post(f"/api/v1/notices/items/{item.id}/attachments",
                                files={"file": ("空.pdf", b"", "application/pdf")})

    assert response.status_code == 422
    assert response.json()["error"]["message"] == "文件是空的，请重新选择"
    assert await stored_nothing(platform)


async def test_two_files_in_one_upload_are_refused(platform: Platform, client_for: ClientFor,
                                                  make_item: MakeItem) -> None:
    item = await make_item("附件测试")
    staff = await client_for("staff")

    response = await staff.post(
        f"/api/v1/notices/items/{item.id}/attachments",
        files=[("file", ("一.pdf", PDF, "application/pdf")),
               ("file", ("二.pdf", PDF, "application/pdf"))])

    assert response.status_code == 422
    assert response.json()["error"]["message"] == "一次只能上传一个文件"
    assert await stored_nothing(platform)


async def test_upload_form_shows_the_refusal_with_its_status(
        platform: Platform, client_for: ClientFor, make_item: MakeItem) -> None:
    item = await make_item("附件测试")
    staff = await client_for("staff")

    page = await staff.post(
        f"/notices/manage/{item.id}/attachments",
        files={"file": ("大文件.pdf", PDF + b"0" * LIMIT, "application/pdf")})

    assert page.status_code == 413
    assert '<p class="error notice-error" role="alert" id="form-error">' \
           "文件超过 64 KB 上限，未保存</p>" in page.text
    assert await stored_nothing(platform)
