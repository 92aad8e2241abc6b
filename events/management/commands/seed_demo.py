"""Build a believable demo conference. Safe to run again: nothing is duplicated."""

import random
from contextlib import suppress
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from accounts.models import License, Profile, User
from events import demo_content as content
from events.errors import RegistrationError
from events.models import (
    Accreditation,
    Event,
    Membership,
    Organization,
    Presenter,
    Registration,
    Room,
    Session,
    TicketType,
    Track,
)
from events.services import registration_confirm, registration_create, session_signup_create

ORGANIZER_EMAIL = "organizer@convene.test"
ATTENDEE_EMAIL = "attendee@convene.test"
ADMIN_EMAIL = "admin@convene.test"
DEMO_PASSWORD = "convene-demo-2027"
ATTENDEES = 200
REGISTERED = 150

# Daily timetable in local time: (start, minutes, what).
DAY_PLAN = [
    (time(8, 0), 60, "meal:Registration and continental breakfast"),
    (time(9, 0), 75, "keynote"),
    (time(10, 15), 15, "break:Coffee break"),
    (time(10, 30), 90, "tracks"),
    (time(12, 0), 75, "meal:Lunch (on your own)"),
    (time(13, 15), 90, "tracks"),
    (time(14, 45), 15, "break:Afternoon break"),
    (time(15, 0), 90, "workshops"),
]


class Command(BaseCommand):
    help = "Load the demo CE conference (idempotent). Prints the demo logins."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--start",
            type=date.fromisoformat,
            help="First conference day (YYYY-MM-DD); default: 30 days from today.",
        )

    def handle(self, *args, **options) -> None:
        start = options["start"] or (timezone.localdate() + timedelta(days=30))
        # Demo registrations go through the real services; keep their emails off the console.
        quiet_mail = override_settings(
            EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"
        )
        with quiet_mail, transaction.atomic():
            org = self._provider()
            event, created = self._event(org, start)
            users = self._people(org)
            self._registrations(event, users)
        verb = "Created" if created else "Kept existing"
        active = event.registrations.filter(status__in=Registration.ACTIVE).count()
        self.stdout.write(
            self.style.SUCCESS(
                f"{verb} demo event “{event.title}” "
                f"({event.sessions.count()} sessions, {active} registrations)."
            )
        )
        self.stdout.write(
            "Demo logins (development only):\n"
            f"  organizer  {ORGANIZER_EMAIL} / {DEMO_PASSWORD}   (admin at /admin/)\n"
            f"  attendee   {ATTENDEE_EMAIL} / {DEMO_PASSWORD}\n"
            f"  superuser  {ADMIN_EMAIL} / {DEMO_PASSWORD}"
        )

    def _provider(self) -> Organization:
        data = content.PROVIDER
        org, _ = Organization.objects.get_or_create(slug=data["slug"], defaults=data)
        for body, body_name, number, statement in content.ACCREDITATIONS:
            Accreditation.objects.get_or_create(
                organization=org,
                body=body,
                defaults={
                    "body_name": body_name,
                    "provider_number": number,
                    "approval_statement": statement,
                },
            )
        for name, credentials, title in content.PRESENTERS:
            Presenter.objects.get_or_create(
                organization=org, name=name, defaults={"credentials": credentials, "title": title}
            )
        return org

    def _event(self, org: Organization, start: date) -> tuple[Event, bool]:
        existing = Event.objects.filter(slug=content.EVENT["slug"]).first()
        if existing:
            return existing, False
        event = Event(organization=org, status=Event.Status.PUBLISHED, **content.EVENT)
        tz = event.tzinfo
        event.starts_at = datetime.combine(start, time(8, 0), tz)
        event.ends_at = datetime.combine(start + timedelta(days=2), time(16, 30), tz)
        event.save()
        tracks = [
            Track.objects.create(event=event, name=name, position=i)
            for i, name in enumerate(content.TRACKS)
        ]
        rooms = [Room.objects.create(event=event, name=n, capacity=c) for n, c in content.ROOMS]
        presenters = list(Presenter.objects.filter(organization=org).order_by("pk"))
        by_name = {p.name: p for p in presenters}
        people = [by_name[name] for name, _, _ in content.PRESENTERS]
        track_queues = {name: list(items) for name, items in content.TRACK_SESSIONS.items()}
        for day in range(3):
            self._day(event, start + timedelta(days=day), day, tracks, rooms, people, track_queues)
        self._tickets(event, start)
        return event, True

    def _day(self, event, day, index, tracks, rooms, people, queues) -> None:
        tz = event.tzinfo
        for start, minutes, what in DAY_PLAN:
            begins = datetime.combine(day, start, tz)
            ends = begins + timedelta(minutes=minutes)
            kind, _, label = what.partition(":")
            if kind in ("meal", "break"):
                Session.objects.create(
                    event=event,
                    title=label,
                    kind=kind,
                    starts_at=begins,
                    ends_at=ends,
                    room=rooms[0],
                )
            elif kind == "keynote":
                title, level, area, who, objectives = content.KEYNOTES[index]
                session = Session.objects.create(
                    event=event,
                    title=f"Keynote: {title}",
                    kind=Session.Kind.PLENARY,
                    level=level,
                    subject_area=area,
                    starts_at=begins,
                    ends_at=ends,
                    room=rooms[0],
                    ce_hours=Decimal("1.25"),
                    learning_objectives="\n".join(objectives),
                )
                session.presenters.set([people[i] for i in who])
            else:
                for position, track in enumerate(tracks):
                    title, level, area, who = queues[track.name].pop(0)
                    workshop = kind == "workshops"
                    capacity = None
                    if workshop:
                        capacity = 12 if position == 0 and index == 0 else 40
                    topic = title.split(":")[0].lower()
                    session = Session.objects.create(
                        event=event,
                        title=title,
                        kind=Session.Kind.WORKSHOP if workshop else Session.Kind.TALK,
                        level=level,
                        subject_area=area,
                        track=track,
                        room=rooms[4] if workshop and position == 0 else rooms[1 + position],
                        starts_at=begins,
                        ends_at=ends,
                        capacity=capacity,
                        ce_hours=Decimal("1.5"),
                        description=(
                            f"A {minutes}-minute {'hands-on workshop' if workshop else 'session'}"
                            f" on {topic}, with case material and time for questions."
                        ),
                        learning_objectives="\n".join(
                            t.format(topic=topic) for t in content.OBJECTIVE_TEMPLATES
                        ),
                    )
                    session.presenters.set([people[i] for i in who])
        if index == 0:
            Session.objects.create(
                event=event,
                title="Welcome reception",
                kind=Session.Kind.RECEPTION,
                starts_at=datetime.combine(day, time(17, 0), tz),
                ends_at=datetime.combine(day, time(18, 30), tz),
                room=rooms[0],
            )

    def _tickets(self, event: Event, start: date) -> None:
        tz = event.tzinfo
        # Sales opened in the past whatever --start says, so the demo registrations
        # below go through; on-site registration runs until the last day.
        opened = min(
            datetime.combine(start - timedelta(days=120), time(9, 0), tz),
            timezone.now() - timedelta(days=60),
        )
        TicketType.objects.create(
            event=event,
            name="Full conference",
            price=Decimal("395.00"),
            position=0,
            description="All three days, all sessions, CE certificate included.",
            sales_start=opened,
            sales_end=event.ends_at,
        )
        TicketType.objects.create(
            event=event,
            name="Early bird",
            price=Decimal("325.00"),
            position=1,
            description="Discounted full conference registration.",
            sales_start=opened,
            sales_end=datetime.combine(start - timedelta(days=20), time(23, 59), tz),
        )
        TicketType.objects.create(
            event=event,
            name="Student / trainee",
            price=Decimal("0.00"),
            position=2,
            capacity=60,
            description="Free for full-time graduate students and supervised trainees.",
            sales_start=opened,
            sales_end=event.ends_at,
        )

    def _people(self, org: Organization) -> list[User]:
        password = make_password(DEMO_PASSWORD)  # hashed once: hashing 200 times takes minutes
        specials = [
            (ADMIN_EMAIL, "Site", "Administrator", True),
            (ORGANIZER_EMAIL, "Morgan", "Ellis", True),
            (ATTENDEE_EMAIL, "Jordan", "Rivera", False),
        ]
        for email, first, last, staff in specials:
            user, created = User.objects.get_or_create(
                email=email,
                defaults={
                    "first_name": first,
                    "last_name": last,
                    "password": password,
                    "is_staff": staff,
                    "is_superuser": email == ADMIN_EMAIL,
                },
            )
            if created:
                Profile.objects.create(
                    user=user,
                    profession="counselor",
                    credentials="LPC",
                    organization="Private practice",
                    region="MA",
                )
        organizer = User.objects.get(email=ORGANIZER_EMAIL)
        Membership.objects.get_or_create(
            organization=org, user=organizer, defaults={"role": Membership.Role.OWNER}
        )
        attendee = User.objects.get(email=ATTENDEE_EMAIL)
        License.objects.get_or_create(
            user=attendee,
            jurisdiction="MA",
            number="LPC-10492",
            defaults={"profession": "counselor", "license_type": "LMHC", "board_code": "MH"},
        )

        rng = random.Random(2027)
        new_users, profiles, licenses = [], [], []
        existing = set(
            User.objects.filter(email__endswith="@example.com").values_list("email", flat=True)
        )
        for i in range(ATTENDEES):
            first = content.FIRST_NAMES[i % len(content.FIRST_NAMES)]
            last = content.LAST_NAMES[(i * 7) % len(content.LAST_NAMES)]
            email = f"{first}.{last}.{i}@example.com".lower()
            if email in existing:
                continue
            profession, credentials, license_type, code = rng.choice(content.PROFESSIONS)
            user = User(email=email, first_name=first, last_name=last, password=password)
            new_users.append(user)
            state = rng.choice(content.STATES)
            profiles.append(
                (
                    user,
                    Profile(
                        profession=profession,
                        credentials=credentials,
                        organization=rng.choice(content.EMPLOYERS),
                        region=state,
                    ),
                )
            )
            if license_type:
                licenses.append(
                    (
                        user,
                        License(
                            profession=profession,
                            license_type=license_type,
                            jurisdiction=state,
                            board_code=code,
                            number=f"{code or 'LIC'}{rng.randint(10000, 99999)}",
                        ),
                    )
                )
        User.objects.bulk_create(new_users)
        for user, profile in profiles:
            profile.user = user
        Profile.objects.bulk_create([p for _, p in profiles])
        for user, lic in licenses:
            lic.user = user
        License.objects.bulk_create([lic for _, lic in licenses])
        return list(User.objects.filter(email__endswith="@example.com").order_by("pk"))

    def _registrations(self, event: Event, users: list[User]) -> None:
        """Register people through the same services the site uses."""
        if event.registrations.exists():
            return
        rng = random.Random(42)
        tickets = {t.name: t for t in event.ticket_types.all()}
        sessions = list(event.sessions.exclude(kind__in=Session.NON_CREDIT_KINDS))
        organizer = User.objects.get(email=ORGANIZER_EMAIL)
        attendee = User.objects.get(email=ATTENDEE_EMAIL)
        for i, user in enumerate([attendee, *users[:REGISTERED]]):
            student = user.profile.profession == "student"
            ticket = tickets["Student / trainee" if student else "Full conference"]
            try:
                registration = registration_create(user=user, ticket_type=ticket)
            except RegistrationError:
                continue
            if not student and i % 5 != 4:  # most have paid; a few still owe
                registration_confirm(registration=registration, by=organizer)
            for session in rng.sample(sessions, k=rng.randint(3, 8)):
                with suppress(RegistrationError):  # clashes happen when picking at random
                    session_signup_create(user=user, session_id=session.pk)
