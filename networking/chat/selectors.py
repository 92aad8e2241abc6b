"""Reads the chat pages share, each with a fixed number of queries."""

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Case, Exists, F, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce, Greatest

from accounts.models import User
from events.models import Event, Membership, Registration, SessionSignup
from networking.chat import frames
from networking.chat.membership import event_rooms_ensure
from networking.chat.models import Message, Mute, ReadState, Report, Room, RoomMember
from networking.services.relations import blocked_ids

PRIVATE_KINDS = (Room.Kind.DIRECT, Room.Kind.MENTORSHIP)


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


def event_rooms_for_user(user: User, events: list[Event]) -> list[tuple[Event, list[RoomRow]]]:
    """Per event, its announcements, lobby and the session rooms the user belongs to,
    each with its unread count. Rooms are created here on first sight.
    Queries: 3 (ensure) + 1 (organizations managed) + 1 (rooms), whatever the number
    of events."""
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
        ).select_related("session"),
        user,
    ).order_by("kind", "session__starts_at", "title")
    by_event: dict[int, list[RoomRow]] = {pk: [] for pk in event_ids}
    for room in rooms:
        by_event[room.event_id].append(RoomRow(room, room.title, room.unread))
    order = {Room.Kind.ANNOUNCEMENTS: 0, Room.Kind.LOBBY: 1, Room.Kind.SESSION: 2}
    for rows in by_event.values():
        rows.sort(key=lambda row: order.get(row.room.kind, 3))
    return [(event, by_event[event.pk]) for event in events]


def conversations_for_user(user: User) -> QuerySet[Room]:
    """The user's direct and mentorship rooms, each with its `unread` count: those with
    unread messages first, then the most recently active (newest message, or when the
    room was opened). Slice it (a page): one query, whatever the number of rooms."""
    newest = Message.objects.filter(room=OuterRef("pk")).order_by("-seq").values("created_at")[:1]
    rooms = _with_unread(
        Room.objects.filter(kind__in=PRIVATE_KINDS, members__user=user), user
    ).annotate(
        active_at=Coalesce(Subquery(newest), F("created_at")),
        has_unread=Case(When(unread__gt=0, then=Value(1)), default=Value(0)),
    )
    return rooms.order_by("-has_unread", "-active_at", "-pk")


def conversation_rows(rooms: Iterable[Room], user: User) -> list[RoomRow]:
    """Rows for a page of `conversations_for_user` (one more query for the names)."""
    rooms = list(rooms)
    titles = _private_titles(rooms, user)
    return [RoomRow(room, titles.get(room.pk, room.title), room.unread) for room in rooms]


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


def _organizes(event: Event, user_path: str = "") -> Q:
    """The person at `user_path` ("" for the queried User itself) organizes the event:
    a manager of its provider or a superuser (as events.permissions.can_manage_event)."""
    prefix = f"{user_path}__" if user_path else ""
    manages = Membership.objects.filter(
        organization_id=event.organization_id,
        role__in=Membership.MANAGER_ROLES,
        user_id=OuterRef(f"{prefix}pk"),
    )
    return Exists(manages) | Q(**{f"{prefix}is_superuser": True})


def reports_for_event(event: Event, *, open_only: bool = True) -> QuerySet[Report]:
    """The reports of the event's rooms, newest first. Each says whether its message's
    sender is muted in the event (`sender_muted`) or organizes it (`sender_organizes`,
    who cannot be muted), so the page offers the action that applies."""
    reports = (
        Report.objects.filter(message__room__event=event)
        .select_related("message__sender", "message__room", "reporter", "resolved_by")
        .annotate(
            sender_muted=Exists(
                Mute.objects.filter(event_id=event.pk, user_id=OuterRef("message__sender_id"))
            ),
            sender_organizes=_organizes(event, "message__sender"),
        )
    )
    if open_only:
        reports = reports.filter(resolved_at__isnull=True)
    return reports.order_by("-created_at", "-pk")


def private_reports(*, open_only: bool = True) -> QuerySet[Report]:
    """Reports of direct and mentorship rooms (no event, so no organizer): site staff's
    queue, newest first."""
    reports = Report.objects.filter(message__room__event__isnull=True).select_related(
        "message__sender", "message__room", "reporter", "resolved_by"
    )
    if open_only:
        reports = reports.filter(resolved_at__isnull=True)
    return reports.order_by("-created_at", "-pk")


def mute_states(event: Event) -> dict[str, set[int]]:
    """Who is muted in the event, and who organizes it (and so cannot be muted): the
    moderator's room page offers the action that applies to each sender, including
    senders of live messages. Two queries."""
    organizers = User.objects.filter(_organizes(event))
    return {
        "muted": set(Mute.objects.filter(event_id=event.pk).values_list("user_id", flat=True)),
        "organizers": set(organizers.values_list("pk", flat=True)),
    }


def people_of_event(event: Event) -> QuerySet[User]:
    """Whom an organizer may name on the mute pages: anyone registered (in any state),
    the provider's people, or who wrote in its rooms; nobody else on the site (their
    names are not the organizer's to see)."""
    registered = Registration.objects.filter(event_id=event.pk, user=OuterRef("pk"))
    staff = Membership.objects.filter(organization_id=event.organization_id, user=OuterRef("pk"))
    wrote = Message.objects.filter(room__event_id=event.pk, sender=OuterRef("pk"))
    return User.objects.filter(Exists(registered) | Exists(staff) | Exists(wrote))


def mutes_for_event(event: Event) -> QuerySet[Mute]:
    """Who is muted in the event, most recent first (slice it: one query)."""
    return (
        Mute.objects.filter(event=event)
        .select_related("user", "muted_by")
        .order_by("-created_at", "-pk")
    )
