"""Who may see and do what in mentorship. `access_*` load an object and check the
caller in one step."""

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from events.models import Membership
from mentorship.models import Match, MentorRequest, Program


def managed_programs(user) -> QuerySet[Program]:
    if not user.is_authenticated:
        return Program.objects.none()
    if user.is_superuser:
        return Program.objects.all()
    return Program.objects.filter(
        organization__memberships__user=user,
        organization__memberships__role__in=Membership.MANAGER_ROLES,
    )


def can_manage_program(user, program: Program) -> bool:
    if not user.is_authenticated:
        return False
    return (
        user.is_superuser
        or Membership.objects.filter(
            user=user, organization_id=program.organization_id, role__in=Membership.MANAGER_ROLES
        ).exists()
    )


def access_managed_program(user, slug: str) -> Program:
    program = Program.objects.select_related("organization", "event").filter(slug=slug).first()
    if program is None:
        raise Http404("No such program.")
    if not can_manage_program(user, program):
        raise PermissionDenied("You do not run this program.")
    return program


def access_public_program(user, slug: str) -> Program:
    """A published program, or a draft for its organizers."""
    program = Program.objects.select_related("organization", "event").filter(slug=slug).first()
    if program is None or (not program.is_public and not can_manage_program(user, program)):
        raise Http404("No such program.")
    return program


def access_match(user, pk: int) -> tuple[Match, str]:
    """A match and the caller's role in it: "mentor", "mentee" or "organizer".
    Anyone else (and participants, for a draft nobody published) gets 404."""
    match = (
        Match.objects.select_related(
            "program__organization", "mentor__user", "mentee__user", "room"
        )
        .filter(pk=pk)
        .first()
    )
    if match is None or not user.is_authenticated:
        raise Http404("No such match.")
    role = match.role_of(user)
    if role and match.status != Match.Status.DRAFT:
        return match, role
    if can_manage_program(user, match.program):
        return match, "organizer"
    raise Http404("No such match.")


def access_request(user, pk: int) -> tuple[MentorRequest, str]:
    """A mentor request and the caller's side of it ("mentor" or "mentee")."""
    request = (
        MentorRequest.objects.select_related("program", "mentor__user", "mentee__user", "match")
        .filter(pk=pk)
        .filter(Q(mentor__user=user) | Q(mentee__user=user) if user.is_authenticated else Q())
        .first()
    )
    if request is None or not user.is_authenticated:
        raise Http404("No such request.")
    return request, "mentor" if request.mentor.user_id == user.pk else "mentee"
