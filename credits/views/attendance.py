"""Organizer pages: credit per session, the session roster, attendance adjustments."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path

from checkin.models import Scan
from credits.forms.attendance import AdjustmentForm
from credits.selectors import event_credit_overview, event_offerings, session_roster
from credits.services.adjustments import adjustment_create
from credits.services.awards import refresh_awards
from events.errors import RegistrationError
from events.models import Event, Registration, Session
from events.permissions import access_managed_event

ROSTER_PAGE = 50


def _credit_session(event: Event, session_id: int) -> Session:
    session = event.sessions.filter(pk=session_id, offerings__isnull=False).first()
    if session is None:
        raise Http404("This session offers no CE credit.")
    return session


@login_required
def event_credit(request: HttpRequest, slug: str) -> HttpResponse:
    event = access_managed_event(request.user, slug)
    refresh_awards(event)
    overview = event_credit_overview(event)
    return render(
        request,
        "credits/attendance/overview.html",
        {
            "event": event,
            "sessions": overview,
            "needs_review": sum(s.needs_review for s in overview),
        },
    )


@login_required
def session_attendance(request: HttpRequest, slug: str, session_id: int) -> HttpResponse:
    event = access_managed_event(request.user, slug)
    session = _credit_session(event, session_id)
    refresh_awards(event)
    review_only = request.GET.get("review") == "1"
    rows = session_roster(session, needs_review_only=review_only)
    return render(
        request,
        "credits/attendance/session.html",
        {
            "event": event,
            "session": session,
            "offerings": event_offerings(event).get(session.pk, []),
            "page": Paginator(rows, ROSTER_PAGE).get_page(request.GET.get("page")),
            "review_only": review_only,
        },
    )


@login_required
def adjust(request: HttpRequest, slug: str, session_id: int, code: str) -> HttpResponse:
    event = access_managed_event(request.user, slug)
    session = _credit_session(event, session_id)
    registration = (
        Registration.objects.select_related("user__profile").filter(event=event, code=code).first()
    )
    if registration is None:
        raise Http404("No such registration.")
    form = AdjustmentForm(request.POST or None, session=session)
    if request.method == "POST" and form.is_valid():
        try:
            adjustment_create(
                registration=registration,
                session=session,
                kind=form.cleaned_data["kind"],
                starts_at=form.cleaned_data["starts_at"],
                ends_at=form.cleaned_data["ends_at"],
                reason=form.cleaned_data["reason"],
                by=request.user,
            )
        except RegistrationError as error:
            form.add_error(None, str(error))
        else:
            name = registration.user.get_full_name() or registration.user.email
            messages.success(request, f"Attendance of {name} adjusted; credit recomputed.")
            return redirect("credits:session_attendance", slug=event.slug, session_id=session.pk)
    scans = Scan.objects.filter(
        registration=registration, session=session, result=Scan.Result.OK
    ).order_by("scanned_at")
    history = registration.attendance_adjustments.filter(session=session).select_related(
        "created_by"
    )
    return render(
        request,
        "credits/attendance/adjust.html",
        {
            "event": event,
            "session": session,
            "registration": registration,
            "form": form,
            "scans": scans,
            "history": history,
        },
    )


urlpatterns = [
    path("manage/events/<slug:slug>/credit/", event_credit, name="event_credit"),
    path(
        "manage/events/<slug:slug>/credit/sessions/<int:session_id>/",
        session_attendance,
        name="session_attendance",
    ),
    path(
        "manage/events/<slug:slug>/credit/sessions/<int:session_id>/adjust/<str:code>/",
        adjust,
        name="adjust",
    ),
]
