"""An attendee evaluates a session they attended, once (issue 5, "Evaluations").

`check_can_evaluate` holds the rules of who may evaluate what, so the page can
say why before the attendee fills anything in; `evaluation_submit` applies them
again, validates the answers and stores the evaluation. The unique constraint on
(registration, session) settles two submissions racing each other.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from credits.evaluation_selectors import SCALE, TEXT_MAX, answer_key, questions_for
from credits.models import Award, Evaluation, EvaluationQuestion
from credits.services.awards import refresh_awards
from events.errors import RegistrationError
from events.models import Registration, Session


class InvalidEvaluation(RegistrationError):
    """An answer was missing or out of range. `field` names the form field
    (a standard item, "q<question id>" or "comments") so a form can show it there."""

    def __init__(self, code: str, message: str, *, field: str | None = None) -> None:
        super().__init__(code, message)
        self.field = field


def check_can_evaluate(
    *, registration: Registration, session: Session, by: User, refresh: bool = True
) -> None:
    """Raise RegistrationError unless `by` may evaluate `session` now under this
    registration. Brings the event's awards up to date first, so a scan that has
    just arrived counts as attendance."""
    if not by.is_authenticated or by.pk != registration.user_id:
        raise RegistrationError("forbidden", "Only the attendee can submit their evaluation.")
    if session.event_id != registration.event_id:
        raise RegistrationError("wrong_event", "That session belongs to another event.")
    if registration.status != Registration.Status.CONFIRMED:
        raise RegistrationError(
            "not_confirmed", "Evaluations open once your registration is confirmed."
        )
    if session.starts_at > timezone.now():
        raise RegistrationError(
            "not_started", "This session has not started yet: evaluate it after you attend."
        )
    if Evaluation.objects.filter(registration=registration, session=session).exists():
        raise RegistrationError(
            "already_evaluated", "You have already submitted your evaluation of this session."
        )
    if refresh:
        refresh_awards(registration.event)
    if not Award.objects.filter(registration=registration, session=session).exists():
        raise RegistrationError(
            "not_attended",
            "There is no verified attendance for you at this session, so it cannot be "
            "evaluated. If you were there, ask the organizers at the help desk to check "
            "your attendance.",
        )


def _rating(value: object, field: str, label: str, *, required: bool = True) -> int | None:
    if value is None or value == "":
        if required:
            raise InvalidEvaluation("answer_required", f"Rate “{label}” from 1 to 5.", field=field)
        return None
    if isinstance(value, bool):
        value = None
    elif isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if not isinstance(value, int) or value not in SCALE:
        raise InvalidEvaluation(
            "invalid_rating", f"“{label}” takes a rating from 1 to 5.", field=field
        )
    return value


def _text(value: object, field: str, label: str, *, required: bool) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise InvalidEvaluation("invalid_text", f"“{label}” takes text.", field=field)
    value = value.strip()
    if required and not value:
        raise InvalidEvaluation("answer_required", f"Answer “{label}”.", field=field)
    if len(value) > TEXT_MAX:
        raise InvalidEvaluation(
            "text_too_long",
            f"“{label}” can hold at most {TEXT_MAX:,} characters (it has {len(value):,}).",
            field=field,
        )
    return value


def clean_answers(data: Mapping, questions: list[EvaluationQuestion]) -> dict:
    """The model fields of an evaluation from submitted data: the standard items,
    `answers` (custom question id -> answer, unanswered optional questions left
    out, unknown ids ignored) and `comments`. Raises InvalidEvaluation."""
    cleaned: dict = {}
    for name in Evaluation.STANDARD_ITEMS:
        label = Evaluation._meta.get_field(name).verbose_name
        cleaned[name] = _rating(data.get(name), name, label)
    given = data.get("answers") or {}
    if not isinstance(given, Mapping):
        raise InvalidEvaluation("invalid_answers", "The answers could not be read.")
    answers: dict = {}
    for question in questions:
        key, field = answer_key(question), f"q{question.pk}"
        value = given.get(key, given.get(question.pk))
        if question.kind == EvaluationQuestion.Kind.SCALE:
            rating = _rating(value, field, question.prompt, required=question.required)
            if rating is not None:
                answers[key] = rating
        else:
            text = _text(value, field, question.prompt, required=question.required)
            if text:
                answers[key] = text
    cleaned["answers"] = answers
    cleaned["comments"] = _text(data.get("comments"), "comments", "Comments", required=False)
    return cleaned


@transaction.atomic
def evaluation_submit(
    *, registration: Registration, session: Session, by: User, data: Mapping
) -> Evaluation:
    """Store the attendee's evaluation of a session they attended. Once only: a
    second submission raises RegistrationError("already_evaluated") and changes
    nothing. Bad answers raise InvalidEvaluation and store nothing."""
    check_can_evaluate(registration=registration, session=session, by=by)
    fields = clean_answers(data, questions_for(session))
    try:
        with transaction.atomic():
            return Evaluation.objects.create(registration=registration, session=session, **fields)
    except IntegrityError as error:
        # Another request (a double click, a second tab) stored it first.
        raise RegistrationError(
            "already_evaluated", "You have already submitted your evaluation of this session."
        ) from error
