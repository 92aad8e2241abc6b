"""Reads the live side needs (the hub and the consumer call these through
database_sync_to_async): room heads, catch-up, gap filling, membership at delivery.

Rows come back as (number, sender id, frame JSON), encoded here once per read.
"""

from accounts.models import User
from networking.chat import frames
from networking.chat.membership import (
    ChatError,
    access_room,
    check_can_post,
    is_member,
    is_moderator,
    load_room,
    members_among,
)
from networking.chat.models import Message, ReadState, Room

Row = tuple[int, int, str]


def room_heads(room_ids: list[int]) -> dict[int, tuple[int, int]]:
    """room id -> (last_seq, last_change)."""
    return {
        pk: (seq, change)
        for pk, seq, change in Room.objects.filter(pk__in=room_ids).values_list(
            "pk", "last_seq", "last_change"
        )
    }


def _messages():
    return Message.objects.select_related("sender").only(
        "pk", "room_id", "seq", "client_id", "body", "created_at", "edited_at", "deleted_at",
        "deleted_by_id", "change_seq", "sender_id",
        "sender__first_name", "sender__last_name",
    )  # fmt: skip


def messages_after(room_id: int, after: int, limit: int, upto: int | None = None) -> list[Row]:
    """Messages with seq > after (and <= upto), in order, at most `limit`."""
    rows = _messages().filter(room_id=room_id, seq__gt=after)
    if upto is not None:
        rows = rows.filter(seq__lte=upto)
    return [
        (m.seq, m.sender_id, frames.encode(frames.message_frame(m)))
        for m in rows.order_by("seq")[:limit]
    ]


def changes_after(
    room_id: int, after: int, limit: int, upto: int | None = None, max_seq: int | None = None
) -> list[Row]:
    """Edits and deletions with change number > after (and <= upto), in order; with
    max_seq, only of messages up to that seq (later ones were sent whole)."""
    rows = _messages().filter(room_id=room_id, change_seq__gt=after)
    if upto is not None:
        rows = rows.filter(change_seq__lte=upto)
    if max_seq is not None:
        rows = rows.filter(seq__lte=max_seq)
    return [
        (m.change_seq, m.sender_id, frames.encode(frames.update_frame(m)))
        for m in rows.order_by("change_seq")[:limit]
    ]


def members_of(room_id: int, user_ids: set[int]) -> set[int]:
    """Which of these users may still read the room (a deleted room: nobody)."""
    room = load_room(room_id)
    return members_among(room, user_ids) if room is not None else set()


def names(user_ids: list[int]) -> dict[int, str]:
    return {
        user.pk: frames.display_name(user)
        for user in User.objects.filter(pk__in=user_ids).only("pk", "first_name", "last_name")
    }


def room_title_for(room: Room, user: User) -> str:
    """A direct conversation is called after the other person."""
    if room.kind != Room.Kind.DIRECT:
        return room.title
    other = (
        User.objects.filter(chat_memberships__room=room)
        .exclude(pk=user.pk)
        .only("first_name", "last_name")
        .first()
    )
    return frames.display_name(other) if other is not None else room.title


def join_info(user: User, room_id: int) -> dict:
    """What a `joined` frame says about the room, for a member (ChatError otherwise)."""
    refused = ChatError("not_member", "You are not a member of this room.")
    room = load_room(room_id)
    if room is None:  # as access_room: a room that does not exist looks like anyone else's
        raise refused
    try:
        check_can_post(user, room)  # may post: a member, so no second membership query
        can_post = True
    except ChatError as error:
        # Reading only (announcements, muted): ask about membership itself rather than
        # rely on the order of check_can_post's checks.
        if error.code == "not_member" or not is_member(user, room):
            raise refused from None
        can_post = False
    read = ReadState.objects.filter(room=room, user=user).values_list("last_read_seq", flat=True)
    return {
        "type": "joined",
        "room": room.pk,
        "kind": room.kind,
        "title": room_title_for(room, user),
        "event": room.event_id,
        "can_post": can_post,
        "moderator": is_moderator(user, room),
        "read_seq": read.first() or 0,
    }


def history(user: User, room_id: int, before: int | None, limit: int) -> dict:
    """A page of older messages (newest `limit` with seq < before), oldest first."""
    access_room(user, room_id)
    from networking.services.relations import blocked_ids

    hidden = blocked_ids(user.pk)
    rows = _messages().filter(room_id=room_id)
    if before is not None:
        rows = rows.filter(seq__lt=before)
    page = list(rows.order_by("-seq")[: limit + 1])
    more = len(page) > limit
    page = page[:limit]
    return {
        "type": "history",
        "room": room_id,
        "messages": [frames.message_frame(m) for m in reversed(page) if m.sender_id not in hidden],
        # Ask again with this `before` for the page before (even when all shown were hidden).
        "before": page[-1].seq if page else before,
        "has_more": more,
    }


__all__ = ["ChatError", "changes_after", "history", "join_info", "messages_after", "room_heads"]
