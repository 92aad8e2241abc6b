"""Reads for check-in pages and the scanner API."""

from django.db.models import Q
from django.utils import timezone

from checkin.models import Badge, Scan
from events.models import Registration


def revocation_list(event_id: int) -> list[dict]:
    """Badges an offline scanner must refuse: revoked ones, and those whose
    registration is cancelled or unpaid (events never tells check-in; it looks)."""
    rows = (
        Badge.objects.filter(registration__event_id=event_id)
        .filter(
            Q(revoked_at__isnull=False) | ~Q(registration__status=Registration.Status.CONFIRMED)
        )
        .values_list("pk", "revoked_at", "registration__status")
        .order_by("pk")
    )
    codes = {
        Registration.Status.CANCELLED: "cancelled",
        Registration.Status.AWAITING_PAYMENT: "unpaid",
    }
    return [
        {"badge_id": pk, "code": "revoked" if revoked_at else codes.get(status, "revoked")}
        for pk, revoked_at, status in rows
    ]


def presence_by_registration(event, registration_ids: list[int]) -> dict[int, list[str]]:
    """Where each registration is checked in right now (entrance or session titles)."""
    rows = (
        Scan.objects.filter(
            event=event, result=Scan.Result.OK, registration_id__in=registration_ids
        )
        .order_by("scanned_at", "pk")
        .values_list(
            "registration_id",
            "session_id",
            "session__title",
            "session__auto_checkout",
            "session__ends_at",
            "direction",
        )
    )
    now = timezone.now()
    state: dict[tuple[int, int | None], tuple[str, str]] = {}
    for registration_id, session_id, title, auto_checkout, ends_at, direction in rows:
        if auto_checkout and ends_at <= now:
            direction = Scan.Direction.OUT  # checked out automatically at the end
        state[(registration_id, session_id)] = (title or "Entrance", direction)
    inside: dict[int, list[str]] = {}
    for (registration_id, _), (place, direction) in state.items():
        if direction == Scan.Direction.IN:
            inside.setdefault(registration_id, []).append(place)
    return inside
