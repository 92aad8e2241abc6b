"""Live check-in figures for organizers, and the WebSocket fan-out after each scan."""

import time
from datetime import timedelta

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from checkin.models import Scan
from events.models import Event, Registration, SessionSignup

ARRIVAL_BUCKET = timedelta(minutes=15)


def forget_announcements() -> None:
    """For tests: each test starts with no announcement sent."""
    _last_announced.clear()


def group_name(event_id: int) -> str:
    return f"checkin.event.{event_id}"


# A door can take dozens of scans a second; a dashboard needs to hear "something
# changed" a couple of times a second at most (it refetches the figures, and polls
# every few seconds anyway). Each server process sends at most one message per
# event per interval: a message per scan cost more CPU than judging the scan.
ANNOUNCE_INTERVAL = 0.5
_last_announced: dict[int, float] = {}


def announce_scan_after_commit(*, event_id: int, session_id: int | None, direction: str) -> None:
    """Tell open dashboards an accepted scan happened, once it is committed
    (DESIGN.md: a client never sees something that was rolled back)."""

    def send() -> None:
        now = time.monotonic()
        if now - _last_announced.get(event_id, float("-inf")) < ANNOUNCE_INTERVAL:
            return
        _last_announced[event_id] = now
        layer = get_channel_layer()
        if layer is None:
            return
        async_to_sync(layer.group_send)(
            group_name(event_id),
            {"type": "scan.recorded", "session_id": session_id, "direction": direction},
        )

    transaction.on_commit(send)


def checkin_stats(event: Event) -> dict:
    """Checked in now, ever, expected and no-shows for the entrance and each session,
    and arrivals at the entrance per quarter hour. Four queries, whatever the size."""
    expected = event.registrations.filter(status=Registration.Status.CONFIRMED).count()
    rows = (
        Scan.objects.filter(event=event, result=Scan.Result.OK)
        .order_by("scanned_at", "pk")
        .values_list("registration_id", "session_id", "direction", "scanned_at")
    )
    state: dict[tuple[int, int | None], str] = {}
    ever: dict[int | None, set[int]] = {}
    arrivals: dict = {}
    tz = event.tzinfo
    for registration_id, session_id, direction, scanned_at in rows:
        state[(registration_id, session_id)] = direction
        if direction == Scan.Direction.IN:
            ever.setdefault(session_id, set()).add(registration_id)
            if session_id is None:
                local = timezone.localtime(scanned_at, tz)
                bucket = local.replace(minute=local.minute - local.minute % 15, second=0,
                                       microsecond=0)  # fmt: skip
                arrivals[bucket] = arrivals.get(bucket, 0) + 1
    places = list(event.sessions.exclude(kind__in=("break", "meal")).order_by("starts_at"))
    now = timezone.now()
    # Sessions with automatic check-out close everyone's presence at their end.
    closed = {s.pk for s in places if s.auto_checkout and s.ends_at <= now}
    inside: dict[int | None, int] = {}
    for (_, session_id), direction in state.items():
        if direction == Scan.Direction.IN and session_id not in closed:
            inside[session_id] = inside.get(session_id, 0) + 1
    sessions = []
    seats = _seats_by_session(event)
    for session in places:
        session_expected = seats.get(session.pk) if session.capacity is not None else None
        sessions.append({
            "id": session.pk,
            "title": session.title,
            "starts_at": session.starts_at.isoformat(),
            "inside": inside.get(session.pk, 0),
            "total": len(ever.get(session.pk, ())),
            "expected": session_expected,
        })  # fmt: skip
    total = len(ever.get(None, ()))
    return {
        "event": {
            "expected": expected,
            "inside": inside.get(None, 0),
            "total": total,
            "no_shows": max(expected - total, 0),
        },
        "sessions": sessions,
        "arrivals": [
            {"at": bucket.isoformat(), "count": count} for bucket, count in sorted(arrivals.items())
        ],
    }


def _seats_by_session(event: Event) -> dict[int, int]:
    return dict(
        SessionSignup.objects.filter(session__event=event, status=SessionSignup.Status.CONFIRMED)
        .values("session_id")
        .annotate(n=Count("pk"))
        .values_list("session_id", "n")
    )
