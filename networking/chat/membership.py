"""Who is in which room, and who may post there.

Rooms of an event derive their members from the event's data, looked up when
asked (nothing is copied, so a cancelled registration counts at once):
- lobby and announcements: confirmed attendees and the event's organizers
  (`can_manage_event`: owners, staff, superusers); only organizers post in
  announcements;
- a credit session's room: attendees holding a confirmed seat in it (every
  confirmed attendee when the session takes no sign-ups) and the organizers;
- direct and mentorship rooms: their `RoomMember` rows. A direct message also
  needs the two people to be connected, with no block either way.

Event rooms are created lazily, by key, the first time someone needs them.
"""

from collections.abc import Iterable, Iterator

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet

from accounts.models import User
from events.errors import RegistrationError
from events.models import Event, Membership, Registration, Session, SessionSignup
from events.permissions import can_manage_event
from networking.chat.models import Mute, Room, RoomMember
from networking.services.relations import are_connected, blocked_between

EVENT_KINDS = (Room.Kind.LOBBY, Room.Kind.SESSION, Room.Kind.ANNOUNCEMENTS)


class ChatError(RegistrationError):
    """A chat action was refused; nothing changed. `retry_after` (seconds) comes
    with `rate_limited`."""

    def __init__(self, code: str, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(code, message)
        self.retry_after = retry_after


def lobby_key(event_id: int) -> str:
    return f"lobby:{event_id}"


def announcements_key(event_id: int) -> str:
    return f"announcements:{event_id}"


def session_key(session_id: int) -> str:
    return f"session:{session_id}"


def direct_key(a_id: int, b_id: int) -> str:
    low, high = sorted((a_id, b_id))
    return f"dm:{low}:{high}"


def event_rooms_ensure(events: Iterable[Event]) -> None:
    """Create any missing lobby, announcements and session rooms of these events.
    Three queries whatever the number of events (sessions, existing keys, insert)."""
    events = list(events)
    if not events:
        return
    wanted: dict[str, Room] = {}
    for event in events:
        wanted[lobby_key(event.pk)] = Room(
            kind=Room.Kind.LOBBY, key=lobby_key(event.pk), title="Lobby", event=event
        )
        wanted[announcements_key(event.pk)] = Room(
            kind=Room.Kind.ANNOUNCEMENTS,
            key=announcements_key(event.pk),
            title="Announcements",
            event=event,
        )
    sessions = (
        Session.objects.filter(event__in=events, is_cancelled=False)
        .exclude(kind__in=Session.NON_CREDIT_KINDS)
        .only("pk", "title", "event_id")
    )
    for session in sessions:
        wanted[session_key(session.pk)] = Room(
            kind=Room.Kind.SESSION,
            key=session_key(session.pk),
            title=session.title[:200],
            event_id=session.event_id,
            session=session,
        )
    existing = set(Room.objects.filter(key__in=wanted).values_list("key", flat=True))
    missing = [room for key, room in wanted.items() if key not in existing]
    if missing:
        # Two first visitors at once: the second insert is ignored, not an error.
        Room.objects.bulk_create(missing, ignore_conflicts=True)


def event_room(event: Event, kind: str) -> Room:
    key = lobby_key(event.pk) if kind == Room.Kind.LOBBY else announcements_key(event.pk)
    title = "Lobby" if kind == Room.Kind.LOBBY else "Announcements"
    return _get_or_create(key, kind=kind, title=title, event=event)


def session_room(session: Session) -> Room:
    return _get_or_create(
        session_key(session.pk),
        kind=Room.Kind.SESSION,
        title=session.title[:200],
        event_id=session.event_id,
        session=session,
    )


def _get_or_create(key: str, **defaults) -> Room:
    room = Room.objects.filter(key=key).first()
    if room is not None:
        return room
    try:
        with transaction.atomic():
            return Room.objects.create(key=key, **defaults)
    except IntegrityError:  # created by someone else meanwhile
        return Room.objects.get(key=key)


def _sources(room: Room, user_ref: int | OuterRef) -> Iterator[QuerySet]:
    """The rows that make someone a member of the room, for one user id or (with
    `OuterRef("pk")`) for every user at once. Besides these, superusers belong to
    every event room. One definition serves both questions, so they cannot differ.
    A generator: `is_member` stops at the first that answers, unbuilt the rest."""
    if room.kind not in EVENT_KINDS:
        yield RoomMember.objects.filter(room_id=room.pk, user=user_ref)
        return
    if room.kind == Room.Kind.SESSION and room.session.capacity is not None:
        yield SessionSignup.objects.filter(
            session_id=room.session_id,
            status=SessionSignup.Status.CONFIRMED,
            registration__user=user_ref,
            registration__status=Registration.Status.CONFIRMED,
        )
    else:
        yield Registration.objects.filter(
            user=user_ref, event_id=room.event_id, status=Registration.Status.CONFIRMED
        )
    yield Membership.objects.filter(
        user=user_ref, organization_id=room.event.organization_id, role__in=Membership.MANAGER_ROLES
    )


def load_room(room_id: int) -> Room | None:
    try:  # get(), not first(): no ORDER BY to build on the send path
        return Room.objects.select_related("event", "session").get(pk=room_id)
    except Room.DoesNotExist:
        return None


def members_among(room: Room, user_ids: Iterable[int]) -> set[int]:
    """Which of these users are members of the room now (one query)."""
    ids = set(user_ids)
    if not ids:
        return set()
    member = Q()
    for rows in _sources(room, OuterRef("pk")):
        member |= Exists(rows)
    if room.kind in EVENT_KINDS:
        member |= Q(is_superuser=True)
    return set(User.objects.filter(member, pk__in=ids, is_active=True).values_list("pk", flat=True))


def is_member(user: User, room: Room) -> bool:
    """`members_among` for one person, as the cheapest queries: usually one EXISTS
    (it runs on every send)."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser and room.kind in EVENT_KINDS:
        return True
    return any(rows.exists() for rows in _sources(room, user.pk))


def is_moderator(user: User, room: Room) -> bool:
    """Organizers of the room's event moderate it; private rooms have no moderator."""
    return room.event_id is not None and can_manage_event(user, room.event)


def access_room(user: User, room_id: int) -> Room:
    """The room, if the user is a member; ChatError("not_member") otherwise (a room
    that does not exist looks the same, so ids cannot be probed)."""
    room = load_room(room_id)
    if room is None or not is_member(user, room):
        raise ChatError("not_member", "You are not a member of this room.")
    return room


def other_member_ids(room: Room, user_id: int) -> list[int]:
    return list(
        RoomMember.objects.filter(room=room)
        .exclude(user_id=user_id)
        .values_list("user_id", flat=True)
    )


def check_can_post(user: User, room: Room) -> None:
    """Raise ChatError unless the user may post in the room now."""
    if not is_member(user, room):
        raise ChatError("not_member", "You are not a member of this room.")
    if room.kind == Room.Kind.ANNOUNCEMENTS and not is_moderator(user, room):
        raise ChatError("read_only", "Only the organizers post announcements.")
    muted = Mute.objects.filter(event_id=room.event_id, user_id=user.pk)
    if room.event_id is not None and room.kind in EVENT_KINDS and muted.exists():
        raise ChatError("muted", "An organizer has muted you in this event's chat.")
    if room.kind == Room.Kind.DIRECT:
        for other_id in other_member_ids(room, user.pk):
            if blocked_between(user.pk, other_id):
                raise ChatError("blocked", "You cannot message this person.")
            if not are_connected(user.pk, other_id):
                raise ChatError("not_connected", "You can only message your connections.")


def may_post(user: User, room: Room) -> bool:
    try:
        check_can_post(user, room)
    except ChatError:
        return False
    return True


def check_may_message(user: User, other: User) -> None:
    """Starting a direct conversation: the two must be connected, with no block."""
    if other.pk == user.pk or not other.is_active:
        raise ChatError("not_connected", "You can only message your connections.")
    if blocked_between(user.pk, other.pk):
        raise ChatError("blocked", "You cannot message this person.")
    if not are_connected(user.pk, other.pk):
        raise ChatError("not_connected", "You can only message your connections.")
