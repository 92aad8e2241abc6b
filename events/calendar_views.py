"""Calendar files (.ics): a registration's file, an event's public schedule feed and
the personal feed behind a secret token. The files are built in events/calendars.py."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotFound
from django.views.decorators.http import require_safe

from accounts.models import CalendarToken
from events.calendars import event_feed, registration_calendar, user_feed
from events.models import Registration
from events.permissions import access_public_event

CONTENT_TYPE = "text/calendar; charset=utf-8"


@require_safe
@login_required
def registration_ics(request: HttpRequest, code: str) -> HttpResponse:
    """The owner's file for one registration: the event and the sessions they booked."""
    registration = (
        Registration.objects.select_related("event").filter(code=code, user=request.user).first()
    )
    if registration is None:
        raise Http404("No such registration.")
    return _calendar_response(
        registration_calendar(registration),
        cache="private, no-cache",
        filename=f"{registration.event.slug}.ics",
    )


@require_safe
def event_ics(request: HttpRequest, slug: str) -> HttpResponse:
    """The public schedule of a published (or cancelled) event; drafts only for its managers."""
    event = access_public_event(request.user, slug)
    cache = "public, max-age=600" if event.is_public else "private, no-store"
    return _calendar_response(event_feed(event), cache=cache, filename=f"{event.slug}-schedule.ics")


@require_safe
def personal_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The personal feed. Calendar apps fetch it without a session: the token is the
    credential, so any token that opens nothing gets one and the same answer."""
    user = CalendarToken.user_for(token)
    if user is None:
        response = HttpResponseNotFound(
            "No calendar feed at this address.\n", content_type="text/plain; charset=utf-8"
        )
        response["Cache-Control"] = "no-store"
        return response
    response = _calendar_response(user_feed(user), cache="private, max-age=300")
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response


def _calendar_response(body: bytes, *, cache: str, filename: str | None = None) -> HttpResponse:
    response = HttpResponse(body, content_type=CONTENT_TYPE)
    response["Cache-Control"] = cache
    if filename:
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
