"""Reads shared by mentorship pages, each with a fixed number of queries."""

from dataclasses import dataclass

from django.db.models import Avg, Count, Q, QuerySet, Sum
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from accounts.models import User
from mentorship import matching
from mentorship.adapters import engine_mentee, engine_mentor, engine_program
from mentorship.models import (
    Match,
    MatchFeedback,
    MatchRun,
    MenteeEnrollment,
    MentorEnrollment,
    MentorRequest,
    Program,
)
from mentorship.services.common import taken


def public_programs() -> QuerySet[Program]:
    return Program.objects.filter(status=Program.Status.PUBLISHED).select_related(
        "organization", "event"
    )


def enrollments_of(user: User, program: Program) -> tuple:
    if not user.is_authenticated:
        return None, None
    mentor = MentorEnrollment.objects.filter(program=program, user=user).first()
    mentee = MenteeEnrollment.objects.filter(program=program, user=user).first()
    return mentor, mentee


def my_matches(user: User) -> QuerySet[Match]:
    """Matches the user is in, published ones only."""
    return (
        Match.objects.filter(Q(mentor__user=user) | Q(mentee__user=user))
        .exclude(status=Match.Status.DRAFT)
        .select_related("program", "mentor__user", "mentee__user")
        .order_by("-created_at")
    )


def my_requests(user: User) -> QuerySet[MentorRequest]:
    return (
        MentorRequest.objects.filter(Q(mentor__user=user) | Q(mentee__user=user))
        .select_related("program", "mentor__user", "mentee__user")
        .order_by("-created_at")
    )


@dataclass
class Suggestion:
    mentor: MentorEnrollment
    score: int
    parts: list[matching.Part]  # public parts only
    hidden: bool  # private criteria also counted
    room: int


def suggestions(mentee: MenteeEnrollment, filters: dict | None = None) -> list[Suggestion]:
    """Mentors the mentee could ask, best first: active, with room, no hard
    constraint broken. Private criteria count in the ranking but are not shown."""
    filters = filters or {}
    mentors = list(
        MentorEnrollment.objects.filter(
            program_id=mentee.program_id, status=MentorEnrollment.Status.ACTIVE
        )
        .exclude(user_id=mentee.user_id)
        .select_related("user", "program")
    )
    load = taken([m.pk for m in mentors])
    mentors = [m for m in mentors if load.get(m.pk, 0) < m.capacity]
    if value := filters.get("specialty"):
        mentors = [m for m in mentors if value in m.specialties]
    if value := filters.get("language"):
        mentors = [m for m in mentors if value in m.languages]
    if value := filters.get("help_with"):
        mentors = [m for m in mentors if value in m.help_with]
    if value := filters.get("meeting"):
        mentors = [m for m in mentors if m.meeting in (value, "either")]
    if not mentors:
        return []
    now = timezone.now()
    program = engine_program(mentee.program)
    seeker = engine_mentee(mentee, at=now)
    people = {m.pk: engine_mentor(m, at=now) for m in mentors}
    scores = matching.score([seeker], list(people.values()), program)
    by_id = {m.pk: m for m in mentors}
    out = []
    for j in range(len(scores.mentor_ids)):
        if not scores.allowed[0, j]:
            continue
        pk = int(scores.mentor_ids[j])
        explanation = matching.explain(people[pk], seeker, program)
        mentor = by_id[pk]
        out.append(
            Suggestion(
                mentor=mentor,
                score=int(scores.points[0, j]),
                parts=list(explanation.public_parts()),
                hidden=any(p.private for p in explanation.parts),
                room=mentor.capacity - load.get(pk, 0),
            )
        )
    out.sort(key=lambda s: (-s.score, s.mentor.pk))
    return out


def chat_url(match: Match) -> str | None:
    """The private room's page, once the chat pages exist."""
    if match.room_id is None:
        return None
    try:
        return reverse("chat:room", args=[match.room_id])
    except NoReverseMatch:
        return None


def dashboard(program: Program) -> dict:
    mentors = MentorEnrollment.objects.filter(program=program, status="active").aggregate(
        n=Count("pk"), slots=Sum("capacity")
    )
    matches = Match.objects.filter(program=program).exclude(status=Match.Status.DRAFT)
    by_status = dict(matches.values("status").annotate(n=Count("pk")).values_list("status", "n"))
    scored = matches.exclude(status=Match.Status.DECLINED).aggregate(avg=Avg("score"))
    feedback = MatchFeedback.objects.filter(match__program=program)
    return {
        "mentors": mentors["n"],
        "slots": mentors["slots"] or 0,
        "mentees": MenteeEnrollment.objects.filter(program=program, status="active").count(),
        "matched": sum(by_status.get(s, 0) for s in (*Match.TAKES_CAPACITY, *Match.ENDED)),
        "pending": sum(by_status.get(s, 0) for s in Match.PENDING),
        "active": by_status.get(Match.Status.ACTIVE, 0),
        "ended": sum(by_status.get(s, 0) for s in Match.ENDED),
        "ended_early": by_status.get(Match.Status.ENDED_EARLY, 0),
        "declined": by_status.get(Match.Status.DECLINED, 0),
        "average_score": scored["avg"],
        "feedback": feedback.aggregate(n=Count("pk"), avg=Avg("rating")),
        "comments": feedback.exclude(comments="")
        .select_related("match")
        .order_by("-created_at")[:10],
        "requests_pending": MentorRequest.objects.filter(
            program=program, status=MentorRequest.Status.PENDING
        ).count(),
        "runs": MatchRun.objects.filter(program=program).select_related("created_by")[:5],
    }


def run_review(run: MatchRun) -> dict:
    """Proposals with both people, and the unmatched with their reasons."""
    proposals = list(
        run.matches.select_related("mentor__user", "mentee__user").order_by(
            "mentee__user__last_name", "mentee__user__first_name"
        )
    )
    unmatched_ids = [u["mentee"] for u in run.unmatched]
    people = MenteeEnrollment.objects.select_related("user").in_bulk(unmatched_ids)
    unmatched = [
        {"mentee": people[u["mentee"]], "reason": u["reason"]}
        for u in run.unmatched
        if u["mentee"] in people
    ]
    return {"proposals": proposals, "unmatched": unmatched}
