"""Judging copies of PDFs: no Info, XMP, attachments, scripts or reviewers; same pages and text."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from bangyaer_competitions.anonymise import (
    AnonymiseError,
    anonymise_file,
    residual_metadata,
    samples,
)
from pypdf import PdfReader, PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, StreamObject

PDF = "application/pdf"
NAMES = (samples.NAME, samples.SCHOOL, samples.REVIEWER)


@pytest.fixture
def original(tmp_path: Path) -> Path:
    path = tmp_path / "work.pdf"
    path.write_bytes(samples.pdf())
    return path


def _texts(path: Path) -> list[str]:
    """Every string and decoded stream of every object in the file, whether referenced or not."""
    reader = PdfReader(path)
    found: list[str] = []
    for num in range(1, int(reader.trailer["/Size"])):
        try:
            obj = reader.get_object(num)
        except Exception:  # a free slot in the cross-reference table
            continue
        _collect(obj, found)
    _collect(reader.trailer, found)
    return found


def _collect(obj: Any, found: list[str]) -> None:
    if isinstance(obj, IndirectObject):
        return  # visited on its own
    if isinstance(obj, StreamObject):
        found.append(obj.get_data().decode("utf-8", "replace"))
    if isinstance(obj, DictionaryObject):
        for value in obj.values():
            _collect(value, found)
    elif isinstance(obj, ArrayObject):
        for value in obj:
            _collect(value, found)
    elif isinstance(obj, str):
        found.append(str(obj))


def test_original_fixture_really_carries_the_names(original: Path) -> None:
    texts = "\n".join(_texts(original))

    assert all(name in texts for name in NAMES)


def test_copy_carries_no_name_anywhere(original: Path, tmp_path: Path) -> None:
    dst = tmp_path / "copy.pdf"

    anonymise_file(original, dst, PDF)

    raw = dst.read_bytes()
    hex_forms = [n.encode("utf-16-be").hex().encode() for n in NAMES]
    assert [n for n in samples.needles(*NAMES) + hex_forms if n.lower() in raw.lower()] == []
    texts = "\n".join(_texts(dst))
    assert [n for n in NAMES if n in texts] == []


def test_residual_lists_everything_for_the_original_and_nothing_for_the_copy(
    original: Path, tmp_path: Path
) -> None:
    before = residual_metadata(original, PDF)
    cleaned = anonymise_file(original, tmp_path / "copy.pdf", PDF)

    assert {"pdf:info", "pdf:xmp", "pdf:xmp-object", "pdf:javascript", "pdf:embedded-files",
            "pdf:comment", "pdf:annotation-author", "pdf:earlier-revision"} <= set(before)
    assert cleaned.removed == before
    assert (cleaned.content_type, cleaned.extension) == (PDF, ".pdf")
    assert residual_metadata(tmp_path / "copy.pdf", PDF) == []


def test_copy_has_the_same_pages_and_text(original: Path, tmp_path: Path) -> None:
    anonymise_file(original, tmp_path / "copy.pdf", PDF)

    before, after = PdfReader(original), PdfReader(tmp_path / "copy.pdf")
    assert len(after.pages) == len(before.pages) == 2
    assert [p.extract_text() for p in after.pages] == [p.extract_text() for p in before.pages]
    assert "Spring on the West Lake" in after.pages[0].extract_text()


def test_copy_is_one_revision_without_info(original: Path, tmp_path: Path) -> None:
    anonymise_file(original, tmp_path / "copy.pdf", PDF)

    raw = (tmp_path / "copy.pdf").read_bytes()
    assert raw.count(b"%%EOF") == 1
    reader = PdfReader(io.BytesIO(raw))
    assert "/Info" not in reader.trailer
    assert reader.metadata is None
    assert "/Metadata" not in reader.root_object
    assert "/OpenAction" not in reader.root_object
    assert reader.attachments == {}


def test_markup_stays_on_the_page_without_its_author(original: Path, tmp_path: Path) -> None:
    anonymise_file(original, tmp_path / "copy.pdf", PDF)

    reader = PdfReader(tmp_path / "copy.pdf")
    annots = [a.get_object() for page in reader.pages for a in page.get("/Annots", [])]
    assert [a["/Subtype"] for a in annots] == ["/Highlight"]
    assert "/T" not in annots[0] and "/Contents" not in annots[0]


def test_links_and_form_fields_are_kept(tmp_path: Path) -> None:
    from pypdf.annotations import Link

    w = PdfWriter()
    w.add_blank_page(200, 200)
    w.add_annotation(0, Link(rect=(10, 10, 50, 50), url="https://example.org/"))
    src = tmp_path / "link.pdf"
    w.write(src)

    anonymise_file(src, tmp_path / "copy.pdf", PDF)

    annots = PdfReader(tmp_path / "copy.pdf").pages[0]["/Annots"]
    link = annots[0].get_object()
    assert link["/Subtype"] == "/Link" and link["/A"]["/URI"] == "https://example.org/"


def test_pdf_with_an_open_password_is_refused(tmp_path: Path) -> None:
    w = PdfWriter()
    w.add_blank_page(200, 200)
    w.encrypt("secret", algorithm="AES-128")
    src = tmp_path / "locked.pdf"
    w.write(src)

    with pytest.raises(AnonymiseError, match="PDF 文件设有打开密码") as caught:
        anonymise_file(src, tmp_path / "copy.pdf", PDF)

    assert caught.value.code == "encrypted_pdf"
    assert not (tmp_path / "copy.pdf").exists()


def test_pdf_with_only_an_owner_password_is_cleaned_and_unlocked(tmp_path: Path) -> None:
    w = PdfWriter(clone_from=io.BytesIO(samples.pdf()))
    w.encrypt("", owner_password="owner", algorithm="AES-128")
    src = tmp_path / "restricted.pdf"
    w.write(src)

    anonymise_file(src, tmp_path / "copy.pdf", PDF)

    reader = PdfReader(tmp_path / "copy.pdf")
    assert not reader.is_encrypted
    assert residual_metadata(tmp_path / "copy.pdf", PDF) == []


@pytest.mark.parametrize("cut", [
    pytest.param(lambda d: d[:200], id="truncated"),
    pytest.param(lambda d: b"%PDF-1.7\n" + bytes(300), id="garbage"),
])
def test_broken_pdf_is_refused(tmp_path: Path, cut: Any) -> None:
    src = tmp_path / "broken.pdf"
    src.write_bytes(cut(samples.pdf()))

    with pytest.raises(AnonymiseError, match="PDF 文件已损坏") as caught:
        anonymise_file(src, tmp_path / "copy.pdf", PDF)

    assert caught.value.code == "broken_file"
    assert not (tmp_path / "copy.pdf").exists()


def test_photos_in_the_pdf_lose_exif_but_keep_their_pixels(original: Path, tmp_path: Path) -> None:
    anonymise_file(original, tmp_path / "copy.pdf", PDF)

    before = [im.image for page in PdfReader(original).pages for im in page.images]
    after = [im.image for page in PdfReader(tmp_path / "copy.pdf").pages for im in page.images]
    assert len(after) == len(before) == 2
    assert [im.size for im in after] == [im.size for im in before]
    assert after[0].tobytes() == before[0].tobytes()  # the JPEG was not re-encoded
    assert "pdf:image-gps" in residual_metadata(original, PDF)
