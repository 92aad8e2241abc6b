from datetime import timedelta

import pytest
from django.utils import timezone

from checkin.services.badges import badge_for, badge_token
from checkin.services.devices import device_create, device_pair
from events.services import registration_create, session_signup_create
from tests.factories import make_event, make_session, make_ticket, make_user


@pytest.fixture
def live_event(org):
    """An event happening now, with a workshop under way (doors open)."""
    now = timezone.now()
    return make_event(org, starts_at=now - timedelta(hours=2), ends_at=now + timedelta(days=1))


@pytest.fixture
def workshop(live_event):
    start = timezone.now() - timedelta(minutes=10)
    return make_session(live_event, start=start, minutes=90, capacity=30, title="EMDR Workshop")


@pytest.fixture
def attendee(live_event, workshop):
    """A confirmed attendee with a seat in the workshop (signed up before it began)."""
    person = make_user(first_name="Dana", last_name="Whitaker")
    registration_create(user=person, ticket_type=make_ticket(live_event))
    from events.models import Session

    # Sign-ups close when a session starts: take the seat while it is still ahead.
    Session.objects.filter(pk=workshop.pk).update(starts_at=timezone.now() + timedelta(hours=1))
    session_signup_create(user=person, session_id=workshop.pk)
    Session.objects.filter(pk=workshop.pk).update(starts_at=workshop.starts_at)
    workshop.refresh_from_db()
    return person


@pytest.fixture
def registration(attendee):
    return attendee.registrations.get()


@pytest.fixture
def token(registration):
    return badge_token(badge_for(registration), event_id=registration.event_id)


@pytest.fixture
def device_and_token(live_event, workshop, organizer):
    _, code = device_create(event=live_event, name="Room 310", session=workshop, by=organizer)
    return device_pair(setup_code=code)


@pytest.fixture
def device(device_and_token):
    return device_and_token[0]


@pytest.fixture
def device_token(device_and_token):
    return device_and_token[1]
