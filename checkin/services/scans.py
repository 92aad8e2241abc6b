"""Check-in: judge a scan, store it, answer with a code (DESIGN.md invariant 3).

Every attempt is stored, rejected ones included. A device's nonce makes a resend
a no-op that returns the first answer. The badge row is locked while a scan is
judged, so two devices scanning one badge at the same instant are served one
after the other: one `ok`, one `already_in`.
"""

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from checkin import tokens
from checkin.models import Badge, Scan, ScannerDevice
from checkin.services.badges import badge_for
from checkin.services.keys import public_key
from events.errors import RegistrationError
from events.models import Event, Registration, Session, SessionSignup
from events.permissions import can_manage_event

R = Scan.Result


@dataclass(frozen=True)
class ScanOutcome:
    scan: Scan
    replayed: bool  # the nonce was seen before: this is the first answer again

    @property
    def code(self) -> str:
        return self.scan.result

    @property
    def accepted(self) -> bool:
        return self.scan.result == R.OK

    @property
    def message(self) -> str:
        return R(self.scan.result).label

    @property
    def attendee(self) -> dict | None:
        badge = self.scan.badge
        if badge is None:
            return None
        registration = badge.registration
        user = registration.user
        profile = getattr(user, "profile", None)
        return {
            "name": user.get_full_name(),
            "credentials": profile.credentials if profile else "",
            "ticket_type": registration.ticket_type.name,
            "registration_code": registration.code,
        }


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
    first = _by_nonce(device, nonce)
    if first is not None:
        return ScanOutcome(scan=first, replayed=True)
    try:
        with transaction.atomic():
            result, badge = _judge_token(
                event=device.event,
                token=token,
                session=session,
                direction=direction,
                at=scanned_at,
            )
            scan = Scan.objects.create(
                event_id=device.event_id,
                session=session,
                badge=badge,
                registration_id=badge.registration_id if badge else None,
                device=device,
                direction=direction,
                scanned_at=scanned_at,
                nonce=nonce,
                result=result,
                token=token.replace("\x00", "")[:200],  # kept for audits; NUL cannot be stored
            )
    except IntegrityError:
        # The same nonce arrived twice at once; the other request stored it.
        first = _by_nonce(device, nonce)
        if first is None:
            raise
        return ScanOutcome(scan=first, replayed=True)
    return ScanOutcome(scan=scan, replayed=False)


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
    badge = _lock_badge(badge_for(registration).pk)
    now = timezone.now()
    result = _judge_badge(
        badge, event=registration.event, session=session, direction=direction, at=now
    )
    scan = Scan.objects.create(
        event_id=registration.event_id,
        session=session,
        badge=badge,
        registration=registration,
        recorded_by=by,
        reason=reason.strip()[:300],
        direction=direction,
        scanned_at=now,
        nonce=uuid.uuid4().hex,
        result=result,
    )
    return ScanOutcome(scan=scan, replayed=False)


def _by_nonce(device: ScannerDevice, nonce: str) -> Scan | None:
    # Almost every nonce is new: look cheaply first, load the details only on a resend.
    seen = Scan.objects.filter(device=device, nonce=nonce).values_list("pk", flat=True)[:1]
    if not seen:
        return None
    return Scan.objects.select_related(*_ATTENDEE_PATHS).get(pk=seen[0])


# What a scanner shows about the person, loaded with the badge in one query.
_ATTENDEE_PATHS = ("badge__registration__user__profile", "badge__registration__ticket_type")
_BADGE_FIELDS = (
    "registration_id", "key_version", "revoked_at",
    "registration__event_id", "registration__status", "registration__code",
    "registration__user__first_name", "registration__user__last_name",
    "registration__user__profile__credentials", "registration__ticket_type__name",
)  # fmt: skip


def _judge_token(
    *, event: Event, token: str, session: Session | None, direction: str, at: datetime
) -> tuple[str, Badge | None]:
    event_id = event.pk
    try:
        payload = tokens.parse(token)
        key = public_key(payload.event_id, payload.key_version)
        if key is None:
            return R.INVALID_SIGNATURE, None
        tokens.verify(token, key)
    except tokens.TokenError:
        return R.INVALID_SIGNATURE, None
    if payload.event_id != event_id:
        return R.WRONG_EVENT, None
    badge = _lock_badge(payload.badge_id)
    if badge is None or badge.registration.event_id != event_id:
        return R.INVALID_SIGNATURE, None
    return _judge_badge(badge, event=event, session=session, direction=direction, at=at), badge


def _lock_badge(badge_id: int) -> Badge | None:
    try:
        return (
            Badge.objects.select_for_update(of=("self",))
            .select_related("registration__user__profile", "registration__ticket_type")
            .only(*_BADGE_FIELDS)
            .get(pk=badge_id)
        )
    except Badge.DoesNotExist:
        return None


def _judge_badge(
    badge: Badge, *, event: Event, session: Session | None, direction: str, at: datetime
) -> str:
    registration = badge.registration
    if badge.revoked_at is not None:
        return R.REVOKED
    if registration.status == Registration.Status.CANCELLED:
        return R.CANCELLED
    if registration.status == Registration.Status.AWAITING_PAYMENT:
        return R.UNPAID
    if not _inside_window(event, session, at):
        return R.OUTSIDE_WINDOW
    if (
        session is not None
        and session.capacity is not None
        and not SessionSignup.objects.filter(
            registration_id=registration.pk,
            session_id=session.pk,
            status=SessionSignup.Status.CONFIRMED,
        ).exists()
    ):
        return R.NOT_REGISTERED
    inside = _is_inside(registration.pk, session, at)
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


def _is_inside(registration_id: int, session: Session | None, at: datetime) -> bool:
    """Whether the last accepted scan here, up to `at`, was an entry. Follows the
    registration, not the badge, so a reissued badge continues the same presence."""
    last = (
        Scan.objects.filter(
            registration_id=registration_id,
            session=session,
            result=R.OK,
            scanned_at__lte=at,
        )
        .order_by("-scanned_at", "-pk")
        .values_list("direction", flat=True)
        .first()
    )
    return last == Scan.Direction.IN
