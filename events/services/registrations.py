"""Registering for an event with a ticket, confirming and cancelling."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format

from accounts.models import User
from events.errors import RegistrationError
from events.models import DiscountCode, Event, Registration, SessionSignup, TicketType
from events.permissions import can_manage_event
from events.services.notify import email_after_commit, registration_ics
from events.services.signups import cancel_signups_locked, lock_sessions

HOLD_EXPIRED = "The seat hold ran out before the payment arrived."


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


def _discount_locked(ticket_type: TicketType, code: str, now: datetime) -> DiscountCode:
    """The discount code, locked so that its usage limit holds under concurrency."""
    discount = (
        DiscountCode.objects.select_for_update()
        .filter(event_id=ticket_type.event_id, code__iexact=code.strip(), is_active=True)
        .first()
    )
    if discount is None:
        raise RegistrationError("invalid_code", f"“{code.strip()}” is not a valid code.")
    if discount.valid_from and now < discount.valid_from:
        raise RegistrationError("code_not_started", "This code is not valid yet.")
    if discount.valid_until and now >= discount.valid_until:
        raise RegistrationError("code_expired", "This code has expired.")
    allowed = list(discount.ticket_types.values_list("pk", flat=True))
    if allowed and ticket_type.pk not in allowed:
        raise RegistrationError(
            "code_not_for_ticket", f"This code does not apply to {ticket_type.name} tickets."
        )
    if discount.max_uses is not None:
        used = discount.registrations.filter(status__in=Registration.ACTIVE).count()
        if used >= discount.max_uses:
            raise RegistrationError("code_used_up", "This code has been used up.")
    return discount


def _release_expired_holds(*, ticket_type: TicketType, user: User, now: datetime) -> None:
    """Seats held for a Stripe payment that never came go back on sale (and a person
    whose own hold ran out may register again). Runs under the ticket type's lock."""
    expired = (
        Registration.objects.select_for_update(of=("self",))
        .filter(
            Q(ticket_type=ticket_type) | Q(event_id=ticket_type.event_id, user=user),
            status=Registration.Status.AWAITING_PAYMENT,
            hold_expires_at__lt=now,
        )
        .select_related("event__organization", "user")
        .order_by("pk")
    )
    for registration in expired:
        cancel_locked(registration, reason=HOLD_EXPIRED, template="registration_hold_expired")


@transaction.atomic
def registration_create(
    *,
    user: User,
    ticket_type: TicketType,
    discount_code: str = "",
    now: datetime | None = None,
) -> Registration:
    """Take a place at the event. Free tickets (or a code that makes one free)
    confirm at once; paid ones wait for payment: with Stripe configured the seat is
    held for the event's hold time while the attendee pays; without it the
    registration waits for an organizer to mark it paid ("pay later").

    The ticket type row holds the capacity, so it is locked for the whole
    transaction: two buyers of the last ticket are served one after the other.
    Lock order everywhere: ticket type, registration, sessions (the discount code
    is locked only here).
    """
    now = now or timezone.now()
    ticket_type = (
        TicketType.objects.select_for_update(of=("self",))
        .select_related("event__organization")
        .get(pk=ticket_type.pk)
    )
    event = ticket_type.event
    _check_on_sale(ticket_type, now)
    _release_expired_holds(ticket_type=ticket_type, user=user, now=now)
    if Registration.objects.filter(event=event, user=user, status__in=Registration.ACTIVE).exists():
        raise RegistrationError("already_registered", "You are already registered for this event.")
    if ticket_type.capacity is not None:
        taken = ticket_type.registrations.filter(status__in=Registration.ACTIVE).count()
        if taken >= ticket_type.capacity:
            raise RegistrationError("sold_out", f"{ticket_type.name} tickets are sold out.")
    discount = _discount_locked(ticket_type, discount_code, now) if discount_code.strip() else None
    price = discount.price_for(ticket_type.price) if discount else ticket_type.price

    status = Registration.Status.CONFIRMED if price == 0 else Registration.Status.AWAITING_PAYMENT
    hold = None
    if status == Registration.Status.AWAITING_PAYMENT and settings.STRIPE_SECRET_KEY:
        hold = now + timedelta(minutes=event.payment_hold_minutes)
    try:
        with transaction.atomic():
            registration = Registration.objects.create(
                event=event,
                user=user,
                ticket_type=ticket_type,
                status=status,
                amount_due=price,
                discount=discount,
                hold_expires_at=hold,
                confirmed_at=now if status == Registration.Status.CONFIRMED else None,
            )
    except IntegrityError as exc:  # a concurrent request by the same person won
        raise RegistrationError(
            "already_registered", "You are already registered for this event."
        ) from exc

    confirmed = status == Registration.Status.CONFIRMED
    # Awaiting payment is told in both modes: until when the seat is held and a link
    # to finish paying (Stripe), or how paying later works (no Stripe).
    email_after_commit(
        to=user.email,
        template="registration_confirmed" if confirmed else "registration_awaiting_payment",
        context={"registration": registration, "event": event, "user": user},
        attachments=[registration_ics(registration)] if confirmed else (),
    )
    return registration


@transaction.atomic
def registration_confirm(
    *, registration: Registration, by: User | None = None, template: str = "registration_confirmed"
) -> Registration:
    """Mark an awaiting-payment registration paid. The Stripe webhook calls this
    (by=None); organizers call it for "pay later" tickets."""
    registration = (
        Registration.objects.select_for_update(of=("self",))
        .select_related("event__organization", "user", "ticket_type")
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
    registration.hold_expires_at = None
    registration.save(update_fields=["status", "confirmed_at", "hold_expires_at"])
    email_after_commit(
        to=registration.user.email,
        template=template,
        context={
            "registration": registration,
            "event": registration.event,
            "user": registration.user,
        },
        attachments=[registration_ics(registration)],
    )
    return registration


def cancel_locked(
    registration: Registration, *, reason: str, template: str | None, by_organizer: bool = False
) -> Registration:
    """Cancel a registration whose row the caller has locked: seats in sessions go
    back (waitlists move up), scans and records stay."""
    registration.status = Registration.Status.CANCELLED
    registration.cancelled_at = timezone.now()
    registration.cancel_reason = reason[:200]
    registration.hold_expires_at = None
    registration.save(update_fields=["status", "cancelled_at", "cancel_reason", "hold_expires_at"])
    # Lock order everywhere: registration, then sessions by id (no deadlocks).
    session_ids = registration.signups.filter(status__in=SessionSignup.ACTIVE).values_list(
        "session_id", flat=True
    )
    sessions = lock_sessions(list(session_ids))
    cancel_signups_locked(registration=registration, sessions=sessions)
    if template:
        email_after_commit(
            to=registration.user.email,
            template=template,
            context={
                "registration": registration,
                "event": registration.event,
                "user": registration.user,
                "by_organizer": by_organizer,
                "reason": reason,
            },
        )
    return registration


@transaction.atomic
def registration_cancel(*, registration: Registration, by: User) -> Registration:
    """Give up a place at the event and every session seat under it; waitlists move up.

    An attendee who paid through Stripe and cancels before the event's refund
    deadline is refunded in full; after it, nothing (the event page says so).
    """
    registration = (
        Registration.objects.select_for_update(of=("self",))
        .select_related("event__organization", "user")
        .get(pk=registration.pk)
    )
    is_owner = registration.user_id == by.pk
    if not is_owner and not can_manage_event(by, registration.event):
        raise RegistrationError("forbidden", "You cannot cancel this registration.")
    if not registration.is_active:
        raise RegistrationError("already_cancelled", "This registration is already cancelled.")

    cancel_locked(
        registration,
        reason="Cancelled by an organizer." if not is_owner else "Cancelled by the attendee.",
        template="registration_cancelled",
        by_organizer=not is_owner,
    )
    if is_owner and refund_due_on_cancel(registration.event):
        from events.services.payments import refund_registration

        refund_registration(
            registration=registration, by=None, reason="Cancelled before the refund deadline."
        )
    return registration


def refund_due_on_cancel(event: Event, now: datetime | None = None) -> bool:
    """The event's published policy: a full refund until the deadline, none after."""
    now = now or timezone.now()
    return event.refund_deadline is not None and now < event.refund_deadline
