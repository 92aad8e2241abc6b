"""Every chat write. The WebSocket consumer, the pages and other apps (mentorship
opens rooms through `private_room_create`) all call these.

A message gets the room's next sequence number under a row lock on the room, and
is broadcast only after commit (DESIGN.md invariant 6). Edits and deletions take
the room's next *change* number the same way, so a reconnecting client can ask
for the changes it missed as exactly as for the messages.
"""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from networking.chat import frames, ratelimit
from networking.chat.broadcast import publish_on_commit
from networking.chat.membership import (
    ChatError,
    check_can_post,
    check_may_message,
    direct_key,
    is_member,
    is_moderator,
    load_room,
)
from networking.chat.models import MAX_BODY, Message, ReadState, Report, Room, RoomMember

MAX_CLIENT_ID = 64


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


def direct_room_open(*, user: User, other: User) -> Room:
    """The direct conversation between two connected people (made on first use)."""
    check_may_message(user, other)
    title = f"{frames.display_name(user)} and {frames.display_name(other)}"
    return private_room_create(
        kind=Room.Kind.DIRECT, key=direct_key(user.pk, other.pk), title=title, members=[user, other]
    )


def check_body(body: object) -> str:
    if not isinstance(body, str):
        raise ChatError("invalid", "A message is text.")
    if "\x00" in body:
        raise ChatError("invalid", "The message contains a character that cannot be stored.")
    if not body.strip():
        raise ChatError("empty", "Type a message first.")
    if len(body) > MAX_BODY:
        raise ChatError(
            "too_long", f"A message can have up to {MAX_BODY:,} characters; this has {len(body):,}."
        )
    return body


def _check_client_id(client_id: object) -> str:
    if not isinstance(client_id, str) or not 0 < len(client_id) <= MAX_CLIENT_ID:
        raise ChatError("invalid", f"client_id is a string of 1 to {MAX_CLIENT_ID} characters.")
    return client_id


def _room_or_refuse(room_id: int) -> Room:
    room = load_room(room_id)
    if room is None:
        raise ChatError("not_member", "You are not a member of this room.")
    return room


@transaction.atomic
def message_send(*, user: User, room_id: int, body: str, client_id: str) -> tuple[Message, bool]:
    """Store a message with the room's next seq and broadcast it after commit.
    Returns (message, created): a resent client_id returns the stored message.

    This runs for every message of every room, so each step is the cheapest query
    that answers it (get() rather than first(), one EXISTS for membership)."""
    body = check_body(body)
    client_id = _check_client_id(client_id)
    room = _room_or_refuse(room_id)
    check_can_post(user, room)  # membership on every send, never cached
    # The room's row lock orders sends, so a resend racing its first send finds it
    # here; checking before the rate limit keeps resends from counting against it.
    last_seq = Room.objects.select_for_update().values_list("last_seq", flat=True).get(pk=room_id)
    stored = _by_client_id(room_id, user, client_id)
    if stored is not None:
        return stored, False
    retry_after = ratelimit.send_allowed(user.pk)
    if retry_after is not None:
        raise ChatError(
            "rate_limited",
            f"You are sending messages too quickly. Try again in {retry_after:.0f} s.",
            retry_after=retry_after,
        )
    seq = last_seq + 1
    Room.objects.filter(pk=room_id).update(last_seq=seq)
    message = Message.objects.create(
        room_id=room_id, seq=seq, sender=user, client_id=client_id, body=body
    )
    publish_on_commit(room_id, frames.MESSAGE, seq, user.pk, frames.message_frame(message))
    return message, True


def _by_client_id(room_id: int, user: User, client_id: str) -> Message | None:
    try:  # unique per (room, sender, client_id)
        message = Message.objects.get(room_id=room_id, sender=user, client_id=client_id)
    except Message.DoesNotExist:
        return None
    message.sender = user  # no query to name the sender
    return message


def _message_in(room: Room, seq: int) -> Message:
    message = Message.objects.select_related("sender").filter(room=room, seq=seq).first()
    if message is None:
        raise ChatError("not_found", "That message does not exist.")
    return message


def _record_change(message: Message, **fields) -> Message:
    """Give an edit or deletion the room's next change number (room row locked)."""
    room = Room.objects.select_for_update().only("pk", "last_change").get(pk=message.room_id)
    change = room.last_change + 1
    Room.objects.filter(pk=room.pk).update(last_change=change)
    for name, value in fields.items():
        setattr(message, name, value)
    message.change_seq = change
    message.save(update_fields=[*fields, "change_seq"])
    publish_on_commit(
        room.pk, frames.UPDATE, change, message.sender_id, frames.update_frame(message)
    )
    return message


@transaction.atomic
def message_edit(*, user: User, room_id: int, seq: int, body: str) -> Message:
    """Change one's own message within CHAT_EDIT_WINDOW_SECONDS; it shows as edited."""
    body = check_body(body)
    room = _room_or_refuse(room_id)
    check_can_post(user, room)
    message = _message_in(room, seq)
    if message.sender_id != user.pk:
        raise ChatError("forbidden", "You can only edit your own messages.")
    if message.is_deleted:
        raise ChatError("not_found", "That message was deleted.")
    window = timedelta(seconds=settings.CHAT_EDIT_WINDOW_SECONDS)
    if timezone.now() - message.created_at > window:
        minutes = settings.CHAT_EDIT_WINDOW_SECONDS // 60
        raise ChatError("edit_window", f"Messages can be edited for {minutes} minutes.")
    if body == message.body:
        return message
    return _record_change(message, body=body, edited_at=timezone.now())


@transaction.atomic
def message_delete(*, user: User, room_id: int, seq: int) -> Message:
    """Delete one's own message, or, as an organizer, any message in the event's rooms."""
    room = _room_or_refuse(room_id)
    message = _message_in(room, seq)
    return _delete(message=message, room=room, user=user)


@transaction.atomic
def message_remove(*, by: User, message: Message) -> Message:
    """A moderator removes a message from a reports page: an organizer of the room's
    event; in a direct or mentorship room, site staff who review its reports, and
    only a message someone reported (they see nothing else of the conversation)."""
    from networking.chat.moderation import may_review_private_reports

    message = Message.objects.select_related("sender").get(pk=message.pk)
    room = _room_or_refuse(message.room_id)
    reviewer = (
        room.event_id is None
        and may_review_private_reports(by)
        and Report.objects.filter(message=message).exists()
    )
    return _delete(message=message, room=room, user=by, moderator=reviewer)


def _delete(*, message: Message, room: Room, user: User, moderator: bool = False) -> Message:
    from networking.chat.moderation import resolve_reports

    own = message.sender_id == user.pk
    moderator = moderator or is_moderator(user, room)
    if not own and not moderator:
        raise ChatError("forbidden", "You can only delete your own messages.")
    if own:
        _require_member(room, user)
    if not message.is_deleted:
        message = _record_change(message, deleted_at=timezone.now(), deleted_by=user)
    if moderator:
        # Their own message or not, deleted now or before: its reports are settled.
        resolve_reports(message=message, by=user, resolution=Report.Resolution.REMOVED)
    return message


def _require_member(room: Room, user: User) -> None:
    if not is_member(user, room):
        raise ChatError("not_member", "You are not a member of this room.")


@transaction.atomic
def read_mark(*, user: User, room_id: int, seq: int) -> int:
    """The user has read the room up to `seq` (never moves back). Returns the mark."""
    room = _room_or_refuse(room_id)
    _require_member(room, user)
    seq = max(0, min(int(seq), room.last_seq))
    marks = ReadState.objects.filter(room=room, user=user)
    if marks.filter(last_read_seq__lt=seq).update(last_read_seq=seq):
        return seq  # the usual case: one UPDATE
    state, _ = ReadState.objects.get_or_create(
        room=room, user=user, defaults={"last_read_seq": seq}
    )
    return state.last_read_seq
