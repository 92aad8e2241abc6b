"""Reads the chat pages share, each with a fixed number of queries."""

from dataclasses import dataclass

from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, Greatest

from accounts.models import User
from events.models import Event, Membership, Registration, SessionSignup
from networking.chat import frames
from networking.chat.membership import event_rooms_ensure
from networking.chat.models import Message, Mute, ReadState, Report, Room, RoomMember
from networking.services.relations import blocked_ids


@dataclass
class RoomRow:
    room: Room
    title: str
    unread: int


def chat_events(user: User) -> QuerySet[Event]:
    """Events whose rooms the user is in: confirmed registrations, and events of
    providers where they are owner or staff. Newest first."""
    attending = Registration.objects.filter(
        event=OuterRef("pk"), user=user, status=Registration.Status.CONFIRMED
    )
    organizing = Membership.objects.filter(
        organization=OuterRef("organization_id"), user=user, role__in=Membership.MANAGER_ROLES
    )
    return Event.objects.filter(Exists(attending) | Exists(organizing)).order_by("-starts_at")


def _with_unread(rooms: QuerySet[Room], user: User) -> QuerySet[Room]:
    read = ReadState.objects.filter(room=OuterRef("pk"), user=user).values("last_read_seq")[:1]
    return rooms.annotate(
        unread=Greatest(F("last_seq") - Coalesce(Subquery(read), Value(0)), Value(0))
    )


def rooms_for_user(user: User, events: list[Event]) -> dict:
    """The user's rooms: private conversations, and per event its lobby, announcements
    and the session rooms they belong to, each with its unread count. Event rooms are
    created here on first sight. Queries: 3 (ensure) + 2 (sessions, rooms) + 1 (names)."""
    event_rooms_ensure(events)
    managed_orgs = set(
        Membership.objects.filter(user=user, role__in=Membership.MANAGER_ROLES).values_list(
            "organization_id", flat=True
        )
    )
    organizing = {e.pk for e in events if e.organization_id in managed_orgs or user.is_superuser}
    seated = SessionSignup.objects.filter(
        session=OuterRef("session_id"),
        registration__user=user,
        registration__status=Registration.Status.CONFIRMED,
        status=SessionSignup.Status.CONFIRMED,
    )
    in_sessions = Q(kind=Room.Kind.SESSION) & (
        Q(event_id__in=organizing) | Q(session__capacity__isnull=True) | Exists(seated)
    )
    event_ids = [e.pk for e in events]
    rooms = _with_unread(
        Room.objects.filter(
            Q(event_id__in=event_ids)
            & (Q(kind__in=[Room.Kind.LOBBY, Room.Kind.ANNOUNCEMENTS]) | in_sessions)
            | Q(members__user=user)
        ).select_related("session"),
        user,
    ).order_by("kind", "session__starts_at", "title")
    rooms = list(rooms)
    private = [r for r in rooms if r.event_id is None]
    titles = _private_titles(private, user)
    by_event: dict[int, list[RoomRow]] = {pk: [] for pk in event_ids}
    for room in rooms:
        if room.event_id in by_event and room.kind != Room.Kind.MENTORSHIP:
            by_event[room.event_id].append(RoomRow(room, room.title, room.unread))
    order = {Room.Kind.ANNOUNCEMENTS: 0, Room.Kind.LOBBY: 1, Room.Kind.SESSION: 2}
    for rows in by_event.values():
        rows.sort(key=lambda row: order.get(row.room.kind, 3))
    return {
        "conversations": [RoomRow(r, titles.get(r.pk, r.title), r.unread) for r in private],
        "events": [(event, by_event[event.pk]) for event in events],
    }


def _private_titles(rooms: list[Room], user: User) -> dict[int, str]:
    """A direct conversation is called after the other person (one query)."""
    direct = [r.pk for r in rooms if r.kind == Room.Kind.DIRECT]
    if not direct:
        return {}
    others = RoomMember.objects.filter(room_id__in=direct).exclude(user=user).select_related("user")
    return {member.room_id: frames.display_name(member.user) for member in others}


def room_messages(room: Room, user: User, before: int | None = None, limit: int = 50) -> dict:
    """The newest `limit` messages (before a seq), oldest first, without the ones from
    people the user blocked. Two queries (blocks, messages)."""
    hidden = blocked_ids(user.pk)
    rows = Message.objects.filter(room=room).select_related("sender")
    if before is not None:
        rows = rows.filter(seq__lt=before)
    page = list(rows.order_by("-seq")[: limit + 1])
    has_more = len(page) > limit
    page = page[:limit]
    return {
        "messages": [m for m in reversed(page) if m.sender_id not in hidden],
        "has_more": has_more,
        "before": page[-1].seq if page else None,
        "newest": page[0].seq if page else 0,  # hidden ones included
    }


def reports_for_event(event: Event, *, open_only: bool = True) -> QuerySet[Report]:
    reports = Report.objects.filter(message__room__event=event).select_related(
        "message__sender", "message__room", "reporter", "resolved_by"
    )
    if open_only:
        reports = reports.filter(resolved_at__isnull=True)
    return reports.order_by("-created_at")


def people_of_event(event: Event) -> QuerySet[User]:
    """Whom an organizer may name on the mute pages: anyone registered (in any state),
    the provider's people, or who wrote in its rooms; nobody else on the site (their
    names are not the organizer's to see)."""
    registered = Registration.objects.filter(event_id=event.pk, user=OuterRef("pk"))
    staff = Membership.objects.filter(organization_id=event.organization_id, user=OuterRef("pk"))
    wrote = Message.objects.filter(room__event_id=event.pk, sender=OuterRef("pk"))
    return User.objects.filter(Exists(registered) | Exists(staff) | Exists(wrote))


def mutes_for_event(event: Event) -> QuerySet[Mute]:
    return (
        Mute.objects.filter(event=event).select_related("user", "muted_by").order_by("-created_at")
    )
