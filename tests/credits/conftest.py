"""A finished one-day conference with CE offerings, attendees and their scans."""

import importlib
import uuid
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from checkin.models import Scan
from checkin.services.badges import badge_for
from credits.models import AttendanceRule, CreditOffering, CreditSettings, OfferingSubject
from events.models import Accreditation, Registration, Session
from tests.factories import make_event, make_session, make_ticket, make_user

NY = ZoneInfo("America/New_York")
DAY = datetime(2026, 10, 15, tzinfo=NY)  # a past Thursday


def at(hour: int, minute: int = 0) -> datetime:
    """A time on the conference day, in the event's time zone."""
    return DAY.replace(hour=hour, minute=minute)


def preset(key: str) -> AttendanceRule:
    rule = AttendanceRule.objects.filter(organization=None, preset=key).first()
    if rule is None:
        # A transactional test before this one flushed the tables, data migrations
        # included: put the shipped presets back the way the migration does.
        from django.apps import apps

        importlib.import_module("credits.migrations.0002_presets").add_presets(apps, None)
        rule = AttendanceRule.objects.get(organization=None, preset=key)
    return rule


@pytest.fixture
def credit_event(org):
    org.name = "Northeast Institute for Clinical Education"
    org.save()
    event = make_event(
        org,
        title="Trauma-Informed Care Summit",
        starts_at=at(8),
        ends_at=at(18),
        venue_name="Hynes Convention Center",
        venue_address="900 Boylston St, Boston, MA",
    )
    CreditSettings.objects.create(
        event=event, signer_name="Dr. Renata Okafor", signer_title="CE Program Director"
    )
    return event


@pytest.fixture
def apa(credit_event):
    org = credit_event.organization
    return Accreditation.objects.create(
        organization=org,
        body=Accreditation.Body.APA,
        approval_statement=(
            f"{org.name} is approved by the American Psychological Association to sponsor "
            f"continuing education for psychologists. {org.name} maintains responsibility "
            "for this program and its content."
        ),
    )


@pytest.fixture
def naadac(credit_event):
    org = credit_event.organization
    return Accreditation.objects.create(
        organization=org,
        body=Accreditation.Body.NAADAC,
        provider_number="98765",
        approval_statement=f"This course has been approved by {org.name}, as a NAADAC "
        "Approved Education Provider, for 3 CE. NAADAC Provider #98765.",
    )


@pytest.fixture
def morning(credit_event, apa, naadac):
    """9:00-12:00 workshop: 3 h under APA-style and NAADAC-style, 1 h of it ethics."""
    session = make_session(
        credit_event, start=at(9), minutes=180, title="Ethics in Trauma Treatment",
        ce_hours=Decimal("3"), level="intermediate",
    )  # fmt: skip
    for accreditation, key in ((apa, "apa"), (naadac, "naadac")):
        offering = CreditOffering.objects.create(
            session=session, accreditation=accreditation, hours=Decimal("3"), rule=preset(key)
        )
        OfferingSubject.objects.create(offering=offering, area="law_ethics", hours=Decimal("1"))
    return session


@pytest.fixture
def afternoon(credit_event, apa):
    """13:00-14:00 talk: 1 h under APA-style."""
    session = make_session(
        credit_event, start=at(13), minutes=60, title="Suicide Risk Assessment",
        ce_hours=Decimal("1"), kind=Session.Kind.TALK,
    )  # fmt: skip
    CreditOffering.objects.create(
        session=session, accreditation=apa, hours=Decimal("1"), rule=preset("apa")
    )
    return session


def register(event, **user_fields) -> Registration:
    person = make_user(**user_fields)
    ticket = event.ticket_types.first() or make_ticket(event)
    # The conference is over, so registration_create() would refuse: write the row.
    return Registration.objects.create(
        event=event, user=person, ticket_type=ticket, status=Registration.Status.CONFIRMED,
        confirmed_at=event.starts_at - timedelta(days=7),
    )  # fmt: skip


def scan(registration: Registration, session: Session | None, when: datetime, direction: str):
    """An accepted scan, as a scanner would have stored it."""
    return Scan.objects.create(
        event=registration.event,
        session=session,
        badge=badge_for(registration),
        registration=registration,
        direction=direction,
        scanned_at=when,
        nonce=uuid.uuid4().hex,
        result=Scan.Result.OK,
    )


def attend(registration, session, start: datetime, end: datetime | None):
    """In at `start`, out at `end` (None: never scanned out)."""
    scan(registration, session, start, "in")
    if end is not None:
        scan(registration, session, end, "out")


@pytest.fixture
def attendee_registration(credit_event):
    return register(credit_event, first_name="Maya", last_name="Lindqvist")


def minutes(n: int) -> timedelta:
    return timedelta(minutes=n)
