"""Judging copies of Word documents: no properties, authors, rsids or people; the text intact."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from bangyaer_competitions.anonymise import (
    DOCX,
    AnonymiseError,
    anonymise_file,
    residual_metadata,
    samples,
)
from lxml import etree
from PIL import Image

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
NAMES = (samples.NAME, samples.SCHOOL, samples.REVIEWER)
NEEDLES = samples.needles(*NAMES)


@pytest.fixture
def essay(tmp_path: Path) -> Path:
    path = tmp_path / "essay.docx"
    path.write_bytes(samples.docx())
    return path


@pytest.fixture
def copy(essay: Path, tmp_path: Path) -> Path:
    dst = tmp_path / "copy.docx"
    anonymise_file(essay, dst, DOCX)
    return dst


def _parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as package:
        return {name: package.read(name) for name in package.namelist()}


def _text(xml: bytes) -> list[str]:
    root = etree.fromstring(xml)
    return [t.text or "" for t in root.iter(f"{W}t", f"{W}delText")]


def test_fixture_really_carries_the_names(essay: Path) -> None:
    inside = b"".join(_parts(essay).values())

    assert all(name.encode() in inside for name in NAMES)


def test_no_part_of_the_copy_names_child_school_or_reviewer(copy: Path) -> None:
    leaks = {name: [n for n in NEEDLES if n in data] for name, data in _parts(copy).items()}

    assert {name: found for name, found in leaks.items() if found} == {}
    assert [n for n in NEEDLES if n in copy.read_bytes()] == []
    with zipfile.ZipFile(copy) as package:
        assert package.comment == b""
        assert {i.date_time for i in package.infolist()} == {(1980, 1, 1, 0, 0, 0)}


def test_residual_lists_every_kind_for_the_original_and_nothing_for_the_copy(
    essay: Path, copy: Path
) -> None:
    before = residual_metadata(essay, DOCX)

    assert {"docx:core", "docx:app", "docx:custom", "docx:comment-author",
            "docx:revision-author", "docx:rsid", "docx:people", "docx:template",
            "docx:custom-xml", "docx:thumbnail", "docx:media-exif", "docx:media-gps",
            "docx:doc-id"} <= set(before)
    assert residual_metadata(copy, DOCX) == []


def test_document_text_is_intact(essay: Path, copy: Path) -> None:
    before, after = _parts(essay), _parts(copy)

    assert _text(after["word/document.xml"]) == _text(before["word/document.xml"])
    assert samples.DOCX_TEXT[0] in _text(after["word/document.xml"])
    assert _text(after["word/comments.xml"]) == ["写得好"]


def test_namespace_prefixes_are_kept_for_word(copy: Path) -> None:
    root = etree.fromstring(_parts(copy)["word/document.xml"])

    assert root.prefix == "w"
    assert {"w14", "w15", "mc"} <= set(root.nsmap)
    ignorable = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Ignorable"
    assert root.get(ignorable) == "w14 w15"


def test_authors_become_neutral_and_dates_go(copy: Path) -> None:
    parts = _parts(copy)
    comment = etree.fromstring(parts["word/comments.xml"]).find(f"{W}comment")
    document = etree.fromstring(parts["word/document.xml"])

    assert (comment.get(f"{W}author"), comment.get(f"{W}initials")) == ("匿名", "匿")
    assert comment.get(f"{W}date") is None
    revisions = list(document.iter(f"{W}ins", f"{W}del"))
    assert [r.get(f"{W}author") for r in revisions] == ["匿名", "匿名"]
    assert not any(a.startswith(f"{W}rsid") for el in document.iter() for a in el.attrib)


def test_dropped_parts_leave_no_dangling_references(copy: Path) -> None:
    parts = _parts(copy)

    assert not {"docProps/custom.xml", "word/people.xml", "docProps/thumbnail.jpeg",
                "customXml/item1.xml"} & set(parts)
    types = etree.fromstring(parts["[Content_Types].xml"])
    for override in types:
        name = override.get("PartName")
        if name:
            assert name.lstrip("/") in parts, name
    for rels_name in [n for n in parts if n.endswith(".rels")]:
        base = rels_name.replace("_rels/", "").removesuffix(".rels").rsplit("/", 1)
        folder = base[0] + "/" if len(base) == 2 else ""
        for rel in etree.fromstring(parts[rels_name]):
            if rel.get("TargetMode") == "External":
                assert "attachedTemplate" not in rel.get("Type")
                continue
            target = rel.get("Target")
            assert (target.lstrip("/") if target.startswith("/") else folder + target) in parts


def test_settings_lose_rsids_template_and_doc_id(copy: Path) -> None:
    settings = etree.fromstring(_parts(copy)["word/settings.xml"])

    assert [etree.QName(c).localname for c in settings] == ["zoom"]


def test_photo_inside_loses_exif_but_stays_upright_and_same_size(essay: Path, copy: Path) -> None:
    before = _parts(essay)["word/media/image1.jpeg"]
    after = _parts(copy)["word/media/image1.jpeg"]

    with Image.open(io.BytesIO(before)) as a, Image.open(io.BytesIO(after)) as b:
        assert a.size == b.size
        assert dict(b.getexif()) == {0x0112: 6}
        assert a.tobytes() == b.tobytes()  # not re-encoded
    assert [n for n in NEEDLES if n in after] == []


def test_document_with_embedded_files_is_refused(tmp_path: Path) -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(samples.docx())) as src, \
            zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            dst.writestr(info, src.read(info))
        dst.writestr("word/embeddings/Microsoft_Excel_Worksheet.xlsx", samples.docx())
    path = tmp_path / "embedded.docx"
    path.write_bytes(out.getvalue())

    assert "docx:embedded" in residual_metadata(path, DOCX)
    with pytest.raises(AnonymiseError, match="文档中嵌入了其他文件或宏") as caught:
        anonymise_file(path, tmp_path / "copy.docx", DOCX)

    assert caught.value.code == "embedded_content"
    assert not (tmp_path / "copy.docx").exists()


@pytest.mark.parametrize("damage", [
    pytest.param(lambda d: d[: len(d) // 2], id="truncated-zip"),
    pytest.param(lambda d: _without(d, "word/document.xml"), id="no-document"),
    pytest.param(lambda d: _replaced(d, "word/comments.xml", b"<w:comments"), id="bad-xml"),
    pytest.param(lambda d: _replaced(d, "word/document.xml", b'<!DOCTYPE x [<!ENTITY e SYSTEM '
                                     b'"file:///etc/passwd">]><x>&e;</x>'), id="external-entity"),
])
def test_broken_document_is_refused(tmp_path: Path, damage) -> None:
    path = tmp_path / "broken.docx"
    path.write_bytes(damage(samples.docx()))

    with pytest.raises(AnonymiseError, match="Word 文件已损坏") as caught:
        anonymise_file(path, tmp_path / "copy.docx", DOCX)

    assert caught.value.code == "broken_file"


def _without(data: bytes, part: str) -> bytes:
    return _rebuilt(data, {part: None})


def _replaced(data: bytes, part: str, content: bytes) -> bytes:
    return _rebuilt(data, {part: content})


def _rebuilt(data: bytes, changes: dict[str, bytes | None]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            if info.filename in changes:
                if changes[info.filename] is None:
                    continue
                dst.writestr(info.filename, changes[info.filename])
            else:
                dst.writestr(info, src.read(info))
    return out.getvalue()


def test_files_that_are_no_part_of_the_document_are_dropped(tmp_path: Path) -> None:
    data = _rebuilt(samples.docx(), {})
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            dst.writestr(info, src.read(info))
        dst.writestr("notes/学生名单.txt", f"{samples.NAME} {samples.SCHOOL}")
    path = tmp_path / "extra.docx"
    path.write_bytes(out.getvalue())

    assert "docx:stray-file" in residual_metadata(path, DOCX)
    anonymise_file(path, tmp_path / "copy.docx", DOCX)

    assert "notes/学生名单.txt" not in _parts(tmp_path / "copy.docx")
    assert residual_metadata(tmp_path / "copy.docx", DOCX) == []
