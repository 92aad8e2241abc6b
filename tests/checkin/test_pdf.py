"""Badge PDFs: layout, text, and QR codes read back by a real decoder (no database)."""

import random
import re

import pypdfium2 as pdfium
import pytest
import zxingcpp
from reportlab.pdfbase.pdfmetrics import stringWidth

from checkin.pdf import BOLD, BadgeCard, fit_text, render_badges

BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
LETTER = (612, 792)
DPI = 200


def payload(rng: random.Random) -> str:
    return "CV1" + "".join(rng.choice(BASE32) for _ in range(128))


def card(name: str, qr_payload: str = "CV1" + "A" * 128, **kw) -> BadgeCard:
    fields = {
        "credentials": "LCSW, PhD",
        "organization": "Riverside Counseling Collective",
        "ticket_type": "Full conference",
        "event_title": "Integrative Mental Health Practice Conference 2027",
        "event_dates": "March 4–6, 2027 · Boston, MA",
    }
    return BadgeCard(name=name, qr_payload=qr_payload, **(fields | kw))


def page_text(pdf: bytes) -> str:
    """All text, with whitespace removed and pdfium's line-end hyphen marker restored."""
    doc = pdfium.PdfDocument(pdf)
    text = "".join(page.get_textpage().get_text_bounded() for page in doc)
    return re.sub(r"\s+", "", text.replace("\x02", "-"))


def decode(page: pdfium.PdfPage) -> tuple[list, object]:
    image = page.render(scale=DPI / 72).to_pil().convert("L")
    return zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode), image


@pytest.fixture(scope="module")
def payloads() -> list[str]:
    rng = random.Random(2027)
    return [payload(rng) for _ in range(7)]


@pytest.fixture(scope="module")
def seven(payloads) -> pdfium.PdfDocument:
    cards = [card(f"Attendee {i} Whitaker", p) for i, p in enumerate(payloads)]
    return pdfium.PdfDocument(render_badges(cards))


def test_seven_cards_make_two_us_letter_pages(seven):
    assert len(seven) == 2
    assert [tuple(round(v) for v in page.get_size()) for page in seven] == [LETTER, LETTER]


def test_one_card_makes_a_one_badge_sheet():
    doc = pdfium.PdfDocument(render_badges([card("Dana Whitaker")]))
    assert len(doc) == 1
    assert len(decode(doc[0])[0]) == 1


def test_qr_codes_round_trip_through_a_real_decoder(seven, payloads):
    per_page = []
    for page in seven:
        found, _ = decode(page)
        assert all(b.valid and b.ec_level == "M" for b in found)
        assert all(b.symbology_identifier == "]Q1" for b in found)  # QR, no ECI/FNC1
        per_page.append(sorted(b.text for b in found))
    assert per_page == [sorted(payloads[:6]), sorted(payloads[6:])]


def test_qr_is_big_enough_and_has_a_clear_quiet_zone(seven):
    found, image = decode(seven[0])
    assert len(found) == 6
    for barcode in found:
        pos = barcode.position
        xs = [pos.top_left.x, pos.top_right.x, pos.bottom_left.x, pos.bottom_right.x]
        ys = [pos.top_left.y, pos.top_right.y, pos.bottom_left.y, pos.bottom_right.y]
        side = max(xs) - min(xs)
        assert side / DPI >= 1.29, "phones need a ~1.3 in symbol at arm's length"
        modules = 17 + 4 * int(barcode.extra["Version"])
        quiet = round(4 * side / modules)  # 4 modules
        left, top, right, bottom = min(xs), min(ys), max(xs), max(ys)
        ring = image.crop((left - quiet, top - quiet, right + quiet + 1, bottom + quiet + 1))
        ring.paste(255, (quiet, quiet, quiet + right - left + 1, quiet + bottom - top + 1))
        assert ring.getextrema()[0] > 200, "something is drawn in the quiet zone"


@pytest.mark.parametrize(
    "name",
    [
        "Zoë Ångström-Núñez",
        "José O'Connor",
        "Maria Guadalupe Fernández-Villanueva de la Cruz Santos",
        "Bartholomew Featherstonehaugh-Cholmondeley",
        "<b>Dana</b> & Whitaker",  # drawn literally, never parsed as markup
    ],
)
def test_long_and_unicode_names_render_as_searchable_text(name):
    pdf = render_badges([card(name, organization="Ośrodek Terapii Kraków")])
    text = page_text(pdf)
    assert re.sub(r"\s+", "", name) in text
    assert "OsrodekTerapiiKraków" in text  # ś is not in the font: base letter, never a box


@pytest.mark.parametrize(
    "name",
    ["Al", "Dana Whitaker", "Zoë Ångström-Núñez", "X" * 200, " ".join(["Wolfeschlegel"] * 12)],
)
def test_fitted_name_never_overflows_the_badge(name):
    width = 150
    size, lines = fit_text(name, BOLD, 26, 9, width, max_lines=2)
    assert 9 <= size <= 26
    assert 1 <= len(lines) <= 2
    assert all(stringWidth(line, BOLD, size) <= width + 1e-6 for line in lines)
    assert render_badges([card(name)]).startswith(b"%PDF")


def test_short_name_stays_large_and_on_one_line():
    assert fit_text("Al", BOLD, 26, 9, 150, max_lines=2) == (26, ["Al"])


@pytest.mark.parametrize("empty", [[], ()])
def test_no_cards_is_an_error(empty):
    with pytest.raises(ValueError):
        render_badges(empty)


def test_a_card_without_a_qr_payload_is_an_error():
    with pytest.raises(ValueError):
        render_badges([card("Dana Whitaker", qr_payload="")])
