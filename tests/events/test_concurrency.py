"""No overselling under real concurrency (DESIGN.md invariant 1). PostgreSQL only:
SQLite serializes every writer, so a race there proves nothing."""

import pytest

from events.models import Registration, SessionSignup
from events.services import registration_create, session_signup_create
from tests.concurrency import race
from tests.conftest import requires_postgres
from tests.factories import make_event, make_org, make_session, make_ticket, make_user

pytestmark = [requires_postgres, pytest.mark.django_db(transaction=True)]

THREADS = 40


def test_forty_people_race_for_the_last_ten_seats_of_a_session():
    event = make_event(make_org())
    ticket = make_ticket(event)
    session = make_session(event, capacity=12)
    people = [make_user() for _ in range(THREADS + 2)]
    for person in people:
        registration_create(user=person, ticket_type=ticket)
    for early in people[:2]:  # two seats already taken: ten left
        session_signup_create(user=early, session_id=session.pk)

    results = race(
        lambda p: session_signup_create(user=p, session_id=session.pk).status, people[2:]
    )

    assert results.count(SessionSignup.Status.CONFIRMED) == 10
    assert results.count(SessionSignup.Status.WAITLISTED) == THREADS - 10
    assert session.signups.filter(status=SessionSignup.Status.CONFIRMED).count() == 12
    assert session.signups.filter(status=SessionSignup.Status.WAITLISTED).count() == THREADS - 10


def test_forty_people_race_for_the_last_ten_tickets():
    event = make_event(make_org())
    ticket = make_ticket(event, capacity=15)
    for _ in range(5):
        registration_create(user=make_user(), ticket_type=ticket)
    people = [make_user() for _ in range(THREADS)]

    results = race(lambda p: registration_create(user=p, ticket_type=ticket).status, people)

    assert results.count(Registration.Status.CONFIRMED) == 10
    assert results.count("sold_out") == THREADS - 10
    assert ticket.registrations.filter(status__in=Registration.ACTIVE).count() == 15


def test_one_person_double_clicking_register_gets_one_registration():
    event = make_event(make_org())
    ticket = make_ticket(event)
    person = make_user()

    results = race(lambda p: registration_create(user=p, ticket_type=ticket).status, [person] * 8)

    assert results.count(Registration.Status.CONFIRMED) == 1
    assert results.count("already_registered") == 7
    assert Registration.objects.filter(user=person).count() == 1
