"""PDF documents: rewritten whole, without the document's and the objects' metadata.

The file is cloned from its catalog into a new one, cleaned, and then cloned
once more so that what the cleaning detached (old Info, XMP streams,
attachments) is not written at all. The result is one revision with one
trailer: an incremental update would keep the old bytes.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TypeGuard

from bangyaer.web import N_
from pypdf import PasswordType, PdfReader, PdfWriter
from pypdf.errors import PyPdfError
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    IndirectObject,
    NameObject,
    StreamObject,
)

from . import _imgmeta
from ._common import AnonymiseError, Cleaned, broken, writing

# Keys whose values are metadata or active content wherever they appear.
_DROP_KEYS = ("/Metadata", "/PieceInfo", "/AA", "/AF", "/SpiderInfo", "/LastModified")
# Name trees of scripts and attachments, wherever a damaged file put the Names dictionary.
_NAME_TREES = ("/JavaScript", "/EmbeddedFiles")
_DROP_CATALOG = ("/OpenAction", "/Threads", "/Collection", "/Perms", "/Legal")
_ACTIVE_ACTIONS = {"/JavaScript", "/Launch", "/ImportData", "/SubmitForm", "/GoToE",
                   "/Rendition", "/RichMediaExecute"}
# Comments, attachments and media: the reviewer's words or someone else's file.
_DROP_ANNOTS = {"/Text", "/Popup", "/FreeText", "/FileAttachment", "/Sound", "/Movie",
                "/Screen", "/RichMedia", "/3D"}
# Annotations that are part of the page (links, form fields), not a reviewer's markup.
_PAGE_ANNOTS = {"/Link", "/Widget", "/PrinterMark", "/TrapNet", "/Watermark"}
_MARKUP_KEYS = ("/T", "/Contents", "/RC", "/Subj", "/NM", "/M", "/CreationDate",
                "/Popup", "/IRT", "/RT", "/ExData")
# What a comment, attachment or media annotation shows or carries besides markup.
_COMMENT_PAYLOAD = ("/AP", "/FS", "/Sound", "/Movie", "/RichMediaContent", "/3DD", "/DS")
# pypdf fails on malformed files with its own errors but also with plain
# Python ones from deep inside its parser; all of them mean "broken file".
_PARSE_ERRORS = (PyPdfError, OSError, ValueError, KeyError, TypeError, AttributeError,
                 IndexError, AssertionError, RecursionError, ZeroDivisionError,
                 NotImplementedError, MemoryError)


def clean_pdf(src: Path, dst: Path) -> Cleaned:
    raw = src.read_bytes()  # bounded: documents are limited to 10 MB
    try:
        reader = _open(raw)
        removed = pdf_findings(reader, raw)
        pages = len(reader.pages)
        writer = PdfWriter(clone_from=reader)
        _clean(writer)
        first = _written(writer)
        again = PdfWriter(clone_from=PdfReader(io.BytesIO(first)))
        again.metadata = None
        result = _written(again)
        if len(PdfReader(io.BytesIO(result)).pages) != pages:
            raise broken("pdf")
    except _PARSE_ERRORS as exc:
        raise broken("pdf") from exc
    with writing(dst) as out:
        out.write(result)
    return Cleaned("application/pdf", ".pdf", removed)


def _open(raw: bytes) -> PdfReader:
    reader = PdfReader(io.BytesIO(raw), strict=False)
    if reader.is_encrypted and reader.decrypt("") == PasswordType.NOT_DECRYPTED:
        raise AnonymiseError("encrypted_pdf", N_("PDF 文件设有打开密码，无法生成评审副本，"
                             "请上传未加密的文件"))
    return reader


def _written(writer: PdfWriter) -> bytes:
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def _clean(writer: PdfWriter) -> None:
    writer.metadata = None
    root = writer.root_object
    for key in _DROP_CATALOG:
        root.pop(NameObject(key), None)
    names = _resolve(root.get("/Names"))
    if isinstance(names, DictionaryObject):
        names.pop(NameObject("/JavaScript"), None)
        names.pop(NameObject("/EmbeddedFiles"), None)
        if not names:
            del root[NameObject("/Names")]
    for obj in _walk(root):
        _clean_dict(obj)


def _clean_dict(obj: DictionaryObject) -> None:
    if _jpeg_image(obj):
        _strip_jpeg_image(obj)
    if obj.get("/S") in _ACTIVE_ACTIONS:
        obj.clear()  # an action reached by an odd path (damaged keys): empty, it does nothing
        return
    for key in _DROP_KEYS + _NAME_TREES:
        obj.pop(NameObject(key), None)
    if obj.get("/Type") == "/Page":
        obj.pop(NameObject("/B"), None)  # beads of the article threads dropped from the catalog
    for key in ("/A", "/Next"):
        action = _resolve(obj.get(key))
        if isinstance(action, DictionaryObject) and action.get("/S") in _ACTIVE_ACTIONS:
            del obj[NameObject(key)]
    if obj.get("/Type") == "/Filespec" or "/EF" in obj:
        obj.pop(NameObject("/EF"), None)
        obj.pop(NameObject("/RF"), None)
    if _is_annotation(obj):
        _clean_annotation(obj)
    annots = _resolve(obj.get("/Annots"))
    if isinstance(annots, ArrayObject):
        kept = [a for a in annots if _resolve_dict(a).get("/Subtype") not in _DROP_ANNOTS]
        annots[:] = kept
        for annot in kept:
            _clean_annotation(_resolve_dict(annot))


def _filters(obj: DictionaryObject) -> list[str]:
    found = _resolve(obj.get("/Filter"))
    if isinstance(found, ArrayObject):
        return [str(_resolve(f)) for f in found]
    return [str(found)] if found is not None else []


def _jpeg_image(obj: DictionaryObject) -> TypeGuard[StreamObject]:
    # A photo placed in a PDF is usually the JPEG file itself, EXIF and all.
    # Not yet: JPEG 2000 (JPXDecode) images keep their own XMP boxes; scanners write JPEG.
    return (isinstance(obj, StreamObject) and obj.get("/Subtype") == "/Image"
            and "/DCTDecode" in _filters(obj))


def _jpeg_findings(obj: StreamObject) -> list[str]:
    try:
        return [f"pdf:image-{w}" for w in _imgmeta.jpeg_findings(obj.get_data())]
    except _imgmeta.Malformed as exc:
        raise broken("pdf") from exc


def _strip_jpeg_image(obj: StreamObject) -> None:
    data = obj.get_data()  # every filter before DCTDecode undone; the JPEG's own bytes
    try:
        stripped = _imgmeta.strip_jpeg(data)
    except _imgmeta.Malformed as exc:
        raise broken("pdf") from exc
    if stripped == data and _filters(obj) == ["/DCTDecode"]:
        return
    parms = _resolve(obj.get("/DecodeParms"))
    if isinstance(parms, ArrayObject):
        parms = _resolve(parms[_filters(obj).index("/DCTDecode")])
    obj[NameObject("/Filter")] = NameObject("/DCTDecode")
    if isinstance(parms, DictionaryObject):
        obj[NameObject("/DecodeParms")] = parms
    else:
        obj.pop(NameObject("/DecodeParms"), None)
    # StreamObject.set_data stores the bytes as they are; the subclass's own
    # would try to Flate-encode them, which a DCT stream must not be.
    StreamObject.set_data(obj, stripped)


def _is_annotation(obj: DictionaryObject) -> bool:
    return obj.get("/Type") == "/Annot" or ("/Rect" in obj and obj.get("/Subtype") is not None)


def _clean_annotation(annot: DictionaryObject) -> None:
    subtype = annot.get("/Subtype")
    if subtype in _PAGE_ANNOTS:
        return
    for key in _MARKUP_KEYS:
        annot.pop(NameObject(key), None)
    if subtype in _DROP_ANNOTS:
        # Still reachable some other way (a damaged /Annots, a /Parent link):
        # what it showed and carried goes, so it is an empty box.
        for key in _COMMENT_PAYLOAD:
            annot.pop(NameObject(key), None)


def _resolve(value: Any) -> Any:
    return value.get_object() if isinstance(value, IndirectObject) else value


def _resolve_dict(value: Any) -> DictionaryObject:
    found = _resolve(value)
    return found if isinstance(found, DictionaryObject) else DictionaryObject()


def _walk(start: Any) -> Iterator[DictionaryObject]:
    """Every dictionary (streams included) reachable from ``start``, each once."""
    seen: set[tuple[int, int]] = set()
    stack = [start]
    while stack:
        item = stack.pop()
        if isinstance(item, IndirectObject):
            ref = (item.idnum, item.generation)
            if ref in seen:
                continue
            seen.add(ref)
            item = item.get_object()
        if isinstance(item, DictionaryObject):
            yield item
            stack.extend(item.values())
        elif isinstance(item, ArrayObject):
            stack.extend(item)


def pdf_findings(reader: PdfReader, raw: bytes) -> list[str]:
    """What identifying or active content a PDF carries."""
    found: list[str] = []
    info = _resolve(reader.trailer.get("/Info"))
    if isinstance(info, DictionaryObject) and len(info) > 0:
        found.append("pdf:info")
    root = _resolve_dict(reader.trailer["/Root"])
    if "/Metadata" in root:
        found.append("pdf:xmp")
    if any(k in root for k in ("/OpenAction", "/AA")):
        found.append("pdf:javascript")
    names = _resolve_dict(root.get("/Names"))
    if "/JavaScript" in names:
        found.append("pdf:javascript")
    if "/EmbeddedFiles" in names:
        found.append("pdf:embedded-files")
    if "/Threads" in root:
        found.append("pdf:threads")
    for obj in _walk(reader.trailer["/Root"]):
        found += _object_findings(obj, root)
    if raw.count(b"%%EOF") > 1:
        found.append("pdf:earlier-revision")
    return list(dict.fromkeys(found))


def _object_findings(obj: DictionaryObject, root: DictionaryObject) -> list[str]:
    found: list[str] = []
    if _jpeg_image(obj):
        found += _jpeg_findings(obj)
    if obj is not root and "/Metadata" in obj:
        found.append("pdf:xmp-object")
    if "/PieceInfo" in obj:
        found.append("pdf:piece-info")
    if "/EF" in obj or "/EmbeddedFiles" in obj:
        found.append("pdf:embedded-files")
    if "/JavaScript" in obj:
        found.append("pdf:javascript")
    if obj.get("/S") in _ACTIVE_ACTIONS or (obj is not root and "/AA" in obj):
        found.append("pdf:javascript")
    subtype = obj.get("/Subtype")
    if _is_annotation(obj):
        carried = _MARKUP_KEYS + _COMMENT_PAYLOAD
        if subtype in _DROP_ANNOTS and any(k in obj for k in carried):
            found.append("pdf:comment")
        elif subtype not in _PAGE_ANNOTS and "/T" in obj:
            found.append("pdf:annotation-author")
        elif subtype not in _PAGE_ANNOTS and ("/Contents" in obj or "/RC" in obj):
            found.append("pdf:annotation-text")
    return found


def pdf_residual(path: Path) -> list[str]:
    raw = path.read_bytes()
    try:
        return pdf_findings(_open(raw), raw)
    except _PARSE_ERRORS as exc:
        raise broken("pdf") from exc


def clean(src: Path, dst: Path, content_type: str) -> Cleaned:
    return clean_pdf(src, dst)


def findings(path: Path, content_type: str) -> list[str]:
    return pdf_residual(path)
