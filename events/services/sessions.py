"""Telling the people booked in a session that it moved, changed room or was cancelled.

An organizer's edit (SessionAdmin.save_model) reads the session's schedule with
`session_schedule_locked` before saving, then calls `session_change_notify` with
those values: each person booked gets one email per change, saying what changed,
with their updated calendar attached.
"""

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from events.models import Event, Registration, Room, Session, SessionSignup
from events.services.notify import email_after_commit, registration_ics


@dataclass(frozen=True)
class SessionChange:
    """What changed, for the email. Old values are shown next to the session's new ones."""

    old_starts_at: datetime
    old_ends_at: datetime
    moved: bool
    room_changed: bool
    old_room: Room | None
    cancelled: bool
    reinstated: bool


def session_schedule_locked(*, session_id: int) -> dict | None:
    """The session's schedule as stored (Session.SCHEDULE_FIELDS: starts_at, ends_at,
    room_id, is_cancelled), its row locked until the caller's transaction ends, so
    two organizers saving at once each compare with what the other left."""
    return (
        Session.objects.select_for_update()
        .filter(pk=session_id)
        .values(*Session.SCHEDULE_FIELDS)
        .first()
    )


def session_change_notify(*, session: Session, before: dict, now: datetime | None = None) -> int:
    """Email everyone booked in `session` (a seat or a waitlist place under an active
    registration) once about what changed since `before`, the values of
    Session.SCHEDULE_FIELDS read before the change ("room" may stand for "room_id";
    a missing key counts as unchanged). Returns the number of emails queued.

    No email when nothing the attendee sees changed (title, capacity, ...), when a
    session already cancelled is edited, when the event is not published, or when
    the session was over both before and after the edit (a correction of records)."""
    change = _change(session, before)
    if change is None:
        return 0
    event = Event.objects.select_related("organization").get(pk=session.event_id)
    now = now or timezone.now()
    if event.status != Event.Status.PUBLISHED or max(session.ends_at, change.old_ends_at) <= now:
        return 0
    booked = (
        SessionSignup.objects.filter(
            session_id=session.pk,
            status__in=SessionSignup.ACTIVE,
            registration__status__in=Registration.ACTIVE,
        )
        .select_related("registration__user")
        .order_by("pk")
    )
    count = 0
    for signup in booked:
        registration = signup.registration
        registration.event = event
        email_after_commit(
            to=registration.user.email,
            template="session_changed",
            context={
                "session": session,
                "event": event,
                "user": registration.user,
                "registration": registration,
                "signup": signup,
                "change": change,
            },
            attachments=[registration_ics(registration)],
        )
        count += 1
    return count


def _change(session: Session, before: dict) -> SessionChange | None:
    old_room_id = before.get("room_id", before.get("room", session.room_id))
    if isinstance(old_room_id, Room):
        old_room_id = old_room_id.pk
    old_starts_at = before.get("starts_at", session.starts_at)
    old_ends_at = before.get("ends_at", session.ends_at)
    was_cancelled = bool(before.get("is_cancelled", session.is_cancelled))
    if was_cancelled and session.is_cancelled:
        return None  # nobody expects news about a session that is off
    # Times are told to the minute: a change below that is nothing an attendee sees.
    moved = (_minute(old_starts_at), _minute(old_ends_at)) != (
        _minute(session.starts_at),
        _minute(session.ends_at),
    )
    room_changed = old_room_id != session.room_id
    if not (moved or room_changed or was_cancelled != session.is_cancelled):
        return None
    old_room = Room.objects.filter(pk=old_room_id).first() if room_changed and old_room_id else None
    return SessionChange(
        old_starts_at=old_starts_at,
        old_ends_at=old_ends_at,
        moved=moved,
        room_changed=room_changed,
        old_room=old_room,
        cancelled=session.is_cancelled and not was_cancelled,
        reinstated=was_cancelled and not session.is_cancelled,
    )


def _minute(moment: datetime) -> datetime:
    return moment.replace(second=0, microsecond=0)
