"""Reads shared by credits pages, certificates, transcripts and exports."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import QuerySet

from credits.models import Award, CreditOffering, CreditSettings, Evaluation
from credits.services.awards import refresh_awards
from events.models import Event, Registration, Session


def credit_settings(event: Event) -> CreditSettings:
    """The event's settings, or unsaved defaults (evaluation required)."""
    return CreditSettings.objects.filter(event=event).first() or CreditSettings(event=event)


def event_offerings(event: Event) -> dict[int, list[CreditOffering]]:
    """Session id -> its offerings with accreditation, rule and subject areas (3 queries)."""
    by_session: dict[int, list[CreditOffering]] = defaultdict(list)
    for offering in (
        CreditOffering.objects.filter(session__event=event)
        .select_related("accreditation", "rule")
        .prefetch_related("subjects")
        .order_by("session_id", "accreditation__body")
    ):
        by_session[offering.session_id].append(offering)
    return dict(by_session)


@dataclass
class CreditedSession:
    """One session of a registration with the credit it earned."""

    session: Session
    awards: list[Award]
    evaluated: bool
    evaluation_required: bool

    @property
    def earned(self) -> bool:
        return any(a.hours > 0 for a in self.awards)

    @property
    def counts(self) -> bool:
        """Goes on the certificate: credit earned, and evaluated where required."""
        return self.earned and (self.evaluated or not self.evaluation_required)

    @property
    def needs_review(self) -> bool:
        return any(a.needs_review for a in self.awards)


@dataclass
class CreditSummary:
    registration: Registration
    sessions: list[CreditedSession] = field(default_factory=list)

    @property
    def counted(self) -> list[CreditedSession]:
        return [s for s in self.sessions if s.counts]

    @property
    def awaiting_evaluation(self) -> list[CreditedSession]:
        return [s for s in self.sessions if s.earned and not s.counts]

    def hours_by_accreditation(self) -> list[tuple[object, Decimal]]:
        """(accreditation, total hours) over the sessions that count."""
        totals: dict[int, list] = {}
        for credited in self.counted:
            for award in credited.awards:
                entry = totals.setdefault(
                    award.offering.accreditation_id, [award.offering.accreditation, Decimal("0")]
                )
                entry[1] += award.hours
        return [(acc, hours) for acc, hours in totals.values()]


def awards_of(registrations: QuerySet[Registration] | list[Registration]) -> QuerySet[Award]:
    return (
        Award.objects.filter(registration__in=registrations)
        .select_related("session", "offering__accreditation")
        .prefetch_related("offering__subjects")
        .order_by("session__starts_at", "session__title", "offering__accreditation__body")
    )


def credit_summary(registration: Registration, *, refresh: bool = True) -> CreditSummary:
    """Every session where the registration earned an award, oldest first, with
    whether its evaluation is in. Awards are brought up to date first."""
    event = registration.event
    if refresh:
        refresh_awards(event)
    settings = credit_settings(event)
    evaluated = set(
        Evaluation.objects.filter(registration=registration).values_list("session_id", flat=True)
    )
    grouped: dict[int, CreditedSession] = {}
    for award in awards_of([registration]):
        credited = grouped.get(award.session_id)
        if credited is None:
            credited = grouped[award.session_id] = CreditedSession(
                session=award.session,
                awards=[],
                evaluated=award.session_id in evaluated,
                evaluation_required=settings.evaluation_required,
            )
        credited.awards.append(award)
    return CreditSummary(registration=registration, sessions=list(grouped.values()))


@dataclass
class SessionCredit:
    """A credit session on the organizer's overview."""

    session: Session
    offerings: list[CreditOffering]
    attended: int = 0
    credited: dict[int, int] = field(default_factory=dict)  # offering id -> people credited
    needs_review: int = 0

    def credited_rows(self) -> list[tuple[CreditOffering, int]]:
        return [(o, self.credited.get(o.pk, 0)) for o in self.offerings]


def event_credit_overview(event: Event) -> list[SessionCredit]:
    """Every session offering credit, with attendance and credit counts (fixed queries)."""
    from django.db.models import Count, Q

    offerings = event_offerings(event)
    sessions = {
        s.pk: SessionCredit(session=s, offerings=offerings.get(s.pk, []))
        for s in event.sessions.filter(pk__in=offerings).select_related("room")
    }
    counts = (
        Award.objects.filter(session__event=event, registration__status="confirmed")
        .values("session_id", "offering_id")
        .annotate(
            people=Count("registration_id"),
            credited=Count("registration_id", filter=Q(hours__gt=0)),
            flagged=Count("registration_id", filter=Q(needs_review=True)),
        )
    )
    for row in counts:
        item = sessions[row["session_id"]]
        item.attended = max(item.attended, row["people"])
        item.credited[row["offering_id"]] = row["credited"]
        item.needs_review = max(item.needs_review, row["flagged"])
    return sorted(sessions.values(), key=lambda s: (s.session.starts_at, s.session.title))


@dataclass
class RosterRow:
    registration: Registration
    awards: list[Award] = field(default_factory=list)
    adjustments: list = field(default_factory=list)

    @property
    def first_award(self) -> Award | None:
        return self.awards[0] if self.awards else None

    @property
    def needs_review(self) -> bool:
        return any(a.needs_review for a in self.awards)

    def hours_for(self, offering: CreditOffering) -> Decimal | None:
        return next((a.hours for a in self.awards if a.offering_id == offering.pk), None)


def session_roster(session: Session, *, needs_review_only: bool = False) -> list[RosterRow]:
    """Everyone with attendance in a credit session (awards) or a seat in it, with
    their awards and adjustments. Four queries whatever the number of people."""
    from credits.models import AttendanceAdjustment
    from events.models import SessionSignup

    rows: dict[int, RosterRow] = {}
    awards = (
        Award.objects.filter(session=session)
        .select_related("registration__user__profile", "offering__accreditation")
        .order_by("registration_id", "offering__accreditation__body")
    )
    for award in awards:
        row = rows.setdefault(award.registration_id, RosterRow(award.registration))
        row.awards.append(award)
    if not needs_review_only:
        for signup in SessionSignup.objects.filter(
            session=session, status=SessionSignup.Status.CONFIRMED
        ).select_related("registration__user__profile"):
            rows.setdefault(signup.registration_id, RosterRow(signup.registration))
    for adjustment in (
        AttendanceAdjustment.objects.filter(session=session, registration_id__in=list(rows))
        .select_related("created_by")
        .order_by("created_at")
    ):
        rows[adjustment.registration_id].adjustments.append(adjustment)
    result = [r for r in rows.values() if r.needs_review or not needs_review_only]
    return sorted(
        result,
        key=lambda r: (
            r.registration.user.last_name.lower(),
            r.registration.user.first_name.lower(),
        ),
    )
