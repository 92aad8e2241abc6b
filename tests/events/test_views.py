"""What an attendee sees and does through the pages."""

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from events.models import Registration, SessionSignup
from events.services import registration_create, session_signup_create
from tests.factories import make_event, make_session, make_ticket, make_user

pytestmark = pytest.mark.django_db


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def test_attendee_registers_with_a_free_ticket_from_the_event_page(
    client, user, event, free_ticket
):
    client.force_login(user)
    response = client.post(
        reverse("events:register", args=[event.slug]), {"ticket_type": free_ticket.pk}, follow=True
    )
    assert Registration.objects.get(user=user).status == "confirmed"
    assert any("You're registered" in m for m in messages_of(response))


def test_registering_without_choosing_a_ticket_shows_an_error_and_changes_nothing(
    client, user, event, free_ticket
):
    client.force_login(user)
    response = client.post(
        reverse("events:register", args=[event.slug]), {"ticket_type": "not-a-number"}, follow=True
    )
    assert response.status_code == 200
    assert any("Choose one of the tickets" in m for m in messages_of(response))
    assert not Registration.objects.exists()


def test_a_ticket_of_another_event_is_refused(client, user, event, org):
    other_ticket = make_ticket(make_event(org))
    client.force_login(user)
    client.post(reverse("events:register", args=[event.slug]), {"ticket_type": other_ticket.pk})
    assert not Registration.objects.exists()


def test_anonymous_visitor_is_sent_to_log_in_before_registering(client, event, free_ticket):
    response = client.post(
        reverse("events:register", args=[event.slug]), {"ticket_type": free_ticket.pk}
    )
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_full_session_signup_lands_on_the_waitlist_with_a_clear_message(
    client, event, free_ticket
):
    session = make_session(event, capacity=1, title="Suicide Risk Assessment")
    first = make_user()
    registration_create(user=first, ticket_type=free_ticket)
    session_signup_create(user=first, session_id=session.pk)
    person = make_user()
    registration_create(user=person, ticket_type=free_ticket)
    client.force_login(person)

    response = client.post(
        reverse("events:session_signup", args=[event.slug, session.pk]), follow=True
    )
    assert SessionSignup.objects.get(registration__user=person).status == "waitlisted"
    assert any("You're on the waitlist" in m for m in messages_of(response))


def test_booking_over_a_cancelled_session_says_its_place_was_given_up(
    client, user, event, free_ticket
):
    start = event.starts_at + timedelta(hours=2)
    cancelled = make_session(event, start=start, title="Grief Work Lab")
    other = make_session(event, start=start, title="Motivational Interviewing")
    registration_create(user=user, ticket_type=free_ticket)
    session_signup_create(user=user, session_id=cancelled.pk)
    cancelled.is_cancelled = True
    cancelled.save(update_fields=["is_cancelled"])
    client.force_login(user)

    response = client.post(
        reverse("events:session_signup", args=[event.slug, other.pk]), follow=True
    )
    shown = messages_of(response)
    assert "You have a seat in “Motivational Interviewing”." in shown
    assert "Your place in the cancelled “Grief Work Lab” at the same time was given up." in shown


def test_signup_ignores_a_next_url_pointing_off_site(client, user, event, free_ticket):
    session = make_session(event, capacity=5)
    registration_create(user=user, ticket_type=free_ticket)
    client.force_login(user)
    response = client.post(
        reverse("events:session_signup", args=[event.slug, session.pk]),
        {"next": "https://evil.example.com/"},
    )
    assert response["Location"].startswith(event.get_absolute_url())


def test_event_page_shows_times_in_the_event_time_zone_and_seats_left(client, org):
    tz = ZoneInfo("America/Chicago")
    event = make_event(org, timezone="America/Chicago",
                       starts_at=datetime(2030, 3, 4, 8, 0, tzinfo=tz))  # fmt: skip
    make_session(event, start=datetime(2030, 3, 4, 9, 30, tzinfo=tz), capacity=25,
                 title="Motivational Interviewing")  # fmt: skip
    page = client.get(event.get_absolute_url()).content.decode()
    assert "Motivational Interviewing" in page
    assert "9:30" in page
    assert "25 seats left" in page


def test_cancelling_a_registration_asks_first_then_cancels(client, user, event, free_ticket):
    registration = registration_create(user=user, ticket_type=free_ticket)
    client.force_login(user)
    url = reverse("events:registration_cancel", args=[registration.code])

    page = client.get(url)
    assert page.status_code == 200
    registration.refresh_from_db()
    assert registration.is_active  # looking at the confirmation changes nothing

    client.post(url)
    registration.refresh_from_db()
    assert registration.status == "cancelled"


def test_giving_up_a_seat_asks_first_then_frees_it(client, user, event, free_ticket):
    registration_create(user=user, ticket_type=free_ticket)
    seat = session_signup_create(user=user, session_id=make_session(event, capacity=2).pk)
    client.force_login(user)
    url = reverse("events:signup_cancel", args=[seat.pk])
    assert client.get(url).status_code == 200
    client.post(url)
    seat.refresh_from_db()
    assert seat.status == "cancelled"


def test_my_registrations_lists_events_and_seats(client, user, event, free_ticket):
    registration_create(user=user, ticket_type=free_ticket)
    session_signup_create(
        user=user, session_id=make_session(event, title="ACT for Chronic Pain").pk
    )
    client.force_login(user)
    page = client.get(reverse("events:my_registrations")).content.decode()
    assert event.title in page
    assert "ACT for Chronic Pain" in page


def test_my_registrations_has_an_empty_state(client, user):
    client.force_login(user)
    page = client.get(reverse("events:my_registrations")).content.decode()
    assert "haven" in page and "registered" in page


def test_organizer_dashboard_shows_ticket_counts_and_waitlists(client, event, organizer):
    paid = make_ticket(event, name="Full conference", price=Decimal("395"))
    session = make_session(event, capacity=1, title="EMDR Workshop")
    for _ in range(2):
        person = make_user()
        registration_create(user=person, ticket_type=paid)
        session_signup_create(user=person, session_id=session.pk)
    client.force_login(organizer)
    response = client.get(reverse("events:dashboard", args=[event.slug]))
    assert response.status_code == 200
    tickets = {t.name: t for t in response.context["ticket_types"]}
    assert tickets["Full conference"].awaiting == 2
    sessions = {s.title: s for s in response.context["sessions"]}
    assert sessions["EMDR Workshop"].seats_taken == 1
    assert sessions["EMDR Workshop"].waitlist_length == 1


def test_event_list_paginates_and_hides_drafts(client, org):
    soon = datetime.now(ZoneInfo("UTC")) + timedelta(days=10)
    for i in range(15):
        make_event(org, title=f"Upcoming {i:02d}", starts_at=soon + timedelta(days=i))
    make_event(org, title="Hidden draft", status="draft", starts_at=soon)
    first = client.get(reverse("events:event_list")).content.decode()
    second = client.get(reverse("events:event_list") + "?page=2").content.decode()
    assert "Upcoming 00" in first and "Upcoming 14" not in first
    assert "Upcoming 14" in second
    assert "Hidden draft" not in first + second


def test_a_nonsense_page_number_shows_the_last_page_instead_of_failing(client, org):
    make_event(org, title="Only event")
    response = client.get(reverse("events:event_list") + "?page=99999")
    assert response.status_code == 200
    assert "Only event" in response.content.decode()


def test_after_logging_in_a_visitor_returns_to_the_event_page_not_a_405(client, user, event):
    response = client.post(reverse("events:register", args=[event.slug]))
    next_url = response["Location"].split("next=")[1]
    assert "%23tickets" in next_url or "#tickets" in next_url
    client.force_login(user)
    from urllib.parse import unquote

    assert client.get(unquote(next_url)).status_code == 200


def test_a_finished_event_refuses_registration(client, user, org):
    from datetime import UTC

    past = make_event(org, starts_at=datetime.now(UTC) - timedelta(days=5))
    ticket = make_ticket(past)
    client.force_login(user)
    response = client.post(
        reverse("events:register", args=[past.slug]), {"ticket_type": ticket.pk}, follow=True
    )
    assert any("This event is over" in m for m in messages_of(response))
    assert not Registration.objects.exists()


def test_signing_up_for_a_session_that_does_not_exist_is_a_404(client, user, event):
    client.force_login(user)
    response = client.post(reverse("events:session_signup", args=[event.slug, 999999]))
    assert response.status_code == 404


def test_every_page_names_the_sites_icon_and_the_icon_exists(client, event):
    from pathlib import Path

    from django.contrib.staticfiles import finders

    page = client.get(reverse("events:event_list")).content.decode()
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in page
    icon = finders.find("favicon.svg")
    assert icon and "<svg" in Path(icon).read_text()
