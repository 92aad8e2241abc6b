"""The CE part of the demo behind `make run`."""

from datetime import date
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from checkin.models import Scan
from credits.models import Award, CreditOffering
from credits.selectors import credit_summary
from events.models import Event, Registration

pytestmark = pytest.mark.django_db


def test_needs_the_demo_conference_first():
    with pytest.raises(CommandError, match="seed_demo"):
        call_command("seed_demo_credit", stdout=StringIO())


def test_offerings_and_a_past_symposium_with_verified_attendance():
    call_command("seed_demo", start=date(2031, 3, 4), stdout=StringIO())
    call_command("seed_demo_credit", stdout=StringIO())
    conference = Event.objects.get(slug="imhp-2027")
    assert CreditOffering.objects.filter(session__event=conference).count() == 90  # 30 x 3
    past = Event.objects.get(slug="spring-symposium")
    assert past.ends_at < conference.starts_at
    # Every scan went through the scanner service and was accepted.
    assert set(Scan.objects.filter(event=past).values_list("result", flat=True)) == {"ok"}
    attendee = Registration.objects.get(event=past, user__email="attendee@convene.test")
    summary = credit_summary(attendee)
    assert [s.session.title for s in summary.sessions] == [
        "Telehealth Ethics After the Pandemic",
        "Suicide Risk Formulation in Primary Care",
    ]
    assert all(a.hours == a.offering.hours for s in summary.sessions for a in s.awards)
    # Others show the range an organizer sees: reductions and records to review.
    awards = Award.objects.filter(session__event=past)
    assert awards.filter(hours=0).exclude(reasons="").exists()
    assert awards.filter(needs_review=True).exists()

    counts = (CreditOffering.objects.count(), Scan.objects.count(), Award.objects.count())
    call_command("seed_demo_credit", stdout=StringIO())
    assert (CreditOffering.objects.count(), Scan.objects.count(), Award.objects.count()) == counts
