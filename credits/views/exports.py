"""Organizer exports: attendance rosters (CSV) and CE Broker rosters (XML)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import path
from django.utils.http import content_disposition_header
from django.utils.text import slugify
from django.views.decorators.http import require_safe

from credits import cebroker, exports
from credits.csvutil import csv_response
from credits.models import CreditOffering
from events.models import Event, Session
from events.permissions import access_managed_event


def _day(event: Event, session: Session | None = None) -> str:
    when = session.starts_at if session else event.starts_at
    return when.astimezone(event.tzinfo).strftime("%Y-%m-%d")


def _session_part(session: Session) -> str:
    return slugify(session.title)[:40].strip("-") or f"session-{session.pk}"


@require_safe
@login_required
def exports_page(request: HttpRequest, slug: str) -> HttpResponse:
    event = access_managed_event(request.user, slug)
    roster = exports.event_roster(event)
    return render(
        request,
        "credits/exports/index.html",
        {
            "event": event,
            "sessions": cebroker.session_exports(roster),
            "people": len({r.person.registration_id for r in roster.rows}),
            "jurisdictions": sorted(cebroker.CEBROKER_JURISDICTIONS),
            "evaluation_required": roster.evaluation_required,
        },
    )


@require_safe
@login_required
def event_roster_csv(request: HttpRequest, slug: str) -> HttpResponse:
    event = access_managed_event(request.user, slug)
    roster = exports.event_roster(event)
    name = f"roster-{event.slug}-{_day(event)}.csv"
    return csv_response(name, exports.roster_table(roster))


@require_safe
@login_required
def session_roster_csv(request: HttpRequest, slug: str, session_id: int) -> HttpResponse:
    event = access_managed_event(request.user, slug)
    session = get_object_or_404(event.sessions, pk=session_id)
    roster = exports.event_roster(event, session=session)
    name = f"roster-{event.slug}-{_day(event, session)}-{_session_part(session)}.csv"
    return csv_response(name, exports.roster_table(roster))


@require_safe
@login_required
def cebroker_xml(
    request: HttpRequest, slug: str, session_id: int, offering_id: int
) -> HttpResponse:
    event = access_managed_event(request.user, slug)
    session = get_object_or_404(event.sessions, pk=session_id)
    offering = get_object_or_404(
        CreditOffering.objects.select_related("session", "accreditation"),
        pk=offering_id,
        session=session,
    )
    roster = exports.event_roster(event, session=session)
    result = cebroker.cebroker_roster(roster, offering)
    name = (
        f"cebroker-{event.slug}-{_day(event, session)}-{_session_part(session)}-"
        f"{slugify(result.label) or offering.pk}.xml"
    )
    response = HttpResponse(
        cebroker.cebroker_xml(result), content_type="application/xml; charset=utf-8"
    )
    response["Content-Disposition"] = content_disposition_header(True, name)
    response["X-Content-Type-Options"] = "nosniff"
    return response


urlpatterns = [
    path("manage/events/<slug:slug>/exports/", exports_page, name="exports"),
    path("manage/events/<slug:slug>/roster.csv", event_roster_csv, name="roster_csv"),
    path(
        "manage/events/<slug:slug>/sessions/<int:session_id>/roster.csv",
        session_roster_csv,
        name="session_roster_csv",
    ),
    path(
        "manage/events/<slug:slug>/sessions/<int:session_id>/cebroker/<int:offering_id>.xml",
        cebroker_xml,
        name="cebroker_xml",
    ),
]
