"""Bulk matching by organizers: run, review and edit the draft proposals, publish.

Nothing reaches participants before `match_run_publish`: drafts are invisible to
them and no email is queued until then."""

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from events.errors import RegistrationError
from mentorship import matching
from mentorship.adapters import engine_mentee, engine_mentor, engine_program, parts_json
from mentorship.models import (
    Match,
    MatchRun,
    MenteeEnrollment,
    MentorEnrollment,
    MentorRequest,
    Program,
)
from mentorship.services.common import check_manager, declined_mentor_emails, taken
from mentorship.services.notify import both


class ConstraintWarning(RegistrationError):
    """A hand edit would break a hard constraint; repeat with override=True to insist."""

    def __init__(self, blocked: list[str]) -> None:
        super().__init__(
            "breaks_constraint",
            "This pairing breaks a hard constraint: " + "; ".join(blocked) + ".",
        )
        self.blocked = blocked


def _lock_program(program: Program) -> Program:
    return Program.objects.select_for_update().get(pk=program.pk)


def matching_pool(program: Program) -> tuple[list[MentorEnrollment], list[MenteeEnrollment]]:
    """Active mentors with room left, and active mentees without a match under way
    (a declined proposal puts a mentee back; an ended match does not)."""
    mentors = list(
        MentorEnrollment.objects.filter(program=program, status=MentorEnrollment.Status.ACTIVE)
        .select_related("user")
        .order_by("pk")
    )
    busy = Match.objects.filter(
        program=program, status__in=[*Match.TAKES_CAPACITY, *Match.ENDED]
    ).values("mentee_id")
    mentees = list(
        MenteeEnrollment.objects.filter(program=program, status=MenteeEnrollment.Status.ACTIVE)
        .exclude(pk__in=busy)
        .select_related("user")
        .order_by("pk")
    )
    return mentors, mentees


@transaction.atomic
def match_run_create(
    *, program: Program, by: User, mode: str | None = None, maximize_matched: bool | None = None
) -> MatchRun:
    """Match everyone in the pool with the program's weights; the result replaces
    any earlier unpublished run."""
    check_manager(program, by)
    program = _lock_program(program)
    mode = mode or program.mode
    if mode not in Program.Mode.values:
        raise RegistrationError("bad_mode", "Choose stable or optimal matching.")
    maximize = program.maximize_matched if maximize_matched is None else maximize_matched
    MatchRun.objects.filter(program=program, status=MatchRun.Status.DRAFT).update(
        status=MatchRun.Status.REPLACED
    )
    Match.objects.filter(program=program, status=Match.Status.DRAFT).delete()

    mentors, mentees = matching_pool(program)
    load = taken([m.pk for m in mentors])
    now = timezone.now()
    settings = engine_program(program)
    people = {
        m.pk: engine_mentor(m, capacity=m.capacity - load.get(m.pk, 0), at=now) for m in mentors
    }
    seekers = {
        e.pk: engine_mentee(e, also_avoid=declined_mentor_emails(e), at=now) for e in mentees
    }
    scores = matching.score(list(seekers.values()), list(people.values()), settings)
    if mode == Program.Mode.STABLE:
        result = matching.stable(scores)
    else:
        result = matching.optimal(scores, maximize_matched=maximize)
    reasons = matching.unmatched_reasons(seekers.values(), people.values(), settings, result)

    run = MatchRun.objects.create(
        program=program,
        created_by=by,
        mode=mode,
        maximize_matched=maximize,
        mentees_considered=len(mentees),
        mentors_considered=len(mentors),
        unmatched=[{"mentee": pk, "reason": reasons.get(pk, "")} for pk in result.unmatched],
    )
    row = {int(pk): i for i, pk in enumerate(scores.mentee_ids)}
    col = {int(pk): j for j, pk in enumerate(scores.mentor_ids)}
    Match.objects.bulk_create(
        Match(
            program=program,
            run=run,
            mentor_id=mentor_id,
            mentee_id=mentee_id,
            score=int(scores.points[row[mentee_id], col[mentor_id]]),
            explanation=parts_json(
                matching.explain(people[mentor_id], seekers[mentee_id], settings)
            ),
        )
        for mentee_id, mentor_id in result.pairs
    )
    return run


def _check_draft_run(run: MatchRun) -> None:
    if run.status != MatchRun.Status.DRAFT:
        raise RegistrationError(
            "run_not_draft", "This run is no longer a draft: run matching again to change it."
        )


@transaction.atomic
def draft_match_set(
    *, run: MatchRun, mentee: MenteeEnrollment, mentor: MentorEnrollment, by: User,
    override: bool = False,
) -> Match:  # fmt: skip
    """Pair a mentee with a mentor by hand in a draft run (replacing the mentee's
    draft). Raises ConstraintWarning if a hard constraint breaks, unless override."""
    program = run.program
    check_manager(program, by)
    _lock_program(program)
    run = MatchRun.objects.get(pk=run.pk)
    _check_draft_run(run)
    if mentee.program_id != program.pk or mentor.program_id != program.pk:
        raise RegistrationError("wrong_program", "Both people must be in this program.")
    if not (mentor.is_active and mentee.is_active):
        raise RegistrationError("withdrawn", "That person has withdrawn from the program.")
    current = Match.objects.filter(mentee=mentee, status__in=Match.LIVE).first()
    if current is not None and current.status != Match.Status.DRAFT:
        raise RegistrationError("already_matched", "This mentee already has a match.")
    drafts = Match.objects.filter(run=run, mentor=mentor, status=Match.Status.DRAFT)
    if current is not None:
        drafts = drafts.exclude(pk=current.pk)
    if taken([mentor.pk]).get(mentor.pk, 0) + drafts.count() >= mentor.capacity:
        raise RegistrationError(
            "mentor_full", f"{mentor.user} has no room left (capacity {mentor.capacity})."
        )
    settings = engine_program(program)
    explanation = matching.explain(
        engine_mentor(mentor), engine_mentee(mentee, also_avoid=declined_mentor_emails(mentee)),
        settings,
    )  # fmt: skip
    if explanation.blocked and not override:
        raise ConstraintWarning(list(explanation.blocked))
    if current is not None:
        current.delete()
    run.unmatched = [u for u in run.unmatched if u["mentee"] != mentee.pk]
    run.save(update_fields=["unmatched"])
    return Match.objects.create(
        program=program,
        run=run,
        mentor=mentor,
        mentee=mentee,
        score=explanation.score,
        explanation=parts_json(explanation),
        broken_constraints=list(explanation.blocked),
    )


@transaction.atomic
def draft_match_remove(*, match: Match, by: User) -> None:
    """Take a draft pair out; the mentee is listed as unmatched."""
    check_manager(match.program, by)
    _lock_program(match.program)
    if match.status != Match.Status.DRAFT or match.run is None:
        raise RegistrationError("not_draft", "Only unpublished proposals can be removed.")
    run = MatchRun.objects.get(pk=match.run_id)
    _check_draft_run(run)
    run.unmatched = [
        *run.unmatched,
        {"mentee": match.mentee_id, "reason": "removed by an organizer"},
    ]
    run.save(update_fields=["unmatched"])
    match.delete()


@transaction.atomic
def match_run_publish(*, run: MatchRun, by: User) -> int:
    """Propose every draft pair to both people (emails go out after commit).
    Refused, changing nothing, if a mentor lost room since the run."""
    program = run.program
    check_manager(program, by)
    _lock_program(program)
    run = MatchRun.objects.get(pk=run.pk)
    _check_draft_run(run)
    drafts = list(
        run.matches.filter(status=Match.Status.DRAFT).select_related(
            "mentor__user", "mentee__user", "program"
        )
    )
    mentor_ids = sorted({m.mentor_id for m in drafts})
    mentors = {
        m.pk: m for m in MentorEnrollment.objects.select_for_update().filter(pk__in=mentor_ids)
    }
    load = taken(mentor_ids)
    for match in drafts:
        load[match.mentor_id] = load.get(match.mentor_id, 0) + 1
    full = [mentors[pk] for pk in mentor_ids if load[pk] > mentors[pk].capacity]
    if full:
        names = ", ".join(str(m.user) for m in full)
        raise RegistrationError(
            "mentor_full_since_run",
            f"Since this run, these mentors took mentees through requests and have no room "
            f"for every proposal: {names}. Run matching again or edit the proposals.",
        )
    now = timezone.now()
    for match in drafts:
        match.status = Match.Status.PROPOSED
        match.proposed_at = now
        match.save(update_fields=["status", "proposed_at"])
        both(match, "match_proposed")
    MentorRequest.objects.filter(
        mentee_id__in=[m.mentee_id for m in drafts], status=MentorRequest.Status.PENDING
    ).update(
        status=MentorRequest.Status.WITHDRAWN, decided_at=now, reason="Matched by the program."
    )
    run.status = MatchRun.Status.PUBLISHED
    run.published_at = now
    run.save(update_fields=["status", "published_at"])
    return len(drafts)
