"""Reads shared by pages and the API, each written to a fixed number of queries."""

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.core.paginator import Page, Paginator
from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum
from django.utils import timezone

from accounts.models import User
from events.models import Event, Payment, Registration, Session, SessionSignup, TicketType

CONFIRMED = SessionSignup.Status.CONFIRMED
WAITLISTED = SessionSignup.Status.WAITLISTED


def public_events() -> QuerySet[Event]:
    return Event.objects.exclude(status=Event.Status.DRAFT).select_related("organization")


def event_list_page(*, page: str | int | None, upcoming: bool = True, per_page: int = 12) -> Page:
    now = timezone.now()
    events = public_events()
    events = (
        events.filter(ends_at__gte=now).order_by("starts_at")
        if upcoming
        else events.filter(ends_at__lt=now).order_by("-starts_at")
    )
    return Paginator(events, per_page).get_page(page)


def sessions_with_seats(event: Event) -> QuerySet[Session]:
    """The event's sessions with seats taken and waitlist length, presenters prefetched."""
    return (
        event.sessions.select_related("track", "room")
        .prefetch_related("presenters")
        .annotate(
            seats_taken=Count("signups", filter=Q(signups__status=CONFIRMED)),
            waitlist_length=Count("signups", filter=Q(signups__status=WAITLISTED)),
        )
        .order_by("starts_at", "track__position", "title")
    )


def seats_left(session: Session) -> int | None:
    """None means unlimited. Needs the `seats_taken` annotation."""
    if session.capacity is None:
        return None
    return max(session.capacity - session.seats_taken, 0)


@dataclass
class TimeSlot:
    starts_at: datetime
    sessions: list[Session] = field(default_factory=list)


@dataclass
class ScheduleDay:
    day: date
    slots: list[TimeSlot] = field(default_factory=list)


def event_schedule(event: Event) -> list[ScheduleDay]:
    """Sessions by local day, then by start time; parallel sessions in track order."""
    tz = event.tzinfo
    days: dict[date, ScheduleDay] = {}
    for session in sessions_with_seats(event):  # ordered by start, then track position
        session.seats_left = seats_left(session)
        schedule_day = days.setdefault(
            timezone.localtime(session.starts_at, tz).date(),
            ScheduleDay(day=timezone.localtime(session.starts_at, tz).date()),
        )
        if not schedule_day.slots or schedule_day.slots[-1].starts_at != session.starts_at:
            schedule_day.slots.append(TimeSlot(starts_at=session.starts_at))
        schedule_day.slots[-1].sessions.append(session)
    return list(days.values())


def ticket_types_with_availability(event: Event) -> list[TicketType]:
    ticket_types = list(
        event.ticket_types.filter(is_active=True).annotate(
            taken=Count("registrations", filter=Q(registrations__status__in=Registration.ACTIVE))
        )
    )
    now = timezone.now()
    for ticket in ticket_types:
        ticket.left = None if ticket.capacity is None else max(ticket.capacity - ticket.taken, 0)
        ticket.is_on_sale = ticket.on_sale(now)
        ticket.not_yet_on_sale = bool(ticket.sales_start and now < ticket.sales_start)
    return ticket_types


def active_registration(*, user: User, event: Event) -> Registration | None:
    if not user.is_authenticated:
        return None
    return (
        Registration.objects.filter(user=user, event=event, status__in=Registration.ACTIVE)
        .select_related("ticket_type")
        .first()
    )


def signup_status_by_session(registration: Registration | None) -> dict[int, SessionSignup]:
    if registration is None:
        return {}
    return {
        signup.session_id: signup
        for signup in registration.signups.filter(status__in=SessionSignup.ACTIVE)
    }


def _waitlist_position() -> Subquery:
    """1-based place in the session's waitlist (first come, first served)."""
    ahead = (
        SessionSignup.objects.filter(session_id=OuterRef("session_id"), status=WAITLISTED)
        .filter(
            Q(created_at__lt=OuterRef("created_at"))
            | Q(created_at=OuterRef("created_at"), pk__lte=OuterRef("pk"))
        )
        .order_by()
        .values("session_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Subquery(ahead)


def user_registrations(user: User) -> list[Registration]:
    """'My registrations': every registration with its active session places."""
    active_signups = (
        SessionSignup.objects.filter(status__in=SessionSignup.ACTIVE)
        .select_related("session__room")
        .annotate(waitlist_position=_waitlist_position())
        .order_by("session__starts_at")
    )
    return list(
        Registration.objects.filter(user=user)
        .select_related("event__organization", "ticket_type")
        .prefetch_related(Prefetch("signups", queryset=active_signups, to_attr="active_signups"))
        .order_by("-event__starts_at", "-created_at")
    )


def dashboard(event: Event) -> dict:
    """Organizer figures: registrations per ticket type, seats and waitlists per session."""
    by_ticket = event.ticket_types.annotate(
        confirmed=Count("registrations", filter=Q(registrations__status="confirmed")),
        awaiting=Count("registrations", filter=Q(registrations__status="awaiting_payment")),
        cancelled=Count("registrations", filter=Q(registrations__status="cancelled")),
    ).order_by("position", "price")
    sessions = list(sessions_with_seats(event).exclude(kind__in=Session.NON_CREDIT_KINDS))
    for session in sessions:
        session.seats_left = seats_left(session)
    totals = event.registrations.aggregate(
        confirmed=Count("pk", filter=Q(status="confirmed")),
        awaiting=Count("pk", filter=Q(status="awaiting_payment")),
        cancelled=Count("pk", filter=Q(status="cancelled")),
    )
    ticket_types = list(by_ticket)
    revenue = _revenue_by_ticket(event)
    for ticket in ticket_types:
        ticket.paid_online, ticket.refunded, ticket.marked_paid = revenue.get(ticket.pk, (0, 0, 0))
        ticket.net = ticket.paid_online - ticket.refunded + ticket.marked_paid
    totals["net"] = sum((t.net for t in ticket_types), Decimal("0"))
    return {"ticket_types": ticket_types, "sessions": sessions, "totals": totals}


def _revenue_by_ticket(event: Event) -> dict[int, tuple[Decimal, Decimal, Decimal]]:
    """Ticket type -> (paid through Stripe, refunded, marked paid by hand). Two queries."""
    settled = [Payment.Status.PAID, Payment.Status.PARTIALLY_REFUNDED, Payment.Status.REFUNDED]
    zero = Decimal("0")
    online = {
        row["registration__ticket_type_id"]: (row["paid"] or zero, row["refunded"] or zero)
        for row in Payment.objects.filter(registration__event=event, status__in=settled)
        .values("registration__ticket_type_id")
        .annotate(paid=Sum("amount"), refunded=Sum("amount_refunded"))
    }
    by_hand = dict(
        event.registrations.filter(status=Registration.Status.CONFIRMED, amount_due__gt=0)
        .exclude(payments__status__in=settled)
        .values("ticket_type_id")
        .annotate(total=Sum("amount_due"))
        .values_list("ticket_type_id", "total")
    )
    return {
        pk: (*online.get(pk, (zero, zero)), by_hand.get(pk, zero))
        for pk in online.keys() | by_hand.keys()
    }
