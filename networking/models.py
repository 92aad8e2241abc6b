"""Connections between people and blocks (DESIGN.md invariant 7: contact details
are shared only by mutual consent). Networking profiles and the directory add
their models here."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from events.models import Event


class Connection(models.Model):
    """A request from one person to another; accepted, it connects them both ways."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        ACCEPTED = "accepted", "Connected"
        DECLINED = "declined", "Declined"
        WITHDRAWN = "withdrawn", "Withdrawn"
        REMOVED = "removed", "Removed"

    OPEN = (Status.PENDING, Status.ACCEPTED)

    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="connections_sent"
    )
    addressee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="connections_received"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    note = models.CharField(max_length=500, blank=True)
    met_at_event = models.ForeignKey(
        Event, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    met_at_place = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    responded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(requester=F("addressee")), name="connection_not_to_self"
            ),
            # One open request or connection per ordered pair; the services also
            # refuse a request when the other side has one open.
            models.UniqueConstraint(
                fields=["requester", "addressee"],
                condition=Q(status__in=["pending", "accepted"]),
                name="connection_one_open_per_pair",
            ),
        ]
        indexes = [models.Index(fields=["addressee", "status"])]

    def __str__(self) -> str:
        return f"{self.requester} -> {self.addressee} ({self.status})"

    def other(self, user) -> "settings.AUTH_USER_MODEL":
        return self.addressee if self.requester_id == user.pk else self.requester


class Block(models.Model):
    """The blocker never hears from the blocked person again: no requests, no direct
    messages, no profile, and their chat messages are hidden for the blocker."""

    blocker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="blocks_made"
    )
    blocked = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="blocks_received"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["blocker", "blocked"], name="block_once"),
            models.CheckConstraint(condition=~Q(blocker=F("blocked")), name="block_not_self"),
        ]

    def __str__(self) -> str:
        return f"{self.blocker} blocks {self.blocked}"
