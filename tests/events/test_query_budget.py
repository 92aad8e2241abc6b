"""Query budgets on the pages people load most."""

from datetime import timedelta

import pytest
from django.urls import reverse

from accounts.models import User
from events.models import Presenter, Registration, Session, SessionSignup, Track
from events.services import registration_create, session_signup_create
from tests.factories import make_session, make_ticket, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def big_event(event, free_ticket):
    """100 sessions over 3 tracks with presenters and 2,000 registrations."""
    tracks = [Track.objects.create(event=event, name=f"Track {i}", position=i) for i in range(3)]
    presenters = [
        Presenter.objects.create(
            organization=event.organization, name=f"Dr. P{i}", credentials="PhD"
        )
        for i in range(10)
    ]
    sessions = [
        Session(
            event=event, title=f"Session {i}", kind="workshop", track=tracks[i % 3],
            starts_at=event.starts_at + timedelta(hours=i), capacity=50,
            ends_at=event.starts_at + timedelta(hours=i, minutes=50),
            learning_objectives="Describe one thing\nApply another",
        )
        for i in range(100)
    ]  # fmt: skip
    Session.objects.bulk_create(sessions)
    through = Session.presenters.through
    through.objects.bulk_create(
        through(session_id=s.pk, presenter_id=presenters[i % 10].pk) for i, s in enumerate(sessions)
    )
    users = User.objects.bulk_create(
        User(email=f"crowd{i}@example.com", first_name="A", last_name=f"B{i}") for i in range(2000)
    )
    registrations = Registration.objects.bulk_create(
        Registration(event=event, user=u, ticket_type=free_ticket, status="confirmed",
                     code=f"C{i:07d}")
        for i, u in enumerate(users)
    )  # fmt: skip
    SessionSignup.objects.bulk_create(
        SessionSignup(registration=r, session=sessions[i % 100], status="confirmed")
        for i, r in enumerate(registrations)
    )
    return event


def test_event_page_with_100_sessions_and_2000_registrations_takes_at_most_12_queries(
    client, big_event, django_assert_max_num_queries
):
    attendee = make_user()
    registration_create(user=attendee, ticket_type=big_event.ticket_types.get())
    client.force_login(attendee)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("events:event_detail", args=[big_event.slug]))
    assert response.status_code == 200
    assert response.content.decode().count('class="session__title"') == 100


def test_my_registrations_takes_at_most_8_queries(client, django_assert_max_num_queries, org):
    from tests.factories import make_event

    attendee = make_user()
    for _ in range(5):
        event = make_event(org)
        registration_create(user=attendee, ticket_type=make_ticket(event))
        for i in range(4):
            session = make_session(
                event, start=event.starts_at + timedelta(hours=2 * i), capacity=1
            )
            if i == 3:  # someone else holds the only seat: the attendee waits
                other = make_user()
                registration_create(user=other, ticket_type=event.ticket_types.get())
                session_signup_create(user=other, session_id=session.pk)
            session_signup_create(user=attendee, session_id=session.pk)
    client.force_login(attendee)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("events:my_registrations"))
    assert response.status_code == 200
    assert response.content.decode().count("Waitlist #1") == 5
