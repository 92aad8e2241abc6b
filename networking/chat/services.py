"""Chat writes other apps call. The consumer-facing operations (send, edit,
delete, read, moderate) are added beside these."""

from django.db import transaction

from accounts.models import User
from networking.chat.models import Room, RoomMember


@transaction.atomic
def private_room_create(*, kind: str, key: str, title: str, members: list[User]) -> Room:
    """A room only its members can read and post in (a direct conversation or a
    mentorship match). Idempotent by `key`: calling it again returns the same room
    and adds any missing member."""
    if kind not in (Room.Kind.DIRECT, Room.Kind.MENTORSHIP):
        raise ValueError(f"{kind!r} is not a private room kind")
    room, _ = Room.objects.get_or_create(key=key, defaults={"kind": kind, "title": title[:200]})
    for user in members:
        RoomMember.objects.get_or_create(room=room, user=user)
    return room
