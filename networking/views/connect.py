"""Connect at the event: the attendee's own page scans another attendee's badge
(camera or keyboard-wedge field, static/js/connect.js) and posts its text here."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from events.errors import RegistrationError
from events.models import Registration
from events.permissions import access_public_event
from networking.forms import BadgeScanForm
from networking.services.badge_connect import connect_by_badge
from networking.views.directory import closed

# Refusals the page shows; the rest answer 400.
STATUS = {"not_attendee": 403, "too_many_requests": 429}
# What the scan answer carries of the public profile (no bio or links on a phone screen).
SCAN_PROFILE_KEYS = [
    "name", "pronouns", "photo_url", "headline", "profession", "credentials", "specialties",
    "employer", "city", "region",
]  # fmt: skip


def _context(request: HttpRequest, slug: str):
    event = access_public_event(request.user, slug)
    attending = Registration.objects.filter(
        event=event, user=request.user, status=Registration.Status.CONFIRMED
    ).exists()
    sessions = list(event.sessions.filter(is_cancelled=False).order_by("starts_at", "title"))
    return event, attending, sessions


def _current_session(sessions) -> int | None:
    now = timezone.now()
    for session in sessions:
        if session.starts_at <= now <= session.ends_at:
            return session.pk
    return None


@require_safe
@login_required
def connect_page(request: HttpRequest, slug: str) -> HttpResponse:
    event, attending, sessions = _context(request, slug)
    if not attending:
        return closed(request, event, what="connect")
    form = BadgeScanForm(
        initial={"session": _current_session(sessions)}, event=event, sessions=sessions
    )
    return render(request, "networking/connect.html", {"event": event, "form": form})


def _wants_json(request: HttpRequest) -> bool:
    return request.headers.get("Accept", "").startswith("application/json")


@require_POST
@login_required
def connect_scan(request: HttpRequest, slug: str) -> HttpResponse:
    event, attending, sessions = _context(request, slug)
    form = BadgeScanForm(request.POST, event=event, sessions=sessions)
    error = None
    outcome = None
    if not attending:
        error = RegistrationError(
            "not_attendee", "Only confirmed attendees of this event can connect by badge."
        )
    elif not form.is_valid():
        message = "Scan a badge, or type the code printed under its QR code."
        if "session" in form.errors:
            message = "Choose a session of this event, or “Somewhere else”."
        error = RegistrationError("bad_input", message)
    else:
        try:
            outcome = connect_by_badge(
                user=request.user,
                event=event,
                token=form.cleaned_data["token"],
                session=form.chosen_session(),
            )
        except RegistrationError as refusal:
            error = refusal
    status = STATUS.get(error.code, 400) if error else 200
    if not attending and not _wants_json(request):
        return closed(request, event, what="connect")
    if _wants_json(request):
        if error:
            response = JsonResponse(
                {"status": "error", "code": error.code, "message": error.message}, status=status
            )
            if error.retry_after:
                response["Retry-After"] = str(error.retry_after)
            return response
        shown = outcome.profile
        return JsonResponse(
            {
                "status": "ok",
                "code": outcome.code,
                "message": outcome.message,
                "profile": {key: shown[key] for key in SCAN_PROFILE_KEYS if key in shown},
                "profile_url": reverse("networking:person", args=[shown["user_id"]]),
            }
        )
    form = BadgeScanForm(
        initial={"session": request.POST.get("session")}, event=event, sessions=sessions
    )
    return render(
        request,
        "networking/connect.html",
        {"event": event, "form": form, "error": error, "outcome": outcome},
        status=status,
    )


urlpatterns = [
    path("events/<slug:slug>/connect/", connect_page, name="connect_page"),
    path("events/<slug:slug>/connect/scan/", connect_scan, name="connect_scan"),
]
