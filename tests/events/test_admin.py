"""Organizer tools in the admin."""

from decimal import Decimal

import pytest
from django.urls import reverse

from events.models import Registration
from events.services import registration_create
from tests.factories import make_ticket, make_user

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:events_registration_changelist"


def test_organizer_marks_a_pay_later_registration_paid(client, event, organizer):
    registration = registration_create(
        user=make_user(), ticket_type=make_ticket(event, price=Decimal("120"))
    )
    client.force_login(organizer)
    client.post(reverse(CHANGELIST), {"action": "mark_paid", "_selected_action": [registration.pk]})
    registration.refresh_from_db()
    assert registration.status == Registration.Status.CONFIRMED


def test_cancelling_from_the_admin_asks_for_confirmation_first(client, event, organizer):
    registration = registration_create(user=make_user(), ticket_type=make_ticket(event))
    client.force_login(organizer)
    data = {"action": "cancel_registrations", "_selected_action": [registration.pk]}

    page = client.post(reverse(CHANGELIST), data)
    assert page.status_code == 200
    assert b"Yes, cancel these registrations" in page.content
    registration.refresh_from_db()
    assert registration.is_active

    client.post(reverse(CHANGELIST), {**data, "confirm": "yes"})
    registration.refresh_from_db()
    assert registration.status == Registration.Status.CANCELLED


def test_raising_a_session_capacity_in_the_admin_moves_the_waitlist_up(
    client, event, organizer, free_ticket
):
    from events.services import session_signup_create
    from tests.factories import make_session

    session = make_session(event, capacity=1)
    people = [make_user() for _ in range(3)]
    for person in people:
        registration_create(user=person, ticket_type=free_ticket)
        session_signup_create(user=person, session_id=session.pk)
    local_start = session.starts_at.astimezone(event.tzinfo)  # the admin speaks event time
    local_end = session.ends_at.astimezone(event.tzinfo)
    client.force_login(organizer)
    url = reverse("admin:events_session_change", args=[session.pk])
    form = client.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update(
        {
            "event": event.pk,
            "starts_at_0": local_start.strftime("%Y-%m-%d"),
            "starts_at_1": local_start.strftime("%H:%M:%S"),
            "ends_at_0": local_end.strftime("%Y-%m-%d"),
            "ends_at_1": local_end.strftime("%H:%M:%S"),
            "capacity": 3,
            "presenters": [],
            "track": "",
            "room": "",
        }
    )
    data.pop("starts_at", None)
    data.pop("ends_at", None)
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert session.signups.filter(status="confirmed").count() == 3
    moved = type(session).objects.get(pk=session.pk)
    assert moved.starts_at == session.starts_at.replace(microsecond=0)  # no time-zone shift


def test_the_admin_shows_session_times_in_the_event_time_zone(client, org, organizer):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from tests.factories import make_event, make_session

    la = ZoneInfo("America/Los_Angeles")
    event = make_event(org, timezone="America/Los_Angeles",
                       starts_at=datetime(2031, 5, 1, 8, 0, tzinfo=la))  # fmt: skip
    session = make_session(event, start=datetime(2031, 5, 1, 9, 30, tzinfo=la))
    client.force_login(organizer)
    page = client.get(reverse("admin:events_session_change", args=[session.pk]))
    assert 'value="09:30:00"' in page.content.decode()
