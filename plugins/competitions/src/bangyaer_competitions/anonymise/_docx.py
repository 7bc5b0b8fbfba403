"""Word documents (DOCX): the package rewritten part by part without who wrote it.

Document properties are emptied, custom properties, the people list,
thumbnails and custom XML parts are dropped (with their relationships and
content types), comment and revision authors become one neutral name,
revision ids (rsid, which tie edits to one computer's sessions) go, and
photos inside lose their EXIF without being re-encoded. Text, styles and
layout are untouched. lxml keeps each namespace prefix as written, which
Word needs: ``mc:Ignorable`` names prefixes, not namespaces.
"""

from __future__ import annotations

import posixpath
import zipfile
import zlib
from collections.abc import Callable, Iterable
from pathlib import Path
from urllib.parse import unquote

from bangyaer.web import N_
from lxml import etree

from . import _imgmeta
from ._common import AnonymiseError, Cleaned, broken, writing

NEUTRAL_AUTHOR = "匿名"
NEUTRAL_INITIALS = "匿"
# Transitional and Strict WordprocessingML.
_W = {"http://schemas.openxmlformats.org/wordprocessingml/2006/main",
      "http://purl.oclc.org/ooxml/wordprocessingml/main"}
_CT = "http://schemas.openxmlformats.org/package/2006/content-types"
_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
_APP = "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"
_CORE = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
    b'<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/'
    b'core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" '
    b'xmlns:dcterms="http://purl.org/dc/terms/" xmlns:dcmitype="http://purl.org/dc/dcmitype/" '
    b'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"/>'
)
# app.xml elements that are counts or the program's name; Company, Manager,
# Template, HyperlinkBase and the titles of parts are not among them.
_APP_KEEP = {"Application", "AppVersion", "DocSecurity", "Pages", "Words", "Characters",
             "CharactersWithSpaces", "Lines", "Paragraphs", "ScaleCrop", "LinksUpToDate",
             "SharedDoc", "HyperlinksChanged", "TotalTime"}
_APP_NAMED = {"Company": "docx:app", "Manager": "docx:app", "Template": "docx:app",
              "HyperlinkBase": "docx:app", "TitlesOfParts": "docx:app"}
# settings.xml children that name a file on the author's computer or the document's history.
_SETTINGS_DROP = {"rsids": "docx:rsid", "attachedTemplate": "docx:template",
                  "mailMerge": "docx:mail-merge", "docId": "docx:doc-id"}
_DROPPED_RELS = ("/attachedTemplate", "/mailMergeSource", "/mailMergeHeaderSource",
                 "/recipientData")
_MAX_PART = 200 * 1024 * 1024
_MAX_TOTAL = 500 * 1024 * 1024
_EPOCH = (1980, 1, 1, 0, 0, 0)


def _parser() -> etree.XMLParser:
    # No entities, no DTDs, no network: a document is data, never instructions.
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                           huge_tree=False)


def _dropped(name: str) -> str | None:
    if name == "docProps/custom.xml":
        return "docx:custom"
    if name == "word/people.xml":
        return "docx:people"
    if name.startswith("docProps/thumbnail"):
        return "docx:thumbnail"
    if name.startswith("customXml/"):
        return "docx:custom-xml"
    return None


def _refuse_active_parts(names: Iterable[str]) -> None:
    for name in names:
        if (name.startswith(("word/embeddings/", "word/activeX/"))
                or name.endswith("vbaProject.bin")):
            raise AnonymiseError("embedded_content", N_(
                "文档中嵌入了其他文件或宏，无法确保去除其中的个人信息，"
                "请删除嵌入对象或另存为 PDF 后重新上传"))


def _open(src: Path) -> zipfile.ZipFile:
    try:
        package = zipfile.ZipFile(src)
        infos = package.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError) as exc:
        raise broken("docx") from exc
    names = {i.filename for i in infos}
    if "word/document.xml" not in names or "[Content_Types].xml" not in names:
        raise broken("docx")
    if any(i.file_size > _MAX_PART for i in infos) or sum(i.file_size for i in infos) > _MAX_TOTAL:
        raise AnonymiseError("document_too_large", N_("文档解压后过大，无法生成评审副本"))
    return package


def _stray(package: zipfile.ZipFile) -> set[str]:
    """Members that are no part of the document: the package gives them no content type
    (ECMA-376 Part 2, 10.1.2.4), so Word never reads them, but they travel along."""
    types = _parse(_read(package, "[Content_Types].xml"))
    defaults = {str(t.get("Extension", "")).lower() for t in types if _local(t.tag) == "Default"}
    # Part names compare case-insensitively and may be percent-encoded (Part 2, 6.2.2).
    overrides = {unquote(str(t.get("PartName", ""))).lstrip("/").lower() for t in types
                 if _local(t.tag) == "Override"}
    return {
        n for n in package.namelist()
        if n != "[Content_Types].xml" and not n.endswith("/") and n.lower() not in overrides
        and posixpath.splitext(n)[1].lstrip(".").lower() not in defaults
    }


def clean_docx(src: Path, dst: Path) -> Cleaned:
    with _open(src) as package:
        names = package.namelist()
        _refuse_active_parts(names)
        removed = _findings(package)
        dropped = {n for n in names if _dropped(n)} | _stray(package)
        with writing(dst) as out, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as copy:
            for name in names:
                if name in dropped or name.endswith("/"):
                    continue
                data = _read(package, name)
                copy.writestr(zipfile.ZipInfo(name, _EPOCH), _clean_part(name, data, dropped),
                              compress_type=zipfile.ZIP_DEFLATED)
    return Cleaned(_TYPE, ".docx", removed)


_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _read(package: zipfile.ZipFile, name: str) -> bytes:
    try:
        return package.read(name)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, zlib.error,
            NotImplementedError) as exc:  # CRC, inflate or compression-method errors
        raise broken("docx") from exc


def _clean_part(name: str, data: bytes, dropped: set[str]) -> bytes:
    if name == "docProps/core.xml":
        return _CORE
    if name == "docProps/app.xml":
        return _rewrite(data, _clean_app)
    if name == "[Content_Types].xml":
        return _rewrite(data, lambda root: _clean_content_types(root, dropped))
    if name.endswith(".rels"):
        return _rewrite(data, lambda root: _clean_rels(root, name, dropped))
    if name.startswith("word/") and name.endswith(".xml"):
        return _rewrite(data, _clean_word_xml)
    if name.startswith("word/media/"):
        return _clean_media(data)
    return data


def _rewrite(data: bytes, clean: Callable[[etree._Element], bool]) -> bytes:
    root = _parse(data)
    changed = clean(root)
    if not changed:
        return data
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True))


def _local(tag: object) -> str:
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def _clean_app(root: etree._Element) -> bool:
    doomed = [c for c in root if _local(c.tag) not in _APP_KEEP]
    for child in doomed:
        root.remove(child)
    return bool(doomed)


def _clean_content_types(root: etree._Element, dropped: set[str]) -> bool:
    gone = {name.lower() for name in dropped}
    doomed = [c for c in root if unquote(c.get("PartName", "")).lstrip("/").lower() in gone]
    for child in doomed:
        root.remove(child)
    return bool(doomed)


def _target(rels_name: str, target: str) -> str:
    # "word/_rels/document.xml.rels" belongs to "word/document.xml": targets start in "word/".
    base = posixpath.dirname(posixpath.dirname(rels_name))
    path = target if target.startswith("/") else posixpath.join("/", base, target)
    return posixpath.normpath(path).lstrip("/")


def _clean_rels(root: etree._Element, name: str, dropped: set[str]) -> bool:
    def doomed_rel(rel: etree._Element) -> bool:
        internal = rel.get("TargetMode") != "External"
        if internal and _target(name, rel.get("Target", "")) in dropped:
            return True
        return str(rel.get("Type", "")).endswith(_DROPPED_RELS)

    doomed = [rel for rel in root if doomed_rel(rel)]
    for rel in doomed:
        root.remove(rel)
    return bool(doomed)


def _clean_word_xml(root: etree._Element) -> bool:
    changed = False
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue  # comments and processing instructions
        for attr in list(el.attrib):
            what = _attribute(attr, el.get(attr, ""))
            if what is None:
                continue
            if what == "docx:author":
                initials = etree.QName(attr).localname == "initials"
                el.set(attr, NEUTRAL_INITIALS if initials else NEUTRAL_AUTHOR)
            else:
                del el.attrib[attr]
            changed = True
    if _local(root.tag) == "settings":
        doomed = [c for c in root if _local(c.tag) in _SETTINGS_DROP]
        for child in doomed:
            root.remove(child)
        changed = changed or bool(doomed)
    return changed


def _attribute(attr: str, value: str) -> str | None:
    """What an attribute of WordprocessingML reveals, or None if nothing."""
    qname = etree.QName(attr)
    if qname.localname == "dateUtc":  # w16du, on revisions and comments
        return "docx:dates"
    if qname.namespace not in _W:
        return None
    if qname.localname.startswith("rsid"):
        return "docx:rsid"
    if qname.localname == "author" and value != NEUTRAL_AUTHOR:
        return "docx:author"
    if qname.localname == "initials" and value != NEUTRAL_INITIALS:
        return "docx:author"
    if qname.localname == "date":
        return "docx:dates"
    return None


def _findings(package: zipfile.ZipFile) -> list[str]:
    """What identifying metadata the package carries."""
    found: list[str] = ["docx:stray-file"] if _stray(package) else []
    for name in package.namelist():
        what = _dropped(name)
        if what:
            found.append(what)
        elif name.startswith(("word/embeddings/", "word/activeX/")) or name.endswith(
                "vbaProject.bin"):
            found.append("docx:embedded")
        elif name == "docProps/core.xml":
            found += _core_findings(_parse(_read(package, name)))
        elif name == "docProps/app.xml":
            root = _parse(_read(package, name))
            found += [_APP_NAMED.get(_local(c.tag), "docx:app") for c in root
                      if _local(c.tag) not in _APP_KEEP]
        elif name.startswith("word/") and name.endswith(".xml"):
            found += _word_findings(_parse(_read(package, name)), name)
        elif name.startswith("word/media/"):
            found += [f"docx:media-{w}" for w in _media_findings(_read(package, name))]
        elif name.endswith(".rels"):
            root = _parse(_read(package, name))
            if any(r.get("Type", "").endswith(_DROPPED_RELS) for r in root):
                found.append("docx:template")
    return list(dict.fromkeys(found))


def _parse(data: bytes) -> etree._Element:
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as exc:
        raise broken("docx") from exc
    # Office packages never use DTDs (ECMA-376 Part 2, 8.1.4); one here is a forgery.
    if root.getroottree().docinfo.doctype:
        raise broken("docx")
    return root


def _core_findings(root: etree._Element) -> list[str]:
    return ["docx:core"] if len(root) or (root.text or "").strip() else []


def _word_findings(root: etree._Element, name: str) -> list[str]:
    found: list[str] = []
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        for attr, value in el.attrib.items():
            what = _attribute(attr, value)
            if what == "docx:author":
                what = "docx:comment-author" if "comments" in name else "docx:revision-author"
            if what:
                found.append(what)
    if _local(root.tag) == "settings":
        found += [_SETTINGS_DROP[_local(c.tag)] for c in root if _local(c.tag) in _SETTINGS_DROP]
    return found


def _media_findings(data: bytes) -> list[str]:
    try:
        if data.startswith(b"\xff\xd8"):
            return _imgmeta.jpeg_findings(data)
        if data.startswith(b"\x89PNG"):
            return _imgmeta.png_findings(data)
    except _imgmeta.Malformed as exc:
        raise broken("docx") from exc
    return []


def docx_findings(path: Path) -> list[str]:
    with _open(path) as package:
        return _findings(package)


def _clean_media(data: bytes) -> bytes:
    try:
        if data.startswith(b"\xff\xd8"):
            return _imgmeta.strip_jpeg(data)
        if data.startswith(b"\x89PNG"):
            return _imgmeta.strip_png(data)
    except _imgmeta.Malformed as exc:
        raise broken("docx") from exc
    # Not yet: GIF, TIFF and metafile pictures inside documents are kept as they are.
    return data


def clean(src: Path, dst: Path, content_type: str) -> Cleaned:
    return clean_docx(src, dst)


def findings(path: Path, content_type: str) -> list[str]:
    return docx_findings(path)
