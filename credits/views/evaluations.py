"""Evaluation pages: attendees evaluate sessions they attended; organizers read
the results and export them as CSV."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.views.decorators.http import require_http_methods, require_safe

from credits.csvutil import csv_response
from credits.evaluation_selectors import (
    answered,
    evaluation_export_rows,
    evaluation_results,
    event_evaluation_summary,
    questions_for,
    registration_evaluations,
    standard_columns,
    standard_items,
)
from credits.forms.evaluations import EvaluationForm
from credits.models import Evaluation
from credits.selectors import credit_settings
from credits.services.awards import refresh_awards
from credits.services.evaluations import (
    InvalidEvaluation,
    check_can_evaluate,
    evaluation_submit,
)
from events.errors import RegistrationError
from events.models import Registration
from events.permissions import access_managed_event

REMARKS_PER_PAGE = 20


def _my_registration(request: HttpRequest, code: str) -> Registration:
    """The signed-in attendee's own registration; anyone else's is "not found"."""
    registration = (
        Registration.objects.select_related("event__organization")
        .filter(code=code, user=request.user)
        .first()
    )
    if registration is None:
        raise Http404("No such registration.")
    return registration


@require_safe
@login_required
def my_evaluations(request: HttpRequest, code: str) -> HttpResponse:
    registration = _my_registration(request, code)
    lists = registration_evaluations(registration)
    return render(
        request,
        "credits/evaluations/my_list.html",
        {
            "registration": registration,
            "event": registration.event,
            "pending": lists.pending,
            "done": lists.done,
            "required": credit_settings(registration.event).evaluation_required,
        },
    )


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def evaluate(request: HttpRequest, code: str, session_id: int) -> HttpResponse:
    registration = _my_registration(request, code)
    event = registration.event
    session = get_object_or_404(event.sessions, pk=session_id)
    context = {"registration": registration, "event": event, "session": session}
    existing = Evaluation.objects.filter(registration=registration, session=session).first()
    if existing is not None:
        if request.method == "POST":
            messages.info(request, "You had already submitted this evaluation; it is unchanged.")
        return _submitted(request, context, existing)
    try:
        check_can_evaluate(registration=registration, session=session, by=request.user)
    except RegistrationError as error:
        context["error"] = error
        return render(request, "credits/evaluations/unavailable.html", context)

    questions = questions_for(session)
    form = EvaluationForm(request.POST if request.method == "POST" else None, questions=questions)
    if request.method == "POST" and form.is_valid():
        try:
            evaluation_submit(
                registration=registration,
                session=session,
                by=request.user,
                data=form.evaluation_data(),
            )
        except InvalidEvaluation as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        except RegistrationError as error:
            messages.error(request, error.message)
            return redirect("credits:evaluate", code=registration.code, session_id=session.pk)
        else:
            messages.success(request, f"Thank you: your evaluation of “{session.title}” is in.")
            return redirect("credits:my_evaluations", code=registration.code)
    context.update(form=form, required=credit_settings(event).evaluation_required)
    return render(request, "credits/evaluations/evaluate.html", context)


def _submitted(request: HttpRequest, context: dict, evaluation: Evaluation) -> HttpResponse:
    """The attendee's own answers, read-only."""
    standard = [(label, getattr(evaluation, name)) for name, label in standard_items()]
    context.update(
        evaluation=evaluation,
        standard=standard,
        custom=answered(evaluation, questions_for(context["session"])),
    )
    return render(request, "credits/evaluations/submitted.html", context)


@require_safe
@login_required
def evaluation_overview(request: HttpRequest, slug: str) -> HttpResponse:
    event = access_managed_event(request.user, slug)
    refresh_awards(event)  # "attended" counts come from awards
    summaries = event_evaluation_summary(event)
    return render(
        request,
        "credits/evaluations/overview.html",
        {
            "event": event,
            "summaries": summaries,
            "columns": standard_columns(),
            "responses": sum(s.responses for s in summaries),
            "required": credit_settings(event).evaluation_required,
        },
    )


@require_safe
@login_required
def evaluation_results_view(request: HttpRequest, slug: str, session_id: int) -> HttpResponse:
    event = access_managed_event(request.user, slug)
    session = get_object_or_404(event.sessions, pk=session_id)
    results = evaluation_results(session)
    remarks = Paginator(results.remarks, REMARKS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "credits/evaluations/results.html",
        {"event": event, "session": session, "results": results, "remarks": remarks},
    )


@require_safe
@login_required
def evaluations_csv(request: HttpRequest, slug: str) -> HttpResponse:
    event = access_managed_event(request.user, slug)
    return csv_response(f"evaluations-{event.slug}.csv", evaluation_export_rows(event))


@require_safe
@login_required
def session_evaluations_csv(request: HttpRequest, slug: str, session_id: int) -> HttpResponse:
    event = access_managed_event(request.user, slug)
    session = get_object_or_404(event.sessions, pk=session_id)
    return csv_response(
        f"evaluations-{event.slug}-session-{session.pk}.csv",
        evaluation_export_rows(event, session),
    )


urlpatterns = [
    path("me/registrations/<str:code>/evaluations/", my_evaluations, name="my_evaluations"),
    path(
        "me/registrations/<str:code>/sessions/<int:session_id>/evaluate/",
        evaluate,
        name="evaluate",
    ),
    path(
        "manage/events/<slug:slug>/evaluations/",
        evaluation_overview,
        name="evaluation_overview",
    ),
    path("manage/events/<slug:slug>/evaluations.csv", evaluations_csv, name="evaluations_csv"),
    path(
        "manage/events/<slug:slug>/evaluations/<int:session_id>/",
        evaluation_results_view,
        name="evaluation_results",
    ),
    path(
        "manage/events/<slug:slug>/evaluations/<int:session_id>.csv",
        session_evaluations_csv,
        name="evaluation_session_csv",
    ),
]
