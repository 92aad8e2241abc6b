"""Calendar files (.ics), read back with vobject: a parser independent of the
icalendar library that writes them, the way a calendar app would read them."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import vobject
from django.urls import reverse

from accounts.services import calendar_token_revoke, calendar_token_rotate
from events.models import Event, Registration, Room, Session
from events.services import registration_create, session_signup_cancel, session_signup_create
from tests.factories import make_event, make_organizer, make_session, make_ticket, make_user

pytestmark = pytest.mark.django_db

SITE = "https://convene.example"
HOST = "convene.example"
TZ = "America/Chicago"
# US daylight saving time starts on Sunday, March 9, 2031: the sessions below sit on
# both sides of it, so the VTIMEZONE must carry the change for the times to be right.
DAY1 = datetime(2031, 3, 8, 15, 0, tzinfo=UTC)  # 9:00 CST
DAY3 = datetime(2031, 3, 10, 14, 0, tzinfo=UTC)  # 9:00 CDT


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = SITE


@pytest.fixture
def conf():
    event = make_event(
        title="Trauma-Informed Care Summit",
        slug="trauma-summit",
        timezone=TZ,
        starts_at=DAY1 - timedelta(hours=1),
        ends_at=DAY3 + timedelta(hours=8),
        venue_name="Lakeside Convention Center",
        venue_address="200 E Randolph St, Chicago, IL",
    )
    ballroom = Room.objects.create(event=event, name="Ballroom A")
    booked = make_session(
        event, DAY1, 90, title="EMDR for Complex PTSD", room=ballroom, capacity=40,
        ce_hours=Decimal("1.50"),
    )  # fmt: skip
    later = make_session(event, DAY3, 60, title="Ethics in Telehealth", room=ballroom)
    full = make_session(event, DAY1 + timedelta(hours=3), 60, title="Full Workshop", capacity=1)
    open_talk = make_session(event, DAY1 + timedelta(hours=5), 60, title="Open Plenary")
    lunch = make_session(
        event, DAY1 + timedelta(hours=2), 60, title="Lunch", kind=Session.Kind.MEAL, ce_hours=0
    )
    attendee = make_user()
    registration = registration_create(user=attendee, ticket_type=make_ticket(event))
    session_signup_create(user=attendee, session_id=booked.pk)
    session_signup_create(user=attendee, session_id=later.pk)
    someone = make_user()
    registration_create(user=someone, ticket_type=event.ticket_types.get())
    session_signup_create(user=someone, session_id=full.pk)
    waitlisted = session_signup_create(user=attendee, session_id=full.pk)
    assert waitlisted.status == "waitlisted"
    return {
        "event": event,
        "booked": booked,
        "later": later,
        "full": full,
        "open": open_talk,
        "lunch": lunch,
        "attendee": attendee,
        "someone": someone,
        "registration": registration,
    }


def parse(response):
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return vobject.readOne(response.content.decode())


def by_uid(calendar) -> dict:
    return {vevent.uid.value: vevent for vevent in calendar.vevent_list}


def uid(obj) -> str:
    kind = "event" if isinstance(obj, Event) else "session"
    return f"{kind}-{obj.pk}@{HOST}"


def registration_file(client, conf):
    client.force_login(conf["attendee"])
    url = reverse("events:registration_calendar", args=[conf["registration"].code])
    return client.get(url)


def move(session: Session, **changes) -> None:
    """Edit a session the way the admin does: load it, change it, save it."""
    session = Session.objects.get(pk=session.pk)
    for name, value in changes.items():
        setattr(session, name, value)
    session.save()


# --- The registration's file -------------------------------------------------------------


def test_registration_file_holds_the_event_and_only_the_confirmed_seats(client, conf):
    response = registration_file(client, conf)
    calendar = parse(response)

    assert response["Content-Disposition"] == 'attachment; filename="trauma-summit.ics"'
    assert set(by_uid(calendar)) == {uid(conf["event"]), uid(conf["booked"]), uid(conf["later"])}
    # Not the waitlist place, not the open plenary nobody booked, not lunch.
    assert calendar.method.value == "PUBLISH"
    assert calendar.version.value == "2.0"
    assert calendar.prodid.value
    assert "Trauma-Informed Care Summit" in calendar.contents["x-wr-calname"][0].value


def test_a_booked_session_carries_every_field_a_calendar_needs(client, conf):
    session = conf["booked"]
    calendar = parse(registration_file(client, conf))
    vevent = by_uid(calendar)[uid(session)]

    assert vevent.summary.value == "EMDR for Complex PTSD"
    assert vevent.dtstamp.value.tzinfo is not None
    assert vevent.dtstart.params["X-VOBJ-ORIGINAL-TZID"] == [TZ]  # TZID=America/Chicago
    assert [tz.tzid.value for tz in calendar.vtimezone_list] == [TZ]
    assert vevent.dtstart.value.replace(tzinfo=None) == datetime(2031, 3, 8, 9, 0)
    assert vevent.dtstart.value == DAY1
    assert vevent.dtend.value == DAY1 + timedelta(minutes=90)
    assert vevent.location.value == (
        "Lakeside Convention Center, Ballroom A, 200 E Randolph St, Chicago, IL"
    )
    page = f"{SITE}/events/trauma-summit/sessions/{session.pk}/"
    assert vevent.url.value == page
    assert "1.5 CE hours" in vevent.description.value
    assert page in vevent.description.value
    assert vevent.status.value == "CONFIRMED"
    assert int(vevent.sequence.value) == 0


def test_times_stay_right_across_the_daylight_saving_change(client, conf):
    vevent = by_uid(parse(registration_file(client, conf)))[uid(conf["later"])]
    assert vevent.dtstart.value == DAY3
    assert vevent.dtstart.value.replace(tzinfo=None) == datetime(2031, 3, 10, 9, 0)
    assert vevent.dtstart.value.utcoffset() == timedelta(hours=-5)


def test_a_conference_over_several_days_is_an_all_day_span(client, conf):
    vevent = by_uid(parse(registration_file(client, conf)))[uid(conf["event"])]
    assert vevent.dtstart.value == datetime(2031, 3, 8).date()
    assert vevent.dtend.value == datetime(2031, 3, 11).date()  # exclusive end: the 10th included
    assert vevent.url.value == f"{SITE}/events/trauma-summit/"
    assert vevent.location.value == "Lakeside Convention Center, 200 E Randolph St, Chicago, IL"


def test_a_one_day_event_is_timed_in_its_own_time_zone(client):
    start = datetime(2031, 6, 2, 13, 0, tzinfo=UTC)
    event = make_event(
        timezone="Europe/Berlin", starts_at=start, ends_at=start + timedelta(hours=6)
    )
    user = make_user()
    registration = registration_create(user=user, ticket_type=make_ticket(event))
    client.force_login(user)
    calendar = parse(client.get(reverse("events:registration_calendar", args=[registration.code])))
    vevent = by_uid(calendar)[uid(event)]
    assert vevent.dtstart.params["X-VOBJ-ORIGINAL-TZID"] == ["Europe/Berlin"]
    assert vevent.dtstart.value == start
    assert vevent.dtstart.value.replace(tzinfo=None) == datetime(2031, 6, 2, 15, 0)
    assert [tz.tzid.value for tz in calendar.vtimezone_list] == ["Europe/Berlin"]


def test_uids_stay_the_same_from_one_download_to_the_next(client, conf):
    first = by_uid(parse(registration_file(client, conf)))
    second = by_uid(parse(registration_file(client, conf)))
    assert set(first) == set(second)
    assert len(first) == 3


def test_moving_a_session_raises_its_sequence_and_retitling_does_not(client, conf):
    session = conf["booked"]

    move(session, title="EMDR for Complex PTSD (revised)")
    vevent = by_uid(parse(registration_file(client, conf)))[uid(session)]
    assert vevent.summary.value == "EMDR for Complex PTSD (revised)"
    assert int(vevent.sequence.value) == 0

    move(session, starts_at=DAY1 + timedelta(minutes=30), ends_at=DAY1 + timedelta(minutes=120))
    vevent = by_uid(parse(registration_file(client, conf)))[uid(session)]
    assert vevent.dtstart.value == DAY1 + timedelta(minutes=30)
    assert int(vevent.sequence.value) == 1

    move(session, room=Room.objects.create(event=conf["event"], name="Room 204"))
    vevent = by_uid(parse(registration_file(client, conf)))[uid(session)]
    assert "Room 204" in vevent.location.value
    assert int(vevent.sequence.value) == 2


def test_a_partial_save_of_the_schedule_fields_still_counts(conf):
    session = Session.objects.get(pk=conf["booked"].pk)
    session.ends_at += timedelta(minutes=15)
    session.save(update_fields=["ends_at"])
    session.description = "New text"
    session.save(update_fields=["description"])
    assert Session.objects.get(pk=session.pk).schedule_version == 1
    assert session.schedule_version == 1


def test_a_cancelled_session_shows_as_cancelled(client, conf):
    move(conf["booked"], is_cancelled=True)
    vevent = by_uid(parse(registration_file(client, conf)))[uid(conf["booked"])]
    assert vevent.status.value == "CANCELLED"
    assert int(vevent.sequence.value) == 1  # a newer version than the one imported before


def test_a_cancelled_event_cancels_everything_in_the_file(client, conf):
    Event.objects.filter(pk=conf["event"].pk).update(status=Event.Status.CANCELLED)
    calendar = parse(registration_file(client, conf))
    assert {vevent.status.value for vevent in calendar.vevent_list} == {"CANCELLED"}
    assert int(by_uid(calendar)[uid(conf["event"])].sequence.value) == 1


def test_another_persons_registration_file_is_not_found(client, conf):
    client.force_login(conf["someone"])
    url = reverse("events:registration_calendar", args=[conf["registration"].code])
    assert client.get(url).status_code == 404


# --- The personal feed -------------------------------------------------------------------


def feed_url(token: str) -> str:
    return reverse("events:calendar_feed", args=[token])


def test_the_personal_feed_needs_no_login_and_is_never_cached_publicly(client, conf):
    token = calendar_token_rotate(user=conf["attendee"])
    response = client.get(feed_url(token))
    calendar = parse(response)
    assert set(by_uid(calendar)) == {uid(conf["event"]), uid(conf["booked"]), uid(conf["later"])}
    assert response["Cache-Control"].startswith("private")
    assert "public" not in response["Cache-Control"]
    assert "Content-Disposition" not in response
    assert response.get("Set-Cookie") is None


def test_the_personal_feed_follows_current_bookings_across_events(client, conf):
    attendee = conf["attendee"]
    token = calendar_token_rotate(user=attendee)
    other_event = make_event(starts_at=datetime(2031, 9, 1, 14, tzinfo=UTC))
    workshop = make_session(other_event, title="Motivational Interviewing Lab")
    registration_create(user=attendee, ticket_type=make_ticket(other_event))
    session_signup_create(user=attendee, session_id=workshop.pk)
    signup = conf["registration"].signups.get(session=conf["booked"], status="confirmed")
    session_signup_cancel(signup=signup, by=attendee)

    uids = set(by_uid(parse(client.get(feed_url(token)))))

    assert uid(workshop) in uids and uid(other_event) in uids
    assert uid(conf["booked"]) not in uids  # the seat was given up
    assert uid(conf["later"]) in uids
    assert uid(conf["full"]) not in uids  # still only waitlisted


def test_the_feed_shows_none_of_another_persons_bookings(client, conf):
    token = calendar_token_rotate(user=conf["someone"])
    uids = set(by_uid(parse(client.get(feed_url(token)))))
    assert uids == {uid(conf["event"]), uid(conf["full"])}


def test_a_cancelled_registration_leaves_the_feed(client, conf):
    token = calendar_token_rotate(user=conf["attendee"])
    Registration.objects.filter(pk=conf["registration"].pk).update(status="cancelled")
    calendar = parse(client.get(feed_url(token)))
    assert calendar.contents.get("vevent", []) == []


def test_a_rotated_token_stops_working_and_the_new_one_works(client, conf):
    old = calendar_token_rotate(user=conf["attendee"])
    new = calendar_token_rotate(user=conf["attendee"])
    assert client.get(feed_url(old)).status_code == 404
    assert client.get(feed_url(new)).status_code == 200


def test_wrong_and_revoked_tokens_get_the_same_not_found(client, conf):
    revoked = calendar_token_rotate(user=conf["attendee"])
    calendar_token_revoke(user=conf["attendee"])
    one_off = revoked[:-1] + ("A" if revoked[-1] != "A" else "B")
    answers = [client.get(feed_url(token)) for token in (revoked, "x" * 43, "short", one_off)]
    assert {response.status_code for response in answers} == {404}
    assert len({response.content for response in answers}) == 1
    assert len({response["Content-Type"] for response in answers}) == 1
    assert len({response["Cache-Control"] for response in answers}) == 1


def test_an_inactive_account_feed_is_not_found(client, conf):
    token = calendar_token_rotate(user=conf["attendee"])
    conf["attendee"].is_active = False
    conf["attendee"].save()
    assert client.get(feed_url(token)).status_code == 404


def test_the_personal_feed_costs_the_same_queries_with_more_registrations(
    client, conf, django_assert_max_num_queries
):
    attendee = conf["attendee"]
    for n in range(4):
        event = make_event(starts_at=datetime(2031, 10, 1 + 3 * n, 14, tzinfo=UTC))
        registration_create(user=attendee, ticket_type=make_ticket(event))
        for hour in range(3):
            session = make_session(event, event.starts_at + timedelta(hours=hour), 50)
            session_signup_create(user=attendee, session_id=session.pk)
    token = calendar_token_rotate(user=attendee)
    # token -> user, registrations with their events, their confirmed seats with rooms
    with django_assert_max_num_queries(3):
        calendar = parse(client.get(feed_url(token)))
    assert len(calendar.vevent_list) == 3 + 4 * 4


# --- The public schedule feed ------------------------------------------------------------


def test_the_public_feed_holds_every_session_of_the_event(client, conf):
    conf["open"].is_cancelled = True
    conf["open"].save()
    response = client.get(reverse("events:event_calendar", args=["trauma-summit"]))
    calendar = parse(response)
    sessions = [conf[name] for name in ("booked", "later", "full", "open", "lunch")]
    assert set(by_uid(calendar)) == {uid(conf["event"]), *map(uid, sessions)}
    assert by_uid(calendar)[uid(conf["open"])].status.value == "CANCELLED"
    assert "No CE credit" in by_uid(calendar)[uid(conf["lunch"])].description.value
    assert "public" in response["Cache-Control"]
    assert response["Content-Disposition"] == 'attachment; filename="trauma-summit-schedule.ics"'
    # Subscribed calendar apps are told to poll hourly.
    assert calendar.contents["x-published-ttl"][0].value == "PT1H"
    assert calendar.contents["refresh-interval"][0].value == "PT1H"


def test_a_draft_has_no_public_feed_except_for_its_organizers(client):
    draft = make_event(slug="draft-summit", status=Event.Status.DRAFT)
    make_session(draft)
    url = reverse("events:event_calendar", args=["draft-summit"])
    assert client.get(url).status_code == 404
    client.force_login(make_user())
    assert client.get(url).status_code == 404
    client.force_login(make_organizer(draft.organization))
    response = client.get(url)
    assert response.status_code == 200
    assert "public" not in response["Cache-Control"]


def test_a_cancelled_event_keeps_a_feed_saying_so(client, conf):
    Event.objects.filter(pk=conf["event"].pk).update(status=Event.Status.CANCELLED)
    calendar = parse(client.get(reverse("events:event_calendar", args=["trauma-summit"])))
    assert {vevent.status.value for vevent in calendar.vevent_list} == {"CANCELLED"}


# --- Links on the pages ------------------------------------------------------------------


def test_pages_offer_add_to_calendar_links(client, conf):
    client.force_login(conf["attendee"])
    file_url = reverse("events:registration_calendar", args=[conf["registration"].code])
    feed = reverse("events:event_calendar", args=["trauma-summit"])

    mine = client.get(reverse("events:my_registrations")).content.decode()
    assert file_url in mine

    session_page = client.get(conf["booked"].get_absolute_url()).content.decode()
    assert file_url in session_page
    assert f"webcal://testserver{feed}" in session_page

    event_page = client.get(reverse("events:event_detail", args=["trauma-summit"])).content
    assert f'href="webcal://testserver{feed}">Subscribe to the schedule' in event_page.decode()
    assert f'href="{feed}"' in event_page.decode()
