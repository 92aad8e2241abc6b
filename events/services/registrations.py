"""Registering for an event with a ticket, confirming and cancelling."""

from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format

from accounts.models import User
from events.errors import RegistrationError
from events.models import Event, Registration, SessionSignup, TicketType
from events.permissions import can_manage_event
from events.services.notify import email_after_commit
from events.services.signups import cancel_signups_locked, lock_sessions


def _local(event: Event, moment: datetime) -> str:
    return date_format(timezone.localtime(moment, event.tzinfo), "M j, Y, g:i A T")


def _check_on_sale(ticket_type: TicketType, now: datetime) -> None:
    event = ticket_type.event
    if event.status != Event.Status.PUBLISHED:
        raise RegistrationError("event_closed", "This event is not open for registration.")
    if now >= event.ends_at:
        raise RegistrationError("event_over", "This event is over.")
    if not ticket_type.is_active:
        raise RegistrationError("ticket_unavailable", "This ticket type is not available.")
    if ticket_type.sales_start and now < ticket_type.sales_start:
        raise RegistrationError(
            "sales_not_started",
            f"Registration for {ticket_type.name} opens {_local(event, ticket_type.sales_start)}.",
        )
    if ticket_type.sales_end and now >= ticket_type.sales_end:
        raise RegistrationError(
            "sales_closed",
            f"Registration for {ticket_type.name} closed {_local(event, ticket_type.sales_end)}.",
        )


@transaction.atomic
def registration_create(
    *, user: User, ticket_type: TicketType, now: datetime | None = None
) -> Registration:
    """Take a place at the event. Free tickets confirm at once; paid ones wait for payment.

    The ticket type row holds the capacity, so it is locked for the whole
    transaction: two buyers of the last ticket are served one after the other.
    """
    now = now or timezone.now()
    ticket_type = (
        TicketType.objects.select_for_update(of=("self",))
        .select_related("event__organization")
        .get(pk=ticket_type.pk)
    )
    event = ticket_type.event
    _check_on_sale(ticket_type, now)
    if Registration.objects.filter(event=event, user=user, status__in=Registration.ACTIVE).exists():
        raise RegistrationError("already_registered", "You are already registered for this event.")
    if ticket_type.capacity is not None:
        taken = ticket_type.registrations.filter(status__in=Registration.ACTIVE).count()
        if taken >= ticket_type.capacity:
            raise RegistrationError("sold_out", f"{ticket_type.name} tickets are sold out.")

    status = (
        Registration.Status.CONFIRMED
        if ticket_type.is_free
        else Registration.Status.AWAITING_PAYMENT
    )
    try:
        with transaction.atomic():
            registration = Registration.objects.create(
                event=event,
                user=user,
                ticket_type=ticket_type,
                status=status,
                amount_due=ticket_type.price,
                confirmed_at=now if status == Registration.Status.CONFIRMED else None,
            )
    except IntegrityError as exc:  # a concurrent request by the same person won
        raise RegistrationError(
            "already_registered", "You are already registered for this event."
        ) from exc

    email_after_commit(
        to=user.email,
        template=(
            "registration_confirmed"
            if status == Registration.Status.CONFIRMED
            else "registration_awaiting_payment"
        ),
        context={"registration": registration, "event": event, "user": user},
    )
    return registration


@transaction.atomic
def registration_confirm(*, registration: Registration, by: User | None = None) -> Registration:
    """Mark an awaiting-payment registration paid. The payments issue calls this from
    the Stripe webhook (by=None); organizers call it for "pay later" tickets."""
    registration = (
        Registration.objects.select_for_update()
        .select_related("event__organization", "user")
        .get(pk=registration.pk)
    )
    if by is not None and not can_manage_event(by, registration.event):
        raise RegistrationError("forbidden", "Only the event's organizers can mark it paid.")
    if registration.status == Registration.Status.CONFIRMED:
        return registration
    if registration.status != Registration.Status.AWAITING_PAYMENT:
        raise RegistrationError(
            "not_awaiting_payment", "This registration is not awaiting payment."
        )
    registration.status = Registration.Status.CONFIRMED
    registration.confirmed_at = timezone.now()
    registration.save(update_fields=["status", "confirmed_at"])
    email_after_commit(
        to=registration.user.email,
        template="registration_confirmed",
        context={
            "registration": registration,
            "event": registration.event,
            "user": registration.user,
        },
    )
    return registration


@transaction.atomic
def registration_cancel(*, registration: Registration, by: User) -> Registration:
    """Give up a place at the event and every session seat under it; waitlists move up."""
    registration = (
        Registration.objects.select_for_update()
        .select_related("event__organization", "user")
        .get(pk=registration.pk)
    )
    is_owner = registration.user_id == by.pk
    if not is_owner and not can_manage_event(by, registration.event):
        raise RegistrationError("forbidden", "You cannot cancel this registration.")
    if not registration.is_active:
        raise RegistrationError("already_cancelled", "This registration is already cancelled.")

    registration.status = Registration.Status.CANCELLED
    registration.cancelled_at = timezone.now()
    registration.save(update_fields=["status", "cancelled_at"])

    # Lock order everywhere: registration, then sessions by id (no deadlocks).
    session_ids = registration.signups.filter(status__in=SessionSignup.ACTIVE).values_list(
        "session_id", flat=True
    )
    sessions = lock_sessions(list(session_ids))
    cancel_signups_locked(registration=registration, sessions=sessions)

    email_after_commit(
        to=registration.user.email,
        template="registration_cancelled",
        context={
            "registration": registration,
            "event": registration.event,
            "user": registration.user,
            "by_organizer": not is_owner,
        },
    )
    return registration
