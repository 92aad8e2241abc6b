"""Robustness review of the events app: bad input never answers 500, nobody sees or
changes another person's (or another provider's) data, redirects stay on the site,
and the seat invariants hold around waitlist promotion.

"""

import contextlib
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from events.errors import RegistrationError
from events.models import Event, Presenter, Registration, Room, Session, SessionSignup, Track
from events.services import (
    registration_cancel,
    registration_create,
    session_signup_cancel,
    session_signup_create,
)
from tests.factories import (
    make_event,
    make_org,
    make_organizer,
    make_session,
    make_ticket,
    make_user,
)

pytestmark = pytest.mark.django_db

CONFIRMED = SessionSignup.Status.CONFIRMED
WAITLISTED = SessionSignup.Status.WAITLISTED
CANCELLED = SessionSignup.Status.CANCELLED


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


@pytest.fixture
def safe_client(client):
    """A client that gets the 500 page back instead of the exception, as a browser would."""
    client.raise_request_exception = False
    return client


@pytest.fixture
def registered(user, free_ticket):
    registration_create(user=user, ticket_type=free_ticket)
    return user


def _attendee(ticket) -> object:
    person = make_user()
    registration_create(user=person, ticket_type=ticket)
    return person


# --------------------------------------------------------------------------- pages


@pytest.mark.parametrize(
    "query",
    ["page=abc", "page=-1", "page=0", "page=1.5", "page=1e400",
     "page=99999999999999999999999999999", "when=past&page=-7"],
)  # fmt: skip
def test_event_list_survives_any_page_parameter(safe_client, org, query):
    make_event(org, title="Trauma-Informed Care Summit")
    response = safe_client.get(reverse("events:event_list") + "?" + query)
    assert response.status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/events/no-such-event/",
        "/events/no-such-event/sessions/1/",
        "/events/{slug}/sessions/99999999999999999999999999/",
        "/events/{slug}/sessions/0/",
    ],
)
def test_unknown_events_and_sessions_are_404(safe_client, event, path):
    assert safe_client.get(path.format(slug=event.slug)).status_code == 404


def test_a_session_of_another_event_is_not_shown_under_this_event(client, event, org):
    other = make_session(make_event(org), title="Belongs Elsewhere")
    response = client.get(reverse("events:session_detail", args=[event.slug, other.pk]))
    assert response.status_code == 404


@pytest.mark.parametrize("make_url", [
    lambda draft, session: reverse("events:event_detail", args=[draft.slug]),
    lambda draft, session: reverse("events:session_detail", args=[draft.slug, session.pk]),
    lambda draft, session: f"/api/events/{draft.slug}",
    lambda draft, session: f"/api/events/{draft.slug}/sessions",
])  # fmt: skip
def test_drafts_are_hidden_from_attendees_and_other_providers(client, org, make_url):
    draft = make_event(org, status=Event.Status.DRAFT, title="Unannounced Retreat")
    session = make_session(draft, title="Secret Session Title")
    url = make_url(draft, session)
    for person in [None, make_user(), make_organizer(make_org())]:
        client.logout()
        if person is not None:
            client.force_login(person)
        response = client.get(url)
        assert response.status_code == 404
        assert "Secret Session Title" not in response.content.decode()


def test_drafts_never_appear_in_the_event_list_or_the_api(client, org):
    make_event(org, status=Event.Status.DRAFT, title="Unannounced Retreat", slug="unannounced")
    assert "Unannounced Retreat" not in client.get(reverse("events:event_list")).content.decode()
    slugs = [item["slug"] for item in client.get("/api/events?limit=100").json()["items"]]
    assert "unannounced" not in slugs


# --------------------------------------------------------------------------- registering


@pytest.mark.parametrize(
    "value",
    ["", "abc", "-1", "0", "1.5", "\x00", "ü", "99999999999999999999999999999", "1" * 5000],
)
def test_registering_with_a_bad_ticket_id_shows_an_error_and_changes_nothing(
    safe_client, user, event, free_ticket, value
):
    safe_client.force_login(user)
    response = safe_client.post(
        reverse("events:register", args=[event.slug]), {"ticket_type": value}, follow=True
    )
    assert response.status_code == 200
    # e.g. "Choose one of the tickets on offer." or "Null characters are not allowed."
    assert [m for m in response.context["messages"] if m.level_tag == "error"]
    assert not Registration.objects.exists()


def test_registering_with_no_post_fields_at_all_asks_for_a_ticket(client, user, event):
    client.force_login(user)
    response = client.post(reverse("events:register", args=[event.slug]), follow=True)
    assert "Choose a ticket." in messages_of(response)
    assert not Registration.objects.exists()


@pytest.mark.parametrize("which", ["other_event", "other_provider", "inactive"])
def test_a_ticket_that_is_not_on_offer_for_this_event_is_refused(client, user, event, which):
    ticket = {
        "other_event": lambda: make_ticket(make_event(event.organization)),
        "other_provider": lambda: make_ticket(make_event(make_org())),
        "inactive": lambda: make_ticket(event, is_active=False),
    }[which]()
    client.force_login(user)
    response = client.post(
        reverse("events:register", args=[event.slug]), {"ticket_type": ticket.pk}, follow=True
    )
    assert "Choose one of the tickets on offer." in messages_of(response)
    assert not Registration.objects.exists()


def test_registering_for_an_unknown_event_is_a_404(client, user, free_ticket):
    client.force_login(user)
    response = client.post(
        reverse("events:register", args=["no-such-event"]), {"ticket_type": free_ticket.pk}
    )
    assert response.status_code == 404
    assert not Registration.objects.exists()


def test_pressing_register_twice_keeps_one_registration_and_says_so(
    client, user, event, free_ticket
):
    client.force_login(user)
    url = reverse("events:register", args=[event.slug])
    client.post(url, {"ticket_type": free_ticket.pk})
    response = client.post(url, {"ticket_type": free_ticket.pk}, follow=True)
    assert "You are already registered for this event." in messages_of(response)
    assert Registration.objects.filter(user=user).count() == 1


def test_a_second_ticket_type_cannot_give_a_second_place(client, user, event, free_ticket):
    other = make_ticket(event, name="Student")
    client.force_login(user)
    url = reverse("events:register", args=[event.slug])
    client.post(url, {"ticket_type": free_ticket.pk})
    client.post(url, {"ticket_type": other.pk})
    assert Registration.objects.filter(user=user, status__in=Registration.ACTIVE).count() == 1


def test_the_last_ticket_is_sold_once(client, event):
    ticket = make_ticket(event, capacity=1)
    first, second = make_user(), make_user()
    url = reverse("events:register", args=[event.slug])
    client.force_login(first)
    client.post(url, {"ticket_type": ticket.pk})
    client.force_login(second)
    response = client.post(url, {"ticket_type": ticket.pk}, follow=True)
    assert any("sold out" in m for m in messages_of(response))
    assert ticket.registrations.filter(status__in=Registration.ACTIVE).count() == 1


# --------------------------------------------------------------------------- session sign-up


def test_signing_up_without_a_registration_explains_what_to_do(client, user, event):
    session = make_session(event, capacity=5)
    client.force_login(user)
    response = client.post(
        reverse("events:session_signup", args=[event.slug, session.pk]), follow=True
    )
    assert "Register for the event before choosing sessions." in messages_of(response)
    assert not SessionSignup.objects.exists()


def test_a_seat_in_another_event_needs_that_events_registration(client, registered, event, org):
    elsewhere = make_session(make_event(org), capacity=5)
    client.force_login(registered)
    response = client.post(
        reverse("events:session_signup", args=[elsewhere.event.slug, elsewhere.pk]), follow=True
    )
    assert "Register for the event before choosing sessions." in messages_of(response)
    assert not SessionSignup.objects.exists()


def test_signing_up_under_an_unknown_event_slug_is_a_404_and_takes_no_seat(
    client, registered, event
):
    session = make_session(event, capacity=5)
    client.force_login(registered)
    response = client.post(reverse("events:session_signup", args=["no-such-event", session.pk]))
    assert response.status_code == 404
    assert not SessionSignup.objects.exists()


def test_a_draft_events_session_title_does_not_leak_through_the_signup_error(
    client, registered, event
):
    draft = make_event(make_org(), status=Event.Status.DRAFT)
    secret = make_session(draft, title="Unannounced Keynote by Famous Person")
    client.force_login(registered)
    response = client.post(
        reverse("events:session_signup", args=[event.slug, secret.pk]), follow=True
    )
    assert not any("Unannounced Keynote" in m for m in messages_of(response))
    assert "Unannounced Keynote" not in response.content.decode()


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example.com/",
        "//evil.example.com/",
        "///evil.example.com/",
        "/\\evil.example.com/",
        "\\\\evil.example.com",
        "https:evil.example.com",
        " //evil.example.com",
        "javascript:alert(1)",
        "http://testserver.evil.example.com/",
    ],
)
def test_session_signup_never_redirects_off_site(client, registered, event, target):
    session = make_session(event, capacity=5)
    client.force_login(registered)
    response = client.post(
        reverse("events:session_signup", args=[event.slug, session.pk]), {"next": target}
    )
    assert response.status_code == 302
    assert response["Location"].startswith(event.get_absolute_url())
    assert SessionSignup.objects.get().status == CONFIRMED


def test_session_signup_follows_a_next_url_on_this_site(client, registered, event):
    session = make_session(event, capacity=5)
    client.force_login(registered)
    back = reverse("events:session_detail", args=[event.slug, session.pk]) + "?from=schedule"
    response = client.post(
        reverse("events:session_signup", args=[event.slug, session.pk]), {"next": back}
    )
    assert response["Location"] == back


@pytest.mark.parametrize("target", ["/ok\r\nSet-Cookie: x=1", "/ok\nfoo", "/ok\x00", "/ü"])
def test_a_next_url_with_control_characters_cannot_inject_headers(
    safe_client, registered, event, target
):
    session = make_session(event, capacity=5)
    safe_client.force_login(registered)
    response = safe_client.post(
        reverse("events:session_signup", args=[event.slug, session.pk]), {"next": target}
    )
    assert response.status_code == 302
    assert "\n" not in response["Location"] and "\r" not in response["Location"]
    assert "x=1" not in response.cookies


def test_signing_up_twice_for_a_session_keeps_one_seat(client, registered, event):
    session = make_session(event, capacity=5, title="EMDR Basics")
    client.force_login(registered)
    url = reverse("events:session_signup", args=[event.slug, session.pk])
    client.post(url)
    response = client.post(url, follow=True)
    assert "You are already in “EMDR Basics”." in messages_of(response)
    assert SessionSignup.objects.filter(session=session).count() == 1


# --------------------------------------------------------------------------- other people's places


def test_nobody_else_can_see_or_cancel_my_registration(client, registered, event):
    registration = Registration.objects.get(user=registered)
    url = reverse("events:registration_cancel", args=[registration.code])
    for person in [make_user(), make_organizer(make_org())]:
        client.force_login(person)
        assert client.get(url).status_code == 404
        assert client.post(url).status_code == 404
    registration.refresh_from_db()
    assert registration.status == Registration.Status.CONFIRMED


def test_nobody_else_can_see_or_give_up_my_seat(client, registered, event):
    signup = session_signup_create(user=registered, session_id=make_session(event, capacity=3).pk)
    url = reverse("events:signup_cancel", args=[signup.pk])
    for person in [make_user(), make_organizer(make_org())]:
        client.force_login(person)
        assert client.get(url).status_code == 404
        assert client.post(url).status_code == 404
    signup.refresh_from_db()
    assert signup.status == CONFIRMED


def test_my_registrations_shows_only_my_own(client, event, free_ticket):
    mine, theirs = make_user(), make_user()
    registration_create(user=mine, ticket_type=free_ticket)
    their_registration = registration_create(user=theirs, ticket_type=free_ticket)
    client.force_login(mine)
    page = client.get(reverse("events:my_registrations")).content.decode()
    assert their_registration.code not in page


@pytest.mark.parametrize(
    "path",
    ["/me/registrations/" + "%C3%BC" * 200 + "/cancel/",
     "/me/signups/99999999999999999999999999/cancel/", "/me/signups/0/cancel/"],
)  # fmt: skip
def test_bad_codes_and_ids_in_my_urls_are_404(safe_client, user, path):
    safe_client.force_login(user)
    assert safe_client.get(path).status_code == 404
    assert safe_client.post(path).status_code == 404


def test_cancelling_twice_says_it_is_already_cancelled(client, registered):
    registration = Registration.objects.get(user=registered)
    client.force_login(registered)
    url = reverse("events:registration_cancel", args=[registration.code])
    client.post(url)
    response = client.post(url, follow=True)
    assert "This registration is already cancelled." in messages_of(response)


def test_giving_up_a_seat_twice_says_it_is_already_cancelled(client, registered, event):
    signup = session_signup_create(user=registered, session_id=make_session(event).pk)
    client.force_login(registered)
    url = reverse("events:signup_cancel", args=[signup.pk])
    client.post(url)
    response = client.post(url, follow=True)
    assert "This sign-up is already cancelled." in messages_of(response)


# --------------------------------------------------------------------------- GET and CSRF


def test_nothing_changes_on_get(client, registered, event, free_ticket):
    session = make_session(event, capacity=5)
    signup = session_signup_create(user=registered, session_id=session.pk)
    registration = Registration.objects.get(user=registered)
    client.force_login(registered)
    expected = {
        reverse("events:register", args=[event.slug]): 405,
        reverse("events:session_signup", args=[event.slug, session.pk]): 405,
        reverse("events:registration_cancel", args=[registration.code]): 200,  # asks first
        reverse("events:signup_cancel", args=[signup.pk]): 200,  # asks first
    }
    for url, status in expected.items():
        assert client.get(url).status_code == status
    registration.refresh_from_db()
    signup.refresh_from_db()
    assert registration.status == Registration.Status.CONFIRMED
    assert signup.status == CONFIRMED


def test_every_form_that_changes_something_needs_a_csrf_token(registered, event, free_ticket):
    session = make_session(event, capacity=5)
    signup = session_signup_create(user=registered, session_id=session.pk)
    registration = Registration.objects.get(user=registered)
    other_session = make_session(event, capacity=5)
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(registered)
    for url in [
        reverse("events:register", args=[event.slug]),
        reverse("events:session_signup", args=[event.slug, other_session.pk]),
        reverse("events:registration_cancel", args=[registration.code]),
        reverse("events:signup_cancel", args=[signup.pk]),
    ]:
        assert browser.post(url, {"ticket_type": free_ticket.pk}).status_code == 403
    registration.refresh_from_db()
    signup.refresh_from_db()
    assert registration.status == Registration.Status.CONFIRMED
    assert signup.status == CONFIRMED
    assert not other_session.signups.exists()


# --------------------------------------------------------------------------- API


@pytest.mark.parametrize("query", ["limit=-1", "limit=0", "offset=-1", "limit=abc", "offset=1e3",
                                   "limit=1.5"])  # fmt: skip
def test_api_pagination_refuses_bad_numbers_with_422(client, org, query):
    make_event(org)
    response = client.get("/api/events?" + query)
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_input"


def test_api_offset_past_the_end_is_an_empty_page(client, org):
    make_event(org)
    body = client.get("/api/events?offset=1000000").json()
    assert body == {"items": [], "count": 1}


@pytest.mark.parametrize("query", ["offset=99999999999999999999", "limit=99999999999999999999"])
def test_api_pagination_with_a_huge_number_is_not_a_500(safe_client, org, query):
    make_event(org)
    response = safe_client.get("/api/events?" + query)
    assert response.status_code in (200, 422)


@pytest.mark.parametrize("slug", ["no-such-event", "%C3%BC", "a" * 500])
def test_api_unknown_slugs_answer_404_with_a_code(safe_client, org, slug):
    for path in [f"/api/events/{slug}", f"/api/events/{slug}/sessions"]:
        response = safe_client.get(path)
        assert response.status_code == 404
        assert response.json()["code"] == "event_not_found"


# --------------------------------------------------------------------------- waitlists and seats


def test_lowering_capacity_below_the_seats_taken_promotes_nobody_on_cancel(event, free_ticket):
    session = make_session(event, capacity=2)
    people = [_attendee(free_ticket) for _ in range(3)]
    signups = [session_signup_create(user=p, session_id=session.pk) for p in people]
    Session.objects.filter(pk=session.pk).update(capacity=1)  # the organizer shrinks the room
    session_signup_cancel(signup=signups[0], by=people[0])
    signups[2].refresh_from_db()
    assert signups[2].status == WAITLISTED
    assert session.signups.filter(status=CONFIRMED).count() == 1


def test_the_waitlist_moves_up_first_come_first_served(event, free_ticket):
    session = make_session(event, capacity=1)
    people = [_attendee(free_ticket) for _ in range(4)]
    signups = [session_signup_create(user=p, session_id=session.pk) for p in people]
    registration_cancel(registration=signups[0].registration, by=people[0])
    statuses = list(
        SessionSignup.objects.filter(pk__in=[s.pk for s in signups])
        .order_by("pk")
        .values_list("status", flat=True)
    )
    assert statuses == [CANCELLED, CONFIRMED, WAITLISTED, WAITLISTED]


def test_cancelling_a_registration_frees_seats_in_every_session_it_held(event, free_ticket):
    first = make_session(event, capacity=1)
    second = make_session(event, capacity=1, start=first.ends_at + timedelta(hours=1))
    holder = _attendee(free_ticket)
    waiting = [_attendee(free_ticket), _attendee(free_ticket)]
    for session in (first, second):
        session_signup_create(user=holder, session_id=session.pk)
    session_signup_create(user=waiting[0], session_id=first.pk)
    session_signup_create(user=waiting[1], session_id=second.pk)
    registration_cancel(registration=Registration.objects.get(user=holder), by=holder)
    assert first.signups.get(status=CONFIRMED).registration.user == waiting[0]
    assert second.signups.get(status=CONFIRMED).registration.user == waiting[1]


def test_removing_a_sessions_seat_limit_in_the_admin_seats_everyone_waiting(
    client, event, free_ticket, organizer
):
    session = make_session(event, capacity=1, title="Ethics in Telehealth")
    people = [_attendee(free_ticket) for _ in range(3)]
    for person in people:
        session_signup_create(user=person, session_id=session.pk)
    client.force_login(organizer)
    start, end = session.starts_at, session.ends_at
    response = client.post(
        reverse("admin:events_session_change", args=[session.pk]),
        {
            "event": event.pk,
            "title": session.title,
            "kind": session.kind,
            "starts_at_0": start.strftime("%Y-%m-%d"),
            "starts_at_1": start.strftime("%H:%M:%S"),
            "ends_at_0": end.strftime("%Y-%m-%d"),
            "ends_at_1": end.strftime("%H:%M:%S"),
            "ce_hours": "1",
            "capacity": "",  # open to every attendee from now on
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    session.refresh_from_db()
    assert session.capacity is None
    assert session.signups.filter(status=WAITLISTED).count() == 0
    assert session.signups.filter(status=CONFIRMED).count() == 3


def test_nobody_is_promoted_into_a_cancelled_session(
    event, free_ticket, django_capture_on_commit_callbacks
):
    session = make_session(event, capacity=1, title="Cancelled Workshop")
    holder, waiting = _attendee(free_ticket), _attendee(free_ticket)
    seat = session_signup_create(user=holder, session_id=session.pk)
    place = session_signup_create(user=waiting, session_id=session.pk)
    Session.objects.filter(pk=session.pk).update(is_cancelled=True)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        session_signup_cancel(signup=seat, by=holder)
    place.refresh_from_db()
    assert place.status == WAITLISTED
    assert not any("You have a seat" in m.subject for m in mail.outbox)


def test_giving_up_a_seat_after_the_session_ended_emails_nobody_a_seat(
    org, django_capture_on_commit_callbacks
):
    now = timezone.now()
    event = make_event(org, starts_at=now - timedelta(hours=6))
    ticket = make_ticket(event)
    session = make_session(event, capacity=1, start=now + timedelta(hours=1))
    holder, waiting = _attendee(ticket), _attendee(ticket)
    seat = session_signup_create(user=holder, session_id=session.pk)
    place = session_signup_create(user=waiting, session_id=session.pk)
    Session.objects.filter(pk=session.pk).update(
        starts_at=now - timedelta(hours=3), ends_at=now - timedelta(hours=2)
    )
    mail.outbox.clear()
    # Refusing to give up a seat in a finished session is one acceptable fix.
    with django_capture_on_commit_callbacks(execute=True), contextlib.suppress(RegistrationError):
        session_signup_cancel(signup=seat, by=holder)
    place.refresh_from_db()
    assert place.status == WAITLISTED
    assert not any("You have a seat" in m.subject for m in mail.outbox)


# --------------------------------------------------------------------------- admin


@pytest.fixture
def providers():
    """Provider A (the organizer's) and provider B (someone else's) with one of everything."""
    a, b = make_org(), make_org()
    b.name = "Bravo Hidden Provider"
    b.save()
    a_event = make_event(a, title="Alpha Annual Conference")
    b_event = make_event(b, title="Bravo Unannounced Draft", status=Event.Status.DRAFT)
    a_presenter = Presenter.objects.create(organization=a, name="Alice Presenter")
    b_presenter = Presenter.objects.create(organization=b, name="Bravo Hidden Presenter")
    a_session = make_session(a_event, title="Alpha Session")
    b_session = make_session(b_event, title="Bravo Hidden Session")
    Track.objects.create(event=b_event, name="Bravo Hidden Track")
    a_ticket = make_ticket(a_event, name="Alpha Ticket")
    b_ticket = make_ticket(b_event, name="Bravo Hidden Ticket", price=Decimal("90"))
    registration_create(user=make_user(), ticket_type=a_ticket)
    b_event.status = Event.Status.PUBLISHED
    b_event.save()
    b_registration = registration_create(user=make_user(email="bravo.attendee@example.com"),
                                         ticket_type=b_ticket)  # fmt: skip
    b_event.status = Event.Status.DRAFT
    b_event.save()
    return {
        "a": a, "b": b, "a_event": a_event, "b_event": b_event,
        "a_presenter": a_presenter, "b_presenter": b_presenter,
        "a_session": a_session, "b_session": b_session,
        "b_ticket": b_ticket, "b_registration": b_registration,
        "organizer": make_organizer(a),
    }  # fmt: skip


B_ROW_TEXT = ["Bravo Unannounced Draft", "Bravo Hidden Session", "Bravo Hidden Presenter",
              "bravo.attendee@example.com"]  # fmt: skip
B_ANY_TEXT = [*B_ROW_TEXT, "Bravo Hidden Provider", "Bravo Hidden Track", "Bravo Hidden Ticket"]

CHANGELISTS = ["event", "session", "presenter", "tickettype", "registration", "organization"]


@pytest.mark.parametrize("model", CHANGELISTS)
def test_admin_change_lists_show_no_rows_of_another_provider(client, providers, model):
    client.force_login(providers["organizer"])
    response = client.get(reverse(f"admin:events_{model}_changelist"))
    assert response.status_code == 200
    rows = [str(obj) for obj in response.context["cl"].result_list]
    assert rows, "the organizer sees their own rows"
    assert not any(text in row for row in rows for text in B_ANY_TEXT)


@pytest.mark.parametrize("model", ["event", "session", "presenter", "tickettype", "registration"])
def test_admin_change_list_filters_name_nothing_of_another_provider(client, providers, model):
    client.force_login(providers["organizer"])
    page = client.get(reverse(f"admin:events_{model}_changelist")).content.decode()
    assert not [text for text in B_ANY_TEXT if text in page]


@pytest.mark.parametrize(
    ("model", "field", "mine", "theirs"),
    [
        ("event", "organization", "a", "b"),
        ("session", "event", "a_event", "b_event"),
        ("session", "presenters", "a_presenter", "b_presenter"),
        ("tickettype", "event", "a_event", "b_event"),
        ("presenter", "organization", "a", "b"),
    ],
)
def test_admin_add_forms_offer_only_the_organizers_own_choices(
    client, providers, model, field, mine, theirs
):
    client.force_login(providers["organizer"])
    response = client.get(reverse(f"admin:events_{model}_add"))
    assert response.status_code == 200
    choices = response.context["adminform"].form.fields[field].queryset
    assert providers[mine] in choices
    assert providers[theirs] not in choices
    assert str(providers[theirs]) not in response.content.decode()


def test_admin_session_change_form_offers_only_own_presenters(client, providers):
    client.force_login(providers["organizer"])
    url = reverse("admin:events_session_change", args=[providers["a_session"].pk])
    response = client.get(url)
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert providers["b_presenter"] not in form.fields["presenters"].queryset
    assert providers["b_event"] not in form.fields["event"].queryset
    assert not [text for text in B_ANY_TEXT if text in response.content.decode()]


def _session_post(event, **extra) -> dict:
    start = (timezone.now() + timedelta(days=40)).replace(microsecond=0)
    data = {
        "event": event.pk,
        "title": "Posted Session",
        "kind": "talk",
        "starts_at_0": start.strftime("%Y-%m-%d"),
        "starts_at_1": start.strftime("%H:%M:%S"),
        "ends_at_0": start.strftime("%Y-%m-%d"),
        "ends_at_1": (start + timedelta(hours=1)).strftime("%H:%M:%S"),
        "ce_hours": "1",
    }
    data.update(extra)
    return data


def test_admin_refuses_a_session_for_another_providers_event(client, providers):
    client.force_login(providers["organizer"])
    before = Session.objects.count()
    response = client.post(reverse("admin:events_session_add"), _session_post(providers["b_event"]))
    assert response.status_code == 200
    assert "event" in response.context["adminform"].form.errors
    assert Session.objects.count() == before


def test_admin_refuses_another_providers_presenter_on_a_session(client, providers):
    client.force_login(providers["organizer"])
    before = Session.objects.count()
    data = _session_post(providers["a_event"], presenters=[providers["b_presenter"].pk])
    response = client.post(reverse("admin:events_session_add"), data)
    assert response.status_code == 200
    assert "presenters" in response.context["adminform"].form.errors
    assert Session.objects.count() == before


def test_admin_refuses_a_ticket_type_for_another_providers_event(client, providers):
    client.force_login(providers["organizer"])
    response = client.post(
        reverse("admin:events_tickettype_add"),
        {"event": providers["b_event"].pk, "name": "Sneaky", "price": "0", "currency": "USD",
         "position": "0", "is_active": "on"},
    )  # fmt: skip
    assert response.status_code == 200
    assert not providers["b_event"].ticket_types.filter(name="Sneaky").exists()


def test_admin_refuses_a_room_of_another_event(client, providers):
    other_event = make_event(providers["a"], title="Alpha Winter Workshop")
    room = Room.objects.create(event=other_event, name="Main hall")
    client.force_login(providers["organizer"])
    data = _session_post(providers["a_event"], room=room.pk)
    client.post(reverse("admin:events_session_add"), data)
    assert not Session.objects.filter(title="Posted Session", room=room).exists()


@pytest.mark.parametrize("view", ["change", "history", "delete"])
@pytest.mark.parametrize(
    ("model", "key"),
    [("event", "b_event"), ("session", "b_session"), ("presenter", "b_presenter"),
     ("tickettype", "b_ticket"), ("registration", "b_registration"), ("organization", "b")],
)  # fmt: skip
def test_admin_pages_of_another_providers_objects_are_closed(client, providers, view, model, key):
    client.force_login(providers["organizer"])
    response = client.get(reverse(f"admin:events_{model}_{view}", args=[providers[key].pk]))
    assert response.status_code in (302, 403)
    if response.status_code == 302:
        assert response["Location"] == reverse("admin:index")


def test_admin_actions_ignore_another_providers_registrations(client, providers):
    registration = providers["b_registration"]
    client.force_login(providers["organizer"])
    for action in ["mark_paid", "cancel_registrations"]:
        client.post(
            reverse("admin:events_registration_changelist"),
            {"action": action, "_selected_action": [registration.pk]},
        )
    registration.refresh_from_db()
    assert registration.status == Registration.Status.AWAITING_PAYMENT


@pytest.mark.parametrize(
    "query",
    ["event__id__exact={b_event}", "event__id__exact=abc", "q=bravo.attendee",
     "status__exact=nonsense", "o=99", "p=-1"],
)  # fmt: skip
def test_admin_registration_filters_cannot_reach_another_providers_rows(
    safe_client, providers, query
):
    safe_client.force_login(providers["organizer"])
    url = reverse("admin:events_registration_changelist")
    response = safe_client.get(url + "?" + query.format(b_event=providers["b_event"].pk))
    assert response.status_code in (200, 302)
    if response.status_code == 200:
        assert providers["b_registration"] not in list(response.context["cl"].result_list)


def test_a_scanner_cannot_use_the_admin(client, org):
    scanner = make_organizer(org, role="scanner")
    client.force_login(scanner)
    assert client.get(reverse("admin:events_event_changelist")).status_code == 403
