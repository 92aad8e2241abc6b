"""Paid registration through Stripe: checkout, the webhook, holds, refunds.

Stripe is faked at the SDK's HTTP-client boundary (tests/events/stripe_fake.py);
webhook bodies are signed exactly as Stripe signs them.
"""

import json
from datetime import timedelta
from decimal import Decimal

import pytest
import stripe
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from events.models import Payment, Refund, Registration, StripeEvent
from events.services import payments as payment_service
from events.services import registration_cancel, registration_confirm, registration_create
from events.services.payments import checkout_start, expire_payment_holds, refund_registration
from tests.concurrency import race
from tests.conftest import requires_postgres
from tests.events.stripe_fake import (
    WEBHOOK_SECRET,
    FakeStripe,
    completed,
    expired,
    sign,
    stripe_event,
)
from tests.factories import make_event, make_org, make_ticket, make_user

pytestmark = pytest.mark.django_db
WEBHOOK = "/stripe/webhook/"


@pytest.fixture
def fake_stripe(settings, monkeypatch):
    settings.STRIPE_SECRET_KEY = "sk_test_convene"
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    fake = FakeStripe()
    monkeypatch.setattr(payment_service, "HTTP_CLIENT", fake)
    return fake


@pytest.fixture
def paid_ticket(event):
    return make_ticket(event, name="Full conference", price=Decimal("395.00"), capacity=2)


def post_event(client, event_type: str, obj: dict, event_id: str | None = None, secret=None):
    body = stripe_event(event_type, obj, event_id)
    return client.post(
        WEBHOOK,
        body,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=sign(body, secret or WEBHOOK_SECRET),
    )


def held(ticket, user=None) -> tuple[Registration, Payment]:
    user = user or make_user()
    registration = registration_create(user=user, ticket_type=ticket)
    return registration, checkout_start(registration=registration, by=user)


def pay(client, payment: Payment, event_id: str | None = None, pi: str = "pi_test_1"):
    obj = completed(
        payment.stripe_checkout_session_id,
        payment_intent=pi,
        amount=int(payment.amount * 100),
        code=payment.registration.code,
    )
    return post_event(client, "checkout.session.completed", obj, event_id)


def test_signed_payload_is_what_stripe_itself_accepts():
    body = stripe_event("checkout.session.completed", {"id": "cs_1", "object": "checkout.session"})
    event = stripe.Webhook.construct_event(body, sign(body), WEBHOOK_SECRET)
    assert event.type == "checkout.session.completed" and event.data.object.id == "cs_1"


def test_paid_ticket_holds_the_seat_and_opens_a_checkout(client, fake_stripe, paid_ticket):
    user = make_user()
    client.force_login(user)
    response = client.post(
        reverse("events:register", args=[paid_ticket.event.slug]),
        {"ticket_type": paid_ticket.pk},
    )
    registration = Registration.objects.get(user=user)
    assert registration.status == "awaiting_payment"
    hold = registration.hold_expires_at - registration.created_at
    assert timedelta(minutes=29) < hold <= timedelta(minutes=30)
    payment = registration.payments.get()
    assert response.status_code == 303 and response["Location"] == payment.checkout_url
    sent = fake_stripe.checkout_sessions()[0]
    assert sent["line_items[0][price_data][unit_amount]"] == "39500"
    assert sent["client_reference_id"] == registration.code
    assert sent["customer_email"] == user.email
    # A second "Pay now" reuses the open checkout instead of opening another.
    assert checkout_start(registration=registration, by=user) == payment
    assert len(fake_stripe.checkout_sessions()) == 1


def test_completed_confirms_once_and_replays_change_nothing(
    client, fake_stripe, paid_ticket, django_capture_on_commit_callbacks
):
    registration, payment = held(paid_ticket)
    event_id = "evt_test_replayed"
    with django_capture_on_commit_callbacks(execute=True):
        answers = [pay(client, payment, event_id) for _ in range(6)]  # the first + 5 replays
    assert [a.status_code for a in answers] == [200] * 6
    assert answers[0].json()["outcome"] == "confirmed"
    assert {a.json()["outcome"] for a in answers[1:]} == {"duplicate: already processed"}
    registration.refresh_from_db()
    payment.refresh_from_db()
    assert registration.status == "confirmed" and registration.hold_expires_at is None
    assert payment.status == "paid" and payment.stripe_payment_intent_id == "pi_test_1"
    assert StripeEvent.objects.filter(event_id=event_id).count() == 1
    assert [m.subject for m in mail.outbox] == [
        f"Payment received, you're registered: {paid_ticket.event.title}"
    ]


@pytest.mark.parametrize(
    "signature",
    ["", "t=1,v1=deadbeef", None],
    ids=["empty", "wrong", "missing"],
)
def test_bad_or_missing_signature_is_refused_and_changes_nothing(
    client, fake_stripe, paid_ticket, signature
):
    registration, payment = held(paid_ticket)
    body = stripe_event(
        "checkout.session.completed",
        completed(payment.stripe_checkout_session_id, payment_intent="pi_x", amount=39500,
                  code=registration.code),
    )  # fmt: skip
    headers = {} if signature is None else {"HTTP_STRIPE_SIGNATURE": signature}
    response = client.post(WEBHOOK, body, content_type="application/json", **headers)
    assert response.status_code == 400
    assert response.json()["code"] in {"missing_signature", "bad_signature"}
    # Signed with another secret: also refused.
    forged = post_event(
        client, "checkout.session.completed", completed(
            payment.stripe_checkout_session_id, payment_intent="pi_x", amount=39500,
            code=registration.code), secret="whsec_someone_else",
    )  # fmt: skip
    assert forged.status_code == 400
    registration.refresh_from_db()
    assert registration.status == "awaiting_payment"
    assert not StripeEvent.objects.exists()


def test_expired_after_completed_does_not_cancel_a_paid_registration(
    client, fake_stripe, paid_ticket
):
    registration, payment = held(paid_ticket)
    assert pay(client, payment).json()["outcome"] == "confirmed"
    late = post_event(
        client,
        "checkout.session.expired",
        expired(payment.stripe_checkout_session_id, registration.code),
    )
    assert late.status_code == 200
    registration.refresh_from_db()
    assert registration.status == "confirmed"


def test_expired_checkout_releases_the_seat(client, fake_stripe, paid_ticket):
    registration, payment = held(paid_ticket)
    response = post_event(
        client,
        "checkout.session.expired",
        expired(payment.stripe_checkout_session_id, registration.code),
    )
    assert response.json()["outcome"] == "expired: seat released"
    registration.refresh_from_db()
    assert registration.status == "cancelled"
    # The seat is back on sale: two more people can buy the two tickets.
    for _ in range(2):
        held(paid_ticket)


def test_hold_running_out_frees_the_seat_for_the_next_buyer(fake_stripe, paid_ticket):
    first, _ = held(paid_ticket)
    held(paid_ticket)  # the ticket type (capacity 2) is now fully held
    with pytest.raises(Exception, match="sold out"):
        registration_create(user=make_user(), ticket_type=paid_ticket)
    later = timezone.now() + timedelta(minutes=31)
    newcomer = registration_create(user=make_user(), ticket_type=paid_ticket, now=later)
    assert newcomer.status == "awaiting_payment"
    first.refresh_from_db()
    assert first.status == "cancelled"
    assert "ran out" in first.cancel_reason


def test_late_payment_keeps_the_seat_when_one_is_free(client, fake_stripe, paid_ticket):
    registration, payment = held(paid_ticket)
    Registration.objects.filter(pk=registration.pk).update(
        hold_expires_at=timezone.now() - timedelta(minutes=1)
    )
    assert expire_payment_holds() == 1
    assert pay(client, payment).json()["outcome"] == (
        "confirmed: late payment, a seat was still free"
    )
    registration.refresh_from_db()
    assert registration.status == "confirmed"
    assert not fake_stripe.refunds


def test_late_payment_with_the_seat_gone_is_refunded_and_explained(
    client, fake_stripe, paid_ticket, django_capture_on_commit_callbacks
):
    registration, payment = held(paid_ticket)
    later = timezone.now() + timedelta(minutes=31)
    # The hold runs out; two others take both tickets.
    for _ in range(2):
        registration_create(user=make_user(), ticket_type=paid_ticket, now=later)
    registration.refresh_from_db()
    assert registration.status == "cancelled"
    with django_capture_on_commit_callbacks(execute=True):
        response = pay(client, payment, pi="pi_test_late")
    assert response.json()["outcome"] == "refunded: late payment, seat gone"
    assert fake_stripe.refunds == [
        {"id": fake_stripe.refunds[0]["id"], "object": "refund", "amount": 39500,
         "payment_intent": "pi_test_late", "status": "succeeded"}
    ]  # fmt: skip
    payment.refresh_from_db()
    assert payment.status == "refunded" and payment.amount_refunded == Decimal("395.00")
    registration.refresh_from_db()
    assert registration.status == "cancelled"
    assert len(mail.outbox) == 1 and "sold out" in mail.outbox[0].subject
    assert "refunded the full" in mail.outbox[0].body


def test_attendee_cancelling_before_the_deadline_is_refunded(client, fake_stripe, paid_ticket):
    event = paid_ticket.event
    event.refund_deadline = timezone.now() + timedelta(days=7)
    event.save()
    registration, payment = held(paid_ticket)
    pay(client, payment, pi="pi_test_cancel")
    registration_cancel(registration=registration, by=registration.user)
    payment.refresh_from_db()
    assert payment.status == "refunded"
    assert Refund.objects.get().amount == Decimal("395.00")


def test_no_refund_after_the_deadline(client, fake_stripe, paid_ticket):
    event = paid_ticket.event
    event.refund_deadline = timezone.now() - timedelta(days=1)
    event.save()
    registration, payment = held(paid_ticket)
    pay(client, payment)
    registration_cancel(registration=registration, by=registration.user)
    payment.refresh_from_db()
    assert payment.status == "paid" and not fake_stripe.refunds


def test_organizer_refunds_part_and_stripe_confirms_it(client, fake_stripe, paid_ticket, organizer):
    registration, payment = held(paid_ticket)
    pay(client, payment, pi="pi_test_partial")
    outsider = make_user()
    with pytest.raises(Exception, match="organizers"):
        refund_registration(registration=registration, by=outsider, amount=Decimal("100"))
    refund_registration(
        registration=registration, by=organizer, amount=Decimal("100"), reason="Missed day 1"
    )
    payment.refresh_from_db()
    assert (payment.status, payment.amount_refunded) == ("partially_refunded", Decimal("100"))
    refund = Refund.objects.get()
    assert (refund.created_by, refund.reason) == (organizer, "Missed day 1")
    # Stripe's charge.refunded says the same: recorded once, nothing doubled.
    charge = {
        "id": "ch_1", "object": "charge", "payment_intent": "pi_test_partial",
        "amount": 39500, "amount_refunded": 10000,
        "refunds": {"object": "list", "data": [
            {"id": refund.stripe_refund_id, "object": "refund", "amount": 10000,
             "status": "succeeded"}]},
    }  # fmt: skip
    assert post_event(client, "charge.refunded", charge).status_code == 200
    payment.refresh_from_db()
    assert payment.amount_refunded == Decimal("100")
    assert Refund.objects.count() == 1


def test_dispute_is_recorded(client, fake_stripe, paid_ticket):
    _registration, payment = held(paid_ticket)
    pay(client, payment, pi="pi_test_dispute")
    dispute = {"id": "dp_1", "object": "dispute", "payment_intent": "pi_test_dispute",
               "amount": 39500, "status": "needs_response", "reason": "fraudulent"}  # fmt: skip
    assert post_event(client, "charge.dispute.created", dispute).status_code == 200
    payment.refresh_from_db()
    assert payment.disputed
    assert payment.disputes.get().status == "needs_response"


def test_unhandled_types_get_200(client, fake_stripe):
    response = post_event(client, "customer.created", {"id": "cus_1", "object": "customer"})
    assert response.status_code == 200
    assert response.json()["outcome"].startswith("ignored")


def test_a_failure_answers_503_and_the_retry_applies_it(
    client, fake_stripe, paid_ticket, monkeypatch
):
    _registration, payment = held(paid_ticket)
    original = payment_service.HANDLERS["checkout.session.completed"]

    def broken(obj):
        raise RuntimeError("database went away")

    monkeypatch.setitem(payment_service.HANDLERS, "checkout.session.completed", broken)
    assert pay(client, payment, "evt_test_retry").status_code == 503
    assert not StripeEvent.objects.exists()  # rolled back with the effects
    monkeypatch.setitem(payment_service.HANDLERS, "checkout.session.completed", original)
    assert pay(client, payment, "evt_test_retry").json()["outcome"] == "confirmed"


def test_without_stripe_keys_paid_tickets_wait_for_the_organizer(client, settings, paid_ticket):
    settings.STRIPE_SECRET_KEY = ""
    user = make_user()
    client.force_login(user)
    page = client.get(paid_ticket.event.get_absolute_url()).content.decode()
    assert "Online payment is not available" in page
    response = client.post(
        reverse("events:register", args=[paid_ticket.event.slug]), {"ticket_type": paid_ticket.pk}
    )
    assert response.status_code == 302
    registration = Registration.objects.get(user=user)
    assert registration.status == "awaiting_payment" and registration.hold_expires_at is None
    assert not registration.payments.exists()
    page = client.get(reverse("events:my_registrations")).content.decode()
    assert "they will mark your registration paid" in page


def test_a_stripe_hiccup_is_retried_by_the_sdk(client, fake_stripe, paid_ticket):
    fake_stripe.failures_left = 1
    _registration, payment = held(paid_ticket)
    assert payment.checkout_url
    assert len(fake_stripe.checkout_sessions()) == 2  # the failed try and the retry


def test_stripe_down_keeps_the_hold_and_says_so(client, fake_stripe, paid_ticket):
    user = make_user()
    client.force_login(user)
    fake_stripe.failures_left = 10
    response = client.post(
        reverse("events:register", args=[paid_ticket.event.slug]),
        {"ticket_type": paid_ticket.pk},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("events:my_registrations")
    assert "payment service could not be reached" in response.content.decode()
    registration = Registration.objects.get(user=user)
    assert registration.status == "awaiting_payment" and not registration.payments.exists()
    assert "Pay now" in response.content.decode()


def test_dashboard_shows_revenue_by_ticket_type(
    client, settings, fake_stripe, paid_ticket, organizer
):
    registration, payment = held(paid_ticket)
    pay(client, payment, pi="pi_test_revenue")
    refund_registration(registration=registration, by=organizer, amount=Decimal("45"))
    by_hand = make_ticket(paid_ticket.event, name="Day pass", price=Decimal("150"))
    settings.STRIPE_SECRET_KEY = ""  # pay later for this one, marked paid by hand
    later = registration_create(user=make_user(), ticket_type=by_hand)
    registration_confirm(registration=later, by=organizer)
    client.force_login(organizer)
    page = client.get(reverse("events:dashboard", args=[paid_ticket.event.slug]))
    tickets = {t.pk: t for t in page.context["ticket_types"]}
    full, day = tickets[paid_ticket.pk], tickets[by_hand.pk]
    assert (full.paid_online, full.refunded, full.marked_paid, full.net) == (
        Decimal("395.00"), Decimal("45.00"), 0, Decimal("350.00"))  # fmt: skip
    assert (day.marked_paid, day.net) == (Decimal("150.00"), Decimal("150.00"))
    assert "$350.00" in page.content.decode() and "$150.00" in page.content.decode()


@requires_postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("round_", range(6))
def test_expiry_race_never_oversells_nor_keeps_money_without_a_seat(fake_stripe, round_):
    """The hold runs out while three things happen at once: the cron releases holds,
    Stripe reports the payment, and someone else buys the last ticket."""
    event = make_event(make_org())
    ticket = make_ticket(event, name="Last seat", price=Decimal("100"), capacity=1)
    holder = make_user()
    registration, payment = held(ticket, holder)
    Registration.objects.filter(pk=registration.pk).update(
        hold_expires_at=timezone.now() - timedelta(seconds=1)
    )
    body = stripe_event(
        "checkout.session.completed",
        completed(payment.stripe_checkout_session_id, payment_intent=f"pi_race_{round_}",
                  amount=10000, code=registration.code),
    )  # fmt: skip
    event_obj = stripe.Event.construct_from(json.loads(body), "sk_test_convene")
    buyer = make_user()

    def webhook(_):
        try:
            return payment_service.stripe_event_process(event_obj)
        except payment_service.RetryLater:
            return payment_service.stripe_event_process(event_obj)  # Stripe's retry

    workers = [
        lambda _: expire_payment_holds(),
        webhook,
        lambda _: registration_create(user=buyer, ticket_type=ticket).status,
    ]
    results = race(lambda index: workers[index](None), [0, 1, 2])

    registration.refresh_from_db()
    payment.refresh_from_db()
    active = Registration.objects.filter(ticket_type=ticket, status__in=Registration.ACTIVE)
    assert active.count() <= 1, results  # never oversold
    if registration.status == "confirmed":
        assert payment.status == "paid" and results[2] == "sold_out"
    else:
        # The seat went to the buyer: the late payment was refunded in full.
        assert registration.status == "cancelled"
        assert payment.status == "refunded", results
        assert active.get().user == buyer
