"""Per-event signing keys. Public keys never change once made, so each process
keeps them in memory after the first lookup."""

from django.db import IntegrityError, transaction

from checkin import tokens
from checkin.models import EventKey

CURRENT_VERSION = 1
_public_keys: dict[tuple[int, int], bytes] = {}


def signing_key(event_id: int) -> EventKey:
    """The event's current key pair, made on first use."""
    key = EventKey.objects.filter(event_id=event_id, version=CURRENT_VERSION).first()
    if key is not None:
        return key
    private, public = tokens.generate_key_pair()
    try:
        with transaction.atomic():
            return EventKey.objects.create(
                event_id=event_id, version=CURRENT_VERSION, private_key=private, public_key=public
            )
    except IntegrityError:  # another request made it first
        return EventKey.objects.get(event_id=event_id, version=CURRENT_VERSION)


def public_key(event_id: int, version: int) -> bytes | None:
    cached = _public_keys.get((event_id, version))
    if cached is not None:
        return cached
    row = (
        EventKey.objects.filter(event_id=event_id, version=version)
        .values_list("public_key", flat=True)
        .first()
    )
    if row is None:
        return None
    _public_keys[(event_id, version)] = bytes(row)
    return _public_keys[(event_id, version)]


def forget_cached_keys() -> None:
    """For tests: databases rolled back between tests reuse event ids."""
    _public_keys.clear()
