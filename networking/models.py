"""Connections between people and blocks (DESIGN.md invariant 7: contact details
are shared only by mutual consent), networking profiles, the opt-in directory,
notifications and reports."""

import uuid

from django.conf import settings
from django.core.validators import URLValidator
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


# ---------------------------------------------------------------------------
# Profiles, the directory, notifications and reports (issue 7).
# What a viewer may see of a profile is decided in networking/privacy.py only.


class Specialty(models.Model):
    """A term of the controlled vocabulary of specialties and modalities
    (DOMAIN.md); organizers can add terms."""

    class Kind(models.TextChoices):
        MODALITY = "modality", "Approach or modality"
        FOCUS = "focus", "Clinical focus or population"

    name = models.CharField(max_length=60)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.FOCUS)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "name"]
        verbose_name_plural = "specialties"
        constraints = [
            models.UniqueConstraint(models.functions.Lower("name"), name="specialty_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class Visibility(models.TextChoices):
    """Who sees one field of a networking profile (the owner always does)."""

    EVENT = "event", "People at my events"
    CONNECTIONS = "connections", "My connections only"
    HIDDEN = "hidden", "Only me"


def _visibility(default: str = Visibility.EVENT) -> models.CharField:
    return models.CharField(max_length=12, choices=Visibility.choices, default=default)


def photo_path(instance: "NetworkingProfile", filename: str) -> str:
    # The name carries no personal data; the extension is the one the image was saved as.
    extension = filename.rsplit(".", 1)[-1].lower()
    return f"photos/{uuid.uuid4().hex}.{extension}"


http_url = URLValidator(schemes=["http", "https"])


class NetworkingProfile(models.Model):
    """The networking side of a person, on top of accounts.Profile (profession and
    credentials stay there). Each field has its own visibility; email is for
    connections only, license numbers never appear here (DESIGN.md invariant 7)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="networking_profile"
    )
    display_name = models.CharField(
        max_length=100, blank=True, help_text="Leave empty to use your account name."
    )
    pronouns = models.CharField(max_length=40, blank=True, help_text='For example "she/her".')
    photo = models.ImageField(upload_to=photo_path, blank=True)
    headline = models.CharField(
        max_length=120, blank=True, help_text='One line, e.g. "Trauma therapist in Columbus".'
    )
    bio = models.TextField(
        max_length=1000, blank=True, help_text="Plain text, up to 1,000 characters."
    )
    specialties = models.ManyToManyField(Specialty, blank=True, related_name="profiles")
    populations = models.CharField(
        "populations served",
        max_length=200,
        blank=True,
        help_text='For example "veterans, adolescents, first responders".',
    )
    languages = models.CharField(
        max_length=200, blank=True, help_text="Languages you work in, separated by commas."
    )
    city = models.CharField(max_length=100, blank=True)
    region = models.CharField("state or region", max_length=100, blank=True)
    employer = models.CharField("employer or practice", max_length=200, blank=True)
    link_1 = models.URLField("link", max_length=300, blank=True, validators=[http_url])
    link_2 = models.URLField("second link", max_length=300, blank=True, validators=[http_url])
    link_3 = models.URLField("third link", max_length=300, blank=True, validators=[http_url])

    pronouns_visibility = _visibility()
    photo_visibility = _visibility()
    headline_visibility = _visibility()
    bio_visibility = _visibility()
    professional_visibility = _visibility()  # profession and credentials (accounts.Profile)
    specialties_visibility = _visibility()
    populations_visibility = _visibility()
    languages_visibility = _visibility()
    location_visibility = _visibility(Visibility.CONNECTIONS)  # city and region
    employer_visibility = _visibility(Visibility.CONNECTIONS)
    links_visibility = _visibility()

    email_on_request = models.BooleanField("email me when someone asks to connect", default=True)
    email_on_accept = models.BooleanField("email me when someone accepts my request", default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "networking profile"

    def __str__(self) -> str:
        return f"Networking profile of {self.user}"

    @property
    def name(self) -> str:
        return self.display_name or self.user.get_full_name() or "Convene member"

    @property
    def links(self) -> list[str]:
        return [link for link in (self.link_1, self.link_2, self.link_3) if link]


class DirectoryListing(models.Model):
    """The person chose to appear in this event's directory (opt-in, per event)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="directory_listings"
    )
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="directory_listings")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["event", "user"], name="directorylisting_once")
        ]

    def __str__(self) -> str:
        return f"{self.user} listed at {self.event}"


class Notification(models.Model):
    class Kind(models.TextChoices):
        CONNECTION_REQUEST = "connection_request", "Connection request"
        CONNECTION_ACCEPTED = "connection_accepted", "Connection accepted"
        REPORT = "report", "Report to review"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=24, choices=Kind.choices)
    text = models.CharField(max_length=300)
    url = models.CharField(max_length=300, blank=True)
    connection = models.ForeignKey(
        Connection, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.user_id}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class NetworkingReport(models.Model):
    """A person reported for their conduct. The organizers of the events both
    shared when it was made (kept in `events`) review it."""

    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reports_made"
    )
    reported = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reports_received"
    )
    reason = models.TextField(max_length=2000)
    events = models.ManyToManyField(Event, blank=True, related_name="networking_reports")
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    resolution = models.CharField("what was done", max_length=500, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=~Q(reporter=F("reported")), name="report_not_self")
        ]

    def __str__(self) -> str:
        return f"Report on {self.reported} by {self.reporter}"

    @property
    def is_resolved(self) -> bool:
        return self.resolved_at is not None
