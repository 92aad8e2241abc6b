"""Enrolling as a mentor or a mentee, changing it, withdrawing."""

from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from events.errors import RegistrationError
from mentorship.models import Match, MenteeEnrollment, MentorEnrollment, MentorRequest, Program
from mentorship.services.common import taken
from mentorship.services.notify import email_after_commit

MENTOR_FIELDS = [
    "profession", "license_type", "years_in_practice", "employer", "specialties", "populations",
    "practice_settings", "help_with", "languages", "identity", "time_zone", "region", "meeting",
    "capacity", "bio",
]  # fmt: skip
MENTEE_FIELDS = [
    "profession", "license_type", "career_stage", "years_in_practice", "employer", "goals",
    "goals_text", "specialties", "populations", "practice_settings", "languages", "identity",
    "time_zone", "region", "meeting", "importance", "avoid_emails", "avoid_same_employer",
    "supervisor_email",
]  # fmt: skip


def _check_open(program: Program) -> None:
    if not program.enrollment_open():
        raise RegistrationError("enrollment_closed", "Enrollment in this program is not open.")


def _save(model, fields: list[str], *, program: Program, user: User, data: dict[str, Any]):
    enrollment = model.objects.select_for_update().filter(program=program, user=user).first()
    created = enrollment is None
    if created:
        enrollment = model(program=program, user=user)
    for name in fields:
        if name in data:
            setattr(enrollment, name, data[name])
    enrollment.status = model.Status.ACTIVE
    enrollment.full_clean(exclude=["program", "user"])
    try:
        with transaction.atomic():
            enrollment.save()
    except IntegrityError as error:  # two tabs enrolling at once
        raise RegistrationError("already_enrolled", "You are already enrolled.") from error
    if created:
        role = "mentor" if model is MentorEnrollment else "mentee"
        email_after_commit(
            to=user.email,
            template="mentorship_enrolled",
            context={"program": program, "user": user, "role": role},
        )
    return enrollment


@transaction.atomic
def mentor_enroll(*, program: Program, user: User, data: dict[str, Any]) -> MentorEnrollment:
    """Enroll as a mentor, or change an enrollment (a withdrawn one comes back)."""
    _check_open(program)
    existing = MentorEnrollment.objects.select_for_update().filter(program=program, user=user)
    mentor = existing.first()
    if mentor is not None and "capacity" in data:
        load = taken([mentor.pk]).get(mentor.pk, 0)
        if data["capacity"] < load:
            raise RegistrationError(
                "capacity_below_load",
                f"You already have {load} mentees; your capacity cannot be lower than that.",
            )
    return _save(MentorEnrollment, MENTOR_FIELDS, program=program, user=user, data=data)


@transaction.atomic
def mentee_enroll(*, program: Program, user: User, data: dict[str, Any]) -> MenteeEnrollment:
    """Enroll as a mentee, or change an enrollment."""
    _check_open(program)
    return _save(MenteeEnrollment, MENTEE_FIELDS, program=program, user=user, data=data)


@transaction.atomic
def enrollment_withdraw(*, enrollment: MentorEnrollment | MenteeEnrollment, by: User) -> None:
    """Leave the program. Refused while a match is under way (end it first);
    pending proposals are declined and pending requests closed."""
    if by.pk != enrollment.user_id:
        raise RegistrationError("forbidden", "Only you can withdraw your enrollment.")
    model = type(enrollment)
    enrollment = model.objects.select_for_update().get(pk=enrollment.pk)
    side = "mentor" if model is MentorEnrollment else "mentee"
    matches = Match.objects.filter(**{side: enrollment})
    if matches.filter(status=Match.Status.ACTIVE).exists():
        raise RegistrationError(
            "match_active", "You have an active match: end it before you withdraw."
        )
    now = timezone.now()
    matches.filter(status__in=Match.PENDING).update(
        status=Match.Status.DECLINED, declined_by=side, reason="Withdrew from the program."
    )
    matches.filter(status=Match.Status.DRAFT).delete()
    MentorRequest.objects.filter(**{side: enrollment}, status=MentorRequest.Status.PENDING).update(
        status=MentorRequest.Status.WITHDRAWN, decided_at=now
    )
    enrollment.status = model.Status.WITHDRAWN
    enrollment.save(update_fields=["status", "updated_at"])
