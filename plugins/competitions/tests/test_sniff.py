"""File kinds come from the first bytes; a DOCX must really hold word/."""

from __future__ import annotations

import io
import zipfile

import pytest
from bangyaer_competitions.inspect_stream import FileRefused, Inspector
from bangyaer_competitions.sniff import sniff
from bangyaer_competitions.types import FileRule


@pytest.mark.parametrize(("head", "kind", "content_type"), [
    pytest.param(b"\xff\xd8\xff\xe0\x00\x10JFIF", "image", "image/jpeg", id="jpeg"),
    pytest.param(b"\x89PNG\r\n\x1a\n\x00\x00", "image", "image/png", id="png"),
    pytest.param(b"RIFF\x00\x00\x00\x00WEBPVP8 ", "image", "image/webp", id="webp"),
    pytest.param(b"\x00\x00\x00\x18ftypheic\x00\x00", "image", "image/heic", id="heic"),
    pytest.param(b"\x00\x00\x00\x18ftypisom\x00\x00", "video", "video/mp4", id="mp4"),
    pytest.param(b"\x00\x00\x00\x14ftypqt  \x00\x00", "video", "video/quicktime", id="mov"),
    pytest.param(b"\x00\x00\x00\x18ftypM4A \x00\x00", "audio", "audio/mp4", id="m4a"),
    pytest.param(b"ID3\x04\x00\x00\x00\x00", "audio", "audio/mpeg", id="mp3-id3"),
    pytest.param(b"\xff\xfb\x90\x00", "audio", "audio/mpeg", id="mp3-frame"),
    pytest.param(b"RIFF\x00\x00\x00\x00WAVEfmt ", "audio", "audio/wav", id="wav"),
    pytest.param(b"%PDF-1.7\n", "document", "application/pdf", id="pdf"),
])
def test_sniff_names_the_kind_from_magic_bytes(head, kind, content_type):
    found = sniff(head)

    assert found is not None
    assert (found.kind, found.content_type) == (kind, content_type)


@pytest.mark.parametrize("head", [
    pytest.param(b"MZ\x90\x00\x03\x00", id="windows-exe"),
    pytest.param(b"\x7fELF\x02\x01\x01", id="elf"),
    pytest.param(b"<html><script>", id="html"),
    pytest.param(b"", id="empty"),
])
def test_sniff_knows_nothing_of_other_files(head):
    assert sniff(head) is None


def _zip(names: list[str]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name in names:
            z.writestr(name, "<xml/>")
    return out.getvalue()


async def _run(data: bytes) -> Inspector:
    inspector = Inspector({"document": FileRule("document")})

    async def chunks():
        for i in range(0, len(data), 7):
            yield data[i:i + 7]

    async for _ in inspector.wrap(chunks()):
        pass
    return inspector


async def test_a_zip_with_word_document_passes_as_docx():
    inspector = await _run(_zip(["[Content_Types].xml", "word/document.xml"]))

    assert inspector.sniffed is not None
    assert inspector.sniffed.content_type.endswith("wordprocessingml.document")


async def test_a_zip_without_word_is_not_a_docx():
    with pytest.raises(FileRefused, match="压缩包不是 Word 文档"):
        await _run(_zip(["payload.exe"]))
