"""Chat rooms, their members and messages (DESIGN.md invariant 6: a message is
stored with its per-room sequence number before it is broadcast)."""

from django.conf import settings
from django.db import models

from events.models import Event, Session


class Room(models.Model):
    class Kind(models.TextChoices):
        LOBBY = "lobby", "Event lobby"
        SESSION = "session", "Session Q&A"
        ANNOUNCEMENTS = "announcements", "Announcements"
        DIRECT = "direct", "Direct messages"
        MENTORSHIP = "mentorship", "Mentorship"

    kind = models.CharField(max_length=16, choices=Kind.choices)
    # A stable natural key: "lobby:<event>", "session:<session>", "announcements:<event>",
    # "dm:<low user id>:<high user id>", "mentorship:<match id>".
    key = models.CharField(max_length=100, unique=True)
    title = models.CharField(max_length=200)
    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, null=True, blank=True, related_name="chat_rooms"
    )
    session = models.ForeignKey(
        Session, on_delete=models.CASCADE, null=True, blank=True, related_name="chat_rooms"
    )
    last_seq = models.PositiveBigIntegerField(
        default=0, help_text="Sequence number of the newest message (row-locked to assign)."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "title"]

    def __str__(self) -> str:
        return self.title


class RoomMember(models.Model):
    """Explicit membership (direct and private rooms). Event and session rooms derive
    membership from registrations, sign-ups and organizer roles."""

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="chat_memberships"
    )
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["room", "user"], name="roommember_once")]

    def __str__(self) -> str:
        return f"{self.user} in {self.room}"


class ReadState(models.Model):
    """How far a user has read a room: unread = room.last_seq - last_read_seq."""

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="read_states")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    last_read_seq = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["room", "user"], name="readstate_once")]

    def __str__(self) -> str:
        return f"{self.user_id} read {self.room_id} to #{self.last_read_seq}"


class Message(models.Model):
    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="messages")
    seq = models.PositiveBigIntegerField()
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="chat_messages"
    )
    client_id = models.CharField(max_length=64, help_text="The sender's id for this send.")
    body = models.TextField(max_length=4000)
    created_at = models.DateTimeField(auto_now_add=True)
    edited_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["room_id", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["room", "seq"], name="message_seq_unique"),
            # A resent message (same client id) is stored once.
            models.UniqueConstraint(
                fields=["room", "sender", "client_id"], name="message_client_id_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} in {self.room_id}"

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None


__all__ = ["Message", "ReadState", "Room", "RoomMember"]
