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
    last_change = models.PositiveBigIntegerField(
        default=0, help_text="Counter of edits and deletions in this room (row-locked to assign)."
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


MAX_BODY = 4000


class Message(models.Model):
    """Plain text, stored as typed and escaped wherever it is shown. A deleted message
    keeps its body for moderation (reports) but is never sent to clients again."""

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="messages")
    seq = models.PositiveBigIntegerField()
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="chat_messages"
    )
    client_id = models.CharField(max_length=64, help_text="The sender's id for this send.")
    body = models.TextField(max_length=MAX_BODY)
    created_at = models.DateTimeField(auto_now_add=True)
    edited_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    change_seq = models.PositiveBigIntegerField(
        default=0, help_text="The room's change counter at this message's latest edit or deletion."
    )

    class Meta:
        ordering = ["room_id", "seq"]
        indexes = [models.Index(fields=["room", "change_seq"], name="message_room_change")]
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

    @property
    def removed_by_moderator(self) -> bool:
        return self.is_deleted and self.deleted_by_id not in (None, self.sender_id)


class Mute(models.Model):
    """An organizer silenced this person in the event's rooms (they still read)."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="chat_mutes")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    muted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    reason = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["event", "user"], name="chat_mute_once")]

    def __str__(self) -> str:
        return f"{self.user} muted in {self.event}"


class Report(models.Model):
    """Someone flagged a message for the organizers. One report per person and message."""

    class Resolution(models.TextChoices):
        DISMISSED = "dismissed", "Dismissed"
        REMOVED = "removed", "Message removed"
        MUTED = "muted", "Sender muted"

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    reason = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    resolution = models.CharField(max_length=16, choices=Resolution.choices, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["message", "reporter"], name="chat_report_once")
        ]

    def __str__(self) -> str:
        return f"Report of {self.message} by {self.reporter_id}"


__all__ = ["MAX_BODY", "Message", "Mute", "ReadState", "Report", "Room", "RoomMember"]
