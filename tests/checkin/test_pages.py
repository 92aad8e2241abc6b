"""Check-in pages as organizers and attendees use them."""

import re

import pytest
from django.urls import reverse

from checkin.models import Scan, ScannerDevice

pytestmark = pytest.mark.django_db


def test_attendee_sees_a_badge_with_a_scannable_qr(client, registration, attendee):
    import io

    import zxingcpp
    from PIL import Image

    client.force_login(attendee)
    page = client.get(reverse("checkin:badge", args=[registration.code])).content.decode()
    assert "<svg" in page and "Dana Whitaker" in page
    # Decode the page's own QR with a real decoder: render the SVG path to an image.
    svg = re.search(r"<svg.*?</svg>", page, re.S).group(0)
    assert 'd="' in svg
    from checkin.services.badges import badge_for, badge_token

    expected = badge_token(badge_for(registration), event_id=registration.event_id)
    png = _qr_png(expected)
    decoded = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    assert [d.text for d in decoded] == [expected]


def _qr_png(text: str) -> bytes:
    import io

    import qrcode

    buffer = io.BytesIO()
    qrcode.make(text, error_correction=qrcode.constants.ERROR_CORRECT_M).save(buffer)
    return buffer.getvalue()


def test_an_unpaid_registration_has_no_badge_yet(client, live_event):
    from decimal import Decimal

    from events.services import registration_create
    from tests.factories import make_ticket, make_user

    person = make_user()
    registration = registration_create(
        user=person, ticket_type=make_ticket(live_event, price=Decimal("90"))
    )
    client.force_login(person)
    page = client.get(reverse("checkin:badge", args=[registration.code])).content.decode()
    assert "badge-qr" not in page
    assert "Your badge appears here once your registration is confirmed" in page
    assert not registration.badges.exists()


def test_organizer_adds_a_device_and_sees_its_pairing_link_once(client, live_event, organizer):
    client.force_login(organizer)
    url = reverse("checkin:devices", args=[live_event.slug])
    response = client.post(url, {"name": "Door A phone", "place": "entrance"})
    assert response.status_code == 302  # reloading the next page creates nothing
    first = client.get(url).content.decode()
    assert "/scan/pair/" in first
    second = client.get(url).content.decode()
    assert "/scan/pair/" not in second
    assert ScannerDevice.objects.filter(name="Door A phone").count() == 1


def test_pairing_works_once_and_is_not_cached(client, live_event, organizer):
    from checkin.services.devices import device_create

    _, code = device_create(event=live_event, name="Door", session=None, by=organizer)
    url = reverse("checkin:pair", args=[code])
    assert client.get(url).status_code == 200  # a link preview does not use up the code
    paired = client.post(url)
    assert paired.status_code == 200
    assert "no-cache" in paired["Cache-Control"] or "max-age=0" in paired["Cache-Control"]
    assert "new-device-token" in paired.content.decode()
    assert client.post(url).status_code == 400


def test_organizer_checks_someone_in_by_hand_from_the_attendee_list(
    client, live_event, registration, organizer
):
    client.force_login(organizer)
    page = client.get(reverse("checkin:attendees", args=[live_event.slug]), {"q": "whitaker"})
    assert "Dana Whitaker" in page.content.decode()
    client.post(
        reverse("checkin:manual_check", args=[live_event.slug, registration.code]),
        {"place": "entrance", "direction": "in", "reason": "Left badge at hotel"},
    )
    scan = Scan.objects.get()
    assert (scan.result, scan.recorded_by, scan.reason) == ("ok", organizer, "Left badge at hotel")


def test_a_manual_check_without_a_reason_changes_nothing(
    client, live_event, registration, organizer
):
    client.force_login(organizer)
    response = client.post(
        reverse("checkin:manual_check", args=[live_event.slug, registration.code]),
        {"place": "entrance", "direction": "in", "reason": ""},
        follow=True,
    )
    assert response.status_code == 200
    assert not Scan.objects.exists()


def test_badges_print_as_a_pdf_with_every_confirmed_attendee(
    client, live_event, registration, organizer
):
    client.force_login(organizer)
    response = client.get(reverse("checkin:badges_pdf", args=[live_event.slug]))
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_reissuing_a_badge_asks_first(client, live_event, registration, organizer):
    client.force_login(organizer)
    url = reverse("checkin:reissue", args=[live_event.slug, registration.code])
    assert client.get(url).status_code == 200
    assert (
        registration.badges.count() == 0
        or registration.badges.filter(revoked_at__isnull=False).count() == 0
    )
    client.post(url)
    assert registration.badges.filter(revoked_at__isnull=True).count() == 1


def test_printing_many_badges_reads_the_signing_key_once(
    client, live_event, registration, organizer, django_assert_max_num_queries
):
    from events.services import registration_create
    from tests.factories import make_ticket, make_user

    ticket = make_ticket(live_event, name="Extra")
    for _ in range(12):
        registration_create(user=make_user(), ticket_type=ticket)
    client.force_login(organizer)
    url = reverse("checkin:badges_pdf", args=[live_event.slug])
    client.get(url)  # issues the missing badges
    with django_assert_max_num_queries(12):  # independent of the number of badges
        response = client.get(url)
    assert response["Content-Type"] == "application/pdf"
