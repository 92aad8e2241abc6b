"""Organizer exports (issue 5): the attendance roster (CSV); CE Broker rosters (XML)
are built from it in credits/cebroker.py.

`event_roster(event, session=...)` reads everything an export needs in a fixed
number of queries, whatever the number of attendees; the other functions only
shape that data into files, so they are cheap to test. Nothing here writes.

The roster keeps cancelled registrations that have attendance records (scans or
adjustments): records are kept (DOMAIN.md "Records"), and the roster says they were
cancelled. docs/ce-broker.md describes the CE Broker file.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from decimal import Decimal

from django.db.models import Q

from accounts.models import License
from credits.models import AttendanceAdjustment, Award, Certificate, CreditOffering, Evaluation
from credits.selectors import credit_settings
from credits.services.awards import refresh_awards
from events.models import Accreditation, Event, Registration, Session, SessionSignup

TIME = "%Y-%m-%d %H:%M"
CENTS = Decimal("0.01")
SHORT_BODY = {"apa": "APA", "nbcc": "NBCC", "aswb": "ASWB ACE", "naadac": "NAADAC"}


@dataclass(frozen=True)
class Person:
    registration_id: int
    code: str
    status: str
    status_label: str
    first_name: str
    last_name: str
    email: str
    profession: str
    licenses: tuple[License, ...]
    certificate: str  # code of the valid certificate, or ""

    @property
    def sort_key(self) -> tuple[str, str, str]:
        return (self.last_name.lower(), self.first_name.lower(), self.email)


@dataclass
class RosterRow:
    """One person in one session (or, for someone who came to nothing, no session)."""

    person: Person
    session: Session | None
    awards: dict[int, Award] = field(default_factory=dict)  # accreditation id -> award
    adjustments: list[str] = field(default_factory=list)
    evaluated: bool = False

    @property
    def minutes(self) -> int:
        return max((a.minutes for a in self.awards.values()), default=0)

    @property
    def needs_review(self) -> bool:
        return any(a.needs_review for a in self.awards.values())

    @property
    def first_in(self) -> datetime | None:
        return next((a.first_in for a in self.awards.values() if a.first_in), None)

    @property
    def last_out(self) -> datetime | None:
        return next((a.last_out for a in self.awards.values() if a.last_out), None)


@dataclass
class Roster:
    event: Event
    session: Session | None
    accreditations: list[Accreditation]
    offerings: dict[int, list[CreditOffering]]  # session id -> offerings
    rows: list[RosterRow]
    evaluation_required: bool

    def rows_of(self, session_id: int) -> list[RosterRow]:
        return [r for r in self.rows if r.session is not None and r.session.pk == session_id]


def event_roster(event: Event, *, session: Session | None = None) -> Roster:
    """Everyone with a seat, a scan or an adjustment in the event's credit sessions
    (or in `session`), plus, for the whole event, every confirmed registration.
    Awards are brought up to date first. About a dozen queries in all."""
    refresh_awards(event)
    offerings: dict[int, list[CreditOffering]] = defaultdict(list)
    accreditations: dict[int, Accreditation] = {}
    for offering in (
        CreditOffering.objects.filter(session__event=event)
        .select_related("session__room", "accreditation")
        .order_by("session__starts_at", "session__title", "accreditation__body", "pk")
    ):
        offerings[offering.session_id].append(offering)
        accreditations.setdefault(offering.accreditation_id, offering.accreditation)
    by_offering = {o.pk: o for items in offerings.values() for o in items}
    sessions = {items[0].session_id: items[0].session for items in offerings.values()}
    if session is not None:
        sessions = {session.pk: session}
        accreditations = {
            o.accreditation_id: o.accreditation for o in offerings.get(session.pk, [])
        }

    scope = Q(session__event=event) if session is None else Q(session=session)
    awards = Award.objects.filter(scope).defer("rule")
    adjustments = AttendanceAdjustment.objects.filter(scope)
    signups = SessionSignup.objects.filter(
        scope, session_id__in=list(sessions), status=SessionSignup.Status.CONFIRMED
    )
    listed = (
        Q(pk__in=awards.values("registration_id"))
        | Q(pk__in=adjustments.values("registration_id"))
        | Q(pk__in=signups.values("registration_id"))
    )
    if session is None:
        listed |= Q(status=Registration.Status.CONFIRMED)
    persons = _persons(event, Registration.objects.filter(listed, event=event))

    rows: dict[tuple[int, int], RosterRow] = {}

    def row(registration_id: int, session_id: int) -> RosterRow | None:
        if registration_id not in persons or session_id not in sessions:
            return None
        key = (registration_id, session_id)
        if key not in rows:
            rows[key] = RosterRow(persons[registration_id], sessions[session_id])
        return rows[key]

    for award in awards:
        if (target := row(award.registration_id, award.session_id)) is not None:
            accreditation_id = by_offering[award.offering_id].accreditation_id
            target.awards[accreditation_id] = award
    zone = event.tzinfo
    for registration_id, session_id, kind, starts_at, ends_at, reason in adjustments.order_by(
        "created_at", "pk"
    ).values_list("registration_id", "session_id", "kind", "starts_at", "ends_at", "reason"):
        if (target := row(registration_id, session_id)) is not None:
            target.adjustments.append(_adjustment_text(kind, starts_at, ends_at, reason, zone))
    for registration_id, session_id in signups.values_list("registration_id", "session_id"):
        row(registration_id, session_id)
    for registration_id, session_id in Evaluation.objects.filter(scope).values_list(
        "registration_id", "session_id"
    ):
        if (registration_id, session_id) in rows:
            rows[(registration_id, session_id)].evaluated = True

    result = list(rows.values())
    if session is None:  # confirmed people who came to nothing: visible as no-shows
        present = {r.person.registration_id for r in result}
        result += [RosterRow(p, None) for pk, p in persons.items() if pk not in present]
    result.sort(key=lambda r: (*r.person.sort_key, _session_key(r.session)))
    return Roster(
        event=event,
        session=session,
        accreditations=sorted(accreditations.values(), key=lambda a: (a.body, a.pk)),
        offerings=dict(offerings),
        rows=result,
        evaluation_required=credit_settings(event).evaluation_required,
    )


def _persons(event: Event, registrations) -> dict[int, Person]:
    """Registration id -> person, with licenses and certificate codes (3 queries)."""
    licenses: dict[int, list[License]] = defaultdict(list)
    for license in License.objects.filter(user_id__in=registrations.values("user_id")).order_by(
        "jurisdiction", "number"
    ):
        licenses[license.user_id].append(license)
    certificates = dict(
        Certificate.objects.filter(registration__event=event, revoked_at__isnull=True).values_list(
            "registration_id", "code"
        )
    )
    persons = {}
    for registration in registrations.select_related("user__profile"):
        user = registration.user
        profile = getattr(user, "profile", None)
        persons[registration.pk] = Person(
            registration_id=registration.pk,
            code=registration.code,
            status=registration.status,
            status_label=registration.get_status_display(),
            first_name=user.first_name,
            last_name=user.last_name,
            email=user.email,
            profession=profile.get_profession_display() if profile else "",
            licenses=tuple(licenses.get(user.pk, ())),
            certificate=certificates.get(registration.pk, ""),
        )
    return persons


def _session_key(session: Session | None) -> tuple:
    return (0, session.starts_at, session.title) if session else (1,)


def _adjustment_text(kind, starts_at, ends_at, reason: str, zone: tzinfo) -> str:
    label = AttendanceAdjustment.Kind(kind).label
    if starts_at and ends_at:
        label += f" {starts_at.astimezone(zone):%H:%M}-{ends_at.astimezone(zone):%H:%M}"
    return f"{label}: {reason}"


def accreditation_label(accreditation: Accreditation, *, among: list[Accreditation]) -> str:
    """A short name for a column ("APA", "NAADAC"), told apart by number when the
    provider holds two approvals of one kind."""

    def short(a: Accreditation) -> str:
        return a.body_name or SHORT_BODY.get(a.body) or a.get_body_display()

    label = short(accreditation)
    if sum(short(a) == label for a in among) > 1:
        label += f" #{accreditation.provider_number or accreditation.pk}"
    return label


def local(value: datetime | None, zone: tzinfo, fmt: str = TIME) -> str:
    return value.astimezone(zone).strftime(fmt) if value else ""


def yes_no(value: bool) -> str:
    return "yes" if value else "no"


# --- Attendance roster (CSV) -------------------------------------------------


def roster_table(roster: Roster) -> Iterator[list[object]]:
    """The header, then one list of cells per row; `credits.csvutil` writes them
    (and keeps cells typed by people from being read as formulas)."""
    zone = roster.event.tzinfo
    labels = [accreditation_label(a, among=roster.accreditations) for a in roster.accreditations]
    yield [
        "Last name", "First name", "Email", "Registration code", "Registration status",
        "Profession", "Licenses (jurisdiction number)", "Session", "Session starts",
        "First in", "Last out", "Minutes attended", *[f"{label} hours" for label in labels],
        "Credit notes", "Needs review", "Adjustments", "Adjustment reasons",
        "Evaluation submitted", "Certificate code",
    ]  # fmt: skip
    for r in roster.rows:
        p = r.person
        head = [
            p.last_name, p.first_name, p.email, p.code, p.status_label, p.profession,
            "; ".join(f"{lic.jurisdiction} {lic.number}" for lic in p.licenses),
        ]  # fmt: skip
        if r.session is None:  # came to nothing
            no_credit = [""] * len(labels)
            yield [*head, "", "", "", "", 0, *no_credit, "", "", 0, "", "", p.certificate]
            continue
        offered = {o.accreditation_id for o in roster.offerings.get(r.session.pk, [])}
        hours = [
            _hours_cell(r.awards.get(a.pk), offered=a.pk in offered) for a in roster.accreditations
        ]
        notes = [
            f"{label}: {reason}"
            for a, label in zip(roster.accreditations, labels, strict=True)
            if a.pk in r.awards
            for reason in r.awards[a.pk].reason_list
        ]
        yield [
            *head, r.session.title, local(r.session.starts_at, zone),
            local(r.first_in, zone), local(r.last_out, zone), r.minutes,
            *hours, " | ".join(notes), yes_no(r.needs_review), len(r.adjustments),
            " | ".join(r.adjustments), yes_no(r.evaluated), p.certificate,
        ]  # fmt: skip


def _hours_cell(award: Award | None, *, offered: bool) -> Decimal | str:
    if not offered:
        return ""
    return (award.hours if award else Decimal("0")).quantize(CENTS)
