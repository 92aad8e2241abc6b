"""Scanner devices: create, pair with a one-time setup code, authenticate, revoke.

Only SHA-256 hashes of tokens and setup codes are stored: a leaked database row
cannot be used to scan.
"""

import hashlib
import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from checkin.models import ScannerDevice
from checkin.services import scan_sql
from events.errors import RegistrationError
from events.models import Event, Session
from events.permissions import can_manage_event

SETUP_CODE_LIFETIME = timedelta(hours=24)
LAST_SEEN_RESOLUTION = timedelta(minutes=1)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def device_create(
    *, event: Event, name: str, session: Session | None, by: User
) -> tuple[ScannerDevice, str]:
    """A new device and its one-time setup code (shown once, as a link and a QR)."""
    if not can_manage_event(by, event):
        raise RegistrationError("forbidden", "Only the event's organizers can add scanners.")
    if session is not None and session.event_id != event.pk:
        raise RegistrationError("wrong_event", "That session belongs to another event.")
    setup_code = secrets.token_urlsafe(24)
    device = ScannerDevice.objects.create(
        event=event,
        name=name.strip()[:100] or "Scanner",
        session=session,
        created_by=by,
        setup_code_hash=_digest(setup_code),
        setup_expires_at=timezone.now() + SETUP_CODE_LIFETIME,
    )
    return device, setup_code


@transaction.atomic
def device_pair(*, setup_code: str) -> tuple[ScannerDevice, str]:
    """Trade a setup code for the device's token. The code works once."""
    device = (
        ScannerDevice.objects.select_for_update()
        .filter(setup_code_hash=_digest(setup_code), revoked_at__isnull=True)
        .first()
    )
    expired = device is None or not device.setup_expires_at
    if expired or device.setup_expires_at < timezone.now():
        raise RegistrationError("invalid_setup_code", "This setup link is used, expired or wrong.")
    token = secrets.token_urlsafe(32)
    device.token_hash = _digest(token)
    device.setup_code_hash = None
    device.setup_expires_at = None
    device.paired_at = timezone.now()
    device.save(update_fields=["token_hash", "setup_code_hash", "setup_expires_at", "paired_at"])
    return device, token


@transaction.atomic
def device_new_setup_code(*, device: ScannerDevice, by: User) -> str:
    """Pair again (a new phone): the old token stops working once the new one pairs."""
    if not can_manage_event(by, device.event):
        raise RegistrationError("forbidden", "Only the event's organizers can pair scanners.")
    if device.revoked_at is not None:
        raise RegistrationError("revoked", "This device is revoked.")
    setup_code = secrets.token_urlsafe(24)
    device.setup_code_hash = _digest(setup_code)
    device.setup_expires_at = timezone.now() + SETUP_CODE_LIFETIME
    device.save(update_fields=["setup_code_hash", "setup_expires_at"])
    return setup_code


@transaction.atomic
def device_revoke(*, device: ScannerDevice, by: User) -> ScannerDevice:
    if not can_manage_event(by, device.event):
        raise RegistrationError("forbidden", "Only the event's organizers can revoke scanners.")
    device.revoked_at = device.revoked_at or timezone.now()
    device.token_hash = None
    device.setup_code_hash = None
    device.save(update_fields=["revoked_at", "token_hash", "setup_code_hash"])
    return device


def device_authenticate(token: str) -> ScannerDevice | None:
    """The active device holding this token, with its event and place loaded."""
    if not token or len(token) > 200:
        return None
    device = scan_sql.device_by_token_hash(_digest(token))
    if device is None:
        return None
    now = timezone.now()
    if device.last_seen_at is None or now - device.last_seen_at > LAST_SEEN_RESOLUTION:
        # At most one write a minute per device, not one per scan.
        ScannerDevice.objects.filter(pk=device.pk).update(last_seen_at=now)
        device.last_seen_at = now
    return device


def device_report_queue(*, device: ScannerDevice, waiting: int) -> None:
    """What an offline device says it still holds, for the organizer's device list."""
    if device.unsynced_scans != waiting:
        ScannerDevice.objects.filter(pk=device.pk).update(unsynced_scans=max(waiting, 0))
        device.unsynced_scans = max(waiting, 0)
