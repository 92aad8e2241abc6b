"""Seats in sessions: sign up, waitlist, cancel, and promotion when a seat frees.

The session row holds the capacity; every change to its seats happens with that
row locked (DESIGN.md invariant 1). Locks are always taken registration first,
then sessions in id order, so two transactions never wait on each other in a cycle.
"""

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format

from accounts.models import User
from events.errors import RegistrationError
from events.models import Event, Registration, Session, SessionSignup
from events.permissions import can_manage_event
from events.services import signup_sql as sql
from events.services.notify import email_after_commit


def lock_sessions(session_ids: list[int]) -> list[Session]:
    return list(Session.objects.select_for_update().filter(pk__in=session_ids).order_by("pk"))


def _clash_message(
    event: Event, session: Session, title: str, starts_at: datetime, ends_at: datetime
) -> str:
    tz = event.tzinfo
    start = date_format(timezone.localtime(starts_at, tz), "D g:i A")
    end = date_format(timezone.localtime(ends_at, tz), "g:i A")
    return (
        f"“{session.title}” overlaps “{title}” ({start}–{end}), "
        "which you already hold a place in. Cancel that one first."
    )


@transaction.atomic
def session_signup_create(
    *, user: User, session_id: int, event_slug: str | None = None
) -> SessionSignup:
    """Take a seat in a session, or a waitlist place when it is full. A place held in
    a cancelled session at the same time is given up; the returned signup's
    `released` names those sessions.

    `event_slug`, when given, must be the session's event (the URL's). A session of
    a draft event does not exist for this purpose: its title is not revealed.
    A registration rush runs through here; its statements live in signup_sql.py.
    """
    session = sql.session_with_event(session_id)
    if (
        session is None
        or session.event.status == Event.Status.DRAFT
        or (event_slug is not None and session.event.slug != event_slug)
    ):
        raise RegistrationError("session_not_found", "There is no such session.")
    event = session.event
    if event.status != Event.Status.PUBLISHED or not session.accepts_signups:
        raise RegistrationError("session_closed", f"“{session.title}” is not open for sign-up.")
    if session.starts_at <= timezone.now():
        raise RegistrationError("session_started", f"“{session.title}” has already started.")

    # Locking the registration serializes this person's sign-ups, so the places
    # read next cannot change until we commit.
    registration_id = sql.lock_registration(event_id=event.pk, user_id=user.pk)
    if registration_id is None:
        raise RegistrationError(
            "not_registered", "Register for the event before choosing sessions."
        )
    held = sql.places_held(registration_id)
    for other_id, status, *_ in held:
        if other_id == session.pk:
            where = "on the waitlist for" if status == SessionSignup.Status.WAITLISTED else "in"
            raise RegistrationError(
                "already_signed_up", f"You are already {where} “{session.title}”."
            )
    clashing = [
        (other_id, title, starts_at, ends_at, cancelled)
        for other_id, _, title, starts_at, ends_at, cancelled in held
        if starts_at < session.ends_at and ends_at > session.starts_at
    ]
    for _, title, starts_at, ends_at, cancelled in clashing:
        if not cancelled:
            raise RegistrationError(
                "session_clash", _clash_message(event, session, title, starts_at, ends_at)
            )
    released = _release_cancelled_locked(registration_id, session, [c[0] for c in clashing])

    # The session row holds the capacity: lock it, then count (a fresh statement
    # sees every seat committed before the lock was granted).
    capacity = sql.lock_capacity(session.pk)
    status = SessionSignup.Status.CONFIRMED
    if capacity is not None and sql.seats_taken(session.pk) >= capacity:
        status = SessionSignup.Status.WAITLISTED
    signup = sql.insert_signup(registration_id=registration_id, session=session, status=status)
    signup.released = released
    return signup


def _release_cancelled_locked(
    registration_id: int, session: Session, others: list[int]
) -> list[str]:
    """A cancelled session keeps its places in case it is reinstated, but choosing
    something else in its slot gives the place up (else a reinstatement would leave
    two places at once). The titles of the sessions given up."""
    if not others:
        return []
    # Locked with the chosen session, in id order (the module's lock order); a session
    # reinstated since the places were read clashes again.
    locked = [s for s in lock_sessions([session.pk, *others]) if s.pk != session.pk]
    for other in locked:
        if not other.is_cancelled:
            raise RegistrationError(
                "session_clash",
                _clash_message(session.event, session, other.title, other.starts_at, other.ends_at),
            )
    SessionSignup.objects.filter(
        registration_id=registration_id, session__in=locked, status__in=SessionSignup.ACTIVE
    ).update(status=SessionSignup.Status.CANCELLED, cancelled_at=timezone.now())
    return [other.title for other in locked]


@transaction.atomic
def session_signup_cancel(*, signup: SessionSignup, by: User) -> SessionSignup:
    """Give up a seat or a waitlist place; a freed seat goes to the next person waiting."""
    registration = (
        Registration.objects.select_for_update(of=("self",))
        .select_related("event")
        .get(pk=signup.registration_id)
    )
    if registration.user_id != by.pk and not can_manage_event(by, registration.event):
        raise RegistrationError("forbidden", "You cannot change this sign-up.")
    sessions = lock_sessions([signup.session_id])
    signup = SessionSignup.objects.get(pk=signup.pk)
    if signup.status not in SessionSignup.ACTIVE:
        raise RegistrationError("already_cancelled", "This sign-up is already cancelled.")
    cancel_signups_locked(registration=registration, sessions=sessions, only=[signup.pk])
    signup.refresh_from_db()
    return signup


def cancel_signups_locked(
    *, registration: Registration, sessions: list[Session], only: list[int] | None = None
) -> None:
    """Cancel the registration's active signups in `sessions` (already locked), then
    promote each session's waitlist."""
    now = timezone.now()
    signups = registration.signups.filter(status__in=SessionSignup.ACTIVE, session__in=sessions)
    if only is not None:
        signups = signups.filter(pk__in=only)
    signups.update(status=SessionSignup.Status.CANCELLED, cancelled_at=now)
    for session in sessions:
        _promote_locked(session)


def _promote_locked(session: Session) -> list[SessionSignup]:
    """Give free seats to the people waiting, first come first served. Nobody is
    moved into a session that is cancelled, has started, or whose event is not
    published: they would be told "you have a seat" for something they cannot attend."""
    if session.is_cancelled or session.starts_at <= timezone.now():
        return []
    if not Event.objects.filter(pk=session.event_id, status=Event.Status.PUBLISHED).exists():
        return []
    queue = (
        session.signups.filter(
            status=SessionSignup.Status.WAITLISTED,
            registration__status__in=Registration.ACTIVE,
        )
        .select_related("registration__user", "session__event__organization")
        .order_by("created_at", "pk")
    )
    if session.capacity is not None:  # no capacity any more: everyone waiting gets in
        free = session.capacity - sql.seats_taken(session.pk)
        if free <= 0:
            return []
        queue = queue[:free]
    waiting = list(queue)
    now = timezone.now()
    for signup in waiting:
        signup.status = SessionSignup.Status.CONFIRMED
        signup.promoted_at = now
        signup.save(update_fields=["status", "promoted_at"])
        user = signup.registration.user
        email_after_commit(
            to=user.email,
            template="waitlist_promoted",
            context={
                "signup": signup,
                "session": signup.session,
                "event": signup.session.event,
                "user": user,
            },
        )
    return waiting


@transaction.atomic
def waitlist_promote(*, session: Session) -> list[SessionSignup]:
    """Fill free seats from the waitlist (after a cancellation or a capacity increase)."""
    locked = lock_sessions([session.pk])
    return _promote_locked(locked[0]) if locked else []
