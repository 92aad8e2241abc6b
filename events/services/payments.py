"""Paid registration through Stripe Checkout, its webhook, and refunds (issue 3).

Only the `stripe` SDK talks to Stripe. The flow:
1. `registration_create` holds the seat ("awaiting payment", `hold_expires_at`).
2. `checkout_start` opens a Checkout Session for it (one Payment row per session,
   mapping Stripe's ids to the registration).
3. Stripe calls the webhook: `stripe_event_process` stores the event id under a
   unique constraint in the same transaction as its effects, so a replay changes
   nothing (DESIGN.md invariant 2), and dispatches by type.
   - completed: the registration is confirmed; if the hold had run out and the
     seat was sold meanwhile, the payment is refunded at once and the attendee
     told why; if a seat is still free they keep it.
   - expired: the seat goes back (unless the registration is already paid: an
     `expired` delivered after `completed` changes nothing).
   - charge.refunded and disputes are recorded.
Lock order: ticket type, registration, payment, sessions (as in registrations.py).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import stripe
from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from events.errors import RegistrationError
from events.models import Dispute, Payment, Refund, Registration, StripeEvent, TicketType
from events.permissions import can_manage_event
from events.services.notify import email_after_commit
from events.services.registrations import HOLD_EXPIRED, cancel_locked, registration_confirm

# Tests put a fake here: the SDK's own HTTP-client boundary, so the real SDK code
# (request building, retries, response parsing) runs without a network.
HTTP_CLIENT: stripe.HTTPClient | None = None
STRIPE_MIN_CHECKOUT = timedelta(minutes=31)  # Stripe refuses expiries under 30 minutes


class RetryLater(Exception):
    """A race the webhook resolves by answering 503: Stripe sends the event again."""


def stripe_enabled() -> bool:
    return bool(settings.STRIPE_SECRET_KEY)


def stripe_client() -> stripe.StripeClient:
    return stripe.StripeClient(
        settings.STRIPE_SECRET_KEY, http_client=HTTP_CLIENT, max_network_retries=2
    )


def cents(amount: Decimal) -> int:
    return int((amount * 100).quantize(Decimal("1")))


def from_cents(value: int | None) -> Decimal:
    return (Decimal(value or 0) / 100).quantize(Decimal("0.01"))


# ---------- checkout ----------


@transaction.atomic
def checkout_start(*, registration: Registration, by: User) -> Payment:
    """A Stripe Checkout Session for an awaiting-payment registration (or the one
    already open). Raises RegistrationError when there is nothing to pay."""
    registration = (
        Registration.objects.select_for_update(of=("self",))
        .select_related("event", "ticket_type", "user")
        .get(pk=registration.pk)
    )
    if registration.user_id != by.pk:
        raise RegistrationError("forbidden", "You can only pay for your own registration.")
    if not stripe_enabled():
        raise RegistrationError(
            "pay_later", "Online payment is not available: the organizers will mark it paid."
        )
    if registration.status != Registration.Status.AWAITING_PAYMENT:
        raise RegistrationError("not_awaiting_payment", "This registration has nothing to pay.")
    now = timezone.now()
    if registration.hold_expires_at and registration.hold_expires_at <= now:
        raise RegistrationError(
            "hold_expired", "Your seat hold ran out. Register again if seats are left."
        )
    open_payment = (
        registration.payments.filter(status=Payment.Status.PENDING, expires_at__gt=now)
        .order_by("-created_at")
        .first()
    )
    if open_payment is not None and open_payment.checkout_url:
        return open_payment

    event = registration.event
    expires = max(registration.hold_expires_at or now, now + STRIPE_MIN_CHECKOUT)
    attempt = registration.payments.count() + 1
    page = settings.SITE_URL + reverse("events:payment_return", args=[registration.code])
    session = stripe_client().v1.checkout.sessions.create(
        params={
            "mode": "payment",
            "line_items": [
                {
                    "quantity": 1,
                    "price_data": {
                        "currency": registration.ticket_type.currency.lower(),
                        "unit_amount": cents(registration.amount_due),
                        "product_data": {
                            "name": f"{event.title}: {registration.ticket_type.name}"[:250]
                        },
                    },
                }
            ],
            "customer_email": registration.user.email,
            "client_reference_id": registration.code,
            "metadata": {"registration": registration.code},
            "payment_intent_data": {"metadata": {"registration": registration.code}},
            "expires_at": int(expires.timestamp()),
            "success_url": page + "?paid=1",
            "cancel_url": page + "?cancelled=1",
        },
        options={"idempotency_key": f"checkout-{registration.code}-{attempt}"},
    )
    return Payment.objects.create(
        registration=registration,
        amount=registration.amount_due,
        currency=registration.ticket_type.currency,
        stripe_checkout_session_id=session.id,
        checkout_url=session.url or "",
        expires_at=datetime.fromtimestamp(session.expires_at, UTC) if session.expires_at else None,
    )


def expire_payment_holds(*, now: datetime | None = None) -> int:
    """Release every seat whose Stripe hold ran out (`manage.py expire_payment_holds`,
    run every few minutes; registration also releases holds of its ticket type)."""
    now = now or timezone.now()
    count = 0
    ids = Registration.objects.filter(
        status=Registration.Status.AWAITING_PAYMENT, hold_expires_at__lt=now
    ).values_list("pk", flat=True)
    for pk in ids:
        with transaction.atomic():
            registration = (
                Registration.objects.select_for_update(of=("self",))
                .select_related("event", "user")
                .filter(pk=pk, status=Registration.Status.AWAITING_PAYMENT, hold_expires_at__lt=now)
                .first()
            )
            if registration is not None:
                cancel_locked(
                    registration, reason=HOLD_EXPIRED, template="registration_hold_expired"
                )
                count += 1
    return count


# ---------- webhook ----------


def stripe_event_process(event: stripe.Event) -> str:
    """Apply one verified Stripe event exactly once; returns what was done.
    Raises on a transient failure, so the view answers 5xx and Stripe retries
    (the event id is stored in the same transaction, so nothing half-applied stays)."""
    with transaction.atomic():
        try:
            with transaction.atomic():
                record = StripeEvent.objects.create(
                    event_id=event.id,
                    type=event.type,
                    created=datetime.fromtimestamp(event.created, UTC),
                )
        except IntegrityError:
            return "duplicate: already processed"
        handler = HANDLERS.get(event.type)
        outcome = handler(event.data.object) if handler else "ignored: not a type Convene uses"
        record.outcome = outcome[:200]
        record.save(update_fields=["outcome"])
        return outcome


def _payment_for(checkout_session) -> Payment | None:
    return (
        Payment.objects.select_related("registration")
        .filter(stripe_checkout_session_id=checkout_session.id)
        .first()
    )


def _checkout_paid(checkout_session) -> str:
    if getattr(checkout_session, "payment_status", None) != "paid":
        return "waiting: payment not settled yet"
    payment = _payment_for(checkout_session)
    if payment is None:
        return "ignored: unknown checkout session"
    # Lock order: ticket type, registration, payment. The ticket type (the capacity)
    # is locked only when a seat may have to be found again: every other payment of
    # the event would wait on that one row.
    cancelled = payment.registration.status == Registration.Status.CANCELLED
    ticket_type = None
    if cancelled:
        ticket_type = TicketType.objects.select_for_update().get(
            pk=payment.registration.ticket_type_id
        )
    registration = (
        Registration.objects.select_for_update(of=("self",))
        .select_related("event", "user", "ticket_type")
        .get(pk=payment.registration_id)
    )
    if registration.status == Registration.Status.CANCELLED and not cancelled:
        # Its hold ran out between the read and the lock: start again in lock order.
        raise RetryLater("registration cancelled meanwhile")
    payment = Payment.objects.select_for_update().get(pk=payment.pk)
    if payment.status != Payment.Status.PENDING and payment.status != Payment.Status.EXPIRED:
        return f"ignored: payment already {payment.status}"
    payment.status = Payment.Status.PAID
    payment.paid_at = timezone.now()
    payment.stripe_payment_intent_id = checkout_session.payment_intent or None
    payment.amount = from_cents(checkout_session.amount_total) or payment.amount
    payment.save(update_fields=["status", "paid_at", "stripe_payment_intent_id", "amount"])

    if registration.status == Registration.Status.AWAITING_PAYMENT:
        registration_confirm(registration=registration, template="payment_received")
        return "confirmed"
    if registration.status == Registration.Status.CONFIRMED:
        _refund(payment, amount=None, by=None, reason="Paid twice: this registration was paid.")
        return "refunded: registration was already paid"
    # Cancelled before the money came: the hold ran out, or someone cancelled it.
    if registration.cancel_reason != HOLD_EXPIRED:
        _refund(payment, amount=None, by=None, reason="The registration was cancelled.")
        _email_refund(registration, payment, "payment_refunded")
        return "refunded: registration was cancelled"
    if _seat_free(ticket_type, registration):
        registration.status = Registration.Status.AWAITING_PAYMENT
        registration.cancelled_at = None
        registration.cancel_reason = ""
        registration.save(update_fields=["status", "cancelled_at", "cancel_reason"])
        registration_confirm(registration=registration, template="payment_received")
        return "confirmed: late payment, a seat was still free"
    _refund(
        payment,
        amount=None,
        by=None,
        reason="Payment arrived after the seat hold ran out and the ticket sold out.",
    )
    _email_refund(registration, payment, "payment_refunded_seat_gone")
    return "refunded: late payment, seat gone"


def _email_refund(registration: Registration, payment: Payment, template: str) -> None:
    email_after_commit(
        to=registration.user.email,
        template=template,
        context={
            "registration": registration,
            "event": registration.event,
            "amount": payment.amount,
            "reason": "",
        },
    )


def _seat_free(ticket_type: TicketType, registration: Registration) -> bool:
    """Under the ticket type's lock: may this cancelled registration come back?"""
    if Registration.objects.filter(
        event_id=registration.event_id,
        user_id=registration.user_id,
        status__in=Registration.ACTIVE,
    ).exists():
        return False  # they registered again meanwhile
    if ticket_type.capacity is None:
        return True
    taken = ticket_type.registrations.filter(status__in=Registration.ACTIVE).count()
    return taken < ticket_type.capacity


def _checkout_expired(checkout_session) -> str:
    payment = _payment_for(checkout_session)
    if payment is None:
        return "ignored: unknown checkout session"
    registration = (
        Registration.objects.select_for_update(of=("self",))
        .select_related("event", "user")
        .get(pk=payment.registration_id)
    )
    payment = Payment.objects.select_for_update().get(pk=payment.pk)
    if payment.status != Payment.Status.PENDING:
        return f"ignored: payment already {payment.status}"  # e.g. expired after completed
    payment.status = Payment.Status.EXPIRED
    payment.save(update_fields=["status"])
    if registration.status != Registration.Status.AWAITING_PAYMENT:
        return "expired: registration not waiting"
    if registration.payments.filter(status=Payment.Status.PENDING).exists():
        return "expired: another checkout is open"
    cancel_locked(registration, reason=HOLD_EXPIRED, template="registration_hold_expired")
    return "expired: seat released"


def _charge_refunded(charge) -> str:
    payment = (
        Payment.objects.select_for_update()
        .filter(stripe_payment_intent_id=charge.payment_intent)
        .first()
    )
    if payment is None:
        return "ignored: unknown payment"
    refunded = from_cents(charge.amount_refunded)
    if refunded > payment.amount_refunded:
        payment.amount_refunded = refunded
    payment.status = (
        Payment.Status.REFUNDED
        if payment.amount_refunded >= payment.amount
        else Payment.Status.PARTIALLY_REFUNDED
    )
    payment.save(update_fields=["amount_refunded", "status"])
    refunds = getattr(charge, "refunds", None)
    for item in getattr(refunds, "data", None) or []:
        Refund.objects.update_or_create(
            stripe_refund_id=item.id,
            defaults={"payment": payment, "amount": from_cents(item.amount), "status": item.status},
        )
    return f"refund recorded: {payment.amount_refunded} of {payment.amount}"


def _dispute(dispute) -> str:
    payment = (
        Payment.objects.select_for_update()
        .filter(stripe_payment_intent_id=dispute.payment_intent)
        .first()
    )
    if payment is None:
        return "ignored: unknown payment"
    Dispute.objects.update_or_create(
        stripe_dispute_id=dispute.id,
        defaults={
            "payment": payment,
            "amount": from_cents(dispute.amount),
            "status": dispute.status,
            "reason": getattr(dispute, "reason", "") or "",
        },
    )
    if not payment.disputed:
        payment.disputed = True
        payment.save(update_fields=["disputed"])
    return f"dispute recorded: {dispute.status}"


HANDLERS = {
    "checkout.session.completed": _checkout_paid,
    "checkout.session.async_payment_succeeded": _checkout_paid,
    "checkout.session.expired": _checkout_expired,
    "checkout.session.async_payment_failed": _checkout_expired,
    "charge.refunded": _charge_refunded,
    "charge.dispute.created": _dispute,
    "charge.dispute.updated": _dispute,
    "charge.dispute.closed": _dispute,
}


# ---------- refunds ----------


def _create_refund(payment: Payment, amount: Decimal):
    return stripe_client().v1.refunds.create(
        params={
            "payment_intent": payment.stripe_payment_intent_id,
            "amount": cents(amount),
            "metadata": {"registration": payment.registration.code},
        },
        # The same refund asked twice (a retried request) is made once by Stripe.
        options={"idempotency_key": f"refund-{payment.pk}-{cents(payment.amount_refunded)}"},
    )


def _refund(payment: Payment, *, amount: Decimal | None, by: User | None, reason: str) -> Refund:
    """Refund through Stripe's Refund API (caller holds the payment's lock)."""
    remaining = payment.amount - payment.amount_refunded
    amount = remaining if amount is None else amount
    if amount <= 0 or amount > remaining:
        raise RegistrationError("refund_amount", f"At most {remaining} can be refunded.")
    try:
        result = _create_refund(payment, amount)
    except stripe.StripeError as error:
        raise RegistrationError(
            "stripe_unavailable",
            "Stripe could not make the refund; nothing was refunded. Try again.",
        ) from error
    refund, created = Refund.objects.get_or_create(
        stripe_refund_id=result.id,
        defaults={
            "payment": payment,
            "amount": from_cents(result.amount),
            "status": result.status or "pending",
            "reason": reason[:300],
            "created_by": by,
        },
    )
    if created:  # Stripe's charge.refunded may have recorded it already
        payment.amount_refunded += refund.amount
    payment.status = (
        Payment.Status.REFUNDED
        if payment.amount_refunded >= payment.amount
        else Payment.Status.PARTIALLY_REFUNDED
    )
    payment.save(update_fields=["amount_refunded", "status"])
    return refund


@transaction.atomic
def refund_registration(
    *,
    registration: Registration,
    by: User | None,
    amount: Decimal | None = None,
    reason: str = "",
) -> list[Refund]:
    """Refund what was paid through Stripe for a registration (all of it by default).
    Organizers may refund any registration; by=None is the attendee-cancellation
    policy applied by registration_cancel."""
    registration = (
        Registration.objects.select_for_update(of=("self",))
        .select_related("event", "user")
        .get(pk=registration.pk)
    )
    if by is not None and not can_manage_event(by, registration.event):
        raise RegistrationError("forbidden", "Only the event's organizers can refund.")
    payments = list(
        registration.payments.select_for_update()
        .filter(status__in=[Payment.Status.PAID, Payment.Status.PARTIALLY_REFUNDED])
        .order_by("created_at")
    )
    if not payments:
        if by is None:
            return []
        raise RegistrationError(
            "nothing_to_refund",
            "Nothing was paid through Stripe for this registration (a payment marked by "
            "hand is refunded outside Convene).",
        )
    refunds = []
    left = amount
    for payment in payments:
        remaining = payment.amount - payment.amount_refunded
        portion = remaining if left is None else min(left, remaining)
        if portion <= 0:
            continue
        refunds.append(_refund(payment, amount=portion, by=by, reason=reason or "Refund"))
        if left is not None:
            left -= portion
            if left <= 0:
                break
    if left is not None and left > 0:
        raise RegistrationError("refund_amount", "That is more than was paid.")
    total = sum((r.amount for r in refunds), Decimal("0"))
    email_after_commit(
        to=registration.user.email,
        template="payment_refunded",
        context={
            "registration": registration,
            "event": registration.event,
            "amount": total,
            "reason": reason,
        },
    )
    return refunds
