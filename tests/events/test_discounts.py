"""Discount codes: percentage or amount, windows, ticket restrictions, usage limits."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from events.errors import RegistrationError
from events.models import DiscountCode, Registration
from events.services import registration_cancel, registration_create
from tests.concurrency import race
from tests.conftest import requires_postgres
from tests.factories import make_event, make_org, make_ticket, make_user


@pytest.fixture
def full(event):
    return make_ticket(event, name="Full", price=Decimal("395"))


def code(event, **extra) -> DiscountCode:
    defaults = {"code": "EARLY20", "kind": "percent", "value": Decimal("20")}
    defaults.update(extra)
    return DiscountCode.objects.create(event=event, **defaults)


@pytest.mark.django_db
def test_percentage_and_fixed_amounts_and_case_does_not_matter(event, full):
    code(event)
    code(event, code="SAVE50", kind="fixed", value=Decimal("50"))
    first = registration_create(user=make_user(), ticket_type=full, discount_code=" early20 ")
    second = registration_create(user=make_user(), ticket_type=full, discount_code="save50")
    assert (first.amount_due, second.amount_due) == (Decimal("316.00"), Decimal("345"))
    assert first.status == second.status == "awaiting_payment"


@pytest.mark.django_db
def test_a_code_can_make_the_ticket_free_with_no_payment_at_all(settings, event, full):
    settings.STRIPE_SECRET_KEY = "sk_test_x"
    code(event, code="SPEAKER", value=Decimal("100"))
    registration = registration_create(user=make_user(), ticket_type=full, discount_code="SPEAKER")
    assert registration.status == "confirmed" and registration.amount_due == 0
    assert registration.hold_expires_at is None and not registration.payments.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "extra,typed,reason",
    [
        ({}, "NOPE", "invalid_code"),
        ({"is_active": False}, "EARLY20", "invalid_code"),
        ({"valid_until": timezone.now() - timedelta(days=1)}, "EARLY20", "code_expired"),
        ({"valid_from": timezone.now() + timedelta(days=1)}, "EARLY20", "code_not_started"),
        ({"max_uses": 0}, "EARLY20", "code_used_up"),
    ],
)
def test_bad_codes_are_refused_and_nothing_is_registered(event, full, extra, typed, reason):
    code(event, **extra)
    with pytest.raises(RegistrationError) as refused:
        registration_create(user=make_user(), ticket_type=full, discount_code=typed)
    assert refused.value.code == reason
    assert not Registration.objects.exists()


@pytest.mark.django_db
def test_a_code_limited_to_some_tickets(event, full):
    student = make_ticket(event, name="Student", price=Decimal("95"))
    limited = code(event)
    limited.ticket_types.add(student)
    with pytest.raises(RegistrationError) as refused:
        registration_create(user=make_user(), ticket_type=full, discount_code="EARLY20")
    assert refused.value.code == "code_not_for_ticket"
    assert registration_create(
        user=make_user(), ticket_type=student, discount_code="EARLY20"
    ).amount_due == Decimal("76.00")


@pytest.mark.django_db
def test_a_cancelled_registration_gives_its_use_back(event, full):
    code(event, max_uses=1)
    person = make_user()
    first = registration_create(user=person, ticket_type=full, discount_code="EARLY20")
    with pytest.raises(RegistrationError):
        registration_create(user=make_user(), ticket_type=full, discount_code="EARLY20")
    registration_cancel(registration=first, by=person)
    registration_create(user=make_user(), ticket_type=full, discount_code="EARLY20")


@pytest.mark.django_db
def test_the_register_form_takes_a_code_and_shows_refusals(client, event, full):
    code(event)
    client.force_login(make_user())
    url = reverse("events:register", args=[event.slug])
    response = client.post(url, {"ticket_type": full.pk, "discount_code": "WRONG"}, follow=True)
    assert "“WRONG” is not a valid code." in response.content.decode()
    assert not Registration.objects.exists()
    response = client.post(url, {"ticket_type": full.pk, "discount_code": "x" * 41}, follow=True)
    assert response.status_code == 200 and not Registration.objects.exists()
    client.post(url, {"ticket_type": full.pk, "discount_code": "early20"})
    assert Registration.objects.get().amount_due == Decimal("316.00")


@requires_postgres
@pytest.mark.django_db(transaction=True)
def test_usage_limit_holds_when_forty_people_use_the_code_at_once():
    event = make_event(make_org())
    # Two ticket types: their row locks do not serialize the buyers, the code's lock must.
    tickets = [make_ticket(event, name=n, price=Decimal("100")) for n in ("Full", "Day")]
    DiscountCode.objects.create(event=event, code="FIRST10", value=Decimal("50"), max_uses=10)
    people = [make_user() for _ in range(40)]
    results = race(
        lambda p: (
            registration_create(
                user=p, ticket_type=tickets[p.pk % 2], discount_code="FIRST10"
            ).amount_due
        ),
        people,
    )
    assert results.count(Decimal("50.00")) == 10
    assert results.count("code_used_up") == 30
    assert Registration.objects.filter(discount__code="FIRST10").count() == 10
