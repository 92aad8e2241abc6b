"""A match's life: accept or decline a proposal, the active match (goals, meeting
log, chat room), ending it (completed or early, with feedback)."""

from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from events.errors import RegistrationError
from mentorship.models import Goal, Match, MatchFeedback, MeetingLog
from mentorship.permissions import can_manage_program
from mentorship.services.notify import both, match_email
from networking.chat.services import private_room_create


def _locked(match: Match) -> Match:
    return (
        Match.objects.select_for_update(of=("self",))
        .select_related("program", "mentor__user", "mentee__user")
        .get(pk=match.pk)
    )


def _role(match: Match, by: User) -> str:
    role = match.role_of(by) if by.is_authenticated else None
    if role is None or match.status == Match.Status.DRAFT:
        raise RegistrationError("forbidden", "Only the mentor and the mentee can do that.")
    return role


def activate(match: Match) -> Match:
    """Both said yes: open their private room and tell them. Runs inside the caller's
    transaction, with the match row locked."""
    match.status = Match.Status.ACTIVE
    match.activated_at = timezone.now()
    match.room = private_room_create(
        kind="mentorship",
        key=f"mentorship:{match.pk}",
        title=f"Mentoring: {match.mentor.user.get_full_name()} & "
        f"{match.mentee.user.get_full_name()}",
        members=[match.mentor.user, match.mentee.user],
    )
    match.save(update_fields=["status", "activated_at", "room"])
    both(match, "match_active")
    return match


@transaction.atomic
def match_accept(*, match: Match, by: User) -> Match:
    match = _locked(match)
    role = _role(match, by)
    mine = Match.Status.MENTOR_ACCEPTED if role == "mentor" else Match.Status.MENTEE_ACCEPTED
    if match.status == mine:
        return match  # a second click changes nothing
    if match.status not in Match.PENDING:
        raise RegistrationError("not_pending", "This match is no longer waiting for an answer.")
    if match.status == Match.Status.PROPOSED:
        match.status = mine
        match.save(update_fields=["status"])
        match_email(match, "match_accepted_by_other", to_role=_other(role))
        return match
    return activate(match)


def _other(role: str) -> str:
    return "mentee" if role == "mentor" else "mentor"


@transaction.atomic
def match_decline(*, match: Match, by: User, reason: str = "") -> Match:
    """Say no to a proposal. The mentee goes back to the pool for the next run."""
    match = _locked(match)
    role = _role(match, by)
    if match.status not in Match.PENDING:
        raise RegistrationError("not_pending", "This match is no longer waiting for an answer.")
    match.status = Match.Status.DECLINED
    match.declined_by = role
    match.reason = reason.strip()[:1000]
    match.ended_at = timezone.now()
    match.save(update_fields=["status", "declined_by", "reason", "ended_at"])
    match_email(match, "match_declined", to_role=_other(role))
    return match


@transaction.atomic
def match_end(*, match: Match, by: User, completed: bool, reason: str = "") -> Match:
    """Close an active match: completed, or ended early with a reason. Either side
    or an organizer may; both get the feedback survey by email."""
    match = _locked(match)
    if match.role_of(by) is None and not can_manage_program(by, match.program):
        raise RegistrationError("forbidden", "Only the pair or the organizers can end a match.")
    if match.status != Match.Status.ACTIVE:
        raise RegistrationError("not_active", "Only an active match can end.")
    reason = reason.strip()
    if not completed and not reason:
        raise RegistrationError("reason_required", "Say briefly why the match ends early.")
    match.status = Match.Status.COMPLETED if completed else Match.Status.ENDED_EARLY
    match.reason = reason[:1000]
    match.ended_by = by
    match.ended_at = timezone.now()
    match.save(update_fields=["status", "reason", "ended_by", "ended_at"])
    both(match, "match_ended")
    return match


@transaction.atomic
def feedback_submit(
    *, match: Match, by: User, rating: int, met_goals: bool, comments: str = ""
) -> MatchFeedback:
    role = _role(match, by)
    if match.status not in Match.ENDED:
        raise RegistrationError("not_ended", "Feedback opens when the match ends.")
    if not isinstance(rating, int) or not 1 <= rating <= 5:
        raise RegistrationError("bad_rating", "Rate the match from 1 to 5.")
    try:
        with transaction.atomic():
            return MatchFeedback.objects.create(
                match=match, role=role, rating=rating, met_goals=met_goals,
                comments=comments.strip()[:2000],
            )  # fmt: skip
    except IntegrityError as error:
        raise RegistrationError("already_sent", "You already sent your feedback.") from error


def _check_active_participant(match: Match, by: User) -> None:
    _role(match, by)
    if match.status != Match.Status.ACTIVE:
        raise RegistrationError("not_active", "This match is not active.")


@transaction.atomic
def goal_add(*, match: Match, by: User, title: str) -> Goal:
    _check_active_participant(match, by)
    title = title.strip()
    if not title:
        raise RegistrationError("title_required", "Name the goal.")
    if match.goals.count() >= 20:
        raise RegistrationError("too_many_goals", "A match can have at most 20 goals.")
    return Goal.objects.create(match=match, title=title[:200], created_by=by)


@transaction.atomic
def goal_progress(*, goal: Goal, by: User, progress: int) -> Goal:
    _check_active_participant(goal.match, by)
    if not isinstance(progress, int) or not 0 <= progress <= 100:
        raise RegistrationError("bad_progress", "Progress goes from 0 to 100 percent.")
    goal.progress = progress
    goal.save(update_fields=["progress", "updated_at"])
    return goal


@transaction.atomic
def meeting_log_add(*, match: Match, by: User, met_on: date, notes: str = "") -> MeetingLog:
    """A meeting one side records; the notes are theirs alone."""
    _check_active_participant(match, by)
    if met_on > timezone.localdate():
        raise RegistrationError("future_date", "Log a meeting once it has happened.")
    return MeetingLog.objects.create(match=match, author=by, met_on=met_on, notes=notes.strip())
