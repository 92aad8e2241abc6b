"""CE credit for the demo: offerings on the demo conference, and a past one-day
symposium the demo attendee went to, with scans, so "My CE", the organizer's
credit pages, evaluations and certificates have something real to show.

Run after `seed_demo` (make run does both). Running it again changes nothing.
"""

import random
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from accounts.models import User
from checkin.services.badges import badge_for, badge_token
from checkin.services.devices import device_create, device_pair
from checkin.services.scans import perform_scan
from credits.models import AttendanceRule, CreditOffering, CreditSettings, OfferingSubject
from credits.services.awards import refresh_awards
from events import demo_content as content
from events.models import Event, Registration, Session, TicketType

# Which shipped rule each accreditor's offerings use in the demo.
RULE_FOR_BODY = {"apa": "apa", "nbcc": "apa", "aswb": "aswb", "naadac": "naadac"}
ORGANIZER_EMAIL = "organizer@convene.test"
ATTENDEE_EMAIL = "attendee@convene.test"
PAST_SLUG = "spring-symposium"
PAST_SESSIONS = [
    # title, kind, start, minutes, subject area, level
    ("Telehealth Ethics After the Pandemic", "workshop", time(9, 0), 180, "law_ethics",
     "intermediate"),
    ("Lunch", "meal", time(12, 0), 60, "", ""),
    ("Suicide Risk Formulation in Primary Care", "talk", time(13, 0), 90, "suicide", "advanced"),
    ("Closing Reception", "reception", time(15, 0), 60, "", ""),
]  # fmt: skip


class Command(BaseCommand):
    help = "Add CE credit offerings and a past symposium with attendance to the demo data."

    def handle(self, *args, **options) -> None:
        event = Event.objects.filter(slug=content.EVENT["slug"]).first()
        if event is None:
            raise CommandError("Run `manage.py seed_demo` first.")
        quiet_mail = override_settings(
            EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"
        )
        with quiet_mail, transaction.atomic():
            offered = self._offerings(event)
            past, created = self._past_event(event)
        refresh_awards(past)
        self.stdout.write(
            self.style.SUCCESS(
                f"CE credit: {offered} offerings on “{event.title}”; past event “{past.title}” "
                f"{'created' if created else 'kept'} with "
                f"{past.registrations.count()} attendees."
            )
        )

    def _rules(self) -> dict[str, AttendanceRule]:
        return {r.preset: r for r in AttendanceRule.objects.filter(organization=None)}

    def _offerings(self, event: Event) -> int:
        rules = self._rules()
        accreditations = list(event.organization.accreditations.all())
        count = 0
        for session in event.sessions.exclude(kind__in=Session.NON_CREDIT_KINDS):
            if not session.ce_hours:
                continue
            for accreditation in accreditations:
                rule = rules[RULE_FOR_BODY.get(accreditation.body, "apa")]
                offering, made = CreditOffering.objects.get_or_create(
                    session=session,
                    accreditation=accreditation,
                    defaults={"hours": session.ce_hours, "rule": rule},
                )
                count += 1
                if made and session.subject_area and session.subject_area != "general":
                    OfferingSubject.objects.create(
                        offering=offering, area=session.subject_area, hours=session.ce_hours
                    )
        CreditSettings.objects.get_or_create(
            event=event,
            defaults={"signer_name": "Dr. Renata Okafor", "signer_title": "CE Program Director"},
        )
        return count

    def _past_event(self, demo: Event) -> tuple[Event, bool]:
        existing = Event.objects.filter(slug=PAST_SLUG).first()
        if existing:
            return existing, False
        org = demo.organization
        tz = demo.tzinfo
        day = timezone.localdate() - timedelta(days=45)
        event = Event.objects.create(
            organization=org,
            title="Spring Clinical Symposium",
            slug=PAST_SLUG,
            status=Event.Status.PUBLISHED,
            summary="A one-day symposium on telehealth ethics and suicide risk.",
            timezone=demo.timezone,
            starts_at=datetime.combine(day, time(8, 30), tz),
            ends_at=datetime.combine(day, time(16, 0), tz),
            venue_name="Boston Park Plaza",
            venue_address="50 Park Plaza, Boston, MA 02116",
            refund_policy=demo.refund_policy,
            grievance_policy=demo.grievance_policy,
            accessibility_statement=demo.accessibility_statement,
        )
        CreditSettings.objects.create(
            event=event, signer_name="Dr. Renata Okafor", signer_title="CE Program Director"
        )
        ticket = TicketType.objects.create(event=event, name="Symposium", price=Decimal("0"))
        sessions = []
        for title, kind, starts, minutes, area, level in PAST_SESSIONS:
            begins = datetime.combine(day, starts, tz)
            hours = Decimal(minutes) / 60 if kind not in Session.NON_CREDIT_KINDS else 0
            session = Session.objects.create(
                event=event, title=title, kind=kind, starts_at=begins,
                ends_at=begins + timedelta(minutes=minutes), ce_hours=hours,
                subject_area=area, level=level, auto_checkout=kind == "talk",
            )  # fmt: skip
            sessions.append(session)
        event.sessions.filter(kind__in=Session.NON_CREDIT_KINDS).update(ce_hours=0)
        self._offerings(event)
        organizer = User.objects.get(email=ORGANIZER_EMAIL)
        attendee = User.objects.get(email=ATTENDEE_EMAIL)
        others = list(
            User.objects.filter(registrations__event=demo).exclude(pk=attendee.pk).order_by("pk")
        )[:40]
        # The symposium is over, so registration_create() would refuse: these rows
        # stand for registrations taken before it happened.
        registrations = Registration.objects.bulk_create(
            Registration(
                event=event,
                user=person,
                ticket_type=ticket,
                status=Registration.Status.CONFIRMED,
                confirmed_at=event.starts_at - timedelta(days=21),
            )
            for person in [attendee, *others]
        )
        credit_sessions = [s for s in sessions if s.earns_credit]
        devices = {}
        for session in credit_sessions:
            _, code = device_create(event=event, name=f"{session.title[:30]} door",
                                    session=session, by=organizer)  # fmt: skip
            devices[session.pk] = device_pair(setup_code=code)[0]
        rng = random.Random(2027)
        nonce = 0
        for index, registration in enumerate(registrations):
            token = badge_token(badge_for(registration), event_id=event.pk)
            for session in credit_sessions:
                for minute, direction in self._pattern(rng, session, first=index == 0):
                    nonce += 1
                    perform_scan(
                        device=devices[session.pk], token=token, session=session,
                        direction=direction, nonce=f"demo-{nonce:06d}",
                        scanned_at=session.starts_at + timedelta(minutes=minute),
                    )  # fmt: skip
        return event, True

    @staticmethod
    def _pattern(rng: random.Random, session: Session, first: bool) -> list:
        """Scan minutes from the session's start: the demo attendee attends fully."""
        end = session.duration_minutes
        roll = 0.0 if first else rng.random()
        if roll < 0.7:
            return [(rng.randrange(-8, 2), "in"), (end + rng.randrange(0, 4), "out")]
        if roll < 0.82:
            return [(rng.randrange(17, 35), "in"), (end, "out")]  # late
        if roll < 0.9:
            return [(0, "in"), (end - rng.randrange(20, 40), "out")]  # leaves early
        if roll < 0.95:
            return [(0, "in")]  # forgets to scan out
        return []
