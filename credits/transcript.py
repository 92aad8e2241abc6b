""" "My CE": an attendee's transcript across events, and their license renewal tracker.

How hours are added up:
- Per accreditation, every counted award adds its hours (APA credit and NAADAC
  credit for the same session are two different credits).
- Per subject area and per year, a session counts once: where it carries credit
  under several accreditations, its largest credit is used, so a 3-hour workshop
  approved by APA and NAADAC adds 3 hours, not 6.
- A renewal period that accepts one accreditation body only counts that body's
  credit; one that accepts any counts each session once, as above.
- A session's subject-area hours are scaled down with partial credit: attending
  half of a workshop with 1 hour of ethics gives 0.5 hours of ethics (rounded
  down to the quarter hour, and never more than the credit itself).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_FLOOR, Decimal

from django.utils import timezone

from accounts.models import User
from accounts.vocab import SubjectArea
from credits.models import (
    Award,
    CreditSettings,
    Evaluation,
)
from credits.selectors import CreditedSession, awards_of
from credits.services.awards import refresh_awards
from events.models import Accreditation, Event, Registration, Session

QUARTER = Decimal("0.25")
ZERO = Decimal("0")
AREA_LABELS = dict(SubjectArea.choices)
AREA_ORDER = {value: i for i, value in enumerate(SubjectArea.values)}


def tidy(hours: Decimal) -> Decimal:
    """2.50 -> 2.5, 3.00 -> 3, 100 -> 100 (never 1E+2): hours as people write them."""
    value = hours.quantize(Decimal("0.01")).normalize()
    return value.quantize(Decimal(1)) if value.as_tuple().exponent > 0 else value


def floor_quarter(hours: Decimal) -> Decimal:
    return (hours / QUARTER).to_integral_value(rounding=ROUND_FLOOR) * QUARTER


def accreditation_label(accreditation: Accreditation) -> str:
    """The accreditor, without the provider's number: "APA", "Florida 491 board"."""
    return accreditation.body_name or accreditation.get_body_display()


@dataclass(frozen=True)
class SubjectHours:
    area: str
    hours: Decimal

    @property
    def label(self) -> str:
        return AREA_LABELS.get(self.area, self.area)


def subject_hours(award: Award) -> tuple[SubjectHours, ...]:
    """The offering's subject-area hours, scaled by the share of its credit earned."""
    offering = award.offering
    share = min(Decimal(1), award.hours / offering.hours) if offering.hours else ZERO
    out = []
    for subject in sorted(offering.subjects.all(), key=lambda s: AREA_ORDER.get(s.area, 99)):
        hours = subject.hours if share == 1 else floor_quarter(subject.hours * share)
        hours = min(hours, award.hours)
        if hours > 0:
            out.append(SubjectHours(subject.area, tidy(hours)))
    return tuple(out)


@dataclass
class TranscriptRow:
    """One award with credit: a session under one accreditation."""

    event: Event
    registration: Registration
    session: Session
    date: date  # in the event's time zone
    accreditation: Accreditation
    hours: Decimal
    subjects: tuple[SubjectHours, ...]
    counted: bool  # False: awaiting the session's evaluation

    @property
    def accreditation_label(self) -> str:
        return accreditation_label(self.accreditation)

    @property
    def status(self) -> str:
        return "Counted" if self.counted else "Awaiting evaluation"

    @property
    def subjects_text(self) -> str:
        return "; ".join(f"{s.label}: {s.hours} h" for s in self.subjects)


@dataclass
class EventTranscript:
    event: Event
    registration: Registration
    rows: list[TranscriptRow] = field(default_factory=list)
    under_review: list[Session] = field(default_factory=list)

    @property
    def counted_rows(self) -> list[TranscriptRow]:
        return [row for row in self.rows if row.counted]

    @property
    def awaiting_sessions(self) -> list[Session]:
        seen: dict[int, Session] = {}
        for row in self.rows:
            if not row.counted:
                seen.setdefault(row.session.pk, row.session)
        return list(seen.values())

    @property
    def totals(self) -> list[Total]:
        return totals_by_accreditation(self.counted_rows)


@dataclass(frozen=True)
class Total:
    label: str
    hours: Decimal


@dataclass
class Transcript:
    user: User
    events: list[EventTranscript]

    @property
    def rows(self) -> list[TranscriptRow]:
        return [row for group in self.events for row in group.rows]

    @property
    def counted_rows(self) -> list[TranscriptRow]:
        return [row for row in self.rows if row.counted]

    @property
    def awaiting_count(self) -> int:
        return sum(len(group.awaiting_sessions) for group in self.events)

    @property
    def by_accreditation(self) -> list[Total]:
        return totals_by_accreditation(self.counted_rows)

    @property
    def by_subject(self) -> list[Total]:
        totals: dict[str, Decimal] = defaultdict(Decimal)
        for credit in session_credits(self.counted_rows):
            for area, hours in credit.subjects.items():
                totals[area] += hours
        ordered = sorted(totals, key=lambda area: AREA_ORDER.get(area, 99))
        return [Total(AREA_LABELS.get(area, area), tidy(totals[area])) for area in ordered]

    @property
    def by_year(self) -> list[Total]:
        totals: dict[int, Decimal] = defaultdict(Decimal)
        for credit in session_credits(self.counted_rows):
            totals[credit.date.year] += credit.hours
        return [Total(str(year), tidy(totals[year])) for year in sorted(totals)]


def totals_by_accreditation(rows: Iterable[TranscriptRow]) -> list[Total]:
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for row in rows:
        totals[row.accreditation_label] += row.hours
    ordered = sorted(totals, key=str.casefold)
    return [Total(label, tidy(totals[label])) for label in ordered]


@dataclass
class SessionCredit:
    """A session counted once: its largest credit and subject hours over the rows given."""

    session: Session
    event: Event
    date: date
    hours: Decimal = ZERO
    subjects: dict[str, Decimal] = field(default_factory=dict)


def session_credits(rows: Iterable[TranscriptRow]) -> list[SessionCredit]:
    credits: dict[tuple[int, int], SessionCredit] = {}
    for row in rows:
        key = (row.registration.pk, row.session.pk)
        credit = credits.get(key)
        if credit is None:
            credit = credits[key] = SessionCredit(row.session, row.event, row.date)
        credit.hours = max(credit.hours, row.hours)
        for subject in row.subjects:
            credit.subjects[subject.area] = max(
                credit.subjects.get(subject.area, ZERO), subject.hours
            )
    return list(credits.values())


def transcript(user: User) -> Transcript:
    """Every credited session of the user's confirmed registrations, oldest first.

    Each event's awards are brought up to date first (a fixed handful of queries
    per event, see refresh_awards); the rest is five queries whatever the number
    of events, sessions and awards."""
    registrations = list(
        Registration.objects.filter(
            user=user, status=Registration.Status.CONFIRMED, event__starts_at__lte=timezone.now()
        )
        .select_related("event__organization")
        .order_by("event__starts_at", "pk")
    )
    for registration in registrations:
        refresh_awards(registration.event)
    required = dict(
        CreditSettings.objects.filter(event_id__in=[r.event_id for r in registrations]).values_list(
            "event_id", "evaluation_required"
        )
    )
    evaluated = set(
        Evaluation.objects.filter(registration__in=registrations).values_list(
            "registration_id", "session_id"
        )
    )
    event_of = {r.pk: r.event_id for r in registrations}
    sessions: dict[tuple[int, int], CreditedSession] = {}
    for award in awards_of(registrations):
        key = (award.registration_id, award.session_id)
        if key not in sessions:
            sessions[key] = CreditedSession(
                session=award.session,
                awards=[],
                evaluated=key in evaluated,
                evaluation_required=required.get(event_of[award.registration_id], True),
            )
        sessions[key].awards.append(award)

    groups = {r.pk: EventTranscript(event=r.event, registration=r) for r in registrations}
    for (registration_id, _), credited in sessions.items():
        group = groups[registration_id]
        if not credited.earned:
            if credited.needs_review:
                group.under_review.append(credited.session)
            continue
        local_date = timezone.localtime(credited.session.starts_at, group.event.tzinfo).date()
        for award in credited.awards:
            if award.hours <= 0:
                continue
            group.rows.append(
                TranscriptRow(
                    event=group.event,
                    registration=group.registration,
                    session=credited.session,
                    date=local_date,
                    accreditation=award.offering.accreditation,
                    hours=tidy(award.hours),
                    subjects=subject_hours(award),
                    counted=credited.counts,
                )
            )
    return Transcript(user=user, events=list(groups.values()))


# ---------------------------------------------------------------- renewals
