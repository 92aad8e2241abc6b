"""Session seats: sign-up, waitlist, clashes and automatic promotion."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from events.errors import RegistrationError
from events.models import Event, SessionSignup
from events.services import (
    registration_cancel,
    registration_create,
    session_signup_cancel,
    session_signup_create,
    waitlist_promote,
)
from tests.factories import make_session, make_user

pytestmark = pytest.mark.django_db

CONFIRMED = SessionSignup.Status.CONFIRMED
WAITLISTED = SessionSignup.Status.WAITLISTED


@pytest.fixture
def attendee_factory(free_ticket):
    def make():
        person = make_user()
        registration_create(user=person, ticket_type=free_ticket)
        return person

    return make


def test_signing_up_needs_an_event_registration(user, event):
    session = make_session(event, capacity=10)
    with pytest.raises(RegistrationError) as refused:
        session_signup_create(user=user, session_id=session.pk)
    assert refused.value.code == "not_registered"


def test_a_full_session_puts_the_next_person_on_the_waitlist(event, attendee_factory):
    session = make_session(event, capacity=2)
    statuses = [session_signup_create(user=attendee_factory(), session_id=session.pk).status
                for _ in range(3)]  # fmt: skip
    assert statuses == [CONFIRMED, CONFIRMED, WAITLISTED]
    assert session.signups.filter(status=CONFIRMED).count() == 2


def test_a_session_without_capacity_never_waitlists(event, attendee_factory):
    session = make_session(event, capacity=None)
    for _ in range(5):
        assert (
            session_signup_create(user=attendee_factory(), session_id=session.pk).status
            == CONFIRMED
        )


def test_signing_up_twice_for_a_session_is_refused(event, attendee_factory):
    person = attendee_factory()
    session = make_session(event, capacity=1)
    session_signup_create(user=person, session_id=session.pk)
    with pytest.raises(RegistrationError) as refused:
        session_signup_create(user=person, session_id=session.pk)
    assert refused.value.code == "already_signed_up"


def test_overlapping_sessions_are_refused_with_a_message_naming_the_clash(event, attendee_factory):
    person = attendee_factory()
    start = event.starts_at + timedelta(hours=3)
    first = make_session(event, start=start, minutes=90, title="Trauma-Focused CBT for Adolescents")
    second = make_session(event, start=start + timedelta(minutes=60), title="Ethics in Telehealth")
    session_signup_create(user=person, session_id=first.pk)
    with pytest.raises(RegistrationError) as refused:
        session_signup_create(user=person, session_id=second.pk)
    assert refused.value.code == "session_clash"
    assert "Trauma-Focused CBT for Adolescents" in refused.value.message
    assert not second.signups.exists()


@pytest.mark.parametrize("place", [CONFIRMED, WAITLISTED])
def test_choosing_another_session_gives_up_a_place_in_a_cancelled_one(
    event, attendee_factory, place
):
    """The organizer cancels a workshop; its attendees keep their place (it may be
    reinstated) but can book what else runs at that time, which gives the place up:
    a reinstatement must not leave them holding two places at once."""
    start = event.starts_at + timedelta(hours=3)
    cancelled = make_session(event, start=start, minutes=90, title="Cancelled workshop",
                             capacity=1)  # fmt: skip
    other = make_session(event, start=start + timedelta(minutes=30), title="Still on")
    if place == WAITLISTED:
        session_signup_create(user=attendee_factory(), session_id=cancelled.pk)
    person = attendee_factory()
    assert session_signup_create(user=person, session_id=cancelled.pk).status == place
    cancelled.is_cancelled = True
    cancelled.save(update_fields=["is_cancelled"])

    signup = session_signup_create(user=person, session_id=other.pk)

    assert signup.status == CONFIRMED and signup.released == ["Cancelled workshop"]
    places = SessionSignup.objects.filter(registration__user=person)
    assert dict(places.values_list("session__title", "status")) == {
        "Cancelled workshop": SessionSignup.Status.CANCELLED,
        "Still on": CONFIRMED,
    }
    cancelled.is_cancelled = False  # reinstated: only the place they chose is theirs
    cancelled.save(update_fields=["is_cancelled"])
    assert not SessionSignup.objects.filter(
        registration__user=person, session=cancelled, status__in=SessionSignup.ACTIVE
    ).exists()


def test_a_place_in_a_session_that_is_on_still_blocks_its_slot(event, attendee_factory):
    person = attendee_factory()
    start = event.starts_at + timedelta(hours=3)
    kept = make_session(event, start=start, minutes=90, title="Kept workshop")
    session_signup_create(user=person, session_id=kept.pk)
    with pytest.raises(RegistrationError) as refused:
        session_signup_create(user=person, session_id=make_session(event, start=start).pk)
    assert refused.value.code == "session_clash"
    assert SessionSignup.objects.get(registration__user=person).status == CONFIRMED


def test_back_to_back_sessions_do_not_clash(event, attendee_factory):
    person = attendee_factory()
    start = event.starts_at + timedelta(hours=3)
    first = make_session(event, start=start, minutes=60)
    second = make_session(event, start=start + timedelta(minutes=60))
    session_signup_create(user=person, session_id=first.pk)
    assert session_signup_create(user=person, session_id=second.pk).status == CONFIRMED


def test_a_waitlist_place_also_counts_for_clashes(event, attendee_factory):
    start = event.starts_at + timedelta(hours=3)
    full = make_session(event, start=start, capacity=1)
    session_signup_create(user=attendee_factory(), session_id=full.pk)
    person = attendee_factory()
    assert session_signup_create(user=person, session_id=full.pk).status == WAITLISTED
    with pytest.raises(RegistrationError) as refused:
        session_signup_create(user=person, session_id=make_session(event, start=start).pk)
    assert refused.value.code == "session_clash"


def test_cancelling_a_seat_promotes_the_first_person_waiting_and_emails_them(
    event, attendee_factory, django_capture_on_commit_callbacks
):
    session = make_session(event, capacity=1, title="EMDR for Complex Trauma")
    holder = attendee_factory()
    seat = session_signup_create(user=holder, session_id=session.pk)
    first_waiting, second_waiting = attendee_factory(), attendee_factory()
    session_signup_create(user=first_waiting, session_id=session.pk)
    session_signup_create(user=second_waiting, session_id=session.pk)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        session_signup_cancel(signup=seat, by=holder)

    statuses = dict(session.signups.values_list("registration__user__email", "status"))
    assert statuses == {
        holder.email: SessionSignup.Status.CANCELLED,
        first_waiting.email: CONFIRMED,
        second_waiting.email: WAITLISTED,
    }
    assert [m.to for m in mail.outbox] == [[first_waiting.email]]
    assert "EMDR for Complex Trauma" in mail.outbox[0].subject + mail.outbox[0].body


def test_cancelling_a_whole_registration_promotes_the_waitlist(
    event, attendee_factory, free_ticket
):
    session = make_session(event, capacity=1)
    holder = attendee_factory()
    session_signup_create(user=holder, session_id=session.pk)
    waiting = attendee_factory()
    session_signup_create(user=waiting, session_id=session.pk)

    registration_cancel(registration=holder.registrations.get(), by=holder)

    assert session.signups.get(status=CONFIRMED).registration.user == waiting


def test_leaving_the_waitlist_promotes_nobody(event, attendee_factory):
    session = make_session(event, capacity=1)
    session_signup_create(user=attendee_factory(), session_id=session.pk)
    waiting = attendee_factory()
    place = session_signup_create(user=waiting, session_id=session.pk)
    behind = attendee_factory()
    session_signup_create(user=behind, session_id=session.pk)

    session_signup_cancel(signup=place, by=waiting)

    assert session.signups.filter(status=CONFIRMED).count() == 1
    assert session.signups.get(status=WAITLISTED).registration.user == behind


def test_people_whose_registration_was_cancelled_are_skipped_on_promotion(event, attendee_factory):
    session = make_session(event, capacity=1)
    holder = attendee_factory()
    seat = session_signup_create(user=holder, session_id=session.pk)
    gone, next_in_line = attendee_factory(), attendee_factory()
    session_signup_create(user=gone, session_id=session.pk)
    session_signup_create(user=next_in_line, session_id=session.pk)
    registration_cancel(registration=gone.registrations.get(), by=gone)

    session_signup_cancel(signup=seat, by=holder)

    assert session.signups.get(status=CONFIRMED).registration.user == next_in_line


def test_more_seats_move_people_up_from_the_waitlist(event, attendee_factory):
    session = make_session(event, capacity=1)
    for _ in range(4):
        session_signup_create(user=attendee_factory(), session_id=session.pk)
    session.capacity = 3
    session.save()
    promoted = waitlist_promote(session=session)
    assert len(promoted) == 2
    assert session.signups.filter(status=CONFIRMED).count() == 3
    assert session.signups.filter(status=WAITLISTED).count() == 1


def test_breaks_and_meals_take_no_signups(event, attendee_factory):
    lunch = make_session(event, kind="meal", title="Lunch", ce_hours=0)
    with pytest.raises(RegistrationError) as refused:
        session_signup_create(user=attendee_factory(), session_id=lunch.pk)
    assert refused.value.code == "session_closed"


def test_a_session_that_started_takes_no_signups(event, attendee_factory):
    started = make_session(event, start=timezone.now() - timedelta(minutes=5))
    with pytest.raises(RegistrationError) as refused:
        session_signup_create(user=attendee_factory(), session_id=started.pk)
    assert refused.value.code == "session_started"


def test_a_draft_event_takes_no_signups_and_hides_its_sessions(event, attendee_factory):
    person = attendee_factory()
    session = make_session(event, title="Unannounced keynote")
    Event.objects.filter(pk=event.pk).update(status=Event.Status.DRAFT)
    with pytest.raises(RegistrationError) as refused:
        session_signup_create(user=person, session_id=session.pk)
    assert refused.value.code == "session_not_found"
    assert "Unannounced" not in refused.value.message


def test_a_cancelled_event_takes_no_signups(event, attendee_factory):
    person = attendee_factory()
    session = make_session(event)
    Event.objects.filter(pk=event.pk).update(status=Event.Status.CANCELLED)
    with pytest.raises(RegistrationError) as refused:
        session_signup_create(user=person, session_id=session.pk)
    assert refused.value.code == "session_closed"


def test_someone_else_cannot_cancel_my_seat(event, attendee_factory):
    person = attendee_factory()
    seat = session_signup_create(user=person, session_id=make_session(event, capacity=3).pk)
    with pytest.raises(RegistrationError) as refused:
        session_signup_cancel(signup=seat, by=attendee_factory())
    assert refused.value.code == "forbidden"
    seat.refresh_from_db()
    assert seat.status == CONFIRMED
