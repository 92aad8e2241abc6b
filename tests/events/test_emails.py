"""Emails, read from the locmem outbox: who gets what, exactly once, and that each
has a plain-text part, an HTML alternative, the event's name in the subject and
absolute links back to the site. Emails are queued on commit, so each action runs
inside django_capture_on_commit_callbacks(execute=True)."""

import io
import json
import re
from datetime import datetime, timedelta
from decimal import Decimal
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

import icalendar
import pytest
import vobject
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from events.models import Event, Organization, Registration, Room, Session, SessionSignup
from events.services import payments as payment_service
from events.services import (
    registration_cancel,
    registration_confirm,
    registration_create,
    session_signup_cancel,
    session_signup_create,
)
from events.services.notify import email_after_commit, event_reminders_send
from events.services.payments import checkout_start
from events.services.sessions import SessionChange, session_change_notify
from events.tasks import send_email
from tests.conftest import requires_postgres
from tests.events.stripe_fake import WEBHOOK_SECRET, FakeStripe, completed, sign, stripe_event
from tests.events.test_concurrency import race
from tests.factories import (
    make_event,
    make_org,
    make_organizer,
    make_session,
    make_ticket,
    make_user,
)

pytestmark = pytest.mark.django_db

SITE = "https://ce.example.org"
NEW_YORK = ZoneInfo("America/New_York")


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = SITE
    settings.STRIPE_SECRET_KEY = ""


@pytest.fixture
def conference(db):
    org = Organization.objects.create(
        name="Riverside Training Institute", slug="riverside", contact_email="ce@riverside.example"
    )
    starts = datetime(2031, 5, 8, 9, 0, tzinfo=NEW_YORK)
    return make_event(
        org,
        title="Trauma-Informed Care Summit",
        starts_at=starts,
        ends_at=starts + timedelta(days=1, hours=8),
        venue_name="Harbor Conference Center",
        venue_address="1 Pier Road, Boston, MA",
    )


@pytest.fixture
def ticket(conference):
    return make_ticket(conference, name="Full conference")


@pytest.fixture
def workshop(conference):
    room = Room.objects.create(event=conference, name="Ballroom A")
    return make_session(
        conference,
        start=datetime(2031, 5, 8, 10, 0, tzinfo=NEW_YORK),
        minutes=90,
        title="EMDR for Complex Trauma",
        room=room,
        capacity=1,
    )


def registered(ticket, user=None) -> Registration:
    return registration_create(user=user or make_user(), ticket_type=ticket)


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs) -> None:
        self.hrefs += [value for name, value in attrs if name == "href"]


def html_of(message) -> str:
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    return html


def assert_well_formed(message, event: Event) -> None:
    """Text and HTML parts, the event's name in the subject, absolute links only."""
    assert event.title in message.subject
    assert message.body.strip() and "<" not in message.body.split("\n")[0]
    html = html_of(message)
    assert html.startswith("<!DOCTYPE html>") and '<html lang="en">' in html
    assert f"Sent by Convene on behalf of {escape(event.organization.name)}" in html
    links = _Links()
    links.feed(html)
    assert links.hrefs, "the HTML part links back to the site"
    for href in links.hrefs:
        assert href.startswith((SITE + "/", "mailto:")), href
    text_links = re.findall(r"https?://\S+", message.body)
    assert text_links, "the text part links back to the site"
    for url in text_links:
        assert url.startswith(SITE + "/"), url


def ics_of(message, event: Event) -> icalendar.Calendar:
    [(name, content, mimetype)] = message.attachments
    assert (name, mimetype) == (f"{event.slug}.ics", "text/calendar")
    vobject.readOne(content)  # an independent parser accepts it too
    return icalendar.Calendar.from_ical(content)


def summaries(calendar: icalendar.Calendar) -> list[str]:
    return [str(component["SUMMARY"]) for component in calendar.walk("VEVENT")]


# ---------- registration confirmed ----------


def test_free_registration_is_confirmed_by_one_email_with_the_calendar_and_badge_link(
    ticket, conference, mailoutbox, django_capture_on_commit_callbacks
):
    user = make_user()
    with django_capture_on_commit_callbacks(execute=True):
        registration = registered(ticket, user)

    [message] = mailoutbox
    assert message.to == [user.email]
    assert message.subject == "You're registered: Trauma-Informed Care Summit"
    assert_well_formed(message, conference)
    badge = SITE + reverse("checkin:badge", args=[registration.code])
    assert badge in message.body and f'href="{badge}"' in html_of(message)
    calendar = ics_of(message, conference)
    assert summaries(calendar) == ["Trauma-Informed Care Summit"]
    assert "Harbor Conference Center" in str(calendar.walk("VEVENT")[0]["LOCATION"])


def test_pay_later_registration_is_told_how_to_pay_then_confirmed_when_marked_paid(
    conference, mailoutbox, django_capture_on_commit_callbacks
):
    paid = make_ticket(conference, name="Full conference", price=Decimal("250"))
    organizer = make_organizer(conference.organization)
    user = make_user()
    with django_capture_on_commit_callbacks(execute=True):
        registration = registered(paid, user)
    [waiting] = mailoutbox
    assert waiting.subject == "Your place is held: Trauma-Informed Care Summit"
    assert "Online payment is not available" in waiting.body and "$250" in waiting.body
    assert "Finish paying" not in waiting.body and not waiting.attachments
    assert_well_formed(waiting, conference)

    with django_capture_on_commit_callbacks(execute=True):
        registration_confirm(registration=registration, by=organizer)
    assert len(mailoutbox) == 2
    confirmed = mailoutbox[1]
    assert confirmed.to == [user.email] and confirmed.subject.startswith("You're registered")
    assert_well_formed(confirmed, conference)
    assert SITE + reverse("checkin:badge", args=[registration.code]) in confirmed.body
    assert "Trauma-Informed Care Summit" in summaries(ics_of(confirmed, conference))


@pytest.fixture
def fake_stripe(settings, monkeypatch):
    settings.STRIPE_SECRET_KEY = "sk_test_convene"
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    fake = FakeStripe()
    monkeypatch.setattr(payment_service, "HTTP_CLIENT", fake)
    return fake


def test_stripe_registration_says_until_when_the_seat_is_held_then_payment_confirms_it(
    client, fake_stripe, conference, mailoutbox, django_capture_on_commit_callbacks
):
    paid = make_ticket(conference, name="Full conference", price=Decimal("395"))
    user = make_user()
    with django_capture_on_commit_callbacks(execute=True):
        registration = registered(paid, user)
    [waiting] = mailoutbox
    assert waiting.subject == "Finish paying to keep your place: Trauma-Informed Care Summit"
    held_until = timezone.localtime(registration.hold_expires_at, NEW_YORK)
    assert held_until.strftime("%-I:%M %p") in waiting.body  # the event's time zone
    assert "EDT" in waiting.body
    finish = f"{SITE}{reverse('events:my_registrations')}#registration-{registration.code}"
    assert finish in waiting.body and f'href="{finish}"' in html_of(waiting)
    assert_well_formed(waiting, conference)

    payment = checkout_start(registration=registration, by=user)
    body = stripe_event(
        "checkout.session.completed",
        completed(payment.stripe_checkout_session_id, payment_intent="pi_mail", amount=39500,
                  code=registration.code),
    )  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(3):  # Stripe retries: one email all the same
            client.post(
                "/stripe/webhook/",
                body,
                content_type="application/json",
                HTTP_STRIPE_SIGNATURE=sign(body),
            )
    assert len(mailoutbox) == 2
    received = mailoutbox[1]
    assert received.subject == "Payment received, you're registered: Trauma-Informed Care Summit"
    assert_well_formed(received, conference)
    assert SITE + reverse("checkin:badge", args=[registration.code]) in received.body
    assert summaries(ics_of(received, conference)) == ["Trauma-Informed Care Summit"]


# ---------- session changed or cancelled ----------


def admin_save(client, session: Session, **changes) -> None:
    """Save the session through the admin's change form, as an organizer does."""
    url = reverse("admin:events_session_change", args=[session.pk])
    form = client.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None}
    tz = session.event.tzinfo
    starts = changes.pop("starts_at", session.starts_at).astimezone(tz)
    ends = changes.pop("ends_at", session.ends_at).astimezone(tz)
    data.pop("starts_at", None)
    data.pop("ends_at", None)
    data.update(
        {
            "starts_at_0": starts.strftime("%Y-%m-%d"),
            "starts_at_1": starts.strftime("%H:%M:%S"),
            "ends_at_0": ends.strftime("%Y-%m-%d"),
            "ends_at_1": ends.strftime("%H:%M:%S"),
            "presenters": [],
            "track": "",
            "room": data.get("room") or "",
            "capacity": data.get("capacity") or "",
        }
    )
    data.update(changes)
    if not data.get("is_cancelled"):
        data.pop("is_cancelled", None)  # an unchecked box is absent from a form post
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors


@pytest.fixture
def booked(ticket, workshop, conference):
    """Who is in the workshop: a seat, a waitlist place; and who is not any more."""
    seat, waiting, left, gone, elsewhere = (make_user() for _ in range(5))
    for person in (seat, waiting, left, gone, elsewhere):
        registered(ticket, person)
    session_signup_create(user=seat, session_id=workshop.pk)
    session_signup_create(user=waiting, session_id=workshop.pk)  # capacity 1: waitlisted
    signup = session_signup_create(user=left, session_id=workshop.pk)
    session_signup_cancel(signup=signup, by=left)
    session_signup_create(user=gone, session_id=workshop.pk)
    registration_cancel(registration=gone.registrations.get(), by=gone)
    other = make_session(conference, start=workshop.starts_at + timedelta(hours=3))
    session_signup_create(user=elsewhere, session_id=other.pk)
    return {"seat": seat, "waiting": waiting}


@pytest.fixture
def organizer_client(client, conference):
    client.force_login(make_organizer(conference.organization))
    return client


def test_moving_a_session_emails_each_booked_person_once_and_nobody_else(
    organizer_client, workshop, booked, conference, mailoutbox, django_capture_on_commit_callbacks
):
    later = workshop.starts_at + timedelta(hours=2)
    with django_capture_on_commit_callbacks(execute=True):
        admin_save(
            organizer_client, workshop, starts_at=later, ends_at=later + timedelta(minutes=90)
        )

    assert sorted(m.to[0] for m in mailoutbox) == sorted(u.email for u in booked.values())
    for message in mailoutbox:
        assert message.subject == (
            "Session changed: EMDR for Complex Trauma at Trauma-Informed Care Summit"
        )
        assert_well_formed(message, conference)
        # Old and new times, in the event's time zone (EDT), not UTC.
        assert "Old time: Thursday, May 8, 10:00 AM – 11:30 AM EDT" in message.body
        assert "New time: Thursday, May 8, 12:00 PM – 1:30 PM EDT" in message.body
        page = SITE + reverse("events:session_detail", args=[conference.slug, workshop.pk])
        assert page in message.body and f'href="{page}"' in html_of(message)
    seat_mail = next(m for m in mailoutbox if m.to == [booked["seat"].email])
    [vsession] = [c for c in ics_of(seat_mail, conference).walk("VEVENT") if "session" in c["UID"]]
    assert vsession.decoded("DTSTART") == later and int(vsession["SEQUENCE"]) == 1


def test_a_title_or_capacity_change_emails_nobody(
    organizer_client, workshop, booked, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        admin_save(organizer_client, workshop, title="EMDR for Complex Trauma (Part 1)")
    assert mailoutbox == []


def test_a_room_change_says_which_room(
    organizer_client, workshop, booked, conference, mailoutbox, django_capture_on_commit_callbacks
):
    hall = Room.objects.create(event=conference, name="Harbor Hall")
    with django_capture_on_commit_callbacks(execute=True):
        admin_save(organizer_client, workshop, room=hall.pk)
    assert len(mailoutbox) == 2
    for message in mailoutbox:
        assert "New room: Harbor Hall (was Ballroom A)" in message.body
        assert "Old time" not in message.body
        assert "Harbor Hall" in html_of(message)


def test_cancelling_a_session_tells_the_booked_people_once(
    organizer_client, workshop, booked, conference, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        admin_save(organizer_client, workshop, is_cancelled="on")
    assert sorted(m.to[0] for m in mailoutbox) == sorted(u.email for u in booked.values())
    seat_mail = next(m for m in mailoutbox if m.to == [booked["seat"].email])
    assert seat_mail.subject == (
        "Session cancelled: EMDR for Complex Trauma at Trauma-Informed Care Summit"
    )
    assert_well_formed(seat_mail, conference)
    assert "had a seat in" in seat_mail.body
    [vsession] = [c for c in ics_of(seat_mail, conference).walk("VEVENT") if "session" in c["UID"]]
    assert str(vsession["STATUS"]) == "CANCELLED"

    mailoutbox.clear()  # editing the cancelled session again is no news
    with django_capture_on_commit_callbacks(execute=True):
        admin_save(
            organizer_client,
            Session.objects.get(pk=workshop.pk),
            is_cancelled="on",
            room="",
        )
    assert mailoutbox == []


def test_reinstating_a_session_gives_seats_given_up_meanwhile_to_the_waitlist(
    organizer_client, workshop, booked, conference, mailoutbox, django_capture_on_commit_callbacks
):
    admin_save(organizer_client, workshop, is_cancelled="on")
    seat = booked["seat"]  # takes another session in the slot: the seat is given up
    other = make_session(conference, start=workshop.starts_at, title="Grief Work Lab")
    assert session_signup_create(user=seat, session_id=other.pk).released == [workshop.title]
    waiting = workshop.signups.get(registration__user=booked["waiting"])
    assert waiting.status == SessionSignup.Status.WAITLISTED  # not into a cancelled session

    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        admin_save(organizer_client, Session.objects.get(pk=workshop.pk), is_cancelled="")
    waiting.refresh_from_db()
    assert waiting.status == SessionSignup.Status.CONFIRMED
    assert any(
        m.to == [booked["waiting"].email] and "You have a seat" in m.subject for m in mailoutbox
    ), [m.subject for m in mailoutbox]


def test_a_session_change_in_a_draft_event_or_after_it_ended_emails_nobody(
    workshop, booked, conference, mailoutbox, django_capture_on_commit_callbacks
):
    before = {"starts_at": workshop.starts_at, "ends_at": workshop.ends_at}
    workshop.starts_at += timedelta(hours=1)
    workshop.ends_at += timedelta(hours=1)
    with django_capture_on_commit_callbacks(execute=True):
        workshop.save()
        after_end = workshop.ends_at + timedelta(days=1)
        assert session_change_notify(session=workshop, before=before, now=after_end) == 0
        Event.objects.filter(pk=conference.pk).update(status=Event.Status.DRAFT)
        assert session_change_notify(session=workshop, before=before) == 0
    assert mailoutbox == []


# ---------- the reminder the day before ----------


def test_the_reminder_goes_once_to_confirmed_registrations_of_events_starting_within_a_day(
    ticket, workshop, conference, mailoutbox, django_capture_on_commit_callbacks
):
    coming, cancelled, unpaid = make_user(), make_user(), make_user()
    registration = registered(ticket, coming)
    session_signup_create(user=coming, session_id=workshop.pk)
    registration_cancel(registration=registered(ticket, cancelled), by=cancelled)
    registered(make_ticket(conference, name="Paid", price=Decimal("100")), unpaid)
    later = make_event(conference.organization, starts_at=conference.starts_at + timedelta(days=2))
    registered(make_ticket(later), make_user())  # starts in three days: not yet

    the_day_before = conference.starts_at - timedelta(hours=20)
    with django_capture_on_commit_callbacks(execute=True):
        assert event_reminders_send(now=the_day_before) == 1
        assert event_reminders_send(now=the_day_before + timedelta(hours=1)) == 0

    [message] = mailoutbox
    assert message.to == [coming.email]
    assert message.subject == (
        "Reminder: Trauma-Informed Care Summit starts Thursday, May 8, 9:00 AM EDT"
    )
    assert_well_formed(message, conference)
    assert "Thu, May 8, 10:00 AM – 11:30 AM EDT  EMDR for Complex Trauma, Ballroom A" in (
        message.body
    )
    assert "Harbor Conference Center, 1 Pier Road, Boston, MA" in message.body
    assert SITE + reverse("checkin:badge", args=[registration.code]) in message.body
    assert "EMDR for Complex Trauma" in summaries(ics_of(message, conference))
    registration.refresh_from_db()
    assert registration.reminder_sent_at == the_day_before


def test_the_reminder_command_run_twice_sends_once(
    ticket, conference, mailoutbox, django_capture_on_commit_callbacks
):
    Event.objects.filter(pk=conference.pk).update(
        starts_at=timezone.now() + timedelta(hours=5),
        ends_at=timezone.now() + timedelta(hours=30),
    )
    people = [make_user() for _ in range(3)]
    for person in people:
        registered(ticket, person)
    with django_capture_on_commit_callbacks(execute=True):
        outputs = [io.StringIO(), io.StringIO()]
        for output in outputs:
            call_command("send_event_reminders", stdout=output)
    assert [o.getvalue() for o in outputs] == ["3 reminder(s) sent.\n", "0 reminder(s) sent.\n"]
    assert sorted(m.to[0] for m in mailoutbox) == sorted(p.email for p in people)
    assert Registration.objects.filter(reminder_sent_at__isnull=True).count() == 0


# ---------- every email ----------


TEMPLATES = [
    "registration_confirmed",
    "registration_awaiting_payment",
    "registration_cancelled",
    "waitlist_promoted",
    "registration_hold_expired",
    "payment_received",
    "payment_refunded",
    "payment_refunded_seat_gone",
    "session_changed",
    "event_reminder",
]


@pytest.mark.parametrize("template", TEMPLATES)
def test_every_email_has_text_and_html_parts_the_event_name_and_absolute_links(
    template, mailoutbox, django_capture_on_commit_callbacks
):
    org = Organization.objects.create(
        name="Riverside & Co <CE>", slug="riverside-co", contact_email="ce@riverside.example"
    )
    event = make_event(org, title="Grief & Loss <2031>", refund_policy="Full refund\nuntil May.")
    ticket = make_ticket(event, price=Decimal("120"))
    user = make_user(first_name="Ana")
    registration = registered(ticket, user)
    session = make_session(event, title="Working with <grief>")
    signup = session_signup_create(user=user, session_id=session.pk)
    context = {
        "registration": registration,
        "event": event,
        "user": user,
        "session": session,
        "signup": signup,
        "signups": [signup],
        "amount": Decimal("120"),
        "reason": "Duplicate registration",
        "by_organizer": True,
        "change": SessionChange(
            old_starts_at=session.starts_at - timedelta(hours=1),
            old_ends_at=session.ends_at - timedelta(hours=1),
            moved=True,
            room_changed=False,
            old_room=None,
            cancelled=False,
            reinstated=False,
        ),
    }
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        email_after_commit(to=user.email, template=template, context=context)

    [message] = mailoutbox
    assert_well_formed(message, event)
    html = html_of(message)
    # People's input is escaped in HTML, kept as typed in the subject and text.
    assert "Grief &amp; Loss &lt;2031&gt;" in html and "<2031>" not in html
    assert "Riverside &amp; Co &lt;CE&gt;" in html
    assert "Grief & Loss <2031>" in message.subject
    assert "Hi Ana" in message.body and "Hi Ana" in html


def test_what_is_queued_is_json_and_sends_the_same_email_after_a_round_trip(
    settings, ticket, conference, mailoutbox, django_capture_on_commit_callbacks
):
    """Production's DatabaseBackend stores task arguments as JSON."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    from django_tasks import default_task_backend

    with django_capture_on_commit_callbacks(execute=True):
        registration = registered(ticket)
    [queued] = default_task_backend.results
    assert queued.task.module_path == "events.tasks.send_email"
    assert mailoutbox == []  # queued, not sent

    stored = json.loads(json.dumps(queued.kwargs))
    send_email.call(*json.loads(json.dumps(queued.args)), **stored)
    [message] = mailoutbox
    assert message.to == [registration.user.email]
    assert_well_formed(message, conference)
    assert summaries(ics_of(message, conference)) == ["Trauma-Informed Care Summit"]


@requires_postgres
@pytest.mark.django_db(transaction=True)
def test_reminder_runs_at_the_same_time_never_send_one_reminder_twice(mailoutbox):
    """Four cron runs at once, in small batches: SKIP LOCKED hands each row to one."""
    event = make_event(make_org(), starts_at=timezone.now() + timedelta(hours=6))
    ticket = make_ticket(event)
    people = [make_user() for _ in range(30)]
    for person in people:
        registered(ticket, person)
    mailoutbox.clear()  # the confirmations

    results = race(lambda _: event_reminders_send(batch=5), range(4))

    assert sum(results) == 30, results
    assert sorted(m.to[0] for m in mailoutbox) == sorted(p.email for p in people)
    assert not Registration.objects.filter(event=event, reminder_sent_at__isnull=True).exists()
