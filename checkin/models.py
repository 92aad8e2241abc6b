"""Badges, signing keys, scanner devices and scans (DESIGN.md invariants 3 and 4)."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from events.models import Event, Registration, Session


class EventKey(models.Model):
    """An event's Ed25519 key pair. The private key never leaves the server; rows are
    never changed, so scanners may cache public keys forever."""

    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="signing_keys")
    version = models.PositiveSmallIntegerField()
    public_key = models.BinaryField(max_length=32)
    private_key = models.BinaryField(max_length=32, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["event", "version"], name="eventkey_unique_version")
        ]

    def __str__(self) -> str:
        return f"{self.event} key v{self.version}"


class Badge(models.Model):
    """The credential in a registration's QR code. Reissuing revokes the old one."""

    class RevokeReason(models.TextChoices):
        REISSUED = "reissued", "Reissued (lost badge)"
        CANCELLED = "cancelled", "Registration cancelled"

    registration = models.ForeignKey(Registration, on_delete=models.PROTECT, related_name="badges")
    key_version = models.PositiveSmallIntegerField()
    issued_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoke_reason = models.CharField(max_length=16, choices=RevokeReason.choices, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["registration"],
                condition=Q(revoked_at__isnull=True),
                name="badge_one_valid_per_registration",
            )
        ]

    def __str__(self) -> str:
        return f"Badge {self.pk} ({self.registration.code})"


class ScannerDevice(models.Model):
    """A phone or handheld that scans badges at one place of one event.

    Only a hash of its token is stored: the token is shown once, at pairing.
    """

    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="scanner_devices")
    name = models.CharField(max_length=100)
    session = models.ForeignKey(
        Session,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="scanner_devices",
        help_text="Where it scans. Empty: the event entrance.",
    )
    token_hash = models.CharField(max_length=64, unique=True, null=True, editable=False)
    setup_code_hash = models.CharField(max_length=64, unique=True, null=True, editable=False)
    setup_expires_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    paired_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_seen_at = models.DateTimeField(null=True, blank=True)
    unsynced_scans = models.PositiveIntegerField(
        default=0, help_text="Scans waiting in the device's offline queue, as it last reported."
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.place_label})"

    @property
    def place_label(self) -> str:
        return self.session.title if self.session_id else "Event entrance"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class Scan(models.Model):
    """One scan attempt, accepted or not. Appended, never edited (DESIGN.md invariant 3)."""

    class Direction(models.TextChoices):
        IN = "in", "In"
        OUT = "out", "Out"

    class Result(models.TextChoices):
        OK = "ok", "Accepted"
        ALREADY_IN = "already_in", "Already checked in"
        NOT_IN = "not_in", "Not checked in"
        NOT_REGISTERED = "not_registered", "No seat in this session"
        REVOKED = "revoked", "Badge revoked"
        INVALID_SIGNATURE = "invalid_signature", "Not a valid badge"
        WRONG_EVENT = "wrong_event", "Badge of another event"
        UNPAID = "unpaid", "Registration not paid"
        CANCELLED = "cancelled", "Registration cancelled"
        OUTSIDE_WINDOW = "outside_window", "Outside the check-in window"

    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="scans")
    session = models.ForeignKey(
        Session, on_delete=models.PROTECT, null=True, blank=True, related_name="scans"
    )
    badge = models.ForeignKey(
        Badge, on_delete=models.PROTECT, null=True, blank=True, related_name="scans"
    )
    # The badge's registration, kept on the row: attendance follows the registration
    # across reissued badges, and reading it needs no join.
    registration = models.ForeignKey(
        Registration, on_delete=models.PROTECT, null=True, blank=True, related_name="scans"
    )
    device = models.ForeignKey(
        ScannerDevice, on_delete=models.PROTECT, null=True, blank=True, related_name="scans"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The organizer who checked someone in by hand.",
    )
    reason = models.CharField(max_length=300, blank=True)
    direction = models.CharField(max_length=3, choices=Direction.choices)
    scanned_at = models.DateTimeField(help_text="When it happened, by the device's clock.")
    received_at = models.DateTimeField(auto_now_add=True)
    nonce = models.CharField(max_length=64)
    result = models.CharField(max_length=20, choices=Result.choices)
    token = models.CharField(max_length=200, blank=True, help_text="As read, for audits.")

    class Meta:
        ordering = ["scanned_at", "pk"]
        indexes = [models.Index(fields=["registration", "session", "scanned_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["device", "nonce"],
                condition=Q(device__isnull=False),
                name="scan_nonce_unique_per_device",
            )
        ]

    def __str__(self) -> str:
        return f"{self.direction} {self.result} badge={self.badge_id} at {self.scanned_at}"

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise ValueError("Scans are facts: they are appended, never changed.")
        super().save(*args, **kwargs)
