"""Connect at the event by scanning someone's badge (issue 7).

The QR holds the Ed25519-signed badge token of check-in (DESIGN.md invariant 4).
It is verified with the event's public key, must belong to a confirmed
registration of the same event as the scanning attendee's, and then a connection
request goes out at once, noting the event and the session where they met. The
answer carries the other person's *public* profile only, whatever their relation.
"""

from dataclasses import dataclass

from django.db import transaction

from accounts.models import User
from checkin import tokens
from checkin.models import Badge
from checkin.services.keys import public_key
from events.errors import RegistrationError
from events.models import Event, Registration, Session
from networking.models import Connection
from networking.privacy import load_profile, public_profile
from networking.services.connections import open_between, request_unchecked
from networking.services.relations import blocked_between


@dataclass(frozen=True)
class BadgeConnectOutcome:
    code: str  # requested | connected | already_connected | already_requested
    message: str
    profile: dict  # the other person's public profile
    connection: Connection


def _invalid() -> RegistrationError:
    return RegistrationError(
        "invalid_badge",
        "This is not a valid Convene badge. Try again, or find them in the directory.",
    )


def badge_owner(*, token: str, event: Event) -> User:
    """The person whose valid badge for `event` this token is (RegistrationError if not)."""
    try:
        payload = tokens.parse(token)
    except tokens.TokenError:
        raise _invalid() from None
    if payload.event_id != event.pk:
        raise RegistrationError("wrong_event", "This badge is for another event.")
    key = public_key(payload.event_id, payload.key_version)
    if key is None:
        raise _invalid()
    try:
        tokens.verify(token, key)
    except tokens.TokenError:
        raise _invalid() from None
    badge = (
        Badge.objects.select_related("registration__user")
        .filter(pk=payload.badge_id, registration__event=event)
        .first()
    )
    if badge is None:
        raise _invalid()
    if badge.revoked_at is not None:
        raise RegistrationError(
            "revoked", "This badge was replaced: ask them to show their current badge."
        )
    if badge.registration.status != Registration.Status.CONFIRMED:
        raise RegistrationError("not_confirmed", "This badge’s registration is not confirmed.")
    return badge.registration.user


@transaction.atomic
def connect_by_badge(
    *, user: User, event: Event, token: str, session: Session | None = None
) -> BadgeConnectOutcome:
    """`user`, a confirmed attendee of `event`, scanned `token`."""
    if not Registration.objects.filter(
        event=event, user=user, status=Registration.Status.CONFIRMED
    ).exists():
        raise RegistrationError(
            "not_attendee", "Only confirmed attendees of this event can connect by badge."
        )
    if session is not None and session.event_id != event.pk:
        raise RegistrationError("wrong_session", "That session belongs to another event.")
    other = badge_owner(token=token, event=event)
    if other.pk == user.pk:
        raise RegistrationError("own_badge", "That’s your own badge: scan the other person’s.")
    if blocked_between(user.pk, other.pk) or not other.is_active:
        raise RegistrationError("unavailable", "This person isn’t available for connections.")
    profile = public_profile(load_profile(other))
    existing = open_between(user.pk, other.pk)
    if existing is not None and existing.status == Connection.Status.ACCEPTED:
        return BadgeConnectOutcome(
            "already_connected",
            f"You are already connected with {profile['name']}.",
            profile,
            existing,
        )
    if existing is not None and existing.requester_id == user.pk:
        return BadgeConnectOutcome(
            "already_requested",
            f"You have already asked {profile['name']} to connect; they haven’t answered yet.",
            profile,
            existing,
        )
    connection = request_unchecked(
        requester=user,
        addressee=other,
        met_at_event=event,
        met_at_place=session.title if session else "",
    )
    if connection.status == Connection.Status.ACCEPTED:
        message = f"{profile['name']} had already asked to connect: you are now connected."
        return BadgeConnectOutcome("connected", message, profile, connection)
    message = f"Request sent to {profile['name']}. You’ll be connected when they accept."
    return BadgeConnectOutcome("requested", message, profile, connection)
