"""Scan API for scanner devices (bearer token from pairing)."""

import base64
from datetime import datetime, timedelta
from typing import Literal

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema
from ninja.security import HttpBearer
from pydantic import StrictInt

from checkin.models import EventKey, ScannerDevice
from checkin.selectors import revocation_list
from checkin.services.devices import device_authenticate, device_report_queue
from checkin.services.scans import ScanOutcome, perform_scan
from config.api_errors import DEVICE_ERRORS, ApiError
from events.models import Session

CLOCK_TOLERANCE = timedelta(minutes=10)
OLDEST_SCAN = timedelta(days=366)  # an older scanned_at is a device clock gone wrong


class DeviceAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> ScannerDevice | None:
        return device_authenticate(token)


router = Router(tags=["check-in"], auth=DeviceAuth())


class ScanIn(Schema):
    token: str = Field(max_length=400, description="What the QR code held.")
    place: Literal["entrance"] | StrictInt | None = Field(
        None, description='A session id, "entrance", or omitted for the device\'s own place.'
    )
    direction: Literal["in", "out"]
    scanned_at: datetime = Field(description="When the device scanned it (ISO 8601 with offset).")
    nonce: str = Field(
        min_length=8,
        max_length=64,
        pattern=r"^[\x21-\x7e]+$",
        description="Unique per scan on this device (printable ASCII).",
    )


class AttendeeOut(Schema):
    name: str
    credentials: str
    ticket_type: str
    registration_code: str


class ScanOut(Schema):
    status: Literal["accepted", "rejected", "error"]
    code: str
    message: str
    replayed: bool = False
    scan_id: int | None = None
    attendee: AttendeeOut | None = None


class BatchIn(Schema):
    scans: list[ScanIn] = Field(max_length=500)
    waiting: int = Field(
        0, ge=0, le=1_000_000, description="Scans still queued on the device after this batch."
    )


class BatchOut(Schema):
    results: list[ScanOut]


class KeyOut(Schema):
    event_id: int
    version: int
    public_key: str = Field(description="Raw Ed25519 public key, base64.")


class RevokedOut(Schema):
    badge_id: int
    code: Literal["revoked", "cancelled", "unpaid"]


class DeviceOut(Schema):
    name: str
    event_id: int
    event_title: str
    event_timezone: str
    place: str
    session_id: int | None
    keys: list[KeyOut]
    revoked: list[RevokedOut]


def _answer(outcome: ScanOutcome) -> dict:
    return {
        "status": "accepted" if outcome.accepted else "rejected",
        "code": outcome.code,
        "message": outcome.message,
        "replayed": outcome.replayed,
        "scan_id": outcome.scan.pk,
        "attendee": outcome.attendee,
    }


def _place(device: ScannerDevice, place: str | int | None) -> Session | None:
    if place is None:
        return device.session
    if place == "entrance":
        return None
    session = Session.objects.filter(pk=place, event_id=device.event_id).first()
    if session is None:
        raise ApiError(400, "unknown_place", f"Session {place} is not part of this event.")
    return session


def _scan(device: ScannerDevice, item: ScanIn) -> dict:
    if timezone.is_naive(item.scanned_at):
        raise ApiError(422, "naive_time", "scanned_at needs a time-zone offset.")
    now = timezone.now()
    if item.scanned_at > now + CLOCK_TOLERANCE:
        raise ApiError(422, "clock_ahead", "scanned_at is in the future: check the device clock.")
    if item.scanned_at < now - OLDEST_SCAN:
        raise ApiError(
            422, "clock_behind", "scanned_at is more than a year ago: check the device clock."
        )
    outcome = perform_scan(
        device=device,
        token=item.token,
        session=_place(device, item.place),
        direction=item.direction,
        scanned_at=item.scanned_at,
        nonce=item.nonce,
    )
    return _answer(outcome)


@router.post(
    "/scans", response={200: ScanOut, **DEVICE_ERRORS}, summary="Judge and record one scan"
)
def post_scan(request: HttpRequest, payload: ScanIn):
    return _scan(request.auth, payload)


@router.post(
    "/scans/batch",
    response={200: BatchOut, **DEVICE_ERRORS},
    summary="Upload an offline queue, in order",
)
def post_batch(request: HttpRequest, payload: BatchIn):
    results = []
    for item in payload.scans:
        try:
            results.append(_scan(request.auth, item))
        except ApiError as error:  # one bad item does not sink the queue
            results.append({"status": "error", "code": error.code, "message": error.detail})
    device_report_queue(device=request.auth, waiting=payload.waiting)
    return {"results": results}


@router.get(
    "/device",
    response={200: DeviceOut, **DEVICE_ERRORS},
    summary="This device's event, place, keys, revocations",
)
def get_device(request: HttpRequest):
    device: ScannerDevice = request.auth
    keys = EventKey.objects.filter(event_id=device.event_id).values_list("version", "public_key")
    return {
        "name": device.name,
        "event_id": device.event_id,
        "event_title": device.event.title,
        "event_timezone": device.event.timezone,
        "place": device.place_label,
        "session_id": device.session_id,
        "keys": [
            {
                "event_id": device.event_id,
                "version": version,
                "public_key": base64.b64encode(bytes(key)).decode(),
            }
            for version, key in keys
        ],
        "revoked": revocation_list(device.event_id),
    }
