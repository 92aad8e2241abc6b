#!/usr/bin/env python
"""CE credit at conference scale: awards for 5,000 attendees x 30 sessions, and
2,000 certificate PDFs.

Builds a three-day conference on PostgreSQL (10 time slots x 3 parallel tracks =
30 credit sessions, each offering APA-style and NAADAC-style credit; two of the
days have a lunch inside a full-day workshop), then realistic scans: every
attendee picks one session per slot and attends it: most on time and to the end,
some late, some leaving early, some stepping out and back, some forgetting the
exit scan, a few skipping the slot. Then:

  (1) awards: time to compute and store every award from scratch
      (credits.services.awards.refresh_awards), and the queries it ran; the same
      for a tenth of the attendees, to show the count does not grow with them;
  (2) certificates: time to render --certificates PDFs (credits.pdf) from their
      stored content, and to build that content.

    .venv/bin/python bench/credits.py [--attendees 5000] [--certificates 2000]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._server import fresh_database, manage, production_env

SLOTS_PER_DAY = (4, 3, 3)  # 10 slots over three days
TRACKS = 3


def build_event(slug: str, attendees: int, seed: int):
    """A finished conference with offerings, registrations and scans."""
    from django.contrib.auth.hashers import make_password
    from django.db import connection
    from django.utils import timezone

    from accounts.models import License, Profile, User
    from checkin.models import Badge, Scan
    from credits.models import AttendanceRule, CreditOffering, CreditSettings, OfferingSubject
    from events.models import Accreditation, Event, Organization, Registration, Session, TicketType

    rng = random.Random(seed)
    start = (timezone.now() - timedelta(days=10)).replace(
        hour=13, minute=0, second=0, microsecond=0
    )
    org = Organization.objects.create(name=f"Bench Institute {slug}", slug=f"bench-{slug}")
    event = Event.objects.create(
        organization=org, title=f"Credit Conference {slug}", slug=slug, status="published",
        starts_at=start, ends_at=start + timedelta(days=3), venue_name="Convention Center",
        venue_address="1 Main St, Boston, MA",
    )  # fmt: skip
    # Evaluations are not simulated: let credit count without them, so certificates
    # list every credited session as they would after evaluation.
    CreditSettings.objects.create(
        event=event, signer_name="Dr. A. Signer", signer_title="Director",
        evaluation_required=False,
    )  # fmt: skip
    apa = Accreditation.objects.create(
        organization=org, body="apa", approval_statement=f"{org.name} is approved by the APA..."
    )
    naadac = Accreditation.objects.create(
        organization=org, body="naadac", provider_number="123456",
        approval_statement="Approved by NAADAC, provider #123456.",
    )  # fmt: skip
    rules = {r.preset: r for r in AttendanceRule.objects.filter(organization=None)}
    ticket = TicketType.objects.create(event=event, name="Full", price=0)

    slots = []  # (sessions of the slot)
    for day, count in enumerate(SLOTS_PER_DAY):
        day_start = start + timedelta(days=day)
        for slot in range(count):
            begins = day_start + timedelta(minutes=slot * 105)  # 90 min + 15 min break
            sessions = []
            for track in range(TRACKS):
                session = Session.objects.create(
                    event=event, title=f"D{day + 1} S{slot + 1} T{track + 1}", kind="workshop",
                    starts_at=begins, ends_at=begins + timedelta(minutes=90),
                    ce_hours=Decimal("1.5"), auto_checkout=track == 2,
                )  # fmt: skip
                for accreditation, rule in ((apa, rules["apa"]), (naadac, rules["naadac"])):
                    offering = CreditOffering.objects.create(
                        session=session, accreditation=accreditation, hours=Decimal("1.5"),
                        rule=rule,
                    )  # fmt: skip
                    if track == 0:
                        OfferingSubject.objects.create(
                            offering=offering, area="law_ethics", hours=Decimal("1.5")
                        )
                sessions.append(session)
            slots.append(sessions)

    password = make_password("bench")
    users = User.objects.bulk_create(
        User(email=f"{slug}-{i}@example.com", first_name=f"First{i}", last_name=f"Last{i}",
             password=password)
        for i in range(attendees)
    )  # fmt: skip
    Profile.objects.bulk_create(
        Profile(user=u, profession="psychologist", credentials="PhD") for u in users
    )
    License.objects.bulk_create(
        License(user=u, profession="psychologist", jurisdiction="FL", number=f"PY{i:06d}",
                board_code="PY")
        for i, u in enumerate(users)
    )  # fmt: skip
    registrations = Registration.objects.bulk_create(
        Registration(event=event, user=u, ticket_type=ticket, status="confirmed",
                     code=f"{slug[-3:].upper()}{i:07d}", confirmed_at=start - timedelta(days=20))
        for i, u in enumerate(users)
    )  # fmt: skip
    badges = Badge.objects.bulk_create(
        Badge(registration=r, key_version=1, issued_at=start - timedelta(days=1))
        for r in registrations
    )

    # Realistic patterns: (share, how the attendee's scans in a 90-minute session look)
    def pattern(begins):
        roll = rng.random()
        minute = lambda m: begins + timedelta(minutes=m, seconds=rng.randrange(60))  # noqa: E731
        if roll < 0.78:  # on time, stays
            return [(minute(rng.randrange(-10, 3)), "in"), (minute(rng.randrange(89, 95)), "out")]
        if roll < 0.86:  # late
            return [(minute(rng.randrange(5, 35)), "in"), (minute(90), "out")]
        if roll < 0.91:  # leaves early
            return [(minute(0), "in"), (minute(rng.randrange(50, 85)), "out")]
        if roll < 0.95:  # steps out and comes back
            away = rng.randrange(20, 60)
            return [(minute(0), "in"), (minute(away), "out"),
                    (minute(away + rng.randrange(3, 25)), "in"), (minute(90), "out")]  # fmt: skip
        if roll < 0.98:  # forgets the exit scan
            return [(minute(rng.randrange(-5, 5)), "in")]
        return []  # skipped the slot

    rows = []
    for registration, badge in zip(registrations, badges, strict=True):
        for sessions in slots:
            session = rng.choice(sessions)
            for at, direction in pattern(session.starts_at):
                rows.append((event.pk, session.pk, badge.pk, registration.pk, direction, at,
                             f"b{len(rows)}", "ok"))  # fmt: skip
    columns = (
        "event_id, session_id, badge_id, registration_id, direction, scanned_at, nonce, result"
    )
    with connection.cursor() as cursor:
        raw = cursor.cursor  # psycopg cursor: COPY is the fast way to load 100k+ rows
        with raw.copy(
            f"COPY {Scan._meta.db_table} ({columns}, received_at, token, reason) FROM STDIN"
        ) as copy:
            now = timezone.now()
            for row in rows:
                copy.write_row((*row, now, "", ""))
    return event, len(rows)


def time_awards(event) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from credits.models import Award, AwardState

    AwardState.objects.filter(event=event).delete()
    with CaptureQueriesContext(connection) as queries:
        began = time.perf_counter()
        from credits.services.awards import refresh_awards

        assert refresh_awards(event)
        elapsed = time.perf_counter() - began
    statements = [q for q in queries.captured_queries if q["sql"].split(" ", 1)[0] in VERBS]
    return {
        "seconds": elapsed,
        "queries": len(statements),
        "awards": Award.objects.filter(session__event=event).count(),
        "needs_review": Award.objects.filter(session__event=event, needs_review=True).count(),
    }


VERBS = {"SELECT", "INSERT", "UPDATE", "DELETE"}


def time_certificates(event, count: int) -> dict | None:
    if count <= 0:
        return None
    try:
        from credits.pdf import render_certificate
        from credits.services.certificates import certificate_content
    except ImportError:
        return None
    from events.models import Registration

    registrations = list(
        Registration.objects.filter(event=event).select_related("event", "user").order_by("pk")
    )[:count]
    began = time.perf_counter()
    contents = [
        {**certificate_content(r), "code": f"BENCH{i:011d}"} for i, r in enumerate(registrations)
    ]
    sessions = sum(len(c["sessions"]) for c in contents) / max(len(contents), 1)
    content_s = time.perf_counter() - began
    began = time.perf_counter()
    size = 0
    for i, content in enumerate(contents):
        pdf = render_certificate(content, f"https://convene.example/verify/BENCH{i:08d}/")
        size += len(pdf)
    render_s = time.perf_counter() - began
    return {
        "certificates": len(contents),
        "render_s": render_s,
        "content_s": content_s,
        "bytes_each": size // max(len(contents), 1),
        "sessions_each": round(sessions, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--attendees", type=int, default=5000)
    parser.add_argument("--certificates", type=int, default=2000)
    args = parser.parse_args()

    env = production_env(fresh_database("convene_bench_credits"), tempfile.mkdtemp())
    manage(env, "migrate", "--noinput")
    os.environ.update(env)
    import django

    django.setup()

    began = time.perf_counter()
    event, scans = build_event("credits-big", args.attendees, seed=1)
    small, small_scans = build_event("credits-small", max(args.attendees // 10, 1), seed=2)
    built = time.perf_counter() - began
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")

    big = time_awards(event)
    tenth = time_awards(small)
    again = time_awards(event)  # a full recompute over existing awards
    certificates = time_certificates(event, args.certificates)

    result = {
        "attendees": args.attendees,
        "sessions": sum(SLOTS_PER_DAY) * TRACKS,
        "scans": scans,
        "awards": big["awards"],
        "needs_review": big["needs_review"],
        "awards_s": round(big["seconds"], 2),
        "award_queries": big["queries"],
        "recompute_s": round(again["seconds"], 2),
        "tenth_attendees": max(args.attendees // 10, 1),
        "tenth_awards_s": round(tenth["seconds"], 2),
        "tenth_award_queries": tenth["queries"],
        "certificates": certificates["certificates"] if certificates else 0,
        "certificates_s": round(certificates["render_s"], 2) if certificates else None,
        "certificate_ms": (
            round(certificates["render_s"] * 1000 / certificates["certificates"], 2)
            if certificates
            else None
        ),
        "certificate_content_s": round(certificates["content_s"], 2) if certificates else None,
        "certificate_bytes": certificates["bytes_each"] if certificates else None,
        "certificate_sessions": certificates["sessions_each"] if certificates else None,
    }
    print(f"built {args.attendees} + {result['tenth_attendees']} attendees, "
          f"{scans + small_scans} scans in {built:.1f} s")  # fmt: skip
    print(
        f"awards    {result['awards']} in {result['awards_s']} s, {result['award_queries']} "
        f"queries ({result['tenth_attendees']} attendees: "
        f"{result['tenth_award_queries']} queries); "
        f"recompute {result['recompute_s']} s; {result['needs_review']} need review"
    )
    if certificates:
        print(
            f"certificates {result['certificates']} PDFs rendered in {result['certificates_s']} s "
            f"({result['certificate_ms']} ms each, {result['certificate_bytes']} bytes); "
            f"content built in {result['certificate_content_s']} s"
        )
    print("RESULT " + json.dumps(result))


if __name__ == "__main__":
    main()
