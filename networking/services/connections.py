"""Connection requests and their answers (DESIGN.md invariant 7: contact details are
shared only by mutual consent).

A request goes from the requester to the addressee, who accepts or declines; the
requester may withdraw it while it waits; either side may remove a connection.
Refusals raise RegistrationError(code, message) and change nothing.
"""

import math
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from events.errors import RegistrationError
from events.models import Event
from networking.models import Connection, Notification
from networking.privacy import Relation, relation_between
from networking.services.notifications import (
    email_if_allowed,
    forget_connection_notifications,
    notifications_mark_read,
    notify,
)
from networking.services.relations import blocked_between

S = Connection.Status
ASK_AGAIN_AFTER = timedelta(days=30)  # after a decline, before the same person may ask again
DAY = timedelta(hours=24)  # the window of CONNECTION_REQUESTS_PER_DAY


def _name(user: User) -> str:
    profile = getattr(user, "networking_profile", None)
    return (profile.display_name if profile else "") or user.get_full_name() or "A Convene member"


def _lock_pair(a: User, b: User) -> None:
    # Both people's rows, in id order: two requests crossing each other are served in turn.
    list(User.objects.select_for_update().filter(pk__in=[a.pk, b.pk]).order_by("pk"))


def open_between(a_id: int, b_id: int) -> Connection | None:
    return (
        Connection.objects.filter(
            Q(requester_id=a_id, addressee_id=b_id) | Q(requester_id=b_id, addressee_id=a_id),
            status__in=Connection.OPEN,
        )
        .order_by("-created_at")
        .first()
    )


def connection_request(
    *,
    requester: User,
    addressee: User,
    note: str = "",
    met_at_event: Event | None = None,
    met_at_place: str = "",
) -> Connection:
    """Ask to connect with someone whose profile the requester can see."""
    if requester.pk != addressee.pk and relation_between(addressee, requester) == Relation.NONE:
        raise RegistrationError("not_visible", "You can only connect with people you can see here.")
    return request_unchecked(
        requester=requester,
        addressee=addressee,
        note=note,
        met_at_event=met_at_event,
        met_at_place=met_at_place,
    )


@transaction.atomic
def request_unchecked(
    *,
    requester: User,
    addressee: User,
    note: str = "",
    met_at_event: Event | None = None,
    met_at_place: str = "",
) -> Connection:
    """A request once the caller has shown the requester may reach the addressee
    (they see the profile, or they scanned the addressee's badge).

    If the addressee had already asked the requester, that request is accepted."""
    if not requester.is_authenticated or requester.pk == addressee.pk:
        raise RegistrationError("self", "You can’t connect with yourself.")
    if not addressee.is_active:
        raise RegistrationError("unavailable", "This person isn’t available for connections.")
    _lock_pair(requester, addressee)
    if blocked_between(requester.pk, addressee.pk):
        raise RegistrationError("blocked", "You can’t connect with this person.")
    existing = open_between(requester.pk, addressee.pk)
    if existing is not None:
        if existing.status == S.ACCEPTED:
            raise RegistrationError(
                "already_connected", f"You are already connected with {_name(addressee)}."
            )
        if existing.requester_id == requester.pk:
            raise RegistrationError(
                "already_requested",
                f"You have already asked {_name(addressee)} to connect; they haven’t answered yet.",
            )
        if met_at_event is not None and existing.met_at_event_id is None:
            existing.met_at_event, existing.met_at_place = met_at_event, met_at_place[:200]
            existing.save(update_fields=["met_at_event", "met_at_place"])
        return _accept_locked(existing, by=requester)
    _check_daily_limit(requester)
    recently = timezone.now() - ASK_AGAIN_AFTER
    if Connection.objects.filter(
        requester=requester, addressee=addressee, status=S.DECLINED, responded_at__gte=recently
    ).exists():
        raise RegistrationError(
            "asked_recently",
            "You asked this person recently. You can ask again 30 days after your last request.",
        )
    try:
        with transaction.atomic():
            connection = Connection.objects.create(
                requester=requester,
                addressee=addressee,
                note=note.strip()[:500],
                met_at_event=met_at_event,
                met_at_place=met_at_place.strip()[:200],
            )
    except IntegrityError as exc:  # the same request, sent twice at once
        raise RegistrationError(
            "already_requested", f"You have already asked {_name(addressee)} to connect."
        ) from exc
    requests_url = reverse("networking:requests")
    notify(
        user=addressee,
        kind=Notification.Kind.CONNECTION_REQUEST,
        text=f"{_name(requester)} would like to connect with you.",
        url=requests_url,
        connection=connection,
    )
    email_if_allowed(
        user=addressee,
        preference="email_on_request",
        template="networking_request",
        context={
            "connection": connection,
            "requester_name": _name(requester),
            "url": requests_url,
        },
    )
    return connection


def _check_daily_limit(requester: User) -> None:
    """Counted from the database under the requester's row lock (taken by the caller),
    so it holds across processes and two requests at once cannot both squeeze in."""
    limit = settings.CONNECTION_REQUESTS_PER_DAY
    since = timezone.now() - DAY
    sent = list(
        Connection.objects.filter(requester=requester, created_at__gte=since)
        .order_by("-created_at")
        .values_list("created_at", flat=True)[:limit]
    )
    if len(sent) >= limit:
        wait = max(1, math.ceil((sent[-1] + DAY - timezone.now()).total_seconds()))
        hours = math.ceil(wait / 3600)
        when = "within the hour" if hours <= 1 else f"in about {hours} hours"
        raise RegistrationError(
            "too_many_requests",
            f"You have sent {limit} connection requests in the last 24 hours, the most "
            f"anyone can. You can send more {when}.",
            retry_after=wait,
        )


def _locked(connection: Connection) -> Connection:
    return Connection.objects.select_for_update().get(pk=connection.pk)


def _accept_locked(connection: Connection, *, by: User) -> Connection:
    connection.status = S.ACCEPTED
    connection.responded_at = timezone.now()
    connection.save(update_fields=["status", "responded_at"])
    notifications_mark_read(
        user=by,
        ids=list(
            Notification.objects.filter(connection=connection, user=by).values_list("pk", flat=True)
        ),
    )
    requester = connection.requester
    url = reverse("networking:person", args=[by.pk])
    notify(
        user=requester,
        kind=Notification.Kind.CONNECTION_ACCEPTED,
        text=f"{_name(by)} accepted your request: you are now connected.",
        url=url,
        connection=connection,
    )
    email_if_allowed(
        user=requester,
        preference="email_on_accept",
        template="networking_accepted",
        context={"connection": connection, "accepter_name": _name(by), "url": url},
    )
    return connection


@transaction.atomic
def connection_accept(*, connection: Connection, by: User) -> Connection:
    connection = _locked(connection)
    if connection.addressee_id != by.pk:
        raise RegistrationError("forbidden", "Only the person asked can accept this request.")
    if connection.status != S.PENDING:
        raise RegistrationError("not_pending", "This request is no longer waiting for an answer.")
    if blocked_between(connection.requester_id, connection.addressee_id):
        raise RegistrationError("blocked", "You can’t connect with this person.")
    return _accept_locked(connection, by=by)


@transaction.atomic
def connection_decline(*, connection: Connection, by: User) -> Connection:
    """The requester is not told; the request simply stops waiting."""
    connection = _locked(connection)
    if connection.addressee_id != by.pk:
        raise RegistrationError("forbidden", "Only the person asked can decline this request.")
    if connection.status != S.PENDING:
        raise RegistrationError("not_pending", "This request is no longer waiting for an answer.")
    connection.status = S.DECLINED
    connection.responded_at = timezone.now()
    connection.save(update_fields=["status", "responded_at"])
    notifications_mark_read(
        user=by,
        ids=list(
            Notification.objects.filter(connection=connection, user=by).values_list("pk", flat=True)
        ),
    )
    return connection


@transaction.atomic
def connection_withdraw(*, connection: Connection, by: User) -> Connection:
    connection = _locked(connection)
    if connection.requester_id != by.pk:
        raise RegistrationError("forbidden", "Only the person who asked can withdraw a request.")
    if connection.status != S.PENDING:
        raise RegistrationError("not_pending", "This request is no longer waiting for an answer.")
    connection.status = S.WITHDRAWN
    connection.responded_at = timezone.now()
    connection.save(update_fields=["status", "responded_at"])
    forget_connection_notifications(connection=connection, user=connection.addressee)
    return connection


@transaction.atomic
def connection_remove(*, connection: Connection, by: User) -> Connection:
    """Either side ends a connection; the other is not told. Contact details stop
    being shared at once."""
    connection = _locked(connection)
    if by.pk not in (connection.requester_id, connection.addressee_id):
        raise RegistrationError("forbidden", "This is not one of your connections.")
    if connection.status != S.ACCEPTED:
        raise RegistrationError("not_connected", "You are not connected with this person.")
    connection.status = S.REMOVED
    connection.save(update_fields=["status"])
    return connection
