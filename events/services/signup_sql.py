"""The data access of a session sign-up, in hand-written SQL.

A registration rush runs through `session_signup_create`. There, Django spent
more CPU building each query (1-2 ms on a 2-core server) than PostgreSQL spent
answering it, so these six statements are written out; the rules stay in
`signups.py`. Measured with bench/registration_rush.py (docs/benchmarks.md).
Works on SQLite and PostgreSQL; row locks exist only on PostgreSQL (SQLite
serializes writers anyway).
"""

from datetime import datetime

from django.db import connection
from django.utils import timezone

from events.models import Event, Registration, Session, SessionSignup
from events.rows import aware, loaded

ACTIVE_REGISTRATION = tuple(Registration.ACTIVE)
ACTIVE_SIGNUP = tuple(SessionSignup.ACTIVE)


def _for_update() -> str:
    return " FOR UPDATE" if connection.features.has_select_for_update else ""


def session_with_event(session_id: int) -> Session | None:
    """The session and the event fields a sign-up needs, as unsaved-looking models."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT s.title, s.kind, s.starts_at, s.ends_at, s.is_cancelled,"
            " e.id, e.status, e.timezone, e.slug, e.title"
            " FROM events_session s JOIN events_event e ON e.id = s.event_id"
            " WHERE s.id = %s",
            [session_id],
        )
        row = cursor.fetchone()
    if row is None:
        return None
    title, kind, starts_at, ends_at, is_cancelled, event_id, status, tz, slug, event_title = row
    event = loaded(Event(id=event_id, status=status, timezone=tz, slug=slug, title=event_title))
    session = Session(
        id=session_id,
        event=event,
        title=title,
        kind=kind,
        starts_at=aware(starts_at),
        ends_at=aware(ends_at),
        is_cancelled=bool(is_cancelled),
    )
    return loaded(session)


def lock_registration(*, event_id: int, user_id: int) -> int | None:
    """Lock the person's live registration for the event; its id."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id FROM events_registration"
            " WHERE event_id = %s AND user_id = %s AND status IN (%s, %s)"
            " LIMIT 1" + _for_update(),
            [event_id, user_id, *ACTIVE_REGISTRATION],
        )
        row = cursor.fetchone()
    return row[0] if row else None


def places_held(registration_id: int) -> list[tuple[int, str, str, datetime, datetime, bool]]:
    """(session id, status, title, starts, ends, session cancelled) of the
    registration's live places."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT g.session_id, g.status, s.title, s.starts_at, s.ends_at, s.is_cancelled"
            " FROM events_sessionsignup g JOIN events_session s ON s.id = g.session_id"
            " WHERE g.registration_id = %s AND g.status IN (%s, %s)",
            [registration_id, *ACTIVE_SIGNUP],
        )
        return [
            (sid, st, t, aware(a), aware(b), bool(c)) for sid, st, t, a, b, c in cursor.fetchall()
        ]


def lock_capacity(session_id: int) -> int | None:
    """Lock the session row, which holds the capacity; the capacity (None: unlimited)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT capacity FROM events_session WHERE id = %s" + _for_update(), [session_id]
        )
        return cursor.fetchone()[0]


def seats_taken(session_id: int) -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(*) FROM events_sessionsignup WHERE session_id = %s AND status = %s",
            [session_id, SessionSignup.Status.CONFIRMED],
        )
        return cursor.fetchone()[0]


def insert_signup(*, registration_id: int, session: Session, status: str) -> SessionSignup:
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO events_sessionsignup (registration_id, session_id, status, created_at)"
            " VALUES (%s, %s, %s, %s) RETURNING id",
            [registration_id, session.pk, status, connection.ops.adapt_datetimefield_value(now)],
        )
        signup_id = cursor.fetchone()[0]
    return loaded(
        SessionSignup(
            id=signup_id,
            registration_id=registration_id,
            session=session,
            status=status,
            created_at=now,
        )
    )
