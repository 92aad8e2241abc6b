"""The "My CE" transcript as a PDF (reportlab), drawn from credits.transcript."""

import io
import unicodedata
from xml.sax.saxutils import escape

from django.utils import timezone
from reportlab.lib import colors
from reportlab.lib.pagesizes import letter
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import inch
from reportlab.pdfbase import pdfmetrics
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from accounts.models import User
from checkin.pdf import BOLD, REGULAR
from credits.transcript import Total, Transcript, TranscriptRow

INK, MUTED = colors.HexColor("#1B2631"), colors.HexColor("#56616B")
RULE, HEADER = colors.HexColor("#B0B0B0"), colors.HexColor("#16425B")
_GLYPHS = set(pdfmetrics.getFont(REGULAR).face.charToGlyph)


def _text(value: object) -> str:
    """Escaped for a Paragraph; a glyph missing from the font becomes its base letter."""
    out = []
    for ch in str(value):
        if ord(ch) in _GLYPHS or ch in "\n":
            out.append(ch)
        else:
            base = unicodedata.normalize("NFKD", ch)
            out.append("".join(c for c in base if ord(c) in _GLYPHS and c.isascii()) or "?")
    return escape("".join(out))


STYLES = {
    "title": ParagraphStyle("title", fontName=BOLD, fontSize=17, leading=21, textColor=HEADER),
    "name": ParagraphStyle("name", fontName=BOLD, fontSize=12, leading=15, textColor=INK),
    "body": ParagraphStyle("body", fontName=REGULAR, fontSize=9, leading=12, textColor=INK),
    "muted": ParagraphStyle("muted", fontName=REGULAR, fontSize=8, leading=10, textColor=MUTED),
    "h2": ParagraphStyle(
        "h2", fontName=BOLD, fontSize=11, leading=14, textColor=HEADER, spaceBefore=10
    ),
    "cell": ParagraphStyle("cell", fontName=REGULAR, fontSize=8, leading=10, textColor=INK),
    "th": ParagraphStyle("th", fontName=BOLD, fontSize=8, leading=10, textColor=INK),
}
WIDTH = letter[0] - 1.2 * inch
TABLE_STYLE = TableStyle(
    [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 0), (-1, 0), 0.8, INK),
        ("LINEBELOW", (0, 1), (-1, -1), 0.3, RULE),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
    ]
)


def _table(header: list[str], rows: list[list[object]], widths: list[float]) -> Table:
    cells = [[Paragraph(_text(h), STYLES["th"]) for h in header]]
    cells += [[Paragraph(_text(value), STYLES["cell"]) for value in row] for row in rows]
    table = Table(cells, colWidths=[w * WIDTH for w in widths], repeatRows=1, hAlign="LEFT")
    table.setStyle(TABLE_STYLE)
    return table


def _totals(title: str, totals: list[Total], label: str) -> list:
    if not totals:
        return []
    return [
        Paragraph(_text(title), STYLES["h2"]),
        _table([label, "CE hours"], [[t.label, t.hours] for t in totals], [0.6, 0.15]),
    ]


def _pdf_row(row: TranscriptRow) -> list[object]:
    return [f"{row.date:%Y-%m-%d}", row.session.title, row.accreditation, row.hours,
            row.subjects_text]  # fmt: skip


def _long_date(day) -> str:
    return f"{day:%B} {day.day}, {day.year}"


def render_pdf(record: Transcript, user: User) -> bytes:
    """The transcript as a letter-size PDF: who, their licenses, every counted
    session grouped by event, and the totals. Long transcripts flow onto more pages
    with the table header repeated."""
    buffer = io.BytesIO()
    name = user.get_full_name() or user.email
    generated = timezone.localdate()

    def footer(canvas, doc) -> None:
        canvas.saveState()
        canvas.setFont(REGULAR, 7.5)
        canvas.setFillColor(MUTED)
        canvas.drawString(
            0.6 * inch, 0.45 * inch, f"CE transcript of {name} · generated {_long_date(generated)}"
        )
        canvas.drawRightString(letter[0] - 0.6 * inch, 0.45 * inch, f"Page {doc.page}")
        canvas.restoreState()

    doc = SimpleDocTemplate(
        buffer, pagesize=letter, title=f"CE transcript: {name}", author="Convene",
        leftMargin=0.6 * inch, rightMargin=0.6 * inch, topMargin=0.6 * inch,
        bottomMargin=0.75 * inch,
    )  # fmt: skip
    story: list = [
        Paragraph("Continuing education transcript", STYLES["title"]),
        Spacer(0, 6),
        Paragraph(_text(name), STYLES["name"]),
    ]
    for license in user.licenses.all():
        story.append(Paragraph(_text(f"License: {license}"), STYLES["body"]))
    story.append(
        Paragraph(
            _text(
                f"Generated {_long_date(generated)}. Lists every session whose credit counts: "
                "attendance verified by the provider and, where required, the evaluation "
                "submitted. Dates are in each event's local time zone."
            ),
            STYLES["muted"],
        )
    )
    counted_groups = [group for group in record.events if group.counted_rows]
    for group in counted_groups:
        event = group.event
        starts = timezone.localtime(event.starts_at, event.tzinfo).date()
        ends = timezone.localtime(event.ends_at, event.tzinfo).date()
        when = _long_date(starts) + ("" if ends == starts else f" to {_long_date(ends)}")
        where = f" · {event.venue_name}" if event.venue_name else ""
        story += [
            Paragraph(_text(event.title), STYLES["h2"]),
            Paragraph(_text(f"{event.organization.name} · {when}{where}"), STYLES["muted"]),
            Spacer(0, 3),
            _table(
                ["Date", "Session", "Accreditation", "CE hours", "Subject areas"],
                [_pdf_row(row) for row in group.counted_rows],
                [0.12, 0.34, 0.2, 0.09, 0.25],
            ),
        ]
    if not counted_groups:
        story += [Spacer(0, 12), Paragraph("No credit counted yet.", STYLES["body"])]
    story += _totals("Total hours per accreditation", record.by_accreditation, "Accreditation")
    story += _totals("Total hours per subject area", record.by_subject, "Subject area")
    story += _totals("Total hours per year", record.by_year, "Year")
    if record.by_subject or record.by_year:
        story.append(
            Paragraph(
                "Per subject area and per year, a session approved by several accreditors "
                "counts once, with its largest credit.",
                STYLES["muted"],
            )
        )
    if record.awaiting_count:
        story.append(
            Paragraph(
                _text(
                    f"{record.awaiting_count} session(s) with credit earned are not listed: "
                    "they count once their evaluation is submitted."
                ),
                STYLES["muted"],
            )
        )
    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()
