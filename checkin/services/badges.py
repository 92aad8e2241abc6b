"""Badges: one valid badge per confirmed registration, its signed token, reissue."""

from django.db import IntegrityError, transaction
from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.formats import date_format

from accounts.models import User
from checkin import tokens
from checkin.models import Badge, EventKey
from checkin.pdf import BadgeCard
from checkin.services.keys import signing_key
from events.errors import RegistrationError
from events.models import Event, Registration
from events.permissions import can_manage_event


def badge_for(registration: Registration) -> Badge:
    """The registration's valid badge, issued on first use."""
    badge = registration.badges.filter(revoked_at__isnull=True).first()
    if badge is not None:
        return badge
    key = signing_key(registration.event_id)
    try:
        with transaction.atomic():
            return Badge.objects.create(
                registration=registration, key_version=key.version, issued_at=_now_seconds()
            )
    except IntegrityError:  # issued concurrently: use that one
        return registration.badges.get(revoked_at__isnull=True)


def badge_token(badge: Badge, *, event_id: int, key: EventKey | None = None) -> str:
    """The QR content. Ed25519 signatures are deterministic: the same badge always
    gives the same token, so it need not be stored. Pass `key` when signing many."""
    key = key or signing_key(event_id)
    payload = tokens.BadgePayload(
        badge_id=badge.pk,
        event_id=event_id,
        key_version=badge.key_version,
        issued_at=int(badge.issued_at.timestamp()),
    )
    return tokens.sign(payload, bytes(key.private_key))


@transaction.atomic
def badge_reissue(*, registration: Registration, by: User) -> Badge:
    """A lost badge: revoke the old token and issue a new one."""
    if not can_manage_event(by, registration.event):
        raise RegistrationError("forbidden", "Only the event's organizers can reissue badges.")
    registration = Registration.objects.select_for_update().get(pk=registration.pk)
    if registration.status != Registration.Status.CONFIRMED:
        raise RegistrationError("not_confirmed", "Only confirmed registrations have badges.")
    registration.badges.filter(revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoke_reason=Badge.RevokeReason.REISSUED
    )
    key = signing_key(registration.event_id)
    return Badge.objects.create(
        registration=registration, key_version=key.version, issued_at=_now_seconds()
    )


def _now_seconds():
    # The token carries whole seconds; keep the row equal to what was signed.
    return timezone.now().replace(microsecond=0)


def badge_cards(event: Event, registrations: QuerySet[Registration]) -> list[BadgeCard]:
    """Printable cards for confirmed registrations, issuing missing badges."""
    registrations = list(
        registrations.filter(status=Registration.Status.CONFIRMED)
        .select_related("user__profile", "ticket_type")
        .prefetch_related(
            Prefetch("badges", queryset=Badge.objects.filter(revoked_at__isnull=True))
        )
        .order_by("user__last_name", "user__first_name")
    )
    tz = event.tzinfo
    start = timezone.localtime(event.starts_at, tz)
    end = timezone.localtime(event.ends_at, tz)
    dates = date_format(start, "F j, Y")
    if start.date() != end.date():
        same_month = (start.year, start.month) == (end.year, end.month)
        end_format = "j, Y" if same_month else "F j, Y"
        dates = f"{date_format(start, 'F j')}–{date_format(end, end_format)}"
    where = f" · {event.venue_name}" if event.venue_name else ""
    key = signing_key(event.pk)  # once, not once per badge
    cards = []
    for registration in registrations:
        valid = registration.badges.all()  # prefetched: only unrevoked badges
        badge = valid[0] if valid else badge_for(registration)
        profile = getattr(registration.user, "profile", None)
        cards.append(
            BadgeCard(
                name=registration.user.get_full_name() or registration.user.email,
                credentials=profile.credentials if profile else "",
                organization=profile.organization if profile else "",
                ticket_type=registration.ticket_type.name,
                event_title=event.title,
                event_dates=dates + where,
                qr_payload=badge_token(badge, event_id=event.pk, key=key),
            )
        )
    return cards
