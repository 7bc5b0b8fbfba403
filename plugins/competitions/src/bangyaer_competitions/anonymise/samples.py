"""Small, structurally valid files loaded with identifying metadata, for tests.

Every builder puts ``name`` (a child), ``school`` and a reviewer's name into
as many metadata places as the format has, including UTF-16 strings where
the format uses them, so a test can search the copy's raw bytes for all of
them. The judging pages' anonymity test uses them too.
"""

from __future__ import annotations

import io
import struct

from PIL import Image, ImageDraw
from PIL.PngImagePlugin import PngInfo

NAME = "王小明"
SCHOOL = "实验小学"
REVIEWER = "李老师"
# Latitude 30°16'N, longitude 120°9'E: the district, as a phone would record it.
GPS = {1: "N", 2: (30.0, 16.0, 0.0), 3: "E", 4: (120.0, 9.0, 0.0)}


def needles(*names: str) -> list[bytes]:
    """The byte forms a name can take inside a file: UTF-8 and UTF-16 (both orders)."""
    found = []
    for text in names:
        found += [text.encode("utf-8"), text.encode("utf-16-le"), text.encode("utf-16-be")]
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
    from reportlab.pdfgen import canvas

    base = io.BytesIO()
    c = canvas.Canvas(base, pagesize=(595, 842))
    c.setAuthor(name)
    c.setTitle(f"{name}的作品")
    c.setSubject(school)
    for line in PDF_TEXT:
        c.drawString(72, 760, line)
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
