"""Small builders for test data. Each returns a saved object with sensible defaults."""

import itertools
from datetime import datetime, timedelta
from decimal import Decimal

from django.utils import timezone

from accounts.models import Profile, User
from events.models import Event, Membership, Organization, Session, TicketType

_seq = itertools.count(1)


def make_user(email: str | None = None, **extra) -> User:
    n = next(_seq)
    user = User.objects.create_user(
        email=email or f"person{n}@example.com",
        password="a-long-test-password",
        first_name=extra.pop("first_name", f"First{n}"),
        last_name=extra.pop("last_name", f"Last{n}"),
        **extra,
    )
    Profile.objects.create(user=user)
    return user


def make_org(**extra) -> Organization:
    n = next(_seq)
    return Organization.objects.create(name=f"Provider {n}", slug=f"provider-{n}", **extra)


def make_organizer(org: Organization, role: str = Membership.Role.OWNER) -> User:
    user = make_user(is_staff=True)
    Membership.objects.create(organization=org, user=user, role=role)
    return user


def make_event(org: Organization | None = None, **extra) -> Event:
    n = next(_seq)
    starts = extra.pop("starts_at", timezone.now() + timedelta(days=30))
    defaults = {
        "title": f"Conference {n}",
        "slug": f"conference-{n}",
        "status": Event.Status.PUBLISHED,
        "timezone": "America/New_York",
        "starts_at": starts,
        "ends_at": starts + timedelta(days=2),
    }
    defaults.update(extra)
    return Event.objects.create(organization=org or make_org(), **defaults)


def make_ticket(event: Event, **extra) -> TicketType:
    defaults = {"name": "General", "price": Decimal("0")}
    defaults.update(extra)
    return TicketType.objects.create(event=event, **defaults)


def make_session(
    event: Event, start: datetime | None = None, minutes: int = 60, **extra
) -> Session:
    n = next(_seq)
    start = start or event.starts_at + timedelta(hours=n % 500)
    defaults = {"title": f"Session {n}", "kind": Session.Kind.WORKSHOP, "ce_hours": Decimal("1")}
    defaults.update(extra)
    return Session.objects.create(
        event=event, starts_at=start, ends_at=start + timedelta(minutes=minutes), **defaults
    )
