"""iCalendar (RFC 5545) files: a registration's file, a user's personal feed and an
event's public schedule, built with `icalendar`.

These only read; the views in events/calendar_views.py decide who may see what.
Times are written in the event's time zone (TZID plus a VTIMEZONE), UIDs are stable
(`session-<pk>@<host>`), and SEQUENCE is the session's `schedule_version`, so a
calendar that imported an older copy replaces it when a session moves.
"""

import zoneinfo
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import lru_cache
from urllib.parse import urlsplit

import icalendar
from django.conf import settings
from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from events.models import Event, Registration, Session, SessionSignup

PRODID = "-//Convene//Convene CE events//EN"
FEED_REFRESH = timedelta(hours=1)  # how often subscribed clients should poll a feed

CONFIRMED = SessionSignup.Status.CONFIRMED


def registration_calendar(registration: Registration) -> bytes:
    """The event and every session the attendee holds a confirmed seat in (2 queries)."""
    event = registration.event
    sessions = (
        Session.objects.filter(signups__registration=registration, signups__status=CONFIRMED)
        .select_related("room")
        .order_by("starts_at", "title")
    )
    builder = _Builder(f"{event.title} (my sessions)", x_timezone=event.timezone)
    builder.add_event(event, status=_attendee_event_status(event, registration))
    for session in sessions:
        builder.add_session(session, event)
    return builder.to_ical()


def user_feed(user: User) -> bytes:
    """The personal feed: every confirmed registration's event and booked sessions,
    across events (2 queries whatever the number of registrations)."""
    booked = (
        SessionSignup.objects.filter(status=CONFIRMED)
        .select_related("session__room")
        .order_by("session__starts_at", "session__title")
    )
    registrations = (
        Registration.objects.filter(user=user, status=Registration.Status.CONFIRMED)
        .exclude(event__status=Event.Status.DRAFT)
        .select_related("event")
        .prefetch_related(Prefetch("signups", queryset=booked, to_attr="booked"))
        .order_by("event__starts_at")
    )
    builder = _Builder("My Convene schedule", refresh=FEED_REFRESH)
    for registration in registrations:
        event = registration.event
        builder.add_event(event, status=_attendee_event_status(event, registration))
        for signup in registration.booked:
            builder.add_session(signup.session, event)
    return builder.to_ical()


def event_feed(event: Event) -> bytes:
    """The public schedule: the event and every session, breaks and meals too
    (1 query). Marked free time, so subscribing does not fill a calendar with
    parallel sessions shown as busy."""
    builder = _Builder(f"{event.title} schedule", x_timezone=event.timezone, refresh=FEED_REFRESH)
    builder.add_event(event, status=_event_status(event))
    for session in event.sessions.select_related("room").order_by("starts_at", "title"):
        builder.add_session(session, event, busy=False)
    return builder.to_ical()


def _event_status(event: Event) -> str:
    return "CANCELLED" if event.status == Event.Status.CANCELLED else "CONFIRMED"


def _attendee_event_status(event: Event, registration: Registration) -> str:
    if registration.status == Registration.Status.CANCELLED:
        return "CANCELLED"
    if registration.status == Registration.Status.AWAITING_PAYMENT:
        return "CANCELLED" if event.status == Event.Status.CANCELLED else "TENTATIVE"
    return _event_status(event)


class _Builder:
    """One VCALENDAR: components added in order, VTIMEZONEs first at the end."""

    def __init__(
        self, name: str, *, x_timezone: str | None = None, refresh: timedelta | None = None
    ) -> None:
        self.calendar = icalendar.Calendar()
        self.calendar.add("prodid", PRODID)
        self.calendar.add("version", "2.0")
        self.calendar.add("calscale", "GREGORIAN")
        self.calendar.add("method", "PUBLISH")
        self.calendar.add("x-wr-calname", name)
        if x_timezone:
            self.calendar.add("x-wr-timezone", x_timezone)
        if refresh:
            self.calendar.add("refresh-interval", refresh, parameters={"VALUE": "DURATION"})
            self.calendar.add("x-published-ttl", icalendar.vDuration(refresh))
        self.stamp = timezone.now()
        self.host = urlsplit(settings.SITE_URL).hostname or "convene.invalid"
        self.components: list[icalendar.Event] = []
        self.years: dict[str, tuple[int, int]] = {}  # time zone -> first and last year used

    def add_event(self, event: Event, *, status: str) -> None:
        tz = event.tzinfo
        start, end = event.starts_at.astimezone(tz), event.ends_at.astimezone(tz)
        last_day = (end - timedelta(microseconds=1)).date()
        component = self._component(f"event-{event.pk}", event.updated_at)
        self._uses(event.timezone, start, end)
        if start.date() == last_day:
            component.add("dtstart", start)
            component.add("dtend", end)
        else:
            # A conference over several days: an all-day span above the sessions.
            component.add("dtstart", start.date())
            component.add("dtend", last_day + timedelta(days=1))
        url = self._absolute(reverse("events:event_detail", kwargs={"slug": event.slug}))
        component.add("summary", event.title)
        component.add("description", _lines(event.summary, _cancelled_line(status), url))
        self._add_location(component, event, None)
        component.add("url", url)
        component.add("status", status)
        # Event has no version counter: being cancelled is its one tracked change.
        component.add("sequence", 1 if status == "CANCELLED" else 0)
        component.add("transp", "TRANSPARENT")
        self.components.append(component)

    def add_session(self, session: Session, event: Event, *, busy: bool = True) -> None:
        tz = event.tzinfo
        start, end = session.starts_at.astimezone(tz), session.ends_at.astimezone(tz)
        cancelled = session.is_cancelled or event.status == Event.Status.CANCELLED
        status = "CANCELLED" if cancelled else "CONFIRMED"
        path = reverse("events:session_detail", kwargs={"slug": event.slug, "pk": session.pk})
        url = self._absolute(path)
        component = self._component(f"session-{session.pk}", session.updated_at)
        component.add("dtstart", start)
        component.add("dtend", end)
        self._uses(event.timezone, start, end)
        component.add("summary", session.title)
        component.add(
            "description",
            _lines(
                f"{session.get_kind_display()} at {event.title}",
                _credit_line(session),
                _cancelled_line(status),
                url,
            ),
        )
        self._add_location(component, event, session.room)
        component.add("url", url)
        component.add("status", status)
        component.add(
            "sequence",
            session.schedule_version + (1 if event.status == Event.Status.CANCELLED else 0),
        )
        component.add("transp", "OPAQUE" if busy and not cancelled else "TRANSPARENT")
        component.add("categories", [session.get_kind_display()])
        self.components.append(component)

    def to_ical(self) -> bytes:
        for name, (first, last) in sorted(self.years.items()):
            self.calendar.add_component(_vtimezone(name, first, last))
        for component in self.components:
            self.calendar.add_component(component)
        return self.calendar.to_ical()

    def _component(self, uid: str, modified: datetime) -> icalendar.Event:
        component = icalendar.Event()
        component.add("uid", f"{uid}@{self.host}")
        component.add("dtstamp", self.stamp)
        component.add("last-modified", modified)
        return component

    def _uses(self, tz_name: str, start: datetime, end: datetime) -> None:
        first, last = self.years.get(tz_name, (start.year, end.year))
        self.years[tz_name] = (min(first, start.year), max(last, end.year))

    def _absolute(self, path: str) -> str:
        return f"{settings.SITE_URL}{path}"

    @staticmethod
    def _add_location(component: icalendar.Event, event: Event, room) -> None:
        parts = [event.venue_name, room.name if room else "", event.venue_address]
        location = ", ".join(part.strip() for part in parts if part and part.strip())
        if not location and event.delivery_format == Event.Format.WEBINAR:
            location = "Online"
        if location:
            component.add("location", location)


@lru_cache(maxsize=128)
def _vtimezone(name: str, first_year: int, last_year: int) -> icalendar.Timezone:
    """A VTIMEZONE covering the years used, from the tz database. Built once per
    process and shared read-only: building one costs up to some tens of ms."""
    return icalendar.Timezone.from_tzinfo(
        zoneinfo.ZoneInfo(name),
        tzid=name,
        first_date=date(first_year - 1, 1, 1),
        last_date=date(last_year + 2, 1, 1),
    )


def _credit_line(session: Session) -> str:
    if not session.earns_credit:
        return "No CE credit."
    if not session.ce_hours:
        return ""
    hours = _trim(session.ce_hours)
    plural = "" if session.ce_hours == 1 else "s"
    return f"{hours} CE hour{plural}; scan your badge in and out of the session to earn credit."


def _cancelled_line(status: str) -> str:
    return "This has been cancelled." if status == "CANCELLED" else ""


def _trim(value: Decimal) -> str:
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _lines(*parts: str | None) -> str:
    return "\n".join(part.strip() for part in parts if part and part.strip())
