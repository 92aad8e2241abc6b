"""Self-service: a mentee asks a mentor; the mentor accepts or declines; requests
expire after REQUEST_DAYS with a reminder to the mentor before that.

Capacity holds under concurrency: accepting locks the mentor's enrollment row, so
two acceptances for the same mentor run one after the other and the second sees
the first's match (DESIGN.md invariant 1, applied to mentors)."""

from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from events.errors import RegistrationError
from mentorship import matching
from mentorship.adapters import engine_mentee, engine_mentor, engine_program, parts_json
from mentorship.models import (
    REMIND_DAYS,
    Match,
    MatchRun,
    MenteeEnrollment,
    MentorEnrollment,
    MentorRequest,
)
from mentorship.services.common import has_room, lock_mentor, taken
from mentorship.services.lifecycle import activate
from mentorship.services.notify import request_email

# Hard constraints a mentee cannot waive by choosing a mentor themselves.
_NEVER = ("same person", "is the mentee's clinical supervisor", "same employer")


def _explanation(mentor: MentorEnrollment, mentee: MenteeEnrollment) -> matching.Explanation:
    return matching.explain(
        engine_mentor(mentor), engine_mentee(mentee), engine_program(mentor.program)
    )


@transaction.atomic
def mentor_request_create(
    *, mentee: MenteeEnrollment, mentor: MentorEnrollment, by: User, note: str = ""
) -> MentorRequest:
    if by.pk != mentee.user_id:
        raise RegistrationError("forbidden", "Only the mentee can ask for a mentor.")
    program = mentee.program
    if mentor.program_id != program.pk or not program.is_public:
        raise RegistrationError("wrong_program", "That mentor is not in this program.")
    if not (mentee.is_active and mentor.is_active):
        raise RegistrationError("withdrawn", "That enrollment is no longer active.")
    if timezone.localdate() > program.ends_on:
        raise RegistrationError("program_over", "This program has ended.")
    mentee = MenteeEnrollment.objects.select_for_update().get(pk=mentee.pk)
    if Match.objects.filter(mentee=mentee, status__in=Match.TAKES_CAPACITY).exists():
        raise RegistrationError("already_matched", "You already have a mentor in this program.")
    blocked = [b for b in _explanation(mentor, mentee).blocked if b in _NEVER]
    if blocked:
        raise RegistrationError(
            "not_allowed", f"This program cannot pair you with this mentor ({blocked[0]})."
        )
    if not has_room(mentor):
        raise RegistrationError("mentor_full", "This mentor has no room for another mentee.")
    pending = MentorRequest.objects.filter(mentee=mentee, status=MentorRequest.Status.PENDING)
    if pending.count() >= MentorRequest.MAX_PENDING:
        raise RegistrationError(
            "too_many_requests",
            f"You can wait on {MentorRequest.MAX_PENDING} mentors at a time: withdraw a "
            "request or wait for an answer.",
        )
    try:
        with transaction.atomic():
            request = MentorRequest.objects.create(
                program=program, mentee=mentee, mentor=mentor, note=note.strip()[:1000]
            )
    except IntegrityError as error:
        raise RegistrationError(
            "already_requested", "You have already asked this mentor; wait for an answer."
        ) from error
    request_email(request, "request_new", to_role="mentor")
    return request


def _locked_request(request: MentorRequest) -> MentorRequest:
    return (
        MentorRequest.objects.select_for_update(of=("self",))
        .select_related("program", "mentor__user", "mentee__user")
        .get(pk=request.pk)
    )


def _check_pending(request: MentorRequest, now: datetime) -> None:
    if request.status != MentorRequest.Status.PENDING:
        raise RegistrationError(
            "not_pending", f"This request is {request.get_status_display().lower()}."
        )
    if request.expires_at <= now:
        raise RegistrationError("expired", "This request has expired.")


@transaction.atomic
def mentor_request_accept(*, request: MentorRequest, by: User) -> Match:
    """The mentor says yes: an active match with a private room, at once."""
    if by.pk != request.mentor.user_id:
        raise RegistrationError("forbidden", "Only the mentor can accept this request.")
    mentor = lock_mentor(request.mentor_id)  # first: serialises every change to this mentor
    request = _locked_request(request)
    now = timezone.now()
    _check_pending(request, now)
    if taken([mentor.pk]).get(mentor.pk, 0) >= mentor.capacity:
        raise RegistrationError(
            "mentor_full",
            f"You already have {mentor.capacity} mentee{'s' if mentor.capacity != 1 else ''}, "
            "your capacity. Raise it in your enrollment to accept.",
        )
    mentee = MenteeEnrollment.objects.select_for_update().get(pk=request.mentee_id)
    if Match.objects.filter(mentee=mentee, status__in=Match.TAKES_CAPACITY).exists():
        request.status = MentorRequest.Status.WITHDRAWN
        request.decided_at = now
        request.save(update_fields=["status", "decided_at"])
        raise RegistrationError("mentee_matched", "This mentee has been matched in the meantime.")
    _drop_unpublished_drafts(mentee)
    explanation = _explanation(mentor, mentee)
    match = Match.objects.create(
        program=request.program,
        mentor=mentor,
        mentee=mentee,
        source=Match.Source.REQUEST,
        status=Match.Status.MENTEE_ACCEPTED,
        score=explanation.score,
        explanation=parts_json(explanation),
        proposed_at=request.created_at,
    )
    match = activate(
        Match.objects.select_related("program", "mentor__user", "mentee__user").get(pk=match.pk)
    )
    request.status = MentorRequest.Status.ACCEPTED
    request.decided_at = now
    request.match = match
    request.save(update_fields=["status", "decided_at", "match"])
    MentorRequest.objects.filter(mentee=mentee, status=MentorRequest.Status.PENDING).update(
        status=MentorRequest.Status.WITHDRAWN, decided_at=now, reason="Matched with another mentor."
    )
    request_email(request, "request_accepted", to_role="mentee")
    return match


def _drop_unpublished_drafts(mentee: MenteeEnrollment) -> None:
    """An organizer's unpublished proposal yields to a request the mentor accepted."""
    for draft in Match.objects.filter(mentee=mentee, status=Match.Status.DRAFT):
        if draft.run_id:
            run = MatchRun.objects.select_for_update().get(pk=draft.run_id)
            run.unmatched = [
                *run.unmatched,
                {"mentee": mentee.pk, "reason": "matched through a request"},
            ]
            run.save(update_fields=["unmatched"])
        draft.delete()


@transaction.atomic
def mentor_request_decline(*, request: MentorRequest, by: User, reason: str = "") -> MentorRequest:
    if by.pk != request.mentor.user_id:
        raise RegistrationError("forbidden", "Only the mentor can decline this request.")
    request = _locked_request(request)
    _check_pending(request, timezone.now())
    request.status = MentorRequest.Status.DECLINED
    request.reason = reason.strip()[:1000]
    request.decided_at = timezone.now()
    request.save(update_fields=["status", "reason", "decided_at"])
    request_email(request, "request_declined", to_role="mentee")
    return request


@transaction.atomic
def mentor_request_withdraw(*, request: MentorRequest, by: User) -> MentorRequest:
    if by.pk != request.mentee.user_id:
        raise RegistrationError("forbidden", "Only the mentee can withdraw this request.")
    request = _locked_request(request)
    if request.status != MentorRequest.Status.PENDING:
        raise RegistrationError("not_pending", "This request is no longer pending.")
    request.status = MentorRequest.Status.WITHDRAWN
    request.decided_at = timezone.now()
    request.save(update_fields=["status", "decided_at"])
    return request


def requests_expire(*, now: datetime | None = None) -> tuple[int, int]:
    """Expire pending requests past their date (the mentee is told) and remind
    mentors of requests expiring within REMIND_DAYS. Returns (expired, reminded).
    Each request is handled in its own transaction; running it twice is harmless."""
    now = now or timezone.now()
    expired = reminded = 0
    due = MentorRequest.objects.filter(status=MentorRequest.Status.PENDING, expires_at__lte=now)
    for pk in due.values_list("pk", flat=True):
        with transaction.atomic():
            request = _locked_request(MentorRequest(pk=pk))
            if request.status != MentorRequest.Status.PENDING or request.expires_at > now:
                continue
            request.status = MentorRequest.Status.EXPIRED
            request.decided_at = now
            request.save(update_fields=["status", "decided_at"])
            request_email(request, "request_expired", to_role="mentee")
            expired += 1
    soon = MentorRequest.objects.filter(
        status=MentorRequest.Status.PENDING,
        reminded_at__isnull=True,
        expires_at__lte=now + timedelta(days=REMIND_DAYS),
    )
    for pk in soon.values_list("pk", flat=True):
        with transaction.atomic():
            request = _locked_request(MentorRequest(pk=pk))
            if request.status != MentorRequest.Status.PENDING or request.reminded_at:
                continue
            request.reminded_at = now
            request.save(update_fields=["reminded_at"])
            request_email(request, "request_reminder", to_role="mentor")
            reminded += 1
    return expired, reminded
