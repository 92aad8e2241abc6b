"""Export my connections: vCard 3.0 for address books, CSV for spreadsheets. Each
holds what I see of them as a connection (networking.privacy), and where we met."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_safe

from credits.csvutil import csv_response
from networking.models import Connection
from networking.privacy import Relation
from networking.selectors import connection_cards, my_connections
from networking.vcard import Card, vcards

CSV_HEADER = [
    "Name", "Email", "Profession", "Credentials", "Employer or practice", "City",
    "State or region", "Connected on", "Met at event", "Met at place", "Note",
]  # fmt: skip


def _connected_on(connection: Connection) -> str:
    moment = connection.responded_at or connection.created_at
    tz = (
        connection.met_at_event.tzinfo
        if connection.met_at_event
        else timezone.get_default_timezone()
    )
    return timezone.localtime(moment, tz).date().isoformat()


def _met(connection: Connection) -> str:
    if connection.met_at_event is None:
        return ""
    met = timezone.localtime(connection.created_at, connection.met_at_event.tzinfo)
    where = connection.met_at_event.title
    if connection.met_at_place:
        where += f", {connection.met_at_place}"
    return f"Met at {where} on {met:%B} {met.day}, {met.year}."


def _rows(user):
    return connection_cards(my_connections(user), user, Relation.CONNECTION)


@require_safe
@login_required
def connections_vcf(request: HttpRequest) -> HttpResponse:
    cards = []
    for connection, shown in _rows(request.user):
        other = connection.other(request.user)
        note = " ".join(
            part
            for part in (
                _met(connection),
                f"Note with the request: {connection.note}" if connection.note else "",
            )
            if part
        )
        cards.append(
            Card(
                given_name=other.first_name,
                family_name=other.last_name,
                formatted_name=shown["name"],
                email=shown.get("email", ""),
                organization=shown.get("employer", ""),
                title=", ".join(
                    part for part in (shown.get("profession"), shown.get("credentials")) if part
                ),
                note=note,
                urls=shown.get("links", []),
            )
        )
    response = HttpResponse(vcards(cards), content_type="text/vcard; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(True, "convene-connections.vcf")
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_safe
@login_required
def connections_csv(request: HttpRequest):
    rows = [CSV_HEADER]
    for connection, shown in _rows(request.user):
        rows.append(
            [
                shown["name"],
                shown.get("email", ""),
                shown.get("profession", ""),
                shown.get("credentials", ""),
                shown.get("employer", ""),
                shown.get("city", ""),
                shown.get("region", ""),
                _connected_on(connection),
                connection.met_at_event.title if connection.met_at_event else "",
                connection.met_at_place,
                connection.note,
            ]
        )
    return csv_response("convene-connections.csv", rows)


urlpatterns = [
    path("me/network/connections.vcf", connections_vcf, name="export_vcf"),
    path("me/network/connections.csv", connections_csv, name="export_csv"),
]
