"""Registering for an event with a ticket: what an attendee is allowed and refused."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone

from events.errors import RegistrationError
from events.models import Event, Registration, SessionSignup
from events.services import (
    registration_cancel,
    registration_confirm,
    registration_create,
    session_signup_create,
)
from tests.factories import make_session, make_ticket, make_user

pytestmark = pytest.mark.django_db


def test_free_ticket_confirms_at_once_and_emails_the_attendee(
    user, free_ticket, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        registration = registration_create(user=user, ticket_type=free_ticket)
    assert registration.status == Registration.Status.CONFIRMED
    assert registration.confirmed_at is not None
    assert [m.to for m in mail.outbox] == [[user.email]]
    assert free_ticket.event.title in mail.outbox[0].subject + mail.outbox[0].body


def test_paid_ticket_waits_for_payment_until_an_organizer_marks_it_paid(user, event, organizer):
    paid = make_ticket(event, name="Full", price=Decimal("395.00"))
    registration = registration_create(user=user, ticket_type=paid)
    assert registration.status == Registration.Status.AWAITING_PAYMENT
    assert registration.amount_due == Decimal("395.00")

    registration_confirm(registration=registration, by=organizer)
    registration.refresh_from_db()
    assert registration.status == Registration.Status.CONFIRMED


def test_an_attendee_cannot_mark_their_own_registration_paid(user, event):
    paid = make_ticket(event, price=Decimal("50"))
    registration = registration_create(user=user, ticket_type=paid)
    with pytest.raises(RegistrationError) as refused:
        registration_confirm(registration=registration, by=user)
    assert refused.value.code == "forbidden"
    registration.refresh_from_db()
    assert registration.status == Registration.Status.AWAITING_PAYMENT


def test_registering_twice_for_the_same_event_is_refused(user, event, free_ticket):
    registration_create(user=user, ticket_type=free_ticket)
    other_ticket = make_ticket(event, name="Another")
    with pytest.raises(RegistrationError) as refused:
        registration_create(user=user, ticket_type=other_ticket)
    assert refused.value.code == "already_registered"
    assert Registration.objects.filter(user=user).count() == 1


def test_after_cancelling_an_attendee_can_register_again(user, free_ticket):
    first = registration_create(user=user, ticket_type=free_ticket)
    registration_cancel(registration=first, by=user)
    second = registration_create(user=user, ticket_type=free_ticket)
    assert second.status == Registration.Status.CONFIRMED


def test_ticket_type_never_sells_past_capacity(event):
    ticket = make_ticket(event, capacity=2)
    for _ in range(2):
        registration_create(user=make_user(), ticket_type=ticket)
    with pytest.raises(RegistrationError) as refused:
        registration_create(user=make_user(), ticket_type=ticket)
    assert refused.value.code == "sold_out"
    assert ticket.registrations.count() == 2


def test_a_cancelled_registration_frees_its_ticket(event):
    ticket = make_ticket(event, capacity=1)
    holder = make_user()
    registration = registration_create(user=holder, ticket_type=ticket)
    registration_cancel(registration=registration, by=holder)
    registration_create(user=make_user(), ticket_type=ticket)


@pytest.mark.parametrize(
    ("start", "end", "code"),
    [
        (timedelta(hours=1), timedelta(days=1), "sales_not_started"),
        (-timedelta(days=2), -timedelta(minutes=1), "sales_closed"),
    ],
)
def test_registration_follows_the_ticket_sale_window(user, event, start, end, code):
    now = timezone.now()
    ticket = make_ticket(event, sales_start=now + start, sales_end=now + end)
    with pytest.raises(RegistrationError) as refused:
        registration_create(user=user, ticket_type=ticket)
    assert refused.value.code == code
    assert "Registration for General" in refused.value.message
    assert not Registration.objects.exists()


def test_registration_inside_the_sale_window_succeeds(user, event):
    now = timezone.now()
    ticket = make_ticket(
        event, sales_start=now - timedelta(days=1), sales_end=now + timedelta(days=1)
    )
    assert registration_create(user=user, ticket_type=ticket).status == "confirmed"


@pytest.mark.parametrize("status", [Event.Status.DRAFT, Event.Status.CANCELLED])
def test_unpublished_events_take_no_registrations(user, event, free_ticket, status):
    event.status = status
    event.save()
    with pytest.raises(RegistrationError) as refused:
        registration_create(user=user, ticket_type=free_ticket)
    assert refused.value.code == "event_closed"


def test_inactive_ticket_type_is_refused(user, event):
    ticket = make_ticket(event, is_active=False)
    with pytest.raises(RegistrationError) as refused:
        registration_create(user=user, ticket_type=ticket)
    assert refused.value.code == "ticket_unavailable"


def test_cancelling_a_registration_gives_up_its_session_seats(user, event, free_ticket):
    registration = registration_create(user=user, ticket_type=free_ticket)
    session = make_session(event, capacity=5)
    session_signup_create(user=user, session_id=session.pk)
    registration_cancel(registration=registration, by=user)
    assert not session.signups.filter(status__in=SessionSignup.ACTIVE).exists()


def test_another_attendee_cannot_cancel_my_registration(user, free_ticket):
    registration = registration_create(user=user, ticket_type=free_ticket)
    with pytest.raises(RegistrationError) as refused:
        registration_cancel(registration=registration, by=make_user())
    assert refused.value.code == "forbidden"
    registration.refresh_from_db()
    assert registration.is_active


def test_an_organizer_can_cancel_a_registration_and_the_attendee_is_told(
    user, free_ticket, organizer, django_capture_on_commit_callbacks
):
    registration = registration_create(user=user, ticket_type=free_ticket)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        registration_cancel(registration=registration, by=organizer)
    registration.refresh_from_db()
    assert registration.status == Registration.Status.CANCELLED
    assert [m.to for m in mail.outbox] == [[user.email]]


def test_cancelling_twice_is_refused(user, free_ticket):
    registration = registration_create(user=user, ticket_type=free_ticket)
    registration_cancel(registration=registration, by=user)
    with pytest.raises(RegistrationError) as refused:
        registration_cancel(registration=registration, by=user)
    assert refused.value.code == "already_cancelled"
