"""Judging scans: every answer an organizer at the door can get."""

import itertools
from datetime import timedelta

import pytest
from django.utils import timezone

from checkin.models import Scan
from checkin.services.badges import badge_for, badge_reissue, badge_token
from checkin.services.scans import manual_check, perform_scan
from events.errors import RegistrationError
from events.models import Registration
from events.services import registration_cancel
from tests.factories import make_event, make_session, make_ticket, make_user

pytestmark = pytest.mark.django_db
_nonces = itertools.count()


def scan(device, token, direction="in", session="device", at=None, nonce=None):
    return perform_scan(
        device=device,
        token=token,
        session=device.session if session == "device" else session,
        direction=direction,
        scanned_at=at or timezone.now(),
        nonce=nonce or f"nonce-{next(_nonces):06d}",
    )


def test_a_valid_badge_checks_in_and_the_scanner_shows_who(device, token):
    outcome = scan(device, token)
    assert outcome.code == "ok"
    assert outcome.attendee["name"] == "Dana Whitaker"
    assert Scan.objects.get().result == "ok"


def test_scanning_in_twice_says_already_in_and_both_attempts_are_stored(device, token):
    scan(device, token)
    assert scan(device, token).code == "already_in"
    assert list(Scan.objects.values_list("result", flat=True)) == ["ok", "already_in"]


def test_out_then_in_again_opens_a_new_interval(device, token):
    now = timezone.now()
    codes = [
        scan(device, token, "in", at=now - timedelta(minutes=9)).code,
        scan(device, token, "out", at=now - timedelta(minutes=5)).code,
        scan(device, token, "in", at=now - timedelta(minutes=2)).code,
    ]
    assert codes == ["ok", "ok", "ok"]


def test_leaving_without_having_come_in_says_not_in(device, token):
    assert scan(device, token, "out").code == "not_in"


def test_a_repeated_nonce_returns_the_first_answer_and_stores_nothing(device, token):
    first = scan(device, token, nonce="offline-queue-0001")
    again = scan(device, token, nonce="offline-queue-0001")
    assert again.replayed and again.code == "ok" and again.scan.pk == first.scan.pk
    assert Scan.objects.count() == 1


@pytest.mark.parametrize("position", [3, 10, 40, 80, 120, -1])
def test_a_changed_character_is_not_a_valid_badge(device, token, position):
    replacement = "A" if token[position] != "A" else "B"
    forged = (
        token[:position] + replacement + token[position + 1 :]
        if position != -1
        else (token[:-1] + replacement)
    )
    assert scan(device, forged).code == "invalid_signature"
    assert Scan.objects.get().badge is None


def test_garbage_is_not_a_valid_badge_and_is_still_recorded(device):
    assert scan(device, "https://example.com/not-a-badge").code == "invalid_signature"
    assert Scan.objects.get().token == "https://example.com/not-a-badge"


def test_a_badge_of_another_event_is_wrong_event(device, org):
    other = make_event(org)
    person = make_user()
    registration = registration_create_confirmed(person, other)
    foreign = badge_token(badge_for(registration), event_id=other.pk)
    assert scan(device, foreign).code == "wrong_event"


def registration_create_confirmed(person, event) -> Registration:
    from events.services import registration_create

    return registration_create(user=person, ticket_type=make_ticket(event))


def test_a_reissued_badge_revokes_the_old_token(device, token, registration, organizer):
    badge_reissue(registration=registration, by=organizer)
    assert scan(device, token).code == "revoked"
    new_token = badge_token(badge_for(registration), event_id=registration.event_id)
    assert scan(device, new_token).code == "ok"


def test_a_cancelled_registration_cannot_check_in(device, token, registration, attendee):
    registration_cancel(registration=registration, by=attendee)
    assert scan(device, token).code == "cancelled"


def test_an_unpaid_registration_is_refused(device, live_event):
    from decimal import Decimal

    from events.services import registration_create

    person = make_user()
    registration = registration_create(
        user=person, ticket_type=make_ticket(live_event, price=Decimal("100"))
    )
    unpaid = badge_token(badge_for(registration), event_id=live_event.pk)
    assert scan(device, unpaid, session=None).code == "unpaid"


def test_no_seat_in_a_limited_session_is_not_registered(device, live_event):
    person = make_user()
    registration = registration_create_confirmed(person, live_event)
    seatless = badge_token(badge_for(registration), event_id=live_event.pk)
    assert scan(device, seatless).code == "not_registered"
    assert scan(device, seatless, session=None).code == "ok"  # the entrance lets them in


def test_scans_outside_the_session_window_are_refused(device, token, workshop):
    too_early = workshop.starts_at - timedelta(minutes=45)
    too_late = workshop.ends_at + timedelta(minutes=20)
    assert scan(device, token, at=too_early).code == "outside_window"
    assert scan(device, token, at=too_late).code == "outside_window"


def test_an_open_session_admits_any_confirmed_attendee(device, token, live_event):
    plenary = make_session(live_event, start=timezone.now() - timedelta(minutes=5), capacity=None)
    assert scan(device, token, session=plenary).code == "ok"


def test_presence_follows_the_registration_across_a_reissued_badge(
    device, token, registration, organizer
):
    scan(device, token)
    badge_reissue(registration=registration, by=organizer)
    new_token = badge_token(badge_for(registration), event_id=registration.event_id)
    assert scan(device, new_token).code == "already_in"


def test_scans_are_never_edited():
    scan_row = Scan(result="ok")
    scan_row._state.adding = False
    with pytest.raises(ValueError, match="never changed"):
        scan_row.save()


def test_organizer_checks_someone_in_by_hand_with_a_reason(registration, workshop, organizer):
    outcome = manual_check(
        registration=registration,
        session=workshop,
        direction="in",
        by=organizer,
        reason="Forgot badge; photo ID checked",
    )
    assert outcome.code == "ok"
    row = Scan.objects.get()
    assert row.recorded_by == organizer and row.reason == "Forgot badge; photo ID checked"


def test_a_manual_check_needs_a_reason_and_an_organizer(registration, workshop, attendee):
    with pytest.raises(RegistrationError) as refused:
        manual_check(registration=registration, session=workshop, direction="in",
                     by=attendee, reason="trust me")  # fmt: skip
    assert refused.value.code == "forbidden"
    assert not Scan.objects.exists()
