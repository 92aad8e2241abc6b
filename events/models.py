"""CE providers, their events, sessions, tickets and registrations."""

import secrets
import zoneinfo
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from accounts.vocab import InstructionalLevel, SubjectArea

TIMEZONE_CHOICES = sorted((tz, tz) for tz in zoneinfo.available_timezones() if "/" in tz)


class Organization(models.Model):
    """A CE provider: the body that holds accreditations and runs events."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(unique=True)
    description = models.TextField(blank=True)
    website = models.URLField(blank=True)
    contact_email = models.EmailField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Accreditation(models.Model):
    """An approval a provider holds (APA sponsor, NBCC ACEP, ASWB ACE, ...)."""

    class Body(models.TextChoices):
        APA = "apa", "American Psychological Association (APA)"
        NBCC = "nbcc", "NBCC (ACEP)"
        ASWB = "aswb", "ASWB Approved Continuing Education (ACE)"
        NAADAC = "naadac", "NAADAC"
        STATE = "state", "State board"
        OTHER = "other", "Other"

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="accreditations"
    )
    body = models.CharField(max_length=16, choices=Body.choices)
    body_name = models.CharField(
        max_length=200, blank=True, help_text="For a state board or other body: its name."
    )
    provider_number = models.CharField(
        max_length=60, blank=True, help_text="ACEP No., ASWB provider number, board approval id."
    )
    approval_statement = models.TextField(
        help_text="The exact wording the accreditor requires on certificates and marketing."
    )
    valid_until = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["organization", "body"]

    def __str__(self) -> str:
        label = self.body_name or self.get_body_display()
        return f"{label} #{self.provider_number}" if self.provider_number else label


class Membership(models.Model):
    """A user's role at a provider. Owners and staff manage events; scanners scan."""

    class Role(models.TextChoices):
        OWNER = "owner", "Owner"
        STAFF = "staff", "Staff"
        SCANNER = "scanner", "Scanner"

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="memberships"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.STAFF)
    created_at = models.DateTimeField(auto_now_add=True)

    MANAGER_ROLES = (Role.OWNER, Role.STAFF)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "user"], name="membership_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()}, {self.organization})"


class Event(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"
        CANCELLED = "cancelled", "Cancelled"

    class Format(models.TextChoices):
        IN_PERSON = "in_person", "In person"
        WEBINAR = "webinar", "Live interactive webinar"
        HYBRID = "hybrid", "Hybrid"

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="events")
    title = models.CharField(max_length=200)
    slug = models.SlugField(unique=True)
    summary = models.CharField(max_length=300, blank=True)
    description = models.TextField(blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    delivery_format = models.CharField(
        max_length=16, choices=Format.choices, default=Format.IN_PERSON
    )
    timezone = models.CharField(max_length=64, choices=TIMEZONE_CHOICES, default="America/New_York")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    venue_name = models.CharField(max_length=200, blank=True)
    venue_address = models.CharField(max_length=300, blank=True)
    target_audience = models.TextField(blank=True)
    refund_policy = models.TextField(blank=True)
    refund_deadline = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Attendees who cancel before this get a full refund; none after. "
        "Empty: no refunds on cancellation (organizers can still refund).",
    )
    payment_hold_minutes = models.PositiveSmallIntegerField(
        "seat hold while paying (minutes)",
        default=30,
        validators=[MinValueValidator(30)],
        help_text="How long a paid ticket is held while the attendee pays with Stripe "
        "(Stripe's checkout lasts at least 30 minutes).",
    )
    grievance_policy = models.TextField(blank=True)
    accessibility_statement = models.TextField(
        blank=True, help_text="How attendees request ADA accommodation."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["starts_at"]
        indexes = [models.Index(fields=["status", "starts_at"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("events:event_detail", kwargs={"slug": self.slug})

    def clean(self) -> None:
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": "The event must end after it starts."})

    @property
    def tzinfo(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)

    @property
    def is_public(self) -> bool:
        return self.status != self.Status.DRAFT


class Track(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="tracks")
    name = models.CharField(max_length=100)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["event", "position", "name"]
        constraints = [models.UniqueConstraint(fields=["event", "name"], name="track_unique_name")]

    def __str__(self) -> str:
        return self.name


class Room(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="rooms")
    name = models.CharField(max_length=100)
    capacity = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["event", "name"]
        constraints = [models.UniqueConstraint(fields=["event", "name"], name="room_unique_name")]

    def __str__(self) -> str:
        return self.name


class Presenter(models.Model):
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="presenters"
    )
    name = models.CharField(max_length=200)
    credentials = models.CharField(max_length=120, blank=True, help_text='e.g. "PhD, LCSW"')
    title = models.CharField("position", max_length=200, blank=True)
    bio = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name}, {self.credentials}" if self.credentials else self.name


class Session(models.Model):
    """A block on the schedule. Breaks, meals and receptions earn no credit."""

    class Kind(models.TextChoices):
        TALK = "talk", "Talk"
        WORKSHOP = "workshop", "Workshop"
        PLENARY = "plenary", "Plenary"
        PANEL = "panel", "Panel"
        BREAK = "break", "Break"
        MEAL = "meal", "Meal"
        RECEPTION = "reception", "Reception"

    NON_CREDIT_KINDS = (Kind.BREAK, Kind.MEAL, Kind.RECEPTION)

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="sessions")
    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.TALK)
    description = models.TextField(blank=True)
    learning_objectives = models.TextField(blank=True, help_text="One objective per line.")
    level = models.CharField(
        "instructional level", max_length=16, choices=InstructionalLevel.choices, blank=True
    )
    subject_area = models.CharField(max_length=32, choices=SubjectArea.choices, blank=True)
    track = models.ForeignKey(
        Track, on_delete=models.SET_NULL, null=True, blank=True, related_name="sessions"
    )
    room = models.ForeignKey(
        Room, on_delete=models.SET_NULL, null=True, blank=True, related_name="sessions"
    )
    presenters = models.ManyToManyField(Presenter, blank=True, related_name="sessions")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    capacity = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="Seats that need a sign-up. Leave empty for a session open to every attendee.",
    )
    ce_hours = models.DecimalField(
        "advertised CE hours",
        max_digits=4,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    is_cancelled = models.BooleanField(default=False)
    auto_checkout = models.BooleanField(
        "automatic check-out at the end",
        default=False,
        help_text="Close every open presence when the session ends (no exit scan needed).",
    )
    schedule_version = models.PositiveIntegerField(
        default=0,
        editable=False,
        help_text="Goes up each time the session moves or is cancelled (the calendar SEQUENCE).",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # A change to any of these is a new version of the session in attendees' calendars.
    SCHEDULE_FIELDS = ("starts_at", "ends_at", "room_id", "is_cancelled")

    class Meta:
        # No related fields here: a default ordering joins on every query.
        ordering = ["starts_at", "title"]
        indexes = [models.Index(fields=["event", "starts_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="session_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs) -> None:
        bump = self._schedule_changed()
        update_fields = kwargs.get("update_fields")
        if bump and update_fields is not None:
            touched = {name.removesuffix("_id") for name in update_fields}
            bump = any(name.removesuffix("_id") in touched for name in self.SCHEDULE_FIELDS)
            if bump:
                kwargs["update_fields"] = [*update_fields, "schedule_version"]
        if bump:
            # An F() expression, so two people moving the session at once count twice.
            self.schedule_version = models.F("schedule_version") + 1
        super().save(*args, **kwargs)
        if bump:
            self.refresh_from_db(fields=["schedule_version"])
        self._remember_schedule()

    def get_absolute_url(self) -> str:
        return reverse("events:session_detail", kwargs={"slug": self.event.slug, "pk": self.pk})

    def clean(self) -> None:
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": "The session must end after it starts."})
        if self.kind in self.NON_CREDIT_KINDS and self.ce_hours:
            raise ValidationError({"ce_hours": "Breaks, meals and receptions earn no credit."})
        for name in ("room", "track"):
            related = getattr(self, name)
            if related is not None and self.event_id and related.event_id != self.event_id:
                raise ValidationError({name: f"This {name} belongs to another event."})

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._remember_schedule()
        return instance

    def _remember_schedule(self) -> None:
        # Only the fields that were loaded: a deferred one cannot be compared.
        self._schedule_snapshot = {
            name: self.__dict__[name] for name in self.SCHEDULE_FIELDS if name in self.__dict__
        }

    def _schedule_changed(self) -> bool:
        snapshot = getattr(self, "_schedule_snapshot", None)
        if not snapshot or self._state.adding:
            return False
        return any(self.__dict__.get(name, value) != value for name, value in snapshot.items())

    @property
    def earns_credit(self) -> bool:
        return self.kind not in self.NON_CREDIT_KINDS

    @property
    def accepts_signups(self) -> bool:
        return self.earns_credit and not self.is_cancelled

    @property
    def objectives(self) -> list[str]:
        return [line.strip() for line in self.learning_objectives.splitlines() if line.strip()]

    @property
    def duration_minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)


class TicketType(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="ticket_types")
    name = models.CharField(max_length=100)
    description = models.CharField(max_length=300, blank=True)
    price = models.DecimalField(
        max_digits=8, decimal_places=2, default=Decimal("0"), validators=[MinValueValidator(0)]
    )
    currency = models.CharField(max_length=3, default="USD")
    capacity = models.PositiveIntegerField(
        null=True, blank=True, help_text="Leave empty for no limit."
    )
    sales_start = models.DateTimeField(null=True, blank=True)
    sales_end = models.DateTimeField(null=True, blank=True)
    is_active = models.BooleanField(default=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["event", "position", "price"]

    def __str__(self) -> str:
        return f"{self.name} ({self.event})"

    def clean(self) -> None:
        if self.sales_start and self.sales_end and self.sales_end <= self.sales_start:
            raise ValidationError({"sales_end": "Sales must end after they start."})

    @property
    def is_free(self) -> bool:
        return self.price == 0

    def on_sale(self, at=None) -> bool:
        at = at or timezone.now()
        if not self.is_active:
            return False
        if self.sales_start and at < self.sales_start:
            return False
        return not (self.sales_end and at >= self.sales_end)


def new_registration_code() -> str:
    # Short, unambiguous, typed by people at a help desk.
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _ in range(8))


class Registration(models.Model):
    """A person's place at an event, held by one ticket."""

    class Status(models.TextChoices):
        AWAITING_PAYMENT = "awaiting_payment", "Awaiting payment"
        CONFIRMED = "confirmed", "Confirmed"
        CANCELLED = "cancelled", "Cancelled"

    ACTIVE = (Status.AWAITING_PAYMENT, Status.CONFIRMED)

    code = models.CharField(max_length=12, unique=True, default=new_registration_code)
    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="registrations")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="registrations"
    )
    ticket_type = models.ForeignKey(
        TicketType, on_delete=models.PROTECT, related_name="registrations"
    )
    status = models.CharField(max_length=20, choices=Status.choices)
    amount_due = models.DecimalField(max_digits=8, decimal_places=2, default=Decimal("0"))
    discount = models.ForeignKey(
        "DiscountCode",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="registrations",
    )
    hold_expires_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="While paying through Stripe: the seat is released after this.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.CharField(max_length=200, blank=True)
    reminder_sent_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the day-before reminder was emailed (manage.py send_event_reminders).",
    )

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["ticket_type", "status"])]
        constraints = [
            # The database itself refuses a second live registration for one event.
            models.UniqueConstraint(
                fields=["event", "user"],
                condition=Q(status__in=["awaiting_payment", "confirmed"]),
                name="registration_one_active_per_event",
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.user} @ {self.event}"

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE


class SessionSignup(models.Model):
    """A seat (or a waitlist place) in one session, under a registration."""

    class Status(models.TextChoices):
        CONFIRMED = "confirmed", "Confirmed"
        WAITLISTED = "waitlisted", "Waitlisted"
        CANCELLED = "cancelled", "Cancelled"

    ACTIVE = (Status.CONFIRMED, Status.WAITLISTED)

    registration = models.ForeignKey(Registration, on_delete=models.PROTECT, related_name="signups")
    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="signups")
    status = models.CharField(max_length=16, choices=Status.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    promoted_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["session", "status", "created_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["registration", "session"],
                condition=Q(status__in=["confirmed", "waitlisted"]),
                name="signup_one_active_per_session",
            )
        ]

    def __str__(self) -> str:
        return f"{self.registration.user} -> {self.session} ({self.status})"


class DiscountCode(models.Model):
    """A code an attendee types at registration. Uses are counted under a row lock,
    like seats, so a limit holds when many people use the code at once."""

    class Kind(models.TextChoices):
        PERCENT = "percent", "Percentage"
        FIXED = "fixed", "Fixed amount"

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="discount_codes")
    code = models.CharField(max_length=40, help_text="Case does not matter.")
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.PERCENT)
    value = models.DecimalField(
        max_digits=8,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
        help_text="Percent off (100 makes the ticket free) or an amount off the price.",
    )
    max_uses = models.PositiveIntegerField(null=True, blank=True, help_text="Empty: no limit.")
    valid_from = models.DateTimeField(null=True, blank=True)
    valid_until = models.DateTimeField(null=True, blank=True)
    ticket_types = models.ManyToManyField(
        TicketType, blank=True, related_name="discount_codes", help_text="Empty: every ticket."
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["event", "code"]
        constraints = [
            models.UniqueConstraint(
                models.functions.Upper("code"), "event", name="discountcode_unique_per_event"
            )
        ]

    def __str__(self) -> str:
        return self.code

    def clean(self) -> None:
        if self.kind == self.Kind.PERCENT and self.value and self.value > 100:
            raise ValidationError({"value": "A percentage cannot be more than 100."})
        if self.valid_from and self.valid_until and self.valid_until <= self.valid_from:
            raise ValidationError({"valid_until": "The code must expire after it starts."})

    def price_for(self, price: Decimal) -> Decimal:
        if self.kind == self.Kind.PERCENT:
            off = (price * self.value / 100).quantize(Decimal("0.01"))
        else:
            off = self.value
        return max(price - off, Decimal("0"))


class Payment(models.Model):
    """A payment attempt through Stripe Checkout, mapping Stripe's ids to a registration."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for payment"
        PAID = "paid", "Paid"
        EXPIRED = "expired", "Checkout expired"
        REFUNDED = "refunded", "Refunded"
        PARTIALLY_REFUNDED = "partially_refunded", "Partially refunded"

    registration = models.ForeignKey(
        Registration, on_delete=models.PROTECT, related_name="payments"
    )
    amount = models.DecimalField(max_digits=8, decimal_places=2)
    currency = models.CharField(max_length=3, default="USD")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    stripe_checkout_session_id = models.CharField(max_length=255, unique=True)
    stripe_payment_intent_id = models.CharField(max_length=255, unique=True, null=True, blank=True)
    checkout_url = models.URLField(max_length=2000, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    amount_refunded = models.DecimalField(max_digits=8, decimal_places=2, default=Decimal("0"))
    disputed = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    paid_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.amount} {self.currency} for {self.registration.code} ({self.status})"


class Refund(models.Model):
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="refunds")
    stripe_refund_id = models.CharField(max_length=255, unique=True)
    amount = models.DecimalField(max_digits=8, decimal_places=2)
    status = models.CharField(max_length=30)
    reason = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Empty: automatic (attendee cancellation, late payment) or from Stripe.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"Refund {self.amount} ({self.status})"


class Dispute(models.Model):
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="disputes")
    stripe_dispute_id = models.CharField(max_length=255, unique=True)
    amount = models.DecimalField(max_digits=8, decimal_places=2)
    status = models.CharField(max_length=40)
    reason = models.CharField(max_length=100, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Dispute {self.stripe_dispute_id} ({self.status})"


class StripeEvent(models.Model):
    """Every Stripe event processed, once: the unique id makes a replay a no-op
    (DESIGN.md invariant 2). Stored in the same transaction as its effects."""

    event_id = models.CharField(max_length=255, unique=True)
    type = models.CharField(max_length=100)
    created = models.DateTimeField(help_text="When Stripe created the event.")
    processed_at = models.DateTimeField(auto_now_add=True)
    outcome = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-processed_at"]

    def __str__(self) -> str:
        return f"{self.type} {self.event_id}"
