"""Two devices scan one badge at the same instant (PostgreSQL only)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from checkin.models import Scan
from checkin.services.badges import badge_for, badge_token
from checkin.services.devices import device_create, device_pair
from checkin.services.scans import perform_scan
from events.services import registration_create
from tests.conftest import requires_postgres
from tests.events.test_concurrency import race
from tests.factories import make_event, make_org, make_organizer, make_ticket, make_user

pytestmark = [requires_postgres, pytest.mark.django_db(transaction=True)]


def test_two_devices_scanning_the_same_badge_at_once_make_one_entry():
    org = make_org()
    now = timezone.now()
    event = make_event(org, starts_at=now - timedelta(hours=1), ends_at=now + timedelta(hours=8))
    registration = registration_create(user=make_user(), ticket_type=make_ticket(event))
    token = badge_token(badge_for(registration), event_id=event.pk)
    organizer = make_organizer(org)
    devices = [
        device_pair(setup_code=device_create(event=event, name=f"Door {i}", session=None,
                                             by=organizer)[1])[0]
        for i in range(2)
    ]  # fmt: skip

    def scan_at_door(device):
        return perform_scan(device=device, token=token, session=None, direction="in",
                            scanned_at=now, nonce=f"door-{device.pk}").code  # fmt: skip

    codes = race(scan_at_door, devices)

    assert sorted(codes) == ["already_in", "ok"]
    assert Scan.objects.filter(result="ok").count() == 1


def test_one_device_resending_the_same_nonce_at_once_stores_it_once():
    org = make_org()
    now = timezone.now()
    event = make_event(org, starts_at=now - timedelta(hours=1), ends_at=now + timedelta(hours=8))
    registration = registration_create(user=make_user(), ticket_type=make_ticket(event))
    token = badge_token(badge_for(registration), event_id=event.pk)
    organizer = make_organizer(org)
    device = device_pair(
        setup_code=device_create(event=event, name="Door", session=None, by=organizer)[1]
    )[0]

    def resend(_):
        return perform_scan(device=device, token=token, session=None, direction="in",
                            scanned_at=now, nonce="same-nonce-123").code  # fmt: skip

    codes = race(resend, list(range(6)))

    assert codes == ["ok"] * 6
    assert Scan.objects.count() == 1
