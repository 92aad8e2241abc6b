"""Renewal tracking: what a license's renewal period requires, what is done, and
upcoming sessions that would fill the gap (built on credits.transcript)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.utils import timezone

from accounts.models import License, User
from credits.models import CreditOffering, OfferingSubject, RenewalPeriod
from credits.transcript import (
    AREA_LABELS,
    AREA_ORDER,
    ZERO,
    SessionCredit,
    SubjectHours,
    Transcript,
    TranscriptRow,
    accreditation_label,
    session_credits,
    tidy,
    transcript,
)
from events.models import Event, Registration, Session

CANDIDATES = 300  # upcoming offerings looked at for gap suggestions


@dataclass(frozen=True)
class SubjectProgress:
    area: str
    required: Decimal
    done: Decimal

    @property
    def label(self) -> str:
        return AREA_LABELS.get(self.area, self.area)

    @property
    def missing(self) -> Decimal:
        return tidy(max(ZERO, self.required - self.done))

    @property
    def complete(self) -> bool:
        return self.done >= self.required


@dataclass
class Progress:
    period: RenewalPeriod
    required: Decimal
    done: Decimal
    pending: Decimal  # earned in the period, counted once the evaluations are in
    subjects: list[SubjectProgress]
    sessions: list[SessionCredit]

    @property
    def missing(self) -> Decimal:
        return tidy(max(ZERO, self.required - self.done))

    @property
    def missing_subjects(self) -> list[SubjectProgress]:
        return [s for s in self.subjects if not s.complete]

    @property
    def complete(self) -> bool:
        return not self.missing and not self.missing_subjects

    @property
    def shown_done(self) -> Decimal:
        """What the progress bar shows: done, at most the requirement."""
        return min(self.done, self.required)


def _in_period(row: TranscriptRow, period: RenewalPeriod) -> bool:
    if not period.starts_on <= row.date <= period.ends_on:
        return False
    return not period.accreditation_body or row.accreditation.body == period.accreditation_body


def renewal_progress(period: RenewalPeriod, *, source: Transcript | None = None) -> Progress:
    """Hours done in the period against what it requires, in total and per subject
    area. Pass the owner's transcript when showing several periods (no query then,
    provided the period's subjects were prefetched)."""
    source = source or transcript(period.license.user)
    rows = [row for row in source.rows if _in_period(row, period)]
    counted = session_credits(row for row in rows if row.counted)
    pending = session_credits(row for row in rows if not row.counted)
    done_by_area: dict[str, Decimal] = defaultdict(Decimal)
    for credit in counted:
        for area, hours in credit.subjects.items():
            done_by_area[area] += hours
    subjects = [
        SubjectProgress(s.area, tidy(s.hours_required), tidy(done_by_area[s.area]))
        for s in sorted(period.subjects.all(), key=lambda s: AREA_ORDER.get(s.area, 99))
    ]
    return Progress(
        period=period,
        required=tidy(period.hours_required),
        done=tidy(sum((c.hours for c in counted), ZERO)),
        pending=tidy(sum((c.hours for c in pending), ZERO)),
        subjects=subjects,
        sessions=sorted(counted, key=lambda c: c.session.starts_at),
    )


@dataclass
class Suggestion:
    """An upcoming session whose credit would count towards the period."""

    session: Session
    event: Event
    date: date
    hours: Decimal
    accreditations: list[str]
    fills: list[SubjectHours]  # missing subject areas it has hours in
    registered: bool


def gap_suggestions(user: User, progress: Progress, *, limit: int = 10) -> list[Suggestion]:
    """Sessions of published events, still to come and dated inside the period,
    whose credit would fill a missing subject area or the missing hours. Sessions
    that fill a missing subject area come first, then by date. Three queries."""
    period = progress.period
    now = timezone.now()
    if progress.complete or period.ends_on < timezone.localdate(now):
        return []
    missing_areas = {s.area for s in progress.missing_subjects}
    fills_gap = Exists(
        OfferingSubject.objects.filter(offering=OuterRef("pk"), area__in=missing_areas)
    )
    offerings = _upcoming_offerings(period, now).annotate(fills_gap=fills_gap)
    if not progress.missing:  # only subject areas are short
        offerings = offerings.filter(fills_gap=True)
    # Offerings that fill a missing subject first, so the cap never hides them.
    offerings = offerings.order_by("-fills_gap", "session__starts_at", "session_id")
    by_session: dict[int, Suggestion] = {}
    for offering in offerings[:CANDIDATES]:
        session = offering.session
        local_date = timezone.localtime(session.starts_at, session.event.tzinfo).date()
        if not period.starts_on <= local_date <= period.ends_on:
            continue
        suggestion = by_session.get(session.pk)
        if suggestion is None:
            suggestion = by_session[session.pk] = Suggestion(
                session, session.event, local_date, ZERO, [], [], False
            )
        suggestion.hours = max(suggestion.hours, tidy(offering.hours))
        suggestion.accreditations.append(accreditation_label(offering.accreditation))
        fills = {s.area: s.hours for s in suggestion.fills}
        for subject in offering.subjects.all():
            if subject.area in missing_areas:
                fills[subject.area] = max(fills.get(subject.area, ZERO), tidy(subject.hours))
        suggestion.fills = [
            SubjectHours(area, hours)
            for area, hours in sorted(fills.items(), key=lambda kv: AREA_ORDER.get(kv[0], 99))
        ]
    chosen = sorted(
        (s for s in by_session.values() if s.fills or progress.missing),
        key=lambda s: (not s.fills, s.session.starts_at, s.session.pk),
    )[:limit]
    registered = set(
        Registration.objects.filter(
            user=user, status__in=Registration.ACTIVE, event__in={s.event.pk for s in chosen}
        ).values_list("event_id", flat=True)
    )
    for suggestion in chosen:
        suggestion.registered = suggestion.event.pk in registered
    return chosen


def _upcoming_offerings(period: RenewalPeriod, now: datetime) -> QuerySet[CreditOffering]:
    # A day's margin either side: the exact local date is checked per event time zone.
    earliest = max(now, datetime.combine(period.starts_on, time.min, UTC) - timedelta(days=1))
    latest = datetime.combine(period.ends_on, time.max, UTC) + timedelta(days=1)
    offerings = (
        CreditOffering.objects.filter(
            session__starts_at__gt=earliest,
            session__starts_at__lte=latest,
            session__is_cancelled=False,
            session__event__status=Event.Status.PUBLISHED,
        )
        .exclude(session__kind__in=Session.NON_CREDIT_KINDS)
        .select_related("session__event__organization", "accreditation")
        .prefetch_related("subjects")
    )
    if period.accreditation_body:
        offerings = offerings.filter(accreditation__body=period.accreditation_body)
    return offerings


@dataclass
class PeriodTracker:
    progress: Progress
    suggestions: list[Suggestion]

    @property
    def period(self) -> RenewalPeriod:
        return self.progress.period

    @property
    def is_past(self) -> bool:
        return self.period.ends_on < timezone.localdate()


@dataclass
class LicenseTracker:
    license: License
    periods: list[PeriodTracker]


def renewal_trackers(user: User, *, source: Transcript) -> list[LicenseTracker]:
    """Each of the user's licenses with its renewal periods (latest first), their
    progress, and suggestions for the periods not over yet. Three queries, plus
    three per unfinished period."""
    licenses = user.licenses.prefetch_related(
        Prefetch("renewal_periods", queryset=RenewalPeriod.objects.prefetch_related("subjects"))
    )
    trackers = []
    for license in licenses:
        periods = []
        for period in license.renewal_periods.all():
            period.license = license
            progress = renewal_progress(period, source=source)
            periods.append(PeriodTracker(progress, gap_suggestions(user, progress)))
        trackers.append(LicenseTracker(license, periods))
    return trackers
