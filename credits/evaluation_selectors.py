"""Reads for evaluations: what an attendee still has to evaluate, the results an
organizer sees per session and per event, and the rows of the CSV exports.

Every function here runs a fixed number of queries, whatever the number of
evaluations (tests/credits/test_evaluations.py checks the results page).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Avg, Count, Q
from django.utils.text import capfirst

from credits.models import Award, CreditOffering, Evaluation, EvaluationQuestion
from credits.services.awards import refresh_awards
from events.models import Event, Registration, Session

SCALE = (1, 2, 3, 4, 5)
SCALE_LABELS = {
    1: "Strongly disagree",
    2: "Disagree",
    3: "Neutral",
    4: "Agree",
    5: "Strongly agree",
}
TEXT_MAX = 2000  # characters in a text answer or in the comments
SHORT_LABELS = {  # column headings where the statements do not fit
    "objectives_met": "Objectives",
    "relevance": "Relevance",
    "presenter_knowledge": "Presenters",
    "level_appropriate": "Level",
    "would_recommend": "Recommend",
}


def standard_items() -> list[tuple[str, str]]:
    """(field name, statement) of the five standard items, in order."""
    return [
        (name, capfirst(Evaluation._meta.get_field(name).verbose_name))
        for name in Evaluation.STANDARD_ITEMS
    ]


def standard_columns() -> list[tuple[str, str]]:
    """(short heading, statement) of the standard items, for tables."""
    return [(SHORT_LABELS[name], label) for name, label in standard_items()]


def answer_key(question: EvaluationQuestion | int) -> str:
    """How a custom question's answer is keyed in `Evaluation.answers` (and the
    name of its form field is "q" + this)."""
    return str(question if isinstance(question, int) else question.pk)


def questions_for(session: Session) -> list[EvaluationQuestion]:
    """The custom questions asked about this session: the event's questions for
    every session plus this session's own, in the organizer's order."""
    return list(
        EvaluationQuestion.objects.filter(event_id=session.event_id)
        .filter(Q(session__isnull=True) | Q(session_id=session.pk))
        .order_by("position", "pk")
    )


# ---------------------------------------------------------------- attendee


def attended_sessions(registration: Registration):
    """Sessions where the registration has an award, that is verified attendance."""
    return Session.objects.filter(
        pk__in=Award.objects.filter(registration=registration).values("session_id")
    ).order_by("starts_at", "title")


def pending_evaluations(registration: Registration, *, refresh: bool = True) -> list[Session]:
    """Sessions the attendee attended and has not evaluated yet, oldest first.
    Awards are brought up to date first (a scan may have just arrived)."""
    if refresh:
        refresh_awards(registration.event)
    done = Evaluation.objects.filter(registration=registration).values("session_id")
    return list(attended_sessions(registration).exclude(pk__in=done))


@dataclass
class RegistrationEvaluations:
    pending: list[Session]
    done: list[Evaluation]


def registration_evaluations(
    registration: Registration, *, refresh: bool = True
) -> RegistrationEvaluations:
    """What the attendee's evaluations page lists (two queries after the refresh)."""
    pending = pending_evaluations(registration, refresh=refresh)
    done = list(
        Evaluation.objects.filter(registration=registration)
        .select_related("session")
        .order_by("session__starts_at", "session__title")
    )
    return RegistrationEvaluations(pending=pending, done=done)


def answered(evaluation: Evaluation, questions: list[EvaluationQuestion]) -> list[tuple]:
    """(question, answer) for the custom questions, as the attendee answered them
    (None where a question was left blank)."""
    return [(q, evaluation.answers.get(answer_key(q))) for q in questions]


# ---------------------------------------------------------------- results


def _rounded_average(total: int, count: int) -> Decimal | None:
    if not count:
        return None
    return (Decimal(total) / Decimal(count)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass
class ScaleResult:
    """Answers to one 1-5 item: how many gave each rating."""

    key: str
    label: str
    counts: list[int] = field(default_factory=lambda: [0] * len(SCALE))

    def add(self, value: object) -> None:
        if isinstance(value, int) and not isinstance(value, bool) and value in SCALE:
            self.counts[value - 1] += 1

    @property
    def count(self) -> int:
        return sum(self.counts)

    @property
    def average(self) -> Decimal | None:
        """Mean rating to one decimal (half up); None without answers."""
        return _rounded_average(
            sum(r * n for r, n in zip(SCALE, self.counts, strict=True)), self.count
        )

    @property
    def distribution(self) -> list[dict]:
        """Per rating: its label, count and share of answers in whole percent."""
        total = self.count
        return [
            {
                "rating": rating,
                "label": SCALE_LABELS[rating],
                "count": n,
                "percent": round(100 * n / total) if total else 0,
            }
            for rating, n in zip(SCALE, self.counts, strict=True)
        ]


@dataclass
class Remark:
    """What one respondent wrote: comments and text answers (no identity)."""

    submitted_at: datetime
    comments: str
    answers: list[tuple[str, str]]  # (question prompt, text)


@dataclass
class EvaluationResults:
    session: Session
    responses: int
    standard: list[ScaleResult]
    custom: list[ScaleResult]
    text_questions: list[EvaluationQuestion]
    remarks: list[Remark]


def evaluation_results(session: Session) -> EvaluationResults:
    """Counts, averages and distributions per standard item and per custom scale
    question, and every written remark, oldest first. Two queries."""
    questions = questions_for(session)
    scales = [q for q in questions if q.kind == EvaluationQuestion.Kind.SCALE]
    texts = [q for q in questions if q.kind == EvaluationQuestion.Kind.TEXT]
    standard = [ScaleResult(name, label) for name, label in standard_items()]
    custom = [ScaleResult(f"q{q.pk}", q.prompt) for q in scales]
    remarks: list[Remark] = []
    rows = (
        Evaluation.objects.filter(session=session)
        .order_by("submitted_at", "pk")
        .values_list(*Evaluation.STANDARD_ITEMS, "answers", "comments", "submitted_at")
    )
    responses = 0
    for row in rows:
        responses += 1
        *ratings, answers, comments, submitted_at = row
        answers = answers if isinstance(answers, dict) else {}
        for result, rating in zip(standard, ratings, strict=True):
            result.add(rating)
        for result, question in zip(custom, scales, strict=True):
            result.add(answers.get(answer_key(question)))
        written = [
            (q.prompt, answers[answer_key(q)])
            for q in texts
            if isinstance(answers.get(answer_key(q)), str) and answers[answer_key(q)]
        ]
        if comments or written:
            remarks.append(Remark(submitted_at, comments, written))
    return EvaluationResults(session, responses, standard, custom, texts, remarks)


@dataclass
class SessionSummary:
    """One row of the organizer's overview: responses and average per item."""

    session: Session
    responses: int
    attended: int
    averages: list[Decimal | None]

    @property
    def overall(self) -> Decimal | None:
        known = [a for a in self.averages if a is not None]
        if not known:
            return None
        return (sum(known) / len(known)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)

    @property
    def response_rate(self) -> int | None:
        """Responses as a whole percent of attendees with verified attendance."""
        if not self.attended:
            return None
        return min(100, round(100 * self.responses / self.attended))


def event_evaluation_summary(event: Event) -> list[SessionSummary]:
    """Every session that offers credit or has evaluations, in schedule order, with
    its number of responses, attendees and average per standard item. Three queries."""
    sessions = Session.objects.filter(event=event).filter(
        Q(pk__in=CreditOffering.objects.filter(session__event=event).values("session_id"))
        | Q(pk__in=Evaluation.objects.filter(session__event=event).values("session_id"))
    )
    stats = {
        row["session_id"]: row
        for row in Evaluation.objects.filter(session__event=event)
        .values("session_id")
        .order_by("session_id")
        .annotate(n=Count("pk"), **{f"avg_{name}": Avg(name) for name in Evaluation.STANDARD_ITEMS})
    }
    attended = dict(
        Award.objects.filter(session__event=event)
        .values("session_id")
        .order_by("session_id")
        .annotate(n=Count("registration_id", distinct=True))
        .values_list("session_id", "n")
    )
    summaries = []
    for session in sessions.order_by("starts_at", "title"):
        row = stats.get(session.pk, {})
        averages = [
            None
            if row.get(f"avg_{name}") is None
            else Decimal(str(row[f"avg_{name}"])).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
            for name in Evaluation.STANDARD_ITEMS
        ]
        summaries.append(
            SessionSummary(session, row.get("n", 0), attended.get(session.pk, 0), averages)
        )
    return summaries


# ---------------------------------------------------------------- exports


def _local(moment: datetime | None, event: Event) -> str:
    return moment.astimezone(event.tzinfo).strftime("%Y-%m-%d %H:%M") if moment else ""


def evaluation_export_rows(event: Event, session: Session | None = None) -> Iterator[list]:
    """The CSV export: a header, then one row per evaluation (all sessions of the
    event, or one). Attendees appear by registration code only. Two queries,
    streamed in chunks; cells are made spreadsheet-safe by credits.csvutil."""
    if session is not None:
        questions = questions_for(session)
    else:
        questions = list(
            EvaluationQuestion.objects.filter(event=event)
            .select_related("session")
            .order_by("position", "pk")
        )
    header = ["Session", f"Session starts ({event.timezone})", "Registration code"]
    header.append(f"Submitted ({event.timezone})")
    header += [label for _, label in standard_items()]
    for question in questions:
        prompt = question.prompt
        if session is None and question.session_id is not None:
            prompt = f"{prompt} [{question.session.title}]"
        header.append(prompt)
    header.append("Comments")
    yield header

    evaluations = Evaluation.objects.filter(session__event=event)
    if session is not None:
        evaluations = evaluations.filter(session=session)
    rows = evaluations.order_by(
        "session__starts_at", "session__title", "session_id", "submitted_at", "pk"
    ).values_list(
        "session__title",
        "session__starts_at",
        "registration__code",
        "submitted_at",
        *Evaluation.STANDARD_ITEMS,
        "answers",
        "comments",
    )
    for title, starts_at, code, submitted_at, *rest in rows.iterator(chunk_size=2000):
        *ratings, answers, comments = rest
        answers = answers if isinstance(answers, dict) else {}
        yield [
            title,
            _local(starts_at, event),
            code,
            _local(submitted_at, event),
            *ratings,
            *(answers.get(answer_key(q), "") for q in questions),
            comments,
        ]
