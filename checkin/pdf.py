"""Conference name badges as a print-ready PDF (pure reportlab, no Django).

Six 4 x 3 inch badges per US Letter page (2 columns x 3 rows, 0.25 in side and 1 in
top margins, the layout of standard 4 x 3 badge-insert stock), with light cut marks.
The QR code is vector art (one filled path) from reportlab's own QR encoder: error
correction M, 4-module quiet zone, symbol ~1.3 in wide. Text uses the Bitstream Vera
TTFs that ship inside reportlab (Latin-1 and a little more); a character the font
lacks is drawn as its unaccented base letter (ř -> r), never as an empty box.
"""

import io
import itertools
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import reportlab
from reportlab.graphics.barcode import qrencoder
from reportlab.lib import colors
from reportlab.lib.pagesizes import letter
from reportlab.lib.units import inch
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

__all__ = ["BadgeCard", "fit_text", "render_badges"]

BADGE_W, BADGE_H = 4 * inch, 3 * inch
COLS, ROWS = 2, 3
PER_PAGE = COLS * ROWS
PAGE_W, PAGE_H = letter
LEFT = (PAGE_W - COLS * BADGE_W) / 2  # 0.25 in
BOTTOM = (PAGE_H - ROWS * BADGE_H) / 2  # 1 in

INSET = 5  # coloured bands stop short of the cut line, so a slightly-off cut stays clean
PAD = 14  # text margin inside the badge
HEADER_H, BAND_H = 40, 30
QR_SIZE = 1.55 * inch  # QR area incl. quiet zone; the symbol itself is ~1.3 in (v6)
QR_BORDER = 4  # quiet zone, in modules (the QR spec minimum)
TEXT_W = BADGE_W - PAD - QR_SIZE - INSET - 2

INK, MUTED = colors.HexColor("#1B2631"), colors.HexColor("#56616B")
HEADER, ACCENT = colors.HexColor("#16425B"), colors.HexColor("#2F7F86")
CUT = colors.HexColor("#B0B0B0")

_FONT_DIR = Path(reportlab.__file__).parent / "fonts"
REGULAR, BOLD, ITALIC = "ConveneVera", "ConveneVera-Bold", "ConveneVera-Italic"
for _name, _file in ((REGULAR, "Vera.ttf"), (BOLD, "VeraBd.ttf"), (ITALIC, "VeraIt.ttf")):
    if _name not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(_name, str(_FONT_DIR / _file)))
_GLYPHS = set(pdfmetrics.getFont(BOLD).face.charToGlyph)  # all three faces share it


@dataclass(frozen=True)
class BadgeCard:
    name: str
    credentials: str
    organization: str
    ticket_type: str
    event_title: str
    event_dates: str
    qr_payload: str


def _printable(text: str) -> str:
    """Collapse whitespace; replace glyphs missing from the font by their base letter."""
    out = []
    for ch in " ".join(text.split()):
        if ord(ch) in _GLYPHS:
            out.append(ch)
        else:
            base = [c for c in unicodedata.normalize("NFKD", ch) if ord(c) in _GLYPHS]
            out.append("".join(c for c in base if not unicodedata.combining(c)) or "?")
    return "".join(out)


def _ellipsize(text: str, font: str, size: float, width: float) -> str:
    if pdfmetrics.stringWidth(text, font, size) <= width:
        return text
    while text and pdfmetrics.stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text.rstrip() + "…"


def _splits(text: str, max_lines: int) -> list[list[str]]:
    """The whole text on one line, and (if allowed) every break at a space or hyphen."""
    options = [[text]]
    if max_lines >= 2:
        for i in range(1, len(text)):
            if text[i] == " ":
                options.append([text[:i], text[i + 1 :]])
            elif text[i - 1] == "-":
                options.append([text[:i], text[i:]])
    return options


def fit_text(
    text: str, font: str, max_size: float, min_size: float, width: float, max_lines: int = 1
) -> tuple[float, list[str]]:
    """Largest size <= max_size at which text fits `width` in <= max_lines lines.

    On a tie prefers fewer lines, then a break at a space over one after a hyphen,
    then the most even break. Below min_size the text is set at min_size and
    each line is cut with an ellipsis, so the result never exceeds `width`.
    """

    def score(lines: list[str]) -> tuple[float, int, bool, float]:
        widest = max(pdfmetrics.stringWidth(line, font, 1) for line in lines) or 1
        at_space = len(lines) == 1 or not lines[0].endswith("-")
        return round(min(max_size, width / widest), 2), -len(lines), at_space, -widest

    best_lines = max(_splits(text, max_lines), key=score)
    best_size = score(best_lines)[0]
    if best_size < min_size:
        best_size = min_size
        best_lines = [_ellipsize(line, font, min_size, width) for line in best_lines]
    return best_size, best_lines


def _draw_qr(c: Canvas, payload: str, x: float, y: float) -> None:
    """QR code as ONE vector path (seamless when rasterised, ~2.5x faster than the widget).

    Encoded by reportlab's own encoder exactly as QrCodeWidget(barLevel="M") does; it
    picks alphanumeric mode for uppercase base32 payloads. Nothing is drawn in the
    4-module quiet zone around the symbol.
    """
    qr = qrencoder.QRCode(None, qrencoder.QRErrorCorrectLevel.M)
    qr.addData(payload)
    qr.make()
    count = qr.getModuleCount()
    module = QR_SIZE / (count + 2 * QR_BORDER)
    path = c.beginPath()
    for r, row in enumerate(qr.modules):
        col = 0
        for dark, run in itertools.groupby(row, key=bool):
            n = len(list(run))
            if dark:
                top = y + QR_SIZE - (r + QR_BORDER) * module
                path.rect(x + (col + QR_BORDER) * module, top - module, n * module, module)
            col += n
    c.setFillColor(colors.black)
    c.drawPath(path, stroke=0, fill=1)


def _draw_badge(c: Canvas, card: BadgeCard, x0: float, y0: float) -> None:
    c.saveState()
    c.translate(x0, y0)
    inner_w = BADGE_W - 2 * INSET

    # Header band: event title and dates.
    c.setFillColor(HEADER)
    c.rect(INSET, BADGE_H - INSET - HEADER_H, inner_w, HEADER_H, stroke=0, fill=1)
    c.setFillColor(colors.white)
    size, (title,) = fit_text(_printable(card.event_title), BOLD, 9.5, 6, inner_w - 2 * PAD)
    c.setFont(BOLD, size)
    c.drawCentredString(BADGE_W / 2, BADGE_H - INSET - 17, title)
    size, (dates,) = fit_text(_printable(card.event_dates), REGULAR, 7.5, 5.5, inner_w - 2 * PAD)
    c.setFillColor(colors.HexColor("#D6E4EC"))
    c.setFont(REGULAR, size)
    c.drawCentredString(BADGE_W / 2, BADGE_H - INSET - 31, dates)

    # Ticket-type band along the bottom.
    c.setFillColor(ACCENT)
    c.rect(INSET, INSET, inner_w, BAND_H, stroke=0, fill=1)
    c.setFillColor(colors.white)
    size, (ticket,) = fit_text(_printable(card.ticket_type).upper(), BOLD, 12, 7, inner_w - 2 * PAD)
    c.setFont(BOLD, size)
    c.drawCentredString(BADGE_W / 2, INSET + (BAND_H - 0.7 * size) / 2, ticket)

    # Middle: name, credentials, organization on the left; QR code on the right.
    mid_bottom, mid_top = INSET + BAND_H, BADGE_H - INSET - HEADER_H
    _draw_qr(c, card.qr_payload, BADGE_W - INSET - QR_SIZE, (mid_bottom + mid_top - QR_SIZE) / 2)

    name_size, name_lines = fit_text(_printable(card.name), BOLD, 26, 7, TEXT_W, 2)
    blocks = [(BOLD, INK, name_size, name_lines, 6)]
    if card.credentials.strip():  # never larger than the name
        cap = min(11, 0.85 * name_size)
        fitted = fit_text(_printable(card.credentials), REGULAR, cap, 7, TEXT_W, 2)
        blocks.append((REGULAR, INK, *fitted, 5))
    if card.organization.strip():
        cap = min(9.5, 0.8 * name_size)
        fitted = fit_text(_printable(card.organization), ITALIC, cap, 7, TEXT_W, 2)
        blocks.append((ITALIC, MUTED, *fitted, 0))
    height = sum(len(lines) * size * 1.15 + gap for _, _, size, lines, gap in blocks)
    top = (mid_bottom + mid_top + height) / 2
    for font, color, size, lines, gap in blocks:
        c.setFont(font, size)
        c.setFillColor(color)
        for line in lines:
            top -= size * 1.15
            c.drawString(PAD, top + 0.2 * size, line)
        top -= gap
    c.restoreState()


def _draw_cut_marks(c: Canvas) -> None:
    """Short grey ticks in the margins on every cut line; nothing inside the badges."""
    c.saveState()
    c.setStrokeColor(CUT)
    c.setLineWidth(0.5)
    right, top = LEFT + COLS * BADGE_W, BOTTOM + ROWS * BADGE_H
    for col in range(COLS + 1):
        x = LEFT + col * BADGE_W
        c.line(x, BOTTOM - 6, x, BOTTOM - 24)
        c.line(x, top + 6, x, top + 24)
    for row in range(ROWS + 1):
        y = BOTTOM + row * BADGE_H
        c.line(LEFT - 4, y, LEFT - 16, y)
        c.line(right + 4, y, right + 16, y)
    c.restoreState()


def render_badges(cards: Sequence[BadgeCard]) -> bytes:
    """4 x 3 inch badges (landscape 4in wide, 3in tall), 6 per US Letter portrait page
    (2 columns x 3 rows), centred with light cut marks; one card makes a one-badge sheet."""
    if not cards:
        raise ValueError("render_badges needs at least one BadgeCard")
    if any(not card.qr_payload for card in cards):
        raise ValueError("every BadgeCard needs a qr_payload")
    buf = io.BytesIO()
    c = Canvas(buf, pagesize=letter, invariant=True, pageCompression=1)
    c.setTitle(f"Name badges — {cards[0].event_title}")
    c.setCreator("Convene")
    for start in range(0, len(cards), PER_PAGE):
        _draw_cut_marks(c)
        for i, card in enumerate(cards[start : start + PER_PAGE]):
            col, row = i % COLS, i // COLS  # fill left to right, top to bottom
            _draw_badge(c, card, LEFT + col * BADGE_W, BOTTOM + (ROWS - 1 - row) * BADGE_H)
        c.showPage()
    c.save()
    return buf.getvalue()
