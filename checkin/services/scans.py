"""Check-in: judge a scan, store it, answer with a code (DESIGN.md invariant 3).

Every attempt is stored, rejected ones included. A device's nonce makes a resend
a no-op that returns the first answer (the database's unique constraint decides,
so no lookup is needed first). The badge row is locked while a scan is judged,
so two devices scanning one badge at the same instant are served one after the
other: one `ok`, one `already_in`. The SQL lives in scan_sql.py.
"""

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from checkin import tokens
from checkin.live import announce_scan_after_commit
from checkin.models import Scan, ScannerDevice
from checkin.services import scan_sql as sql
from checkin.services.badges import badge_for
from checkin.services.keys import public_key
from events.errors import RegistrationError
from events.models import Event, Registration, Session
from events.permissions import can_manage_event

R = Scan.Result


@dataclass(frozen=True)
class ScanOutcome:
    scan: Scan
    replayed: bool  # the nonce was seen before: this is the first answer again
    attendee: dict | None  # name, credentials, ticket type, registration code

    @property
    def code(self) -> str:
        return self.scan.result

    @property
    def accepted(self) -> bool:
        return self.scan.result == R.OK

    @property
    def message(self) -> str:
        return R(self.scan.result).label


def perform_scan(
    *,
    device: ScannerDevice,
    token: str,
    session: Session | None,
    direction: str,
    scanned_at: datetime,
    nonce: str,
) -> ScanOutcome:
    """A device read a badge. `session` None means the event entrance."""
    try:
        with transaction.atomic():
            result, badge = _judge_token(
                event=device.event, token=token, session=session, direction=direction, at=scanned_at
            )
            scan = sql.insert_scan(
                event_id=device.event_id,
                session_id=session.pk if session else None,
                badge_id=badge.badge_id if badge else None,
                registration_id=badge.registration_id if badge else None,
                device_id=device.pk,
                direction=direction,
                scanned_at=scanned_at,
                nonce=nonce,
                result=result,
                token=token.replace("\x00", "")[:200],  # kept for audits; NUL cannot be stored
            )
            if result == R.OK:
                announce_scan_after_commit(
                    event_id=device.event_id,
                    session_id=session.pk if session else None,
                    direction=direction,
                )
    except IntegrityError:
        # This device sent this nonce before (a resend, or two uploads at once).
        first = _first_answer(device, nonce)
        if first is None:
            raise
        return first
    return ScanOutcome(scan=scan, replayed=False, attendee=badge.attendee if badge else None)


@transaction.atomic
def manual_check(
    *,
    registration: Registration,
    session: Session | None,
    direction: str,
    by: User,
    reason: str,
) -> ScanOutcome:
    """An organizer checks someone in or out by hand (no badge at hand)."""
    if not can_manage_event(by, registration.event):
        raise RegistrationError("forbidden", "Only the event's organizers can check people in.")
    if not reason.strip():
        raise RegistrationError("reason_required", "Say why you are checking this person by hand.")
    if session is not None and session.event_id != registration.event_id:
        raise RegistrationError("wrong_event", "That session belongs to another event.")
    if registration.status != Registration.Status.CONFIRMED:
        # No badge is issued for an unpaid or cancelled registration just to say no.
        code = (
            R.UNPAID if registration.status == Registration.Status.AWAITING_PAYMENT else R.CANCELLED
        )
        raise RegistrationError(code, f"Not checked: {R(code).label.lower()}.")
    badge = sql.lock_badge(badge_for(registration).pk)
    now = timezone.now()
    result = _judge_badge(
        badge, event=registration.event, session=session, direction=direction, at=now
    )
    scan = sql.insert_scan(
        event_id=registration.event_id,
        session_id=session.pk if session else None,
        badge_id=badge.badge_id,
        registration_id=registration.pk,
        device_id=None,
        recorded_by_id=by.pk,
        reason=reason.strip()[:300],
        direction=direction,
        scanned_at=now,
        nonce=uuid.uuid4().hex,
        result=result,
    )
    if result == R.OK:
        announce_scan_after_commit(
            event_id=registration.event_id,
            session_id=session.pk if session else None,
            direction=direction,
        )
    return ScanOutcome(scan=scan, replayed=False, attendee=badge.attendee)


def _first_answer(device: ScannerDevice, nonce: str) -> ScanOutcome | None:
    scan = (
        Scan.objects.select_related(
            "badge__registration__user__profile", "badge__registration__ticket_type"
        )
        .filter(device=device, nonce=nonce)
        .first()
    )
    if scan is None:
        return None
    attendee = None
    if scan.badge is not None:
        registration = scan.badge.registration
        profile = getattr(registration.user, "profile", None)
        attendee = {
            "name": registration.user.get_full_name(),
            "credentials": profile.credentials if profile else "",
            "ticket_type": registration.ticket_type.name,
            "registration_code": registration.code,
        }
    return ScanOutcome(scan=scan, replayed=True, attendee=attendee)


def _judge_token(
    *, event: Event, token: str, session: Session | None, direction: str, at: datetime
) -> tuple[str, "sql.BadgeState | None"]:
    try:
        payload = tokens.parse(token)
        key = public_key(payload.event_id, payload.key_version)
        if key is None:
            return R.INVALID_SIGNATURE, None
        tokens.verify(token, key)
    except tokens.TokenError:
        return R.INVALID_SIGNATURE, None
    if payload.event_id != event.pk:
        return R.WRONG_EVENT, None
    badge = sql.lock_badge(payload.badge_id)
    if badge is None or badge.event_id != event.pk:
        return R.INVALID_SIGNATURE, None
    return _judge_badge(badge, event=event, session=session, direction=direction, at=at), badge


def _judge_badge(
    badge: "sql.BadgeState", *, event: Event, session: Session | None, direction: str, at: datetime
) -> str:
    if badge.revoked:
        return R.REVOKED
    if badge.status == Registration.Status.CANCELLED:
        return R.CANCELLED
    if badge.status == Registration.Status.AWAITING_PAYMENT:
        return R.UNPAID
    if not _inside_window(event, session, at):
        return R.OUTSIDE_WINDOW
    if (
        session is not None
        and session.capacity is not None
        and not sql.has_seat(registration_id=badge.registration_id, session_id=session.pk)
    ):
        return R.NOT_REGISTERED
    # Presence follows the registration, not the badge: a reissued badge goes on.
    last = sql.last_direction(
        registration_id=badge.registration_id, session_id=session.pk if session else None, at=at
    )
    inside = last == Scan.Direction.IN
    if direction == Scan.Direction.IN and inside:
        return R.ALREADY_IN
    if direction == Scan.Direction.OUT and not inside:
        return R.NOT_IN
    return R.OK


def _inside_window(event: Event, session: Session | None, at: datetime) -> bool:
    opens = timedelta(minutes=settings.CHECKIN_DOORS_OPEN_MINUTES)
    grace = timedelta(minutes=settings.CHECKIN_GRACE_MINUTES)
    if session is not None:
        return session.starts_at - opens <= at <= session.ends_at + grace
    return event.starts_at - timedelta(hours=12) <= at <= event.ends_at + grace
