"""CE certificates as PDF (pure reportlab, no Django, no database).

Renders from a certificate's stored content only (credits.services.certificates.
certificate_content), so one certificate always prints the same text. US Letter
landscape, in the PDF standard fonts: provider and title, the participant (name,
profession, credentials, licenses), the program (title, dates, location, format),
the hours earned per accreditation and subject area, a table of every credited
session, then the approval statements, the signing official, the issue date, the
verification code and a QR code of the public verification URL (one vector path,
like the badges). Sessions that do not fit on the first page continue on further
pages.
"""

import functools
import io
import itertools
import unicodedata

import qrcode
from reportlab.lib import colors
from reportlab.lib.pagesizes import landscape, letter
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas

from checkin.pdf import fit_text

__all__ = ["render_certificate"]

PAGE_W, PAGE_H = landscape(letter)
MARGIN = 54
CONTENT_W = PAGE_W - 2 * MARGIN
BOTTOM = 44  # lowest baseline area inside the frame
QR_SIZE = 84  # incl. the 4-module quiet zone
QR_BORDER = 4
STATEMENT_W = 392
GUTTER = 18

INK, MUTED = colors.HexColor("#1B2631"), colors.HexColor("#56616B")
HEADER, ACCENT = colors.HexColor("#16425B"), colors.HexColor("#2F7F86")
TINT, RULE = colors.HexColor("#EEF4F6"), colors.HexColor("#C9D3DA")

# Session table: (heading, width); widths add up to CONTENT_W.
COLUMNS = (("Session", 300), ("Date and time", 112), ("Level", 78), ("CE hours", 194))
CELL_SIZE, CELL_LEAD, CELL_PAD = 8, 9.8, 4
TABLE_HEAD = 14

# The PDF standard fonts: every viewer has them, so nothing is embedded; that keeps a
# certificate ~5 kB and fast to render. They cover Windows-1252 (Western European
# letters, dashes, curly quotes); anything else prints as its base letter.
REGULAR, BOLD, ITALIC = "Helvetica", "Helvetica-Bold", "Helvetica-Oblique"
_GLYPHS = {ord(ch) for ch in bytes(range(32, 256)).decode("cp1252", errors="ignore")}
_STROKED = str.maketrans("ŁłĐđĦħıŦŧ", "LlDdHhiTt")  # letters with no decomposition


def _printable(text: str) -> str:
    """Collapse whitespace; a glyph the font lacks becomes its base letter (ś -> s)."""
    text = " ".join(str(text or "").split())
    if all(ord(ch) in _GLYPHS for ch in text):
        return text
    out = []
    for ch in text.translate(_STROKED):
        if ord(ch) in _GLYPHS:
            out.append(ch)
        else:
            base = [c for c in unicodedata.normalize("NFKD", ch) if ord(c) in _GLYPHS]
            out.append("".join(c for c in base if not unicodedata.combining(c)) or "?")
    return "".join(out)


@functools.lru_cache(maxsize=4096)
def _wrap(text: str, font: str, size: float, width: float) -> tuple[str, ...]:
    """Lines of text at most `width` wide (cached: a batch repeats the same sessions)."""
    return tuple(simpleSplit(_printable(text), font, size, width)) or ("",)


def qr_modules(payload: str) -> list[list[bool]]:
    """The QR symbol's modules (True = dark), error correction M, best mask."""
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=0)
    qr.add_data(payload)
    qr.make(fit=True)
    return qr.modules


def _draw_qr(c: Canvas, payload: str, x: float, y: float, size: float) -> None:
    """The QR code as one filled vector path, with a 4-module quiet zone inside `size`.

    The path is written in module units (one `re` per run of dark modules in a row)
    under a scaling transform: whole numbers format much faster than reportlab's
    general float formatting, which matters when rendering thousands of certificates.
    """
    modules = qr_modules(payload)
    count = len(modules)
    module = size / (count + 2 * QR_BORDER)
    ops = []
    for r, row in enumerate(modules):
        col = 0
        for dark, run in itertools.groupby(row, key=bool):
            n = len(list(run))
            if dark:
                ops.append(f"{col} {count - 1 - r} {n} 1 re")
            col += n
    c.saveState()
    c.setFillColor(colors.black)
    c.translate(x + QR_BORDER * module, y + QR_BORDER * module)
    c.scale(module, module)
    c.addLiteral("\n".join(ops) + "\nf")
    c.restoreState()


def _frame(c: Canvas) -> None:
    c.setStrokeColor(HEADER)
    c.setLineWidth(1.6)
    c.rect(20, 20, PAGE_W - 40, PAGE_H - 40, stroke=1, fill=0)
    c.setStrokeColor(ACCENT)
    c.setLineWidth(0.6)
    c.rect(25, 25, PAGE_W - 50, PAGE_H - 50, stroke=1, fill=0)
    c.setFillColor(HEADER)
    c.rect(25, PAGE_H - 31, PAGE_W - 50, 6, stroke=0, fill=1)


def _centred(c: Canvas, text: str, font: str, size: float, y: float, color=INK) -> None:
    c.setFont(font, size)
    c.setFillColor(color)
    c.drawCentredString(PAGE_W / 2, y, text)


def _fit_centred(c, text, font, size, min_size, y, color=INK, lines=1) -> float:
    """Draws text fitted to the content width; returns the y below it."""
    size, fitted = fit_text(_printable(text), font, size, min_size, CONTENT_W, lines)
    for line in fitted:
        _centred(c, line, font, size, y, color)
        y -= size * 1.2
    return y


# ---------- the session table ----------


def _credit_lines(session: dict) -> list[str]:
    """One line per distinct credit; accreditations with the same hours share it."""
    groups: dict[tuple, list[str]] = {}
    for credit in session["credits"]:
        subjects = tuple((s["area"], s["hours"]) for s in credit["subjects"])
        groups.setdefault((credit["hours"], subjects), []).append(credit["body"])
    lines = []
    for (hours, subjects), bodies in groups.items():
        line = f"{', '.join(bodies)}: {hours} h"
        if subjects:
            line += " (incl. " + ", ".join(f"{area} {h} h" for area, h in subjects) + ")"
        lines.extend(_wrap(line, REGULAR, CELL_SIZE, COLUMNS[3][1] - 2 * CELL_PAD))
    return lines


def _row(session: dict) -> tuple[list[list[str]], float]:
    cells = [
        _wrap(session["title"], BOLD, CELL_SIZE, COLUMNS[0][1] - 2 * CELL_PAD),
        [session["date_text"], session.get("time_text", "")],
        [session["level"] or "—"],
        _credit_lines(session),
    ]
    height = max(len(cell) for cell in cells) * CELL_LEAD + 2 * CELL_PAD
    return cells, height


def _draw_table(c: Canvas, rows: list, top: float) -> None:
    """Column headings, then the rows: all text in one text object (cheap to write)."""
    text = c.beginText()
    text.setFont(BOLD, 7)
    text.setFillColor(MUTED)
    x = MARGIN
    for heading, width in COLUMNS:
        text.setTextOrigin(x + CELL_PAD, top - 9)
        text.textOut(heading.upper())
        x += width
    y = top - TABLE_HEAD
    rules = [y]
    text.setLeading(CELL_LEAD)
    for cells, height in rows:
        x = MARGIN
        for i, (cell, (_, width)) in enumerate(zip(cells, COLUMNS, strict=True)):
            text.setFont(BOLD if i == 0 else REGULAR, CELL_SIZE, CELL_LEAD)
            text.setFillColor(INK if i in (0, 3) else MUTED)
            text.setTextOrigin(x + CELL_PAD, y - CELL_PAD - CELL_SIZE)
            for line in cell:
                text.textLine(line)
            x += width
        y -= height
        rules.append(y)
    c.drawText(text)
    c.setStrokeColor(HEADER)
    c.setLineWidth(0.8)
    c.line(MARGIN, rules[0], MARGIN + CONTENT_W, rules[0])
    c.setLineWidth(0.4)
    c.setStrokeColor(RULE)
    c.lines([(MARGIN, y, MARGIN + CONTENT_W, y) for y in rules[1:]])


def _paginate(rows: list, first_space: float, other_space: float) -> list[list]:
    pages, current, space = [], [], first_space - TABLE_HEAD
    for row in rows:
        if row[1] > space and (current or not pages):  # page 1 may hold no row at all
            pages.append(current)
            current, space = [], other_space - TABLE_HEAD
        current.append(row)
        space -= row[1]
    pages.append(current)
    return pages


# ---------- page 1 blocks ----------


def _draw_heading(c: Canvas, content: dict) -> float:
    """Provider, title, participant and program; returns the y below them."""
    person, event = content["participant"], content["event"]
    y = PAGE_H - 62
    y = _fit_centred(c, content["provider"].upper(), BOLD, 10.5, 7, y, ACCENT) - 14
    _centred(c, "Certificate of Continuing Education", BOLD, 25, y, HEADER)
    y -= 24
    _centred(c, "This certifies that", ITALIC, 10, y, MUTED)
    y -= 27
    y = _fit_centred(c, person["name"], BOLD, 24, 12, y) - 2
    about = " · ".join(p for p in (person["profession"], person["credentials"]) if p)
    if about:
        y = _fit_centred(c, about, REGULAR, 10.5, 7, y)
    licenses = [
        f"{lic['type'] or lic['profession']}, {lic['jurisdiction']} #{lic['number']}"
        for lic in person["licenses"]
    ]
    if licenses:
        label = "License" if len(licenses) == 1 else "Licenses"
        y = _fit_centred(c, f"{label}: " + "; ".join(licenses), REGULAR, 9.5, 6.5, y, lines=2)
    y -= 8
    _centred(c, "completed the continuing education program", ITALIC, 10, y, MUTED)
    y -= 20
    y = _fit_centred(c, event["title"], BOLD, 15, 9, y, HEADER, lines=2)
    where = " · ".join(p for p in (event["dates"], event["location"], event["format"]) if p)
    y = _fit_centred(c, where, REGULAR, 9.5, 6.5, y, lines=2)
    return y - 4


def _draw_totals(c: Canvas, content: dict, top: float) -> float:
    """A tinted box: total hours per accreditation with subject areas."""
    lines = []
    for total in content["totals"]:
        rest = total["body"]
        if total["subjects"]:
            rest += " — including " + ", ".join(
                f"{s['area']} {s['hours']} h" for s in total["subjects"]
            )
        unit = "CE hour" if total["hours"] == "1" else "CE hours"
        lines.append((f"{total['hours']} {unit}", _printable(rest).strip()))
    height = 14 + 12.5 * len(lines)
    c.setFillColor(TINT)
    c.roundRect(MARGIN, top - height, CONTENT_W, height, 4, stroke=0, fill=1)
    y = top - 13
    c.setFillColor(INK)
    for strong, rest in lines:
        c.setFont(BOLD, 9.5)
        c.drawString(MARGIN + 10, y, strong)
        x = MARGIN + 10 + pdfmetrics.stringWidth(strong, BOLD, 9.5) + 6
        size, (fitted,) = fit_text(rest, REGULAR, 9, 6, MARGIN + CONTENT_W - 10 - x)
        c.setFont(REGULAR, size)
        c.drawString(x, y, fitted)
        y -= 12.5
    return top - height - 8


def _statement_blocks(content: dict) -> tuple[list, float]:
    blocks, height = [], 0.0
    for accreditation in content["accreditations"]:
        title = accreditation["body"]
        if accreditation["number"]:
            title += f" · Provider/approval No. {accreditation['number']}"
        text = _wrap(accreditation["statement"], REGULAR, 6.8, STATEMENT_W)
        blocks.append((_wrap(title, BOLD, 7, STATEMENT_W), text))
        height += 8.6 * len(blocks[-1][0]) + 8.2 * len(text) + 5
    return blocks, height


def _draw_footer_band(c: Canvas, content: dict, verify_url: str, blocks, band_top: float):
    # Left: approval statements.
    y = band_top - 8
    for title, text in blocks:
        c.setFont(BOLD, 7)
        c.setFillColor(INK)
        for line in title:
            c.drawString(MARGIN, y, line)
            y -= 8.6
        c.setFont(REGULAR, 6.8)
        c.setFillColor(MUTED)
        for line in text:
            c.drawString(MARGIN, y, line)
            y -= 8.2
        y -= 5
    # Right: the QR code of the verification page.
    qr_x = PAGE_W - MARGIN - QR_SIZE + 6  # the quiet zone may reach into the margin
    _draw_qr(c, verify_url, qr_x, band_top - QR_SIZE, QR_SIZE)
    # Middle: signature, issue date, code and where to verify.
    x = MARGIN + STATEMENT_W + GUTTER + 8
    width = qr_x - x - 4
    signer, y = content["signer"], band_top - 18
    if signer["name"]:
        size, (line,) = fit_text(_printable(signer["name"]), ITALIC, 14, 8, width)
        c.setFont(ITALIC, size)
        c.setFillColor(HEADER)
        c.drawString(x, y, line)
    y -= 6
    c.setStrokeColor(INK)
    c.setLineWidth(0.6)
    c.line(x, y, x + width, y)
    y -= 11
    for text, font, size, color in (
        (signer["name"] or "Signing official", BOLD, 8.5, INK),
        (signer["title"], REGULAR, 8, MUTED),
        (f"Issued {content['issued_text']}", REGULAR, 8, INK),
    ):
        if text:
            fitted, (line,) = fit_text(_printable(text), font, size, 6, width)
            c.setFont(font, fitted)
            c.setFillColor(color)
            c.drawString(x, y, line)
            y -= 11
    y -= 3
    c.setFont(REGULAR, 7)
    c.setFillColor(MUTED)
    c.drawString(x, y, "Certificate code")
    c.setFont(BOLD, 9.5)
    c.setFillColor(INK)
    c.drawString(x + 58, y, content["code"])
    y -= 10
    c.setFont(REGULAR, 6.5)
    c.setFillColor(MUTED)
    for line in simpleSplit(f"Verify at {verify_url}", REGULAR, 6.5, width)[:2]:
        c.drawString(x, y, line)
        y -= 8


def _draw_continuation_head(c: Canvas, content: dict) -> float:
    y = PAGE_H - 60
    _centred(c, "Certificate of Continuing Education (continued)", BOLD, 13, y, HEADER)
    y -= 16
    line = f"{content['participant']['name']} · {content['event']['title']}"
    y = _fit_centred(c, line, REGULAR, 9.5, 6.5, y)
    _centred(c, f"Certificate code {content['code']}", REGULAR, 8.5, y, MUTED)
    return y - 14


def _page_number(c: Canvas, content: dict, number: int, count: int) -> None:
    c.setFont(REGULAR, 7)
    c.setFillColor(MUTED)
    c.drawCentredString(PAGE_W / 2, 30, f"Page {number} of {count} · {content['code']}")


def render_certificate(content: dict, verify_url: str) -> bytes:
    """The certificate as a PDF (one page, more when the sessions need it)."""
    if not verify_url:
        raise ValueError("render_certificate needs the verification URL")
    buf = io.BytesIO()
    c = Canvas(buf, pagesize=(PAGE_W, PAGE_H), invariant=True, pageCompression=1)
    c.setTitle(f"CE certificate — {content['participant']['name']} — {content['event']['title']}")
    c.setAuthor(content["provider"])
    c.setSubject(f"Certificate {content['code']}")
    c.setCreator("Convene")

    rows = [_row(session) for session in content["sessions"]]
    blocks, statements_h = _statement_blocks(content)
    band_top = BOTTOM + max(statements_h + 8, QR_SIZE + 10, 104)

    _frame(c)
    top = _draw_totals(c, content, _draw_heading(c, content))
    pages = _paginate(rows, top - band_top - 14, PAGE_H - 104 - BOTTOM - 12)
    if pages[0]:
        _draw_table(c, pages[0], top)
    if len(pages) > 1:
        c.setFont(ITALIC, 7.5)
        c.setFillColor(MUTED)
        c.drawRightString(MARGIN + CONTENT_W, band_top + 3, "Sessions continue on the next page.")
    _draw_footer_band(c, content, verify_url, blocks, band_top)
    for number, page_rows in enumerate(pages[1:], start=2):
        if number == 2:
            _page_number(c, content, 1, len(pages))
        c.showPage()
        _frame(c)
        _draw_table(c, page_rows, _draw_continuation_head(c, content))
        _page_number(c, content, number, len(pages))
    c.showPage()
    c.save()
    return buf.getvalue()
