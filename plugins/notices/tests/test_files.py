"""File kinds read from content, file names made safe, and download headers."""

from __future__ import annotations

import pytest
from bangyaer_notices._files import (
    ATTACHMENT_KINDS,
    FileRefused,
    check_kind,
    clean_filename,
    content_disposition,
    sniff,
)

DOCX_HEAD = (b"PK\x03\x04" + b"\x00" * 22 + len(b"[Content_Types].xml").to_bytes(2, "little")
             + b"\x00\x00" + b"[Content_Types].xml")
ZIP_HEAD = (b"PK\x03\x04" + b"\x00" * 22 + (7).to_bytes(2, "little") + b"\x00\x00"
            + b"run.exe")


@pytest.mark.parametrize(("head", "label"), [
    pytest.param(b"%PDF-1.4", "PDF 文档", id="pdf"),
    pytest.param(b"\xff\xd8\xff\xe0", "JPEG 图片", id="jpeg"),
    pytest.param(b"RIFF\x00\x00\x00\x00WEBPVP8 ", "WebP 图片", id="webp"),
    pytest.param(DOCX_HEAD, "Office 文档", id="docx"),
    pytest.param(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "Office 97-2003 文档", id="doc"),
])
def test_known_kinds_are_recognised_by_their_first_bytes(head: bytes, label: str) -> None:
    kind = sniff(head)

    assert not isinstance(kind, str) and kind.label == label


@pytest.mark.parametrize(("head", "what"), [
    pytest.param(b"MZ\x90\x00", "Windows 可执行程序", id="exe"),
    pytest.param(b"\x7fELF\x02", "Linux 可执行程序", id="elf"),
    pytest.param(ZIP_HEAD, "zip 压缩包", id="zip-that-is-not-office"),
    pytest.param(b"hello", "无法识别的文件", id="unknown"),
])
def test_other_content_is_named_in_the_refusal(head: bytes, what: str) -> None:
    with pytest.raises(FileRefused, match=f"^不支持的文件类型（{what}）"):
        check_kind(head, "file.pdf", ATTACHMENT_KINDS)


def test_office_document_gets_the_content_type_of_its_extension() -> None:
    _, content_type = check_kind(DOCX_HEAD, "报名表.docx", ATTACHMENT_KINDS)

    assert content_type == (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document")


@pytest.mark.parametrize(("raw", "clean"), [
    pytest.param("../../etc/passwd.pdf", "passwd.pdf", id="unix-path"),
    pytest.param("C:\\Users\\王老师\\通知.pdf", "通知.pdf", id="windows-path"),
    pytest.param("a\x00b\r\n.pdf", "a_b__.pdf", id="control-characters"),
    pytest.param("...", "附件", id="nothing-left"),
    pytest.param("长" * 200 + ".pdf", "长" * 116 + ".pdf", id="too-long-keeps-extension"),
])
def test_file_names_are_made_safe(raw: str, clean: str) -> None:
    assert clean_filename(raw) == clean


def test_content_disposition_has_an_ascii_fallback_and_rfc5987_name() -> None:
    header = content_disposition("获奖名单 2026.pdf")

    assert header == ("attachment; filename=\"____ 2026.pdf\"; "
                      "filename*=UTF-8''%E8%8E%B7%E5%A5%96%E5%90%8D%E5%8D%95%202026.pdf")


def test_content_disposition_never_lets_quotes_or_semicolons_through() -> None:
    header = content_disposition('a";b.pdf')

    assert header == "attachment; filename=\"a__b.pdf\"; filename*=UTF-8''a%22%3Bb.pdf"
