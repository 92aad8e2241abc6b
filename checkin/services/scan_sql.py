"""The data access of a scan, in hand-written SQL.

Scanning is the check-in hot path (bench/scan_throughput.py). Django spent more
CPU building these queries than PostgreSQL spent answering them, so they are
written out here; the rules stay in scans.py. Works on SQLite and PostgreSQL;
row locks exist only on PostgreSQL (SQLite serializes writers anyway).
"""

from dataclasses import dataclass
from datetime import datetime

from django.db import connection
from django.utils import timezone

from checkin.models import Scan, ScannerDevice
from events.models import Event, Session
from events.rows import aware, loaded


def device_by_token_hash(token_hash: str) -> ScannerDevice | None:
    """The active device with this token hash, its event and its place."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT d.id, d.name, d.event_id, d.session_id, d.last_seen_at, d.unsynced_scans,"
            " e.title, e.timezone, e.starts_at, e.ends_at, e.status, e.slug,"
            " s.title, s.starts_at, s.ends_at, s.capacity"
            " FROM checkin_scannerdevice d"
            " JOIN events_event e ON e.id = d.event_id"
            " LEFT JOIN events_session s ON s.id = d.session_id"
            " WHERE d.token_hash = %s AND d.revoked_at IS NULL",
            [token_hash],
        )
        row = cursor.fetchone()
    if row is None:
        return None
    device_id, name, event_id, session_id, last_seen, unsynced, *rest = row
    e_title, e_tz, e_start, e_end, e_status, e_slug, s_title, s_start, s_end, s_cap = rest
    event = loaded(
        Event(
            id=event_id,
            title=e_title,
            timezone=e_tz,
            starts_at=aware(e_start),
            ends_at=aware(e_end),
            status=e_status,
            slug=e_slug,
        )
    )
    session = None
    if session_id is not None:
        session = loaded(
            Session(
                id=session_id,
                event=event,
                title=s_title,
                starts_at=aware(s_start),
                ends_at=aware(s_end),
                capacity=s_cap,
            )
        )
    return loaded(
        ScannerDevice(
            id=device_id,
            name=name,
            event=event,
            session=session,
            last_seen_at=aware(last_seen),
            unsynced_scans=unsynced,
        )
    )


@dataclass(frozen=True)
class BadgeState:
    """What judging a scan needs to know about a badge and its registration."""

    badge_id: int
    registration_id: int
    event_id: int
    revoked: bool
    status: str  # the registration's
    attendee: dict


def lock_badge(badge_id: int) -> BadgeState | None:
    """Lock the badge row for the rest of the transaction and read its holder."""
    lock = " FOR UPDATE OF b" if connection.features.has_select_for_update_of else ""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT b.registration_id, r.event_id, b.revoked_at IS NOT NULL, r.status, r.code,"
            " u.first_name, u.last_name, p.credentials, t.name"
            " FROM checkin_badge b"
            " JOIN events_registration r ON r.id = b.registration_id"
            " JOIN accounts_user u ON u.id = r.user_id"
            " LEFT JOIN accounts_profile p ON p.user_id = u.id"
            " JOIN events_tickettype t ON t.id = r.ticket_type_id"
            " WHERE b.id = %s" + lock,
            [badge_id],
        )
        row = cursor.fetchone()
    if row is None:
        return None
    registration_id, event_id, revoked, status, code, first, last, credentials, ticket = row
    return BadgeState(
        badge_id=badge_id,
        registration_id=registration_id,
        event_id=event_id,
        revoked=bool(revoked),
        status=status,
        attendee={
            "name": f"{first} {last}".strip(),
            "credentials": credentials or "",
            "ticket_type": ticket,
            "registration_code": code,
        },
    )


def has_seat(*, registration_id: int, session_id: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM events_sessionsignup"
            " WHERE registration_id = %s AND session_id = %s AND status = %s LIMIT 1",
            [registration_id, session_id, "confirmed"],
        )
        return cursor.fetchone() is not None


def last_direction(*, registration_id: int, session_id: int | None, at: datetime) -> str | None:
    """Direction of the last accepted scan of this registration at this place, up to `at`."""
    place = "session_id IS NULL" if session_id is None else "session_id = %s"
    params = [registration_id] + ([] if session_id is None else [session_id])
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT direction FROM checkin_scan"
            f" WHERE registration_id = %s AND {place} AND result = %s AND scanned_at <= %s"
            " ORDER BY scanned_at DESC, id DESC LIMIT 1",
            [*params, Scan.Result.OK, connection.ops.adapt_datetimefield_value(at)],
        )
        row = cursor.fetchone()
    return row[0] if row else None


def insert_scan(**fields) -> Scan:
    """Append one scan row; the model instance it describes (scans are never updated)."""
    fields.setdefault("received_at", timezone.now())
    columns = [
        "event_id", "session_id", "badge_id", "registration_id", "device_id", "recorded_by_id",
        "reason", "direction", "scanned_at", "received_at", "nonce", "result", "token",
    ]  # fmt: skip
    fields.setdefault("recorded_by_id", None)
    fields.setdefault("reason", "")
    fields.setdefault("token", "")
    values = [
        connection.ops.adapt_datetimefield_value(fields[c]) if c.endswith("_at") else fields[c]
        for c in columns
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO checkin_scan ({', '.join(columns)})"
            f" VALUES ({', '.join(['%s'] * len(columns))}) RETURNING id",
            values,
        )
        scan_id = cursor.fetchone()[0]
    return loaded(Scan(id=scan_id, **fields))
