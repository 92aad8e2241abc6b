"""Paying for a registration with Stripe Checkout, and Stripe's webhook."""

import logging

import stripe
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from events.errors import RegistrationError
from events.models import Registration
from events.services.payments import checkout_start, stripe_client, stripe_event_process

log = logging.getLogger(__name__)


def start_checkout(request: HttpRequest, registration: Registration) -> HttpResponse:
    """Send the attendee to Stripe's payment page (303: the browser follows with GET)."""
    try:
        payment = checkout_start(registration=registration, by=request.user)
    except RegistrationError as error:
        messages.error(request, error.message)
        return redirect("events:my_registrations")
    except stripe.StripeError:
        log.exception("Stripe checkout for %s failed", registration.code)
        messages.error(
            request,
            "The payment service could not be reached. Your place is still held: "
            "try “Pay now” again in a minute.",
        )
        return redirect("events:my_registrations")
    return HttpResponseRedirect(payment.checkout_url, status=303)


def _own(request: HttpRequest, code: str) -> Registration:
    registration = (
        Registration.objects.select_related("event", "ticket_type")
        .filter(code=code, user=request.user)
        .first()
    )
    if registration is None:
        raise Http404("No such registration.")
    return registration


@login_required
@require_POST
def pay(request: HttpRequest, code: str) -> HttpResponse:
    return start_checkout(request, _own(request, code))


@login_required
def payment_return(request: HttpRequest, code: str) -> HttpResponse:
    """Where Stripe sends the attendee back. The webhook, not this page, confirms
    the payment, so the page may have to wait a few seconds for it."""
    registration = _own(request, code)
    return render(
        request,
        "events/payment_return.html",
        {
            "registration": registration,
            "event": registration.event,
            "paid": request.GET.get("paid") == "1",
            "cancelled": request.GET.get("cancelled") == "1",
        },
    )


def _error(status: int, code: str, detail: str) -> JsonResponse:
    return JsonResponse({"code": code, "detail": detail}, status=status)


@csrf_exempt
@require_POST
def stripe_webhook(request: HttpRequest) -> HttpResponse:
    """Stripe's events. 400 for a bad signature or payload (nothing changes), 200
    once processed (also for replays and types Convene ignores), 503 when it
    could not finish, so that Stripe retries."""
    if not settings.STRIPE_WEBHOOK_SECRET:
        return _error(503, "not_configured", "STRIPE_WEBHOOK_SECRET is not set.")
    signature = request.headers.get("Stripe-Signature")
    if not signature:
        return _error(400, "missing_signature", "The Stripe-Signature header is missing.")
    try:
        event = stripe_client().construct_event(
            request.body, signature, settings.STRIPE_WEBHOOK_SECRET
        )
    except stripe.SignatureVerificationError:
        return _error(400, "bad_signature", "The signature does not match this payload.")
    except ValueError:
        return _error(400, "bad_payload", "The body is not a Stripe event.")
    try:
        outcome = stripe_event_process(event)
    except Exception:  # a transient failure: Stripe retries with backoff
        log.exception("Stripe event %s (%s) failed", event.id, event.type)
        return _error(503, "retry", "The event could not be processed; it will be retried.")
    return JsonResponse({"received": True, "outcome": outcome})
