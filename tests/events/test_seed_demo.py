"""The demo conference behind `make run`."""

from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command

from accounts.models import User
from events.models import Event, Registration, Session, SessionSignup

pytestmark = pytest.mark.django_db


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", start=date(2031, 3, 4), stdout=out)
    return out.getvalue()


def snapshot() -> tuple[int, ...]:
    return (
        Event.objects.count(),
        Session.objects.count(),
        User.objects.count(),
        Registration.objects.count(),
        SessionSignup.objects.count(),
    )


def test_seed_demo_builds_a_believable_conference_and_running_it_again_changes_nothing():
    output = seed()
    event = Event.objects.get()
    assert event.timezone == "America/New_York" and event.status == "published"
    credit = Session.objects.exclude(kind__in=Session.NON_CREDIT_KINDS)
    assert credit.count() == 30
    assert credit.values("track").distinct().count() == 4  # 3 tracks + keynotes
    assert {t.is_free for t in event.ticket_types.all()} == {True, False}
    assert User.objects.filter(email__endswith="@example.com").count() == 200
    assert Registration.objects.filter(status__in=Registration.ACTIVE).count() > 100
    assert SessionSignup.objects.filter(status="waitlisted").exists()  # a full workshop
    assert "organizer@convene.test" in output and "attendee@convene.test" in output

    before = snapshot()
    again = seed()
    assert snapshot() == before
    assert "Kept existing" in again
