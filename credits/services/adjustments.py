"""Organizer corrections of attendance, always with a written reason."""

from datetime import datetime

from django.db import transaction

from accounts.models import User
from credits.models import AttendanceAdjustment
from credits.services.awards import recompute_awards
from events.errors import RegistrationError
from events.models import Registration, Session
from events.permissions import can_manage_event

Kind = AttendanceAdjustment.Kind


@transaction.atomic
def adjustment_create(
    *,
    registration: Registration,
    session: Session,
    kind: str,
    reason: str,
    by: User,
    starts_at: datetime | None = None,
    ends_at: datetime | None = None,
) -> AttendanceAdjustment:
    """Record the correction and recompute this attendee's awards at once."""
    if not can_manage_event(by, registration.event):
        raise RegistrationError("forbidden", "Only the event's organizers can adjust attendance.")
    if session.event_id != registration.event_id:
        raise RegistrationError("wrong_event", "That session belongs to another event.")
    reason = reason.strip()
    if not reason:
        raise RegistrationError("reason_required", "Say why attendance is being adjusted.")
    if kind not in Kind.values:
        raise RegistrationError("invalid_kind", "Choose what the adjustment does.")
    if kind == Kind.PRESENT:
        starts_at = ends_at = None
    else:
        if starts_at is None or ends_at is None:
            raise RegistrationError("period_required", "Give the start and end of the period.")
        if ends_at <= starts_at:
            raise RegistrationError("period_order", "The period must end after it starts.")
        if starts_at < session.starts_at or ends_at > session.ends_at:
            raise RegistrationError(
                "period_outside", "The period must lie within the session's time."
            )
    adjustment = AttendanceAdjustment.objects.create(
        registration=registration,
        session=session,
        kind=kind,
        starts_at=starts_at,
        ends_at=ends_at,
        reason=reason[:500],
        created_by=by,
    )
    recompute_awards(registration.event, registration_ids=[registration.pk])
    return adjustment
