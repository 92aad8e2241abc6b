"""Certificates: a frozen snapshot of everything printed, issued once, never edited.

`certificate_content` builds the snapshot (names, licenses, event, every counted
session with its hours per accreditation and subject area, approvals, signer);
the PDF and the public verification page render from it alone, so an issued
certificate reads the same forever (DESIGN.md invariant 5). A correction issues a
new certificate and revokes the old one, pointing at its replacement.
"""

from __future__ import annotations

import secrets
from datetime import date, datetime, timedelta
from decimal import ROUND_FLOOR, Decimal

from django.db import transaction
from django.utils import timezone

from accounts.models import License, Profile, User
from credits.models import Award, Certificate, CertificateBatch
from credits.selectors import CreditSummary, credit_settings, credit_summary
from events.errors import RegistrationError
from events.models import Accreditation, Event, Registration
from events.permissions import can_manage_event

CONTENT_VERSION = 1
# Letters and digits people do not confuse (no 0/O, 1/I): 32 symbols, 16 of them = 80 bits.
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 16
REASON_MAX = 300

SHORT_BODY = {
    Accreditation.Body.APA: "APA",
    Accreditation.Body.NBCC: "NBCC",
    Accreditation.Body.ASWB: "ASWB ACE",
    Accreditation.Body.NAADAC: "NAADAC",
}
QUARTER = Decimal("0.25")


# ---------- codes ----------


def new_certificate_code() -> str:
    """16 random symbols in groups of four: ABCD-EFGH-JKMN-PQRS (80 bits)."""
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, CODE_LENGTH, 4))


def normalize_code(text: str) -> str:
    """What a person typed -> the stored form (case, spaces and dashes do not matter).
    Anything else comes back regrouped too, so a lookup of it simply finds nothing."""
    raw = "".join(ch for ch in (text or "").upper() if ch.isalnum())[: CODE_LENGTH * 2]
    return "-".join(raw[i : i + 4] for i in range(0, len(raw), 4))


# ---------- content ----------


def hours_text(value: Decimal) -> str:
    """Decimal("3.00") -> "3", Decimal("2.50") -> "2.5"."""
    text = format(value.quantize(Decimal("0.01")), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def floor_quarter(value: Decimal) -> Decimal:
    return (value / QUARTER).to_integral_value(rounding=ROUND_FLOOR) * QUARTER


def long_date(day: date) -> str:
    return f"{day:%B} {day.day}, {day.year}"


def date_range(first: date, last: date) -> str:
    if first == last:
        return long_date(first)
    if (first.year, first.month) == (last.year, last.month):
        return f"{first:%B} {first.day}–{last.day}, {first.year}"
    if first.year == last.year:
        return f"{first:%B} {first.day} – {last:%B} {last.day}, {first.year}"
    return f"{long_date(first)} – {long_date(last)}"


def clock(moment: datetime) -> str:
    return f"{moment:%I:%M %p}".lstrip("0")


def accreditation_labels(accreditation: Accreditation) -> tuple[str, str]:
    """(short label for tables, full name of the body)."""
    full = accreditation.body_name or accreditation.get_body_display()
    return SHORT_BODY.get(accreditation.body, accreditation.body_name or full), full


def _participant(user: User) -> dict:
    profile = Profile.objects.filter(user=user).first()
    licenses = [
        {
            "profession": lic.get_profession_display(),
            "type": lic.license_type,
            "jurisdiction": lic.jurisdiction,
            "jurisdiction_name": lic.get_jurisdiction_display(),
            "number": lic.number,
        }
        for lic in License.objects.filter(user=user).order_by("jurisdiction", "number")
    ]
    return {
        "name": user.get_full_name(),  # never the email: the public page shows this
        "profession": profile.get_profession_display() if profile and profile.profession else "",
        "credentials": profile.credentials if profile else "",
        "licenses": licenses,
    }


def _event(event: Event) -> dict:
    tz = event.tzinfo
    first, last = event.starts_at.astimezone(tz).date(), event.ends_at.astimezone(tz).date()
    location = ", ".join(part for part in (event.venue_name, event.venue_address) if part)
    return {
        "title": event.title,
        "starts_on": first.isoformat(),
        "ends_on": last.isoformat(),
        "dates": date_range(first, last),
        "venue": event.venue_name,
        "address": event.venue_address,
        "location": location,
        "format": event.get_delivery_format_display(),
        "time_zone": event.timezone,
    }


def _subject_hours(award: Award) -> list[tuple[str, Decimal]]:
    """Subject-area hours of an award: scaled down with partial credit, floored to 0.25."""
    offering, out = award.offering, []
    for subject in offering.subjects.all():
        hours = subject.hours
        if award.hours < offering.hours:
            hours = floor_quarter(subject.hours * award.hours / offering.hours)
        hours = min(hours, award.hours)
        if hours > 0:
            out.append((subject.get_area_display(), hours))
    return out


def certificate_content(
    registration: Registration,
    *,
    summary: CreditSummary | None = None,
    issued_at: datetime | None = None,
) -> dict:
    """Everything a certificate prints, as plain JSON (strings, lists, dicts)."""
    event = registration.event
    tz = event.tzinfo
    summary = summary or credit_summary(registration)
    settings = credit_settings(event)
    sessions, totals, accreditations = [], {}, {}
    for credited in summary.counted:
        session = credited.session
        starts, ends = session.starts_at.astimezone(tz), session.ends_at.astimezone(tz)
        credits = []
        for award in credited.awards:
            if award.hours <= 0:
                continue
            accreditation = award.offering.accreditation
            short = accreditation_labels(accreditation)[0]
            subjects = _subject_hours(award)
            credits.append(
                {
                    "body": short,
                    "hours": hours_text(award.hours),
                    "subjects": [{"area": a, "hours": hours_text(h)} for a, h in subjects],
                }
            )
            accreditations[accreditation.pk] = accreditation
            total = totals.setdefault(
                accreditation.pk, {"hours": Decimal("0"), "subjects": {}, "short": short}
            )
            total["hours"] += award.hours
            for area, hours in subjects:
                total["subjects"][area] = total["subjects"].get(area, Decimal("0")) + hours
        sessions.append(
            {
                "title": session.title,
                "date": starts.date().isoformat(),
                "date_text": f"{starts:%b} {starts.day}, {starts.year}",
                "time_text": f"{clock(starts)}–{clock(ends)}",
                "level": session.get_level_display() if session.level else "",
                "credits": credits,
            }
        )
    ordered = sorted(accreditations.values(), key=lambda a: (a.body, a.body_name, a.pk))
    issued = (issued_at or timezone.now()).astimezone(tz).date()
    return {
        "version": CONTENT_VERSION,
        "participant": _participant(registration.user),
        "event": _event(event),
        "provider": event.organization.name,
        "sessions": sessions,
        "totals": [
            {
                "body": accreditation_labels(a)[1],
                "short": totals[a.pk]["short"],
                "hours": hours_text(totals[a.pk]["hours"]),
                "subjects": [
                    {"area": area, "hours": hours_text(hours)}
                    for area, hours in sorted(totals[a.pk]["subjects"].items())
                ],
            }
            for a in ordered
        ],
        "accreditations": [
            {
                "body": accreditation_labels(a)[1],
                "short": accreditation_labels(a)[0],
                "number": a.provider_number,
                "statement": a.approval_statement,
            }
            for a in ordered
        ],
        "signer": {"name": settings.signer_name, "title": settings.signer_title},
        "issued_on": issued.isoformat(),
        "issued_text": long_date(issued),
    }


def _comparable(content: dict) -> dict:
    """The content without what differs between two issues of the same facts."""
    return {k: v for k, v in content.items() if k not in ("code", "issued_on", "issued_text")}


# ---------- eligibility ----------


def check_certificate_eligible(
    registration: Registration, *, refresh: bool = True
) -> CreditSummary:
    """The registration's credit summary, or RegistrationError saying why there is
    no certificate yet."""
    event = registration.event
    if registration.status != Registration.Status.CONFIRMED:
        raise RegistrationError(
            "not_confirmed", "Certificates are issued for confirmed registrations only."
        )
    if event.ends_at > timezone.now():
        raise RegistrationError(
            "event_not_over", "Certificates are issued once the event has ended."
        )
    summary = credit_summary(registration, refresh=refresh)
    if not summary.counted:
        pending = summary.awaiting_evaluation
        if pending:
            titles = ", ".join(s.session.title for s in pending)
            raise RegistrationError(
                "evaluations_pending",
                f"Submit the evaluation of each session to receive its credit: {titles}.",
            )
        raise RegistrationError("no_credit", "No session earned credit under the attendance rules.")
    return summary


def _check_not_withdrawn(registration: Registration) -> None:
    latest = registration.certificates.order_by("-issued_at", "-pk").first()
    if latest is not None and latest.revoked_at and latest.replaced_by_id is None:
        raise RegistrationError(
            "revoked",
            "The provider revoked this certificate; contact them about a new one.",
        )


# ---------- writes ----------


def _create(registration: Registration, content: dict, by: User | None) -> Certificate:
    code = new_certificate_code()
    while Certificate.objects.filter(code=code).exists():  # 80 bits: practically never
        code = new_certificate_code()
    return Certificate.objects.create(
        registration=registration,
        code=code,
        content={**content, "code": code},
        issued_at=timezone.now(),
        issued_by=by if by is not None and by.is_authenticated else None,
    )


def _replace(old: Certificate, new_content: dict, *, reason: str, by: User | None) -> Certificate:
    """Revoke `old` (if still valid), issue the new one, link them. One transaction."""
    if old.revoked_at is None:
        old.revoked_at = timezone.now()
        old.revoke_reason = reason[:REASON_MAX]
        old.save(update_fields=["revoked_at", "revoke_reason"])
    new = _create(old.registration, new_content, by)
    old.replaced_by = new
    old.save(update_fields=["replaced_by"])
    return new


def _superseded_reason(old: dict, new: dict) -> str:
    before = {s["title"] for s in old.get("sessions", [])}
    after = {s["title"] for s in new.get("sessions", [])}
    parts = []
    if after - before:
        parts.append("sessions added: " + ", ".join(sorted(after - before)))
    if before - after:
        parts.append("sessions removed: " + ", ".join(sorted(before - after)))
    if not parts:
        parts.append("the certificate's details changed")
    return ("Superseded: " + "; ".join(parts))[:REASON_MAX]


def _lock(registration: Registration) -> None:
    """Serialize issuing for one registration (two downloads at once issue one)."""
    Registration.objects.select_for_update().filter(pk=registration.pk).first()


def issue_for(
    registration: Registration, *, by: User | None, refresh: bool = True
) -> tuple[Certificate, bool]:
    """certificate_issue's work, also telling whether a new certificate was made."""
    summary = check_certificate_eligible(registration, refresh=refresh)
    content = certificate_content(registration, summary=summary)
    with transaction.atomic():
        _lock(registration)
        _check_not_withdrawn(registration)
        current = registration.certificates.filter(revoked_at__isnull=True).first()
        if current is None:
            return _create(registration, content, by), True
        if _comparable(current.content) == _comparable(content):
            return current, False
        reason = _superseded_reason(current.content, content)
        return _replace(current, content, reason=reason, by=by), True


def certificate_issue(*, registration: Registration, by: User | None = None) -> Certificate:
    """The registration's certificate: the valid one if nothing changed since, else a
    new one that supersedes it. Attendees issue their own; organizers any."""
    mine = by is None or by.pk == registration.user_id
    if not mine and not can_manage_event(by, registration.event):
        raise RegistrationError("forbidden", "You can only get your own certificates.")
    return issue_for(registration, by=by)[0]


def _check_organizer(by: User, certificate: Certificate, action: str) -> Registration:
    registration = certificate.registration
    if not can_manage_event(by, registration.event):
        raise RegistrationError("forbidden", f"Only the event's organizers can {action}.")
    return registration


def _clean_reason(reason: str) -> str:
    reason = " ".join((reason or "").split())
    if not reason:
        raise RegistrationError("reason_required", "Give a reason; it is kept with the record.")
    return reason[:REASON_MAX]


@transaction.atomic
def certificate_reissue(*, certificate: Certificate, by: User, reason: str) -> Certificate:
    """A new certificate (new code) from the current data; the old one is revoked
    with the reason and points at the new one."""
    registration = _check_organizer(by, certificate, "reissue certificates")
    reason = _clean_reason(reason)
    summary = check_certificate_eligible(registration)
    _lock(registration)
    certificate = Certificate.objects.select_related("registration").get(pk=certificate.pk)
    if certificate.replaced_by_id is not None:
        raise RegistrationError(
            "already_replaced", "This certificate was already replaced; reissue the newer one."
        )
    valid = registration.certificates.filter(revoked_at__isnull=True).exclude(pk=certificate.pk)
    if valid.exists():
        raise RegistrationError(
            "has_valid", "This attendee already holds a valid certificate; reissue that one."
        )
    content = certificate_content(registration, summary=summary)
    return _replace(certificate, content, reason=reason, by=by)


@transaction.atomic
def certificate_revoke(*, certificate: Certificate, by: User, reason: str) -> Certificate:
    """Withdraw a certificate. The attendee cannot download a new one until an
    organizer reissues it."""
    _check_organizer(by, certificate, "revoke certificates")
    reason = _clean_reason(reason)
    certificate = Certificate.objects.select_for_update().get(pk=certificate.pk)
    if certificate.revoked_at is not None:
        raise RegistrationError("already_revoked", "This certificate is already revoked.")
    certificate.revoked_at = timezone.now()
    certificate.revoke_reason = reason
    certificate.save(update_fields=["revoked_at", "revoke_reason"])
    return certificate


BATCH_BLOCKS_FOR = timedelta(hours=1)


def certificate_batch_start(*, event: Event, by: User) -> CertificateBatch:
    """Queue "issue every eligible certificate" for the event (after commit). Refused
    while another batch is queued or running; one stuck for an hour no longer blocks
    (issuing is idempotent, so a second run only re-confirms certificates)."""
    from credits.tasks import issue_certificates

    if not can_manage_event(by, event):
        raise RegistrationError("forbidden", "Only the event's organizers can issue certificates.")
    if event.ends_at > timezone.now():
        raise RegistrationError(
            "event_not_over", "Certificates can be issued once the event has ended."
        )
    with transaction.atomic():
        Event.objects.select_for_update().filter(pk=event.pk).first()
        busy = CertificateBatch.objects.filter(
            event=event,
            status__in=[CertificateBatch.Status.QUEUED, CertificateBatch.Status.RUNNING],
            created_at__gt=timezone.now() - BATCH_BLOCKS_FOR,
        )
        if busy.exists():
            raise RegistrationError(
                "batch_running", "Certificates are already being issued for this event."
            )
        batch = CertificateBatch.objects.create(
            event=event,
            requested_by=by,
            total=event.registrations.filter(status=Registration.Status.CONFIRMED).count(),
        )
        transaction.on_commit(lambda: issue_certificates.enqueue(batch_id=batch.pk))
    return batch
