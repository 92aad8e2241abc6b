"""Credit offerings, attendance rules, awards, evaluations, certificates, renewals.

Awards are derived data: they are recomputed from scans and adjustments at any
time (DESIGN.md invariant 3). Adjustments, evaluations and certificates are
records: appended, never edited by a normal action (invariant 5).
"""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from accounts.models import License
from accounts.vocab import SubjectArea
from credits import rules
from events.models import Accreditation, Event, Organization, Registration, Session

HOURS = {"max_digits": 5, "decimal_places": 2}


class AttendanceRule(models.Model):
    """How attended minutes become credit. Rows without a provider are the shipped
    presets, shared by everyone and changed only by a migration."""

    class Preset(models.TextChoices):
        APA = "apa", "APA-style"
        ASWB = "aswb", "ASWB-style"
        NAADAC = "naadac", "NAADAC-style"
        BOARD = "board", "Board-style (50-minute hour)"
        CUSTOM = "custom", "Custom"

    class Increment(models.TextChoices):
        NONE = "0", "No partial credit (full attendance or nothing)"
        QUARTER = "0.25", "Quarter hours"
        HALF = "0.5", "Half hours"

    organization = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="attendance_rules",
        help_text="Empty for the presets Convene ships.",
    )
    name = models.CharField(max_length=120)
    preset = models.CharField(max_length=10, choices=Preset.choices, default=Preset.CUSTOM)
    minutes_per_hour = models.PositiveSmallIntegerField(
        "minutes of instruction in a credit hour",
        default=60,
        validators=[MinValueValidator(30), MaxValueValidator(60)],
    )
    partial_increment = models.CharField(
        "partial credit", max_length=4, choices=Increment.choices, default=Increment.NONE
    )
    late_grace = models.PositiveSmallIntegerField("grace for arriving late (minutes)", default=15)
    early_grace = models.PositiveSmallIntegerField("grace for leaving early (minutes)", default=15)
    max_absence = models.PositiveSmallIntegerField(
        "longest absence tolerated inside the session (minutes)", default=15
    )
    requires_exit_scan = models.BooleanField(
        default=False, help_text="An exit scan is required: automatic check-out does not count."
    )

    class Meta:
        ordering = ["organization_id", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "name"], name="attendancerule_unique_name"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def as_rule(self) -> rules.Rule:
        return rules.Rule(
            name=self.name,
            minutes_per_hour=self.minutes_per_hour,
            partial_increment=Decimal(self.partial_increment),
            late_grace=self.late_grace,
            early_grace=self.early_grace,
            max_absence=self.max_absence,
            requires_exit_scan=self.requires_exit_scan,
        )

    def snapshot(self) -> dict:
        """What an award keeps of the rule it was computed with."""
        return {
            "name": self.name,
            "minutes_per_hour": self.minutes_per_hour,
            "partial_increment": self.partial_increment,
            "late_grace": self.late_grace,
            "early_grace": self.early_grace,
            "max_absence": self.max_absence,
            "requires_exit_scan": self.requires_exit_scan,
        }


class CreditOffering(models.Model):
    """CE hours one session offers under one accreditation, and the rule applied."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="offerings")
    accreditation = models.ForeignKey(
        Accreditation, on_delete=models.PROTECT, related_name="offerings"
    )
    hours = models.DecimalField(
        "CE hours offered", **HOURS, validators=[MinValueValidator(Decimal("0.25"))]
    )
    rule = models.ForeignKey(AttendanceRule, on_delete=models.PROTECT, related_name="offerings")
    cebroker_course_id = models.CharField(
        "CE Broker course id",
        max_length=40,
        blank=True,
        help_text="The course tracking number CE Broker gave this course (for example "
        "20-123456). Needed for the CE Broker roster; leave empty if the course is not "
        "reported to CE Broker.",
    )

    class Meta:
        ordering = ["session_id", "accreditation_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "accreditation"], name="offering_one_per_accreditation"
            )
        ]

    def __str__(self) -> str:
        return f"{self.session}: {self.hours} h {self.accreditation}"

    def clean(self) -> None:
        if not self.session_id:
            return
        session, errors = self.session, {}
        provider = session.event.organization_id
        if not session.earns_credit:
            errors["session"] = "Breaks, meals and receptions earn no credit."
        if self.accreditation_id and self.accreditation.organization_id != provider:
            errors["accreditation"] = "This accreditation belongs to another provider."
        if self.rule_id and self.rule.organization_id not in (None, provider):
            errors["rule"] = "This rule belongs to another provider."
        if self.rule_id and self.hours:
            most = Decimal(session.duration_minutes) / Decimal(self.rule.minutes_per_hour)
            if self.hours > most:
                errors["hours"] = (
                    f"A {session.duration_minutes}-minute session offers at most "
                    f"{most.quantize(Decimal('0.01'))} h under {self.rule} "
                    f"({self.rule.minutes_per_hour} minutes an hour)."
                )
        if errors:
            raise ValidationError(errors)


class OfferingSubject(models.Model):
    """Hours of an offering that count towards a board's subject area (ethics, ...)."""

    offering = models.ForeignKey(CreditOffering, on_delete=models.CASCADE, related_name="subjects")
    area = models.CharField(max_length=32, choices=SubjectArea.choices)
    hours = models.DecimalField(**HOURS, validators=[MinValueValidator(Decimal("0.25"))])

    class Meta:
        ordering = ["offering_id", "area"]
        constraints = [
            models.UniqueConstraint(fields=["offering", "area"], name="offeringsubject_unique")
        ]

    def __str__(self) -> str:
        return f"{self.get_area_display()}: {self.hours} h"


class CreditSettings(models.Model):
    """Per event: who signs certificates, and whether evaluation gates them."""

    event = models.OneToOneField(Event, on_delete=models.CASCADE, related_name="credit_settings")
    evaluation_required = models.BooleanField(
        default=True, help_text="A session's credit appears on certificates once it is evaluated."
    )
    signer_name = models.CharField("signing official", max_length=120, blank=True)
    signer_title = models.CharField("signing official's title", max_length=120, blank=True)

    class Meta:
        verbose_name_plural = "credit settings"

    def __str__(self) -> str:
        return f"Credit settings of {self.event}"


class AttendanceAdjustment(models.Model):
    """An organizer's correction of attendance, with a written reason. Kept forever;
    a mistake is undone by another adjustment, never by editing this one."""

    class Kind(models.TextChoices):
        PRESENT = "present", "Present for the whole session"
        ADD = "add", "Present for a period"
        REMOVE = "remove", "Absent for a period"

    registration = models.ForeignKey(
        Registration, on_delete=models.PROTECT, related_name="attendance_adjustments"
    )
    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="adjustments")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    starts_at = models.DateTimeField(null=True, blank=True)
    ends_at = models.DateTimeField(null=True, blank=True)
    reason = models.CharField(max_length=500)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["registration", "session"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.registration.code}, {self.session})"

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise ValueError("Adjustments are records: add a new one instead of editing.")
        super().save(*args, **kwargs)

    @property
    def minutes(self) -> int:
        if self.kind == self.Kind.PRESENT or not (self.starts_at and self.ends_at):
            return self.session.duration_minutes
        return int((self.ends_at - self.starts_at).total_seconds() // 60)


class Award(models.Model):
    """Credit earned by a registration in a session under one offering. Derived:
    recomputing from scans and adjustments gives the same rows."""

    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="awards")
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="awards")
    offering = models.ForeignKey(CreditOffering, on_delete=models.CASCADE, related_name="awards")
    minutes = models.PositiveIntegerField(help_text="Attended instructional minutes.")
    hours = models.DecimalField(**HOURS)
    rule = models.JSONField(help_text="The rule as it was applied.")
    reasons = models.TextField(blank=True, help_text="Why credit was reduced, one per line.")
    needs_review = models.BooleanField(default=False)
    first_in = models.DateTimeField(null=True, blank=True)
    last_out = models.DateTimeField(null=True, blank=True)
    computed_at = models.DateTimeField()

    class Meta:
        ordering = ["session_id", "offering_id"]
        constraints = [
            models.UniqueConstraint(fields=["registration", "offering"], name="award_unique")
        ]
        indexes = [models.Index(fields=["session", "needs_review"])]

    def __str__(self) -> str:
        return f"{self.registration.code}: {self.hours} h in {self.session}"

    @property
    def reason_list(self) -> list[str]:
        return [line for line in self.reasons.splitlines() if line]


class AwardState(models.Model):
    """What the event's awards were computed from: a new scan or adjustment changes
    these counts (both tables only grow), so stale awards are detected cheaply."""

    event = models.OneToOneField(Event, on_delete=models.CASCADE, related_name="award_state")
    scans_seen = models.PositiveIntegerField(default=0)
    adjustments_seen = models.PositiveIntegerField(default=0)
    setup_version = models.CharField(max_length=64, blank=True)
    computed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Awards of {self.event} at {self.computed_at}"


class EvaluationQuestion(models.Model):
    """A custom question added to the standard evaluation items."""

    class Kind(models.TextChoices):
        SCALE = "scale", "Rating 1 to 5"
        TEXT = "text", "Free text"

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="evaluation_questions")
    session = models.ForeignKey(
        Session,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="evaluation_questions",
        help_text="Empty: asked about every session.",
    )
    prompt = models.CharField(max_length=300)
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.SCALE)
    required = models.BooleanField(default=False)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.prompt


class Evaluation(models.Model):
    """An attendee's evaluation of a session. Submitted once; kept as a record."""

    registration = models.ForeignKey(
        Registration, on_delete=models.PROTECT, related_name="evaluations"
    )
    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="evaluations")
    objectives_met = models.PositiveSmallIntegerField(
        "the learning objectives were met", validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    relevance = models.PositiveSmallIntegerField(
        "relevant to my practice", validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    presenter_knowledge = models.PositiveSmallIntegerField(
        "the presenters were knowledgeable and effective",
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    level_appropriate = models.PositiveSmallIntegerField(
        "the content suited its instructional level",
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    would_recommend = models.PositiveSmallIntegerField(
        "I would recommend it", validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    answers = models.JSONField(
        default=dict, blank=True, help_text="Custom questions: id -> answer."
    )
    comments = models.TextField(blank=True)
    submitted_at = models.DateTimeField(auto_now_add=True)

    STANDARD_ITEMS = (
        "objectives_met",
        "relevance",
        "presenter_knowledge",
        "level_appropriate",
        "would_recommend",
    )

    class Meta:
        ordering = ["submitted_at"]
        constraints = [
            models.UniqueConstraint(fields=["registration", "session"], name="evaluation_once")
        ]

    def __str__(self) -> str:
        return f"Evaluation of {self.session} by {self.registration.code}"


class Certificate(models.Model):
    """An issued certificate. Immutable: `content` is everything it prints, frozen
    at issue; a correction issues a new certificate and revokes this one."""

    registration = models.ForeignKey(
        Registration, on_delete=models.PROTECT, related_name="certificates"
    )
    code = models.CharField(max_length=20, unique=True)
    content = models.JSONField()
    issued_at = models.DateTimeField()
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoke_reason = models.CharField(max_length=300, blank=True)
    replaced_by = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="replaces"
    )

    class Meta:
        ordering = ["-issued_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["registration"],
                condition=Q(revoked_at__isnull=True),
                name="certificate_one_valid_per_registration",
            )
        ]

    def __str__(self) -> str:
        return f"Certificate {self.code}"

    REVOCATION_FIELDS = frozenset({"revoked_at", "revoke_reason", "replaced_by"})

    def save(self, *args, **kwargs) -> None:
        """Written once; afterwards only its revocation (and replacement) is recorded."""
        fields = kwargs.get("update_fields")
        if not self._state.adding and (fields is None or not set(fields) <= self.REVOCATION_FIELDS):
            raise ValueError("Certificates are immutable: issue a new one instead of editing.")
        super().save(*args, **kwargs)

    @property
    def is_valid(self) -> bool:
        return self.revoked_at is None


class CertificateBatch(models.Model):
    """An organizer's "issue all certificates" job and its progress."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="certificate_batches")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    issued = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Certificates for {self.event} ({self.status})"


class RenewalPeriod(models.Model):
    """A license's renewal period and the hours the board requires in it."""

    license = models.ForeignKey(License, on_delete=models.CASCADE, related_name="renewal_periods")
    starts_on = models.DateField()
    ends_on = models.DateField()
    hours_required = models.DecimalField(**HOURS, validators=[MinValueValidator(Decimal("0"))])
    accreditation_body = models.CharField(
        "credit accepted from",
        max_length=16,
        choices=Accreditation.Body.choices,
        blank=True,
        help_text="Empty: credit from any accreditor counts.",
    )

    class Meta:
        ordering = ["-ends_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gt=models.F("starts_on")), name="renewal_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.license}: {self.starts_on} to {self.ends_on}"


class RenewalSubject(models.Model):
    period = models.ForeignKey(RenewalPeriod, on_delete=models.CASCADE, related_name="subjects")
    area = models.CharField(max_length=32, choices=SubjectArea.choices)
    hours_required = models.DecimalField(**HOURS, validators=[MinValueValidator(Decimal("0.25"))])

    class Meta:
        ordering = ["area"]
        constraints = [
            models.UniqueConstraint(fields=["period", "area"], name="renewalsubject_unique")
        ]

    def __str__(self) -> str:
        return f"{self.get_area_display()}: {self.hours_required} h"
