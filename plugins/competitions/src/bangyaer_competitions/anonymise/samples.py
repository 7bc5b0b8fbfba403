"""Small, structurally valid files loaded with identifying metadata, for tests.

Every builder puts ``name`` (a child), ``school`` and a reviewer's name into
as many metadata places as the format has, including UTF-16 strings where
the format uses them, so a test can search the copy's raw bytes for all of
them. The judging pages' anonymity test uses them too.
"""

from __future__ import annotations

import contextlib
import io
import struct
import zipfile

from PIL import Image, ImageDraw
from PIL.PngImagePlugin import PngInfo

NAME = "王小明"
SCHOOL = "实验小学"
REVIEWER = "李老师"
# Latitude 30°16'N, longitude 120°9'E: the district, as a phone would record it.
GPS = {1: "N", 2: (30.0, 16.0, 0.0), 3: "E", 4: (120.0, 9.0, 0.0)}


def needles(*names: str) -> list[bytes]:
    """The byte forms a name can take inside a file: UTF-8, UTF-16 (both orders) and GBK,
    which Chinese tag editors still write into ID3v1 and old Office files."""
    found = []
    for text in names:
        found += [text.encode(codec) for codec in ("utf-8", "utf-16-le", "utf-16-be")]
        with contextlib.suppress(UnicodeEncodeError):  # a rare character GBK lacks
            found.append(text.encode("gbk"))
    return found


def xmp_packet(name: str = NAME, school: str = SCHOOL) -> bytes:
    return (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
        'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        '<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/">'
        f'<dc:creator><rdf:Seq><rdf:li>{name}</rdf:li></rdf:Seq></dc:creator>'
        f'<dc:rights>{school}</dc:rights></rdf:Description></rdf:RDF></x:xmpmeta>'
        '<?xpacket end="w"?>'
    ).encode()


def exif_block(name: str = NAME, school: str = SCHOOL, *, orientation: int = 1) -> bytes:
    exif = Image.Exif()
    exif[0x013B] = name  # Artist
    exif[0x010E] = f"{name} {school}"  # ImageDescription
    exif[0x8298] = school  # Copyright
    exif[0x9C9D] = (name + "\x00").encode("utf-16-le")  # XPAuthor, UCS-2 as Windows writes it
    if orientation != 1:
        exif[0x0112] = orientation
    exif.get_ifd(0x8825).update(GPS)
    return exif.tobytes()


def picture(size: tuple[int, int] = (640, 480), mode: str = "RGB") -> Image.Image:
    """A picture whose top-left corner is marked, so a rotation can be seen in the pixels."""
    img = Image.new("RGB", size, (230, 230, 250))
    draw = ImageDraw.Draw(img)
    draw.rectangle((0, 0, size[0] // 4, size[1] // 4), fill=(200, 20, 20))
    draw.ellipse((size[0] // 3, size[1] // 3, size[0] // 2, size[1] // 2), fill=(20, 120, 40))
    return img.convert(mode)


def jpeg(name: str = NAME, school: str = SCHOOL, *, orientation: int = 6,
         size: tuple[int, int] = (640, 480)) -> bytes:
    out = io.BytesIO()
    exif = exif_block(name, school, orientation=orientation)
    picture(size).save(out, "JPEG", quality=90, exif=exif, xmp=xmp_packet(name, school),
                       comment=f"{name} {school}".encode())
    data = out.getvalue()
    # IPTC (Photoshop APP13) with the by-line, as news and some phone apps write it.
    iptc = b"\x1c\x02\x50" + struct.pack(">H", len(name.encode())) + name.encode()
    irb = b"8BIM\x04\x04\x00\x00" + struct.pack(">I", len(iptc)) + iptc
    body = b"Photoshop 3.0\x00" + irb
    app13 = b"\xff\xed" + struct.pack(">H", len(body) + 2) + body
    # A trailer after the end marker, where phones put a second (depth or preview) image.
    return data[:2] + app13 + data[2:] + f"trailer {name}".encode()


def png(name: str = NAME, school: str = SCHOOL, *, size: tuple[int, int] = (640, 480)) -> bytes:
    info = PngInfo()
    info.add_text("Author", name)
    info.add_text("Comment", f"{name} {school}", zip=True)
    info.add_itxt("Description", f"{name}的画", lang="zh", tkey="说明")
    info.add_itxt("XML:com.adobe.xmp", xmp_packet(name, school).decode())
    out = io.BytesIO()
    picture(size, "RGBA").save(out, "PNG", pnginfo=info, exif=exif_block(name, school))
    return out.getvalue()


def webp(name: str = NAME, school: str = SCHOOL, *, size: tuple[int, int] = (640, 480),
         lossless: bool = False) -> bytes:
    out = io.BytesIO()
    picture(size).save(out, "WEBP", quality=90, lossless=lossless,
                       exif=exif_block(name, school, orientation=3), xmp=xmp_packet(name, school))
    return out.getvalue()


def heic(name: str = NAME, school: str = SCHOOL, *, size: tuple[int, int] = (640, 480)) -> bytes:
    import pillow_heif

    pillow_heif.register_heif_opener()
    out = io.BytesIO()
    picture(size).save(out, "HEIF", quality=80, exif=exif_block(name, school),
                       xmp=xmp_packet(name, school))
    return out.getvalue()


PDF_TEXT = ("Spring on the West Lake", "Page two: the river at dusk")


def pdf(name: str = NAME, school: str = SCHOOL, reviewer: str = REVIEWER) -> bytes:
    """Two pages of text; Info, XMP (catalog and page), comments, an attachment,
    JavaScript, and an incremental update that keeps the first revision's Info."""
    from pypdf import PdfWriter
    from pypdf.actions import JavaScript
    from pypdf.annotations import FreeText, Highlight, Text
    from pypdf.generic import ArrayObject, FloatObject, NameObject, StreamObject, TextStringObject
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    base = io.BytesIO()
    c = canvas.Canvas(base, pagesize=(595, 842))
    c.setAuthor(name)
    c.setTitle(f"{name}的作品")
    c.setSubject(school)
    photo = ImageReader(io.BytesIO(jpeg(name, school, orientation=1, size=(120, 90))))
    for line in PDF_TEXT:
        c.drawString(72, 760, line)
        # A photo of the work, placed as the phone's JPEG file itself (EXIF, GPS and all).
        c.drawImage(photo, 72, 600, width=120, height=90)
        c.showPage()
    c.save()

    w = PdfWriter(clone_from=io.BytesIO(base.getvalue()))
    w.add_metadata({"/Author": name, "/Creator": school, "/Keywords": reviewer})
    w.xmp_metadata = xmp_packet(name, school)
    page_xmp = StreamObject()
    page_xmp.set_data(xmp_packet(name, school))
    page_xmp[NameObject("/Type")] = NameObject("/Metadata")
    w.pages[0][NameObject("/Metadata")] = w._add_object(page_xmp)
    note = Text(rect=(50, 550, 200, 650), text=f"{reviewer}：构图很好")
    note[NameObject("/T")] = TextStringObject(reviewer)
    w.add_annotation(0, note)
    mark = Highlight(rect=(70, 750, 300, 775), quad_points=ArrayObject(
        [FloatObject(v) for v in (70, 775, 300, 775, 70, 750, 300, 750)]))
    mark[NameObject("/T")] = TextStringObject(reviewer)
    mark[NameObject("/Contents")] = TextStringObject(f"{reviewer}：这里要改")
    w.add_annotation(0, mark)
    w.add_annotation(1, FreeText(text=f"{reviewer} 阅", rect=(50, 50, 200, 100)))
    w.add_attachment("作者.txt", f"{name} {school}".encode())
    w.add_open_action(JavaScript(f"app.alert('{name}');"))
    first = io.BytesIO()
    w.write(first)

    update = PdfWriter(io.BytesIO(first.getvalue()), incremental=True)
    update.add_metadata({"/Title": "修订版"})
    out = io.BytesIO()
    update.write(out)
    return out.getvalue()


# --- ISO base media (MP4, MOV, M4A) ----------------------------------------

VIDEO_SAMPLES = (b"\x00\x00\x00\x10video-sample-one", b"\x00\x00\x00\x10video-sample-two")
LOCATION = "+30.2700+120.1500/"  # ISO 6709, as phones write it


def box(kind: bytes, *payload: bytes) -> bytes:
    body = b"".join(payload)
    return struct.pack(">I4s", 8 + len(body), kind) + body


def full_box(kind: bytes, version: int, flags: int, *payload: bytes) -> bytes:
    return box(kind, struct.pack(">I", (version << 24) | flags), *payload)


def _qt_text(kind: bytes, text: str) -> bytes:
    data = text.encode()
    return box(kind, struct.pack(">HH", len(data), 0x55C4), data)  # 0x55C4: language "und"


def _ilst_item(kind: bytes, text: str) -> bytes:
    return box(kind, box(b"data", struct.pack(">II", 1, 0), text.encode()))


_MATRIX = struct.pack(">9I", 0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x40000000)
_WHEN = 3_800_000_000  # seconds since 1904: when the phone says it was recorded


def _mvhd() -> bytes:
    return full_box(b"mvhd", 0, 0, struct.pack(">IIII", _WHEN, _WHEN, 1000, 2000),
                    struct.pack(">IH", 0x10000, 0x100), bytes(10), _MATRIX, bytes(24),
                    struct.pack(">I", 3))


def _trak(track_id: int, handler: bytes, entry: bytes, sizes: list[int], offsets: list[int],
          udta: bytes = b"") -> bytes:
    tkhd = full_box(b"tkhd", 0, 3, struct.pack(">IIII", _WHEN, _WHEN, track_id, 0),
                    struct.pack(">I", 2000), bytes(8), struct.pack(">hhhH", 0, 0, 0, 0),
                    _MATRIX, struct.pack(">II", 320 << 16, 240 << 16))
    mdhd = full_box(b"mdhd", 0, 0, struct.pack(">IIII", _WHEN, _WHEN, 1000, 2000),
                    struct.pack(">HH", 0x55C4, 0))
    hdlr = full_box(b"hdlr", 0, 0, b"\x00" * 4, handler, bytes(12), b"Handler\x00")
    stbl = box(
        b"stbl",
        full_box(b"stsd", 0, 0, struct.pack(">I", 1), entry),
        full_box(b"stts", 0, 0, struct.pack(">III", 1, len(sizes), 1000)),
        full_box(b"stsc", 0, 0, struct.pack(">IIII", 1, 1, 1, 1)),
        full_box(b"stsz", 0, 0, struct.pack(">II", 0, len(sizes)),
                 *(struct.pack(">I", s) for s in sizes)),
        full_box(b"stco", 0, 0, struct.pack(">I", len(offsets)),
                 *(struct.pack(">I", o) for o in offsets)),
    )
    dinf = box(b"dinf", full_box(b"dref", 0, 0, struct.pack(">I", 1), full_box(b"url ", 0, 1)))
    header = full_box(b"vmhd", 0, 1, bytes(8)) if handler == b"vide" else full_box(b"nmhd", 0, 0)
    minf = box(b"minf", header, dinf, stbl)
    return box(b"trak", tkhd, box(b"mdia", mdhd, hdlr, minf), udta)


def _visual_entry() -> bytes:
    return box(b"avc1", bytes(6), struct.pack(">H", 1), bytes(16), struct.pack(">HH", 320, 240),
               struct.pack(">II", 0x480000, 0x480000), bytes(4), struct.pack(">H", 1),
               bytes(32), struct.pack(">Hh", 24, -1))


def _metadata_entry() -> bytes:
    keys = box(b"keyd", b"mdta", b"com.apple.quicktime.location.ISO6709")
    return box(b"mebx", bytes(6), struct.pack(">H", 1), box(b"keys", box(struct.pack(">I", 1),
                                                                          keys)))


def mp4(name: str = NAME, school: str = SCHOOL, *, brand: bytes = b"isom",
        metadata_track: bool = True) -> bytes:
    """A small movie: one video track, a GPS metadata track, and metadata in
    udta (QuickTime and iTunes styles), moov/meta (mdta keys), a trak udta,
    a top-level XMP uuid box, and stale bytes in a free box."""
    location = f"{LOCATION}{name}".encode()
    meta_samples = [location, location]

    def build(mdat_at: int) -> bytes:
        video_offsets = [mdat_at + 8, mdat_at + 8 + len(VIDEO_SAMPLES[0])]
        after_video = mdat_at + 8 + sum(map(len, VIDEO_SAMPLES))
        meta_offsets = [after_video, after_video + len(location)]
        udta = box(b"udta", _qt_text(b"\xa9nam", f"{name}的作品"), _qt_text(b"\xa9ART", name),
                   _qt_text(b"\xa9xyz", LOCATION), _qt_text(b"\xa9cmt", school),
                   full_box(b"meta", 0, 0,
                            full_box(b"hdlr", 0, 0, bytes(4), b"mdir", b"appl", bytes(9)),
                            box(b"ilst", _ilst_item(b"\xa9ART", name),
                                _ilst_item(b"\xa9alb", school))))
        mdta = box(b"meta", full_box(b"hdlr", 0, 0, bytes(4), b"mdta", bytes(13)),
                   full_box(b"keys", 0, 0, struct.pack(">I", 1),
                            box(b"mdta", b"com.apple.quicktime.author")),
                   box(b"ilst", box(struct.pack(">I", 1), box(b"data", struct.pack(">II", 1, 0),
                                                              name.encode()))))
        traks = [_trak(1, b"vide", _visual_entry(), [len(s) for s in VIDEO_SAMPLES], video_offsets,
                       box(b"udta", _qt_text(b"\xa9nam", name)))]
        if metadata_track:
            traks.append(_trak(2, b"meta", _metadata_entry(), [len(s) for s in meta_samples],
                               meta_offsets))
        moov = box(b"moov", _mvhd(), *traks, udta, mdta)
        return moov

    ftyp = box(b"ftyp", brand, struct.pack(">I", 0), brand, b"isom", b"mp41")
    xmp_uuid = bytes.fromhex("BE7ACFCB97A942E89C71999491E3AFAC")
    uuid = box(b"uuid", xmp_uuid, xmp_packet(name, school))
    free = box(b"free", f"old moov: {name}".encode())
    head_len = len(ftyp) + len(build(0)) + len(uuid) + len(free)
    samples = b"".join(VIDEO_SAMPLES) + (b"".join(meta_samples) if metadata_track else b"")
    return ftyp + build(head_len) + uuid + free + box(b"mdat", samples)


def mp4_frame(total: int) -> tuple[bytes, int]:
    """The header of a movie whose single video sample fills ``total`` bytes of file:
    (bytes up to the mdat payload, offset where the payload starts)."""
    ftyp = box(b"ftyp", b"isom", struct.pack(">I", 0), b"isom")
    udta = box(b"udta", _qt_text(b"\xa9ART", NAME))

    def moov(at: int, size: int) -> bytes:
        return box(b"moov", _mvhd(), _trak(1, b"vide", _visual_entry(), [size], [at]), udta)

    head = len(ftyp) + len(moov(0, 0)) + 16
    size = total - head
    mdat_header = struct.pack(">I4sQ", 1, b"mdat", size + 16)
    return ftyp + moov(head, size) + mdat_header, head


# --- MP3 and WAV --------------------------------------------------------------

# MPEG-1 Layer III, 128 kbit/s, 44.1 kHz: 417 bytes a frame (ISO/IEC 11172-3).
MP3_FRAME = b"\xff\xfb\x90\x64" + bytes(413)


def _id3_frame(kind: bytes, body: bytes) -> bytes:
    size = len(body)
    safe = bytes(((size >> 21) & 0x7F, (size >> 14) & 0x7F, (size >> 7) & 0x7F, size & 0x7F))
    return kind + safe + b"\x00\x00" + body


def mp3(name: str = NAME, school: str = SCHOOL, *, frames: int = 3) -> bytes:
    """Three silent frames between an ID3v2.4 tag (TPE1, TIT2, COMM in UTF-16) and
    an ID3v1 tag in GBK, as Chinese players write it."""
    body = (_id3_frame(b"TPE1", b"\x03" + name.encode())
            + _id3_frame(b"TIT2", b"\x03" + f"{name}朗诵".encode())
            + _id3_frame(b"COMM", b"\x01chi" + "\ufeff".encode("utf-16-le") + b"\x00\x00"
                         + school.encode("utf-16-le")))
    size = len(body)
    safe = bytes(((size >> 21) & 0x7F, (size >> 14) & 0x7F, (size >> 7) & 0x7F, size & 0x7F))
    id3v2 = b"ID3\x04\x00\x00" + safe + body
    v1_text = name.encode("gbk").ljust(30, b"\x00")
    id3v1 = b"TAG" + v1_text + v1_text + school.encode("gbk").ljust(30, b"\x00") + b"2026" \
        + bytes(30) + b"\x0c"
    return id3v2 + MP3_FRAME * frames + id3v1


WAV_SOUND = bytes(range(256)) * 8 + b"\x01"  # odd length: the chunk gets a pad byte


def _riff(cid: bytes, body: bytes) -> bytes:
    return struct.pack("<4sI", cid, len(body)) + body + (b"\x00" if len(body) & 1 else b"")


def wav(name: str = NAME, school: str = SCHOOL) -> bytes:
    """8-bit mono PCM with LIST/INFO (IART, INAM, ICMT), bext and id3 chunks."""
    fmt = struct.pack("<HHIIHH", 1, 1, 8000, 8000, 1, 8)
    info = b"INFO" + _riff(b"IART", name.encode() + b"\x00") \
        + _riff(b"INAM", f"{name}的朗诵".encode() + b"\x00") + _riff(b"ICMT", school.encode())
    bext = f"{name} {school}".encode().ljust(256, b"\x00") + bytes(346)
    chunks = (_riff(b"fmt ", fmt) + _riff(b"LIST", info) + _riff(b"bext", bext)
              + _riff(b"data", WAV_SOUND) + _riff(b"id3 ", mp3(name, school, frames=0)[:-128]))
    return b"RIFF" + struct.pack("<I", 4 + len(chunks)) + b"WAVE" + chunks


# --- DOCX -------------------------------------------------------------------

DOCX_TEXT = ("春天来了，西湖边的柳树发芽了。", "The river at dusk.")
_WNS = ('xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" '
        'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
        'xmlns:w14="http://schemas.microsoft.com/office/word/2010/wordml" '
        'xmlns:w15="http://schemas.microsoft.com/office/word/2012/wordml" '
        'mc:Ignorable="w14 w15"')
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"


def _rels(*items: tuple[str, str, str, str]) -> str:
    body = "".join(
        f'<Relationship Id="{rid}" Type="{kind}" Target="{target}"'
        + (' TargetMode="External"' if mode else "") + "/>"
        for rid, kind, target, mode in items)
    return f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="{_PKG_REL}">{body}</Relationships>'  # noqa: E501


def docx(name: str = NAME, school: str = SCHOOL, reviewer: str = REVIEWER) -> bytes:
    """An essay with core/app/custom properties, a comment, tracked changes, rsids,
    a people list, an attached template, custom XML, a thumbnail and a photo."""
    first, second = DOCX_TEXT
    parts: dict[str, str | bytes] = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'  # noqa: E501
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Default Extension="jpeg" ContentType="image/jpeg"/>'
            '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'  # noqa: E501
            '<Override PartName="/word/comments.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.comments+xml"/>'  # noqa: E501
            '<Override PartName="/word/people.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.people+xml"/>'  # noqa: E501
            '<Override PartName="/word/settings.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.settings+xml"/>'  # noqa: E501
            '<Override PartName="/customXml/itemProps1.xml" ContentType="application/vnd.openxmlformats-officedocument.customXmlProperties+xml"/>'  # noqa: E501
            '<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'  # noqa: E501
            '<Override PartName="/docProps/app.xml" ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/>'  # noqa: E501
            '<Override PartName="/docProps/custom.xml" ContentType="application/vnd.openxmlformats-officedocument.custom-properties+xml"/>'  # noqa: E501
            '</Types>'),
        "_rels/.rels": _rels(
            ("rId1", f"{_REL}/officeDocument", "word/document.xml", ""),
            ("rId2", "http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties", "docProps/core.xml", ""),  # noqa: E501
            ("rId3", f"{_REL}/extended-properties", "docProps/app.xml", ""),
            ("rId4", f"{_REL}/custom-properties", "docProps/custom.xml", ""),
            ("rId5", "http://schemas.openxmlformats.org/package/2006/relationships/metadata/thumbnail", "docProps/thumbnail.jpeg", "")),  # noqa: E501
        "docProps/core.xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '  # noqa: E501
            'xmlns:dc="http://purl.org/dc/elements/1.1/" '
            'xmlns:dcterms="http://purl.org/dc/terms/" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
            f'<dc:title>{name}的作文</dc:title><dc:creator>{name}</dc:creator>'
            f'<cp:lastModifiedBy>{reviewer}</cp:lastModifiedBy><cp:keywords>{school}</cp:keywords>'
            '<dcterms:created xsi:type="dcterms:W3CDTF">2026-03-01T08:00:00Z</dcterms:created>'
            '<dcterms:modified xsi:type="dcterms:W3CDTF">2026-03-02T08:00:00Z</dcterms:modified>'
            '</cp:coreProperties>'),
        "docProps/app.xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
            f'<Template>C:\\Users\\{name}\\Normal.dotm</Template><TotalTime>12</TotalTime>'
            f'<Pages>1</Pages><Words>20</Words><Application>Microsoft Office Word</Application>'
            f'<Company>{school}</Company><Manager>{reviewer}</Manager></Properties>'),
        "docProps/custom.xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties" '  # noqa: E501
            'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
            '<property fmtid="{D5CDD505-2E9C-101B-9397-08002B2CF9AE}" pid="2" name="学校">'
            f'<vt:lpwstr>{school}</vt:lpwstr></property></Properties>'),
        "docProps/thumbnail.jpeg": jpeg(name, school),
        "word/document.xml": (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document {_WNS}><w:body>'
            f'<w:p w:rsidR="00A1B2C3" w:rsidRDefault="00A1B2C3" w14:paraId="1A2B3C4D">'
            '<w:commentRangeStart w:id="0"/>'
            f'<w:r w:rsidRPr="00D4E5F6"><w:t>{first}</w:t></w:r><w:commentRangeEnd w:id="0"/>'
            '<w:r><w:commentReference w:id="0"/></w:r></w:p>'
            f'<w:p w:rsidR="00A1B2C3"><w:ins w:id="1" w:author="{reviewer}" '
            f'w:date="2026-03-02T08:00:00Z"><w:r><w:t>{second}</w:t></w:r></w:ins>'
            f'<w:del w:id="2" w:author="{name}" w:date="2026-03-02T08:00:00Z"><w:r>'
            '<w:delText>旧句子</w:delText></w:r></w:del></w:p>'
            '<w:sectPr w:rsidR="00A1B2C3"><w:pgSz w:w="11906" w:h="16838"/></w:sectPr>'
            '</w:body></w:document>'),
        "word/_rels/document.xml.rels": _rels(
            ("rId1", f"{_REL}/comments", "comments.xml", ""),
            ("rId2", "http://schemas.microsoft.com/office/2011/relationships/people", "people.xml", ""),  # noqa: E501
            ("rId3", f"{_REL}/settings", "settings.xml", ""),
            ("rId4", f"{_REL}/customXml", "../customXml/item1.xml", ""),
            ("rId5", f"{_REL}/image", "media/image1.jpeg", ""),
            ("rId6", f"{_REL}/hyperlink", "https://example.org/", "External")),
        "word/comments.xml": (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:comments {_WNS}>'
            f'<w:comment w:id="0" w:author="{reviewer}" w:initials="李" '
            'w:date="2026-03-02T08:00:00Z"><w:p w:rsidR="00A1B2C3"><w:r><w:t>写得好</w:t></w:r>'
            '</w:p></w:comment></w:comments>'),
        "word/people.xml": (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w15:people {_WNS}>'
            f'<w15:person w15:author="{reviewer}"><w15:presenceInfo w15:providerId="AD" '
            'w15:userId="li.laoshi@example.cn"/></w15:person></w15:people>'),
        "word/settings.xml": (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:settings {_WNS}>'
            '<w:zoom w:percent="100"/><w:attachedTemplate r:id="rId1"/>'
            '<w:rsids><w:rsidRoot w:val="00A1B2C3"/><w:rsid w:val="00D4E5F6"/></w:rsids>'
            '<w15:docId w15:val="{6A1B2C3D-0000-4000-8000-000000000001}"/></w:settings>'),
        "word/_rels/settings.xml.rels": _rels(
            ("rId1", f"{_REL}/attachedTemplate",
             f"file:///C:\\Users\\{name}\\AppData\\Roaming\\Microsoft\\Templates\\Normal.dotm",
             "External")),
        "word/media/image1.jpeg": jpeg(name, school, orientation=6),
        "customXml/item1.xml": f'<CoverPageProperties><CompanyAddress>{school}</CompanyAddress></CoverPageProperties>',  # noqa: E501
        "customXml/itemProps1.xml": '<?xml version="1.0"?><ds:datastoreItem ds:itemID="{1}" xmlns:ds="http://schemas.openxmlformats.org/officeDocument/2006/customXml"/>',
        "customXml/_rels/item1.xml.rels": _rels(
            ("rId1", f"{_REL}/customXmlProps", "itemProps1.xml", "")),
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        for part, content in parts.items():
            info = zipfile.ZipInfo(part, (2026, 3, 2, 16, 0, 0))
            package.writestr(info, content if isinstance(content, bytes) else content.encode(),
                             compress_type=zipfile.ZIP_DEFLATED)
        package.comment = f"{name}".encode()
    return out.getvalue()


def mp4_moov_last(payload: bytes) -> bytes:
    """A movie as phones write it: the samples first, the moov (with udta) at the end."""
    ftyp = box(b"ftyp", b"isom", struct.pack(">I", 0), b"isom")
    mdat = box(b"mdat", payload)
    udta = box(b"udta", _qt_text(b"\xa9ART", NAME), _qt_text(b"\xa9xyz", LOCATION))
    trak = _trak(1, b"vide", _visual_entry(), [len(payload)], [len(ftyp) + 8])
    return ftyp + mdat + box(b"moov", _mvhd(), trak, udta)
