"""Small shared pieces of the mentorship services."""

from django.db.models import Count

from accounts.models import User
from events.errors import RegistrationError
from mentorship.models import Match, MenteeEnrollment, MentorEnrollment, Program
from mentorship.permissions import can_manage_program


def check_manager(program: Program, by: User) -> None:
    if not can_manage_program(by, program):
        raise RegistrationError("forbidden", "Only the program's organizers can do that.")


def taken(mentor_ids: list[int] | None = None, *, program: Program | None = None) -> dict[int, int]:
    """How many mentees each mentor has (proposed, accepted or active)."""
    matches = Match.objects.filter(status__in=Match.TAKES_CAPACITY)
    if program is not None:
        matches = matches.filter(program=program)
    if mentor_ids is not None:
        matches = matches.filter(mentor_id__in=mentor_ids)
    rows = matches.values("mentor_id").annotate(n=Count("pk")).values_list("mentor_id", "n")
    return dict(rows)


def lock_mentor(mentor_id: int) -> MentorEnrollment:
    """The mentor's enrollment, row-locked: every change to a mentor's load holds it."""
    return MentorEnrollment.objects.select_for_update().select_related("user").get(pk=mentor_id)


def has_room(mentor: MentorEnrollment) -> bool:
    return taken([mentor.pk]).get(mentor.pk, 0) < mentor.capacity


def declined_mentor_emails(mentee: MenteeEnrollment) -> frozenset[str]:
    """Mentors this mentee already declined or was declined by: never proposed again."""
    emails = Match.objects.filter(mentee=mentee, status=Match.Status.DECLINED).values_list(
        "mentor__user__email", flat=True
    )
    return frozenset(emails)
