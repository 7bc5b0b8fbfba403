"""The child's portfolio: one JSON document another system can import, and one PDF.

The JSON shape (``format`` names its version) is documented in the README.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo

from bangyaer.certificates import Certificate
from bangyaer.db import utcnow
from bangyaer.identity import Organisation, Person
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ._queries import Summary
from .models import Record

FORMAT = "bangyaer.growth.portfolio/1"
FONT = "STSong-Light"


async def _certificates(session: AsyncSession, records: list[Record]) -> dict[int, Certificate]:
    ids = [r.certificate_id for r in records if r.certificate_id is not None]
    if not ids:
        return {}
    rows = await session.scalars(select(Certificate).where(Certificate.id.in_(ids)))
    return {c.id: c for c in rows}


async def _org_names(session: AsyncSession, student: Person) -> tuple[str, str]:
    ids = [i for i in (student.school_id, student.class_id) if i is not None]
    rows = await session.scalars(select(Organisation).where(Organisation.id.in_(ids)))
    names = {o.id: o.name for o in rows}
    return names.get(student.school_id or 0, ""), names.get(student.class_id or 0, "")


async def portfolio(session: AsyncSession, student: Person, records: list[Record],
                    summary: Summary, *, base_url: str) -> dict[str, Any]:
    certificates = await _certificates(session, records)
    school, klass = await _org_names(session, student)
    base = base_url.rstrip("/")

    def certificate(record: Record) -> dict[str, Any] | None:
        cert = certificates.get(record.certificate_id or 0)
        if cert is None:
            return None
        return {"serial": cert.serial, "status": cert.status, "award": cert.award,
                "issued_on": cert.issued_on.isoformat(),
                "verify_url": f"{base}/verify/{cert.serial}",
                "download_url": f"{base}/growth/students/{student.id}/certificates/{cert.id}"}

    return {
        "format": FORMAT,
        "exported_at": utcnow().isoformat(),
        "student": {"id": student.id, "name": student.name, "school": school, "class": klass},
        "summary": {
            "activities": summary.activities,
            "awards": [{"level": level, "count": n} for level, n in summary.awards],
            "training_hours": summary.training_hours,
        },
        "records": [{
            "id": r.id, "event_type": r.event_type, "kind": r.kind, "source": r.source,
            "title": r.title, "category": r.category,
            "occurred_at": r.occurred_at.isoformat(), "url": f"{base}{r.url}" if r.url else "",
            "hours": round(r.minutes / 60, 1), "award": r.award,
            "certificate": certificate(r),
        } for r in records],
    }


def _style(size: float, **extra: Any) -> ParagraphStyle:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    return ParagraphStyle("p", fontName=FONT, fontSize=size, leading=size * 1.5,
                          wordWrap="CJK", **extra)


def portfolio_pdf(document: dict[str, Any], zone: ZoneInfo) -> bytes:
    """The portfolio as an A4 PDF: who, the summary, then every record newest first."""
    buffer = io.BytesIO()
    student = document["student"]
    pdf = SimpleDocTemplate(buffer, pagesize=A4, title=f"{student['name']} 成长档案",
                            leftMargin=18 * mm, rightMargin=18 * mm)
    body, small = _style(11), _style(9)
    summary = document["summary"]
    awards = "，".join(f"{a['level']} {a['count']} 项" for a in summary["awards"]) or "暂无"
    story: list[Any] = [
        Paragraph(f"{escape(student['name'])} 成长档案", _style(20, alignment=1)),
        Spacer(1, 6 * mm),
        Paragraph(escape(f"{student['school']} {student['class']}"), body),
        Paragraph(f"参加活动 {summary['activities']} 项；获奖：{escape(awards)}；"
                  f"培训课时 {summary['training_hours']}", body),
        Spacer(1, 4 * mm),
    ]
    rows: list[list[Any]] = [[Paragraph(h, small) for h in ("日期", "类别", "记录", "证书")]]
    for record in document["records"]:
        at = dt.datetime.fromisoformat(record["occurred_at"]).astimezone(zone)
        cert = record["certificate"]
        rows.append([Paragraph(at.strftime("%Y-%m-%d"), small),
                     Paragraph(escape(record["category"]), small),
                     Paragraph(escape(record["title"]), small),
                     Paragraph(escape(cert["serial"]) if cert else "", small)])
    table = Table(rows, colWidths=[22 * mm, 16 * mm, 82 * mm, 54 * mm], repeatRows=1)
    table.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.4, "#999999"),
        ("BACKGROUND", (0, 0), (-1, 0), "#f1e4e2"),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]))
    story.append(table)
    pdf.build(story)
    return buffer.getvalue()
