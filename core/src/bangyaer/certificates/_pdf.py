"""Lay a certificate out on an A4 page (landscape) with reportlab, QR code included.

The Chinese text uses reportlab's built-in CID font STSong-Light: every PDF
reader ships it, so nothing is embedded and a certificate stays a few KB.
The QR code is drawn as vector squares from segno's matrix, which prints
sharp at any size and needs no image codec.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import io
from collections.abc import Iterator
from dataclasses import dataclass

import segno
from reportlab import rl_config
from reportlab.lib.colors import Color, HexColor
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen.canvas import Canvas

from ._template import CertificateTemplate

__all__ = ["CertificateText", "render_pdf"]

FONT = "STSong-Light"
PAGE = landscape(A4)
RED = HexColor("#b3261e")
INK = HexColor("#222222")
GREY = HexColor("#666666")
QR_SIZE = 90.0  # points, about 3 cm: scans from a phone held over a printed page
MARGIN = 36.0


@functools.cache
def _font() -> str:
    pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    return FONT


@dataclass(frozen=True)
class CertificateText:
    """What differs from one certificate of a template to the next."""

    name: str
    activity: str
    award: str
    issued_on: dt.date
    serial: str
    verify_url: str


def chinese_date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def wrap(text: str, size: float, width: float) -> list[str]:
    """Break ``text`` into lines no wider than ``width``; Chinese may break anywhere."""
    lines: list[str] = []
    line = ""
    for char in text:
        if pdfmetrics.stringWidth(line + char, _font(), size) > width:
            lines.append(line)
            line = char.lstrip()
        else:
            line += char
    if line:
        lines.append(line)
    return lines


def _qr(canvas: Canvas, payload: str, x: float, y: float) -> None:
    # A fixed mask: choosing the best of eight took four fifths of the whole
    # certificate's time, and any mask scans; the decoding test reads every run's.
    matrix = segno.make(payload, error="m", mask=0).matrix
    module = QR_SIZE / len(matrix)
    path = canvas.beginPath()
    for row, cells in enumerate(matrix):
        top = y + QR_SIZE - (row + 1) * module
        col = 0
        # One rectangle per run of dark modules: a fifth of the drawing
        # operations of one square per module.
        while col < len(cells):
            if not cells[col]:
                col += 1
                continue
            start = col
            while col < len(cells) and cells[col]:
                col += 1
            path.rect(x + start * module, top, (col - start) * module, module)
    canvas.setFillColor(Color(0, 0, 0))
    canvas.drawPath(path, stroke=0, fill=1)


def _frame(canvas: Canvas, background: ImageReader | None) -> None:
    width, height = PAGE
    if background is not None:
        canvas.drawImage(background, 0, 0, width, height, preserveAspectRatio=False)
        return
    canvas.setStrokeColor(RED)
    canvas.setLineWidth(4)
    canvas.rect(MARGIN / 2, MARGIN / 2, width - MARGIN, height - MARGIN)
    canvas.setLineWidth(1)
    canvas.rect(MARGIN / 2 + 8, MARGIN / 2 + 8, width - MARGIN - 16, height - MARGIN - 16)


@contextlib.contextmanager
def _binary_streams() -> Iterator[None]:
    """Compressed streams without the ASCII85 wrapping reportlab adds by default.

    Its encoder is pure Python and took a quarter of a certificate's time;
    every PDF reader takes binary streams. reportlab reads the flag while
    building a document, which render_pdf does start to end without yielding.
    """
    before = rl_config.useA85
    rl_config.useA85 = 0
    try:
        yield
    finally:
        rl_config.useA85 = before


def render_pdf(
    template: CertificateTemplate,
    text: CertificateText,
    *,
    seal: ImageReader | None = None,
    background: ImageReader | None = None,
) -> bytes:
    """One certificate as PDF bytes."""
    with _binary_streams():
        return _render(template, text, seal, background)


def _render(template: CertificateTemplate, text: CertificateText, seal: ImageReader | None,
            background: ImageReader | None) -> bytes:
    width, height = PAGE
    font = _font()
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=PAGE, pageCompression=1)
    canvas.setTitle(f"{template.title} {text.serial}")
    canvas.setAuthor(template.issuer)
    _frame(canvas, background)

    canvas.setFillColor(RED)
    canvas.setFont(font, 44)
    canvas.drawCentredString(width / 2, height - 120, template.title)

    canvas.setFillColor(INK)
    wording = template.wording.format(name=text.name, activity=text.activity, award=text.award)
    y = height - 200
    for line in wrap(wording, 20, width - 4 * MARGIN - 40):
        canvas.setFont(font, 20)
        canvas.drawString(2 * MARGIN + 20, y, line)
        y -= 32
    canvas.setFillColor(RED)
    canvas.setFont(font, 36)
    canvas.drawCentredString(width / 2, y - 30, text.award)

    canvas.setFillColor(INK)
    canvas.setFont(font, 16)
    right = width - 2 * MARGIN - 20
    canvas.drawRightString(right, 150, template.issuer)
    canvas.drawRightString(right, 124, chinese_date(text.issued_on))
    if seal is not None:
        canvas.drawImage(seal, right - 130, 70, 120, 120, mask="auto",
                         preserveAspectRatio=True)

    left = 2 * MARGIN + 10
    _qr(canvas, text.verify_url, left, 70)
    canvas.setFillColor(GREY)
    canvas.setFont(font, 9)
    canvas.drawString(left, 56, f"证书编号：{text.serial}")
    canvas.drawString(left, 44, "扫码验证真伪")
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
