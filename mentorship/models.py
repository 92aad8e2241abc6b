"""Mentorship programs, enrollments, matches and what happens inside a match."""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from events.models import TIMEZONE_CHOICES, Event, Organization
from mentorship.vocab import CareerStage, Meeting, PracticeSetting, Profession, Region
from networking.chat.models import Room

NOT_SUPERVISION = (
    "Mentoring is not clinical supervision. Mentors share experience and advice; they do "
    "not supervise your clinical work, sign off supervision hours or take responsibility "
    "for your clients. Keep client-identifying information out of mentoring conversations."
)

REQUEST_DAYS = 14  # a mentor request expires after this many days
REMIND_DAYS = 3  # the mentor is reminded this many days before it expires


def weight_field(label: str, default: int) -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(
        label, default=default, validators=[MaxValueValidator(100)]
    )


class Program(models.Model):
    class Format(models.TextChoices):
        ONE_OFF = "one_off", "One-off meeting at the event (speed mentoring)"
        ONGOING = "ongoing", "A relationship over months"

    class Cadence(models.TextChoices):
        WEEKLY = "weekly", "Weekly"
        BIWEEKLY = "biweekly", "Every two weeks"
        MONTHLY = "monthly", "Monthly"
        AS_AGREED = "as_agreed", "As mentor and mentee agree"

    class Mode(models.TextChoices):
        STABLE = "stable", "Stable: nobody would rather swap partners"
        OPTIMAL = "optimal", "Optimal: the highest total compatibility"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="mentorship_programs"
    )
    event = models.ForeignKey(
        Event, on_delete=models.SET_NULL, null=True, blank=True, related_name="mentorship_programs"
    )
    name = models.CharField(max_length=200)
    slug = models.SlugField(unique=True)
    description = models.TextField(blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    starts_on = models.DateField()
    ends_on = models.DateField()
    enrollment_opens_at = models.DateTimeField()
    enrollment_closes_at = models.DateTimeField()
    format = models.CharField(max_length=16, choices=Format.choices, default=Format.ONGOING)
    meeting_cadence = models.CharField(
        max_length=16, choices=Cadence.choices, blank=True, help_text="For ongoing programs."
    )
    supervision_notice = models.TextField(
        "mentoring is not supervision", default=NOT_SUPERVISION,
        help_text="Shown on the program page and the enrollment forms.",
    )  # fmt: skip
    mode = models.CharField(
        "matching mode", max_length=16, choices=Mode.choices, default=Mode.STABLE
    )
    maximize_matched = models.BooleanField(
        "match as many mentees as possible first",
        default=False,
        help_text="Optimal mode only: prefer one more pair over a higher total score.",
    )
    exclude_same_employer = models.BooleanField(
        "never match people with the same employer", default=True
    )
    w_specialty = weight_field("specialties and modalities", 30)
    w_population = weight_field("populations served", 15)
    w_setting = weight_field("practice settings", 10)
    w_goals = weight_field("help with the mentee's goals", 25)
    w_language = weight_field("language", 20)
    w_identity = weight_field("shared identity (private)", 10)
    w_region = weight_field("region and time zone", 10)
    w_meeting = weight_field("in person or virtual", 10)
    w_experience = weight_field("mentor's experience", 15)
    w_profession = weight_field("profession and license type", 15)
    created_at = models.DateTimeField(auto_now_add=True)

    WEIGHT_FIELDS = [
        "w_specialty", "w_population", "w_setting", "w_goals", "w_language", "w_identity",
        "w_region", "w_meeting", "w_experience", "w_profession",
    ]  # fmt: skip

    class Meta:
        ordering = ["-starts_on", "name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("mentorship:program_detail", args=[self.slug])

    def clean(self) -> None:
        errors = {}
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            errors["ends_on"] = "The program must end on or after its first day."
        opens, closes = self.enrollment_opens_at, self.enrollment_closes_at
        if opens and closes and closes <= opens:
            errors["enrollment_closes_at"] = "Enrollment must close after it opens."
        if self.format == self.Format.ONGOING and not self.meeting_cadence:
            errors["meeting_cadence"] = "Say how often pairs meet in an ongoing program."
        if errors:
            raise ValidationError(errors)

    @property
    def is_public(self) -> bool:
        return self.status == self.Status.PUBLISHED

    def enrollment_open(self, now=None) -> bool:
        now = now or timezone.now()
        return self.is_public and self.enrollment_opens_at <= now < self.enrollment_closes_at


class Enrollment(models.Model):
    """What mentors and mentees both tell the matcher."""

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        WITHDRAWN = "withdrawn", "Withdrawn"

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE)
    profession = models.CharField(max_length=32, choices=Profession.choices)
    license_type = models.CharField(
        max_length=40, blank=True, help_text='Your license, e.g. "LCSW", "LPC", "Psychologist".'
    )
    employer = models.CharField(
        "employer or practice", max_length=200, blank=True,
        help_text="Used only to avoid pairing colleagues; never shown to others.",
    )  # fmt: skip
    specialties = models.JSONField(default=list, blank=True)
    populations = models.JSONField(default=list, blank=True)
    practice_settings = models.JSONField("settings", default=list, blank=True)
    languages = models.JSONField(default=list, blank=True)
    identity = models.JSONField(
        default=list, blank=True, help_text="Private: seen only by organizers and the matcher."
    )
    time_zone = models.CharField(max_length=64, choices=TIMEZONE_CHOICES, blank=True)
    region = models.CharField(max_length=16, choices=Region.choices, blank=True)
    meeting = models.CharField(
        "in person or virtual", max_length=16, choices=Meeting.choices, default=Meeting.EITHER
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.user} in {self.program}"

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE

    def setting_labels(self) -> list[str]:
        names = dict(PracticeSetting.choices)
        return [names.get(v, v) for v in self.practice_settings]


class MentorEnrollment(Enrollment):
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="mentors")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mentor_enrollments"
    )
    years_in_practice = models.PositiveSmallIntegerField(validators=[MaxValueValidator(70)])
    help_with = models.JSONField("I can help with", default=list, blank=True)
    capacity = models.PositiveSmallIntegerField(
        "how many mentees", default=1, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    bio = models.TextField("about you, for mentees", max_length=1000, blank=True)

    class Meta:
        ordering = ["program", "user__last_name"]
        constraints = [
            models.UniqueConstraint(fields=["program", "user"], name="mentor_once_per_program"),
            models.CheckConstraint(
                condition=Q(capacity__gte=1, capacity__lte=5), name="mentor_capacity_1_to_5"
            ),
        ]


class MenteeEnrollment(Enrollment):
    class Importance(models.TextChoices):
        MUST = "must", "Must-have"
        NICE = "nice", "Nice to have"
        ANY = "any", "Doesn't matter"

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="mentees")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mentee_enrollments"
    )
    career_stage = models.CharField(max_length=16, choices=CareerStage.choices)
    years_in_practice = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(70)]
    )
    goals = models.JSONField("I want help with", default=list, blank=True)
    goals_text = models.TextField("your goals, in your words", max_length=1000, blank=True)
    # criterion -> "must" | "nice" | "any" (missing means "nice")
    importance = models.JSONField(default=dict, blank=True)
    avoid_emails = models.JSONField(
        "people to avoid", default=list, blank=True,
        help_text="Their email addresses. They are never told.",
    )  # fmt: skip
    avoid_same_employer = models.BooleanField("avoid people from my employer", default=True)
    supervisor_email = models.EmailField(
        "your clinical supervisor's email", blank=True,
        help_text="Your supervisor is never matched with you as a mentor.",
    )  # fmt: skip

    class Meta:
        ordering = ["program", "user__last_name"]
        constraints = [
            models.UniqueConstraint(fields=["program", "user"], name="mentee_once_per_program"),
        ]

    def criteria(self, level: str) -> list[str]:
        return [c for c, v in self.importance.items() if v == level]


class MatchRun(models.Model):
    """An organizer's bulk matching: draft proposals until published."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"
        REPLACED = "replaced", "Replaced by a newer run"

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="runs")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    mode = models.CharField(max_length=16, choices=Program.Mode.choices)
    maximize_matched = models.BooleanField(default=False)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    # [{"mentee": enrollment id, "reason": "no mentor meets the must-have: Spanish"}]
    unmatched = models.JSONField(default=list, blank=True)
    mentees_considered = models.PositiveIntegerField(default=0)
    mentors_considered = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Run {self.pk} of {self.program}"


class Match(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft (not published)"
        PROPOSED = "proposed", "Proposed"
        MENTOR_ACCEPTED = "mentor_accepted", "Accepted by the mentor"
        MENTEE_ACCEPTED = "mentee_accepted", "Accepted by the mentee"
        ACTIVE = "active", "Active"
        DECLINED = "declined", "Declined"
        COMPLETED = "completed", "Completed"
        ENDED_EARLY = "ended_early", "Ended early"

    class Source(models.TextChoices):
        RUN = "run", "Bulk matching"
        REQUEST = "request", "Mentee's request"

    # A mentee has at most one of these at a time; they use a mentor's capacity.
    LIVE = (
        Status.DRAFT, Status.PROPOSED, Status.MENTOR_ACCEPTED, Status.MENTEE_ACCEPTED,
        Status.ACTIVE,
    )  # fmt: skip
    TAKES_CAPACITY = LIVE[1:]
    PENDING = (Status.PROPOSED, Status.MENTOR_ACCEPTED, Status.MENTEE_ACCEPTED)
    ENDED = (Status.COMPLETED, Status.ENDED_EARLY)

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="matches")
    mentor = models.ForeignKey(MentorEnrollment, on_delete=models.CASCADE, related_name="matches")
    mentee = models.ForeignKey(MenteeEnrollment, on_delete=models.CASCADE, related_name="matches")
    run = models.ForeignKey(
        MatchRun, on_delete=models.SET_NULL, null=True, blank=True, related_name="matches"
    )
    source = models.CharField(max_length=16, choices=Source.choices, default=Source.RUN)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    score = models.IntegerField(default=0)
    # [{"criterion", "label", "points", "private"}]; parts add up to `score`
    explanation = models.JSONField(default=list, blank=True)
    broken_constraints = models.JSONField(
        default=list, blank=True, help_text="Hard constraints an organizer chose to override."
    )
    declined_by = models.CharField(max_length=8, blank=True)  # "mentor" | "mentee"
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reason = models.TextField(blank=True, max_length=1000)
    room = models.ForeignKey(
        Room, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    proposed_at = models.DateTimeField(null=True, blank=True)
    activated_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["mentee"],
                condition=Q(
                    status__in=["draft", "proposed", "mentor_accepted", "mentee_accepted", "active"]
                ),
                name="match_one_live_per_mentee",
            ),
        ]
        indexes = [models.Index(fields=["program", "status"])]

    def __str__(self) -> str:
        return f"{self.mentor.user} mentors {self.mentee.user}"

    def get_absolute_url(self) -> str:
        return reverse("mentorship:match_detail", args=[self.pk])

    def role_of(self, user) -> str | None:
        if user.pk == self.mentor.user_id:
            return "mentor"
        if user.pk == self.mentee.user_id:
            return "mentee"
        return None

    @property
    def is_live(self) -> bool:
        return self.status in self.LIVE

    def public_explanation(self) -> list[dict]:
        return [p for p in self.explanation if not p.get("private")]


class Goal(models.Model):
    """A goal both sides see and update."""

    match = models.ForeignKey(Match, on_delete=models.CASCADE, related_name="goals")
    title = models.CharField(max_length=200)
    progress = models.PositiveSmallIntegerField(default=0, validators=[MaxValueValidator(100)])
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return self.title


class MeetingLog(models.Model):
    """A meeting one side logged; the notes are seen by their author only."""

    match = models.ForeignKey(Match, on_delete=models.CASCADE, related_name="meetings")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    met_on = models.DateField()
    notes = models.TextField(blank=True, max_length=4000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-met_on", "-created_at"]

    def __str__(self) -> str:
        return f"Meeting on {self.met_on}"


class MatchFeedback(models.Model):
    """The short survey each side fills when a match ends."""

    match = models.ForeignKey(Match, on_delete=models.CASCADE, related_name="feedback")
    role = models.CharField(max_length=8)  # "mentor" | "mentee"
    rating = models.PositiveSmallIntegerField(
        "how helpful was it", validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    met_goals = models.BooleanField("did you work on the goals you set", default=False)
    comments = models.TextField(blank=True, max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["match", "role"], name="feedback_once_per_side")
        ]

    def __str__(self) -> str:
        return f"{self.role} feedback on {self.match_id}"


class MentorRequest(models.Model):
    """A mentee asks a mentor directly (self-service, beside bulk matching)."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for the mentor"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"
        EXPIRED = "expired", "Expired"
        WITHDRAWN = "withdrawn", "Withdrawn"

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="requests")
    mentee = models.ForeignKey(MenteeEnrollment, on_delete=models.CASCADE, related_name="requests")
    mentor = models.ForeignKey(MentorEnrollment, on_delete=models.CASCADE, related_name="requests")
    note = models.TextField(max_length=1000, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    reason = models.TextField(blank=True, max_length=1000)
    match = models.ForeignKey(
        Match, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    reminded_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    MAX_PENDING = 3  # a mentee may wait on this many mentors at once

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["mentee", "mentor"],
                condition=Q(status="pending"),
                name="request_one_pending_per_pair",
            )
        ]
        indexes = [models.Index(fields=["status", "expires_at"])]

    def __str__(self) -> str:
        return f"{self.mentee.user} asks {self.mentor.user}"

    def save(self, *args, **kwargs) -> None:
        if self.expires_at is None:
            self.expires_at = self.created_at + timedelta(days=REQUEST_DAYS)
        super().save(*args, **kwargs)
