"""A licensee's renewal periods: the hours their board requires, in total and per
subject area. Only the license's owner may write them."""

from datetime import date
from decimal import Decimal

from django.db import transaction

from accounts.models import License, User
from accounts.vocab import SubjectArea
from credits.models import RenewalPeriod, RenewalSubject
from events.errors import RegistrationError
from events.models import Accreditation

MOST_HOURS = Decimal("999.99")


def _check_hours(hours: Decimal, *, code: str, what: str) -> None:
    if hours < 0:
        raise RegistrationError(code, f"{what} cannot be negative.")
    if hours > MOST_HOURS:
        raise RegistrationError(code, f"{what} must be at most {MOST_HOURS}.")
    if hours != hours.quantize(Decimal("0.01")):
        raise RegistrationError(code, f"{what}: use at most two decimal places.")


@transaction.atomic
def renewal_period_save(
    *,
    user: User,
    license: License,
    starts_on: date,
    ends_on: date,
    hours_required: Decimal,
    accreditation_body: str,
    subjects: dict[str, Decimal | None],
    period: RenewalPeriod | None = None,
) -> RenewalPeriod:
    """Create the period (or update `period`) and replace its subject requirements.
    A subject area with no hours (or 0) is not required."""
    if license.user_id != user.pk:
        raise RegistrationError("forbidden", "You can only track your own licenses.")
    if period is not None:
        period = RenewalPeriod.objects.select_for_update().filter(pk=period.pk).first()
        if period is None or period.license.user_id != user.pk:
            raise RegistrationError("forbidden", "You can only change your own renewal periods.")
    if ends_on <= starts_on:
        raise RegistrationError("period_order", "The renewal period must end after it starts.")
    _check_hours(hours_required, code="hours_invalid", what="Hours required")
    if accreditation_body not in ("", *Accreditation.Body.values):
        raise RegistrationError("body_invalid", "Choose an accreditor from the list, or any.")
    wanted: dict[str, Decimal] = {}
    for area, hours in subjects.items():
        if area not in SubjectArea.values:
            raise RegistrationError("area_invalid", f"Unknown subject area: {area}.")
        label = SubjectArea(area).label
        if hours is None or hours == 0:
            continue
        _check_hours(hours, code="subject_hours_invalid", what=label)
        if hours < Decimal("0.25"):
            raise RegistrationError("subject_hours_invalid", f"{label}: at least 0.25 hours.")
        wanted[area] = hours
    if sum(wanted.values(), Decimal(0)) > hours_required:
        raise RegistrationError(
            "subjects_exceed_total",
            "The subject-area hours add up to more than the total hours required.",
        )

    period = period or RenewalPeriod()
    period.license = license
    period.starts_on, period.ends_on = starts_on, ends_on
    period.hours_required = hours_required
    period.accreditation_body = accreditation_body
    period.save()
    period.subjects.all().delete()
    RenewalSubject.objects.bulk_create(
        RenewalSubject(period=period, area=area, hours_required=hours)
        for area, hours in wanted.items()
    )
    return period


@transaction.atomic
def renewal_period_delete(*, user: User, period: RenewalPeriod) -> None:
    """Forget a renewal period (the licensee's own notes; no attendance record)."""
    if period.license.user_id != user.pk:
        raise RegistrationError("forbidden", "You can only delete your own renewal periods.")
    period.delete()
