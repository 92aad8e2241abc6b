"""Permission table for "My CE": every page is personal. Anyone logged in sees their
own transcript; a renewal period is reachable by its owner only (others get 404,
not a hint that it exists)."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.models import License
from credits.models import RenewalPeriod
from credits.services.renewals import renewal_period_save
from tests.credits.conftest import at, attend
from tests.credits.test_transcript import evaluate, form_data, read_csv
from tests.factories import make_user
from tests.permissions import LOGIN, assert_page_answer

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "owner", "other_attendee", "organizer"]


@pytest.fixture
def world(attendee_registration, morning, organizer):
    owner = attendee_registration.user
    attend(attendee_registration, morning, at(9), at(12))
    evaluate(attendee_registration, morning)
    license = License.objects.create(
        user=owner, profession="psychologist", jurisdiction="MA", number="PSY-10442"
    )
    period = renewal_period_save(
        user=owner, license=license, starts_on=date(2026, 1, 1), ends_on=date(2027, 12, 31),
        hours_required=Decimal("40"), accreditation_body="",
        subjects={"law_ethics": Decimal("6")},
    )  # fmt: skip
    return {
        "period": period,
        "license": license,
        "users": {
            "anonymous": None,
            "owner": owner,
            "other_attendee": make_user(),
            "organizer": organizer,  # organizes the event the owner attended
        },
    }


def page_urls(w):
    pk = w["period"].pk
    return {
        "my_ce": reverse("credits:my_ce"),
        "transcript_pdf": reverse("credits:transcript_pdf"),
        "transcript_csv": reverse("credits:transcript_csv"),
        "renewal_new": reverse("credits:renewal_new"),
        "renewal_edit": reverse("credits:renewal_edit", args=[pk]),
        "renewal_delete": reverse("credits:renewal_delete", args=[pk]),
    }


PAGES = {
    "my_ce": (LOGIN, 200, 200, 200),
    "transcript_pdf": (LOGIN, 200, 200, 200),
    "transcript_csv": (LOGIN, 200, 200, 200),
    "renewal_new": (LOGIN, 200, 200, 200),
    "renewal_edit": (LOGIN, 200, 404, 404),
    "renewal_delete": (LOGIN, 200, 404, 404),
}


def test_the_page_table_covers_every_page(world):
    assert set(PAGES) == set(page_urls(world))


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(PAGES))
def test_page_permissions(client, world, name, role):
    expected = PAGES[name][ROLES.index(role)]
    assert_page_answer(client, world["users"][role], page_urls(world)[name], expected)


@pytest.mark.parametrize("role", ["anonymous", "other_attendee", "organizer"])
def test_nobody_else_changes_or_deletes_the_period(client, world, role):
    user = world["users"][role]
    if user is not None:
        client.force_login(user)
    period = world["period"]
    edit = client.post(
        reverse("credits:renewal_edit", args=[period.pk]),
        form_data(world["license"], hours_required="1", subject_law_ethics=""),
    )
    delete = client.post(reverse("credits:renewal_delete", args=[period.pk]))
    expected = 302 if user is None else 404
    assert (edit.status_code, delete.status_code) == (expected, expected)
    period.refresh_from_db()
    assert period.hours_required == 40
    assert list(period.subjects.values_list("area", flat=True)) == ["law_ethics"]


@pytest.mark.parametrize("role", ["other_attendee", "organizer"])
def test_others_cannot_file_a_period_under_the_owners_license(client, world, role):
    user = world["users"][role]
    License.objects.create(user=user, profession="counselor", jurisdiction="FL", number="77")
    client.force_login(user)
    response = client.post(reverse("credits:renewal_new"), form_data(world["license"]))
    assert response.status_code == 200
    assert "Choose one of your licenses." in response.content.decode()
    assert RenewalPeriod.objects.count() == 1


@pytest.mark.parametrize("role", ["other_attendee", "organizer"])
def test_others_see_their_own_empty_transcript_not_the_owners(client, world, role):
    client.force_login(world["users"][role])
    page = client.get(reverse("credits:my_ce")).content.decode()
    assert "Ethics in Trauma Treatment" not in page
    assert "PSY-10442" not in page
    assert "No CE credit yet" in page
    assert read_csv(client.get(reverse("credits:transcript_csv")))[1:] == []


def test_the_owner_sees_their_transcript_and_license(client, world):
    client.force_login(world["users"]["owner"])
    page = client.get(reverse("credits:my_ce")).content.decode()
    assert "Ethics in Trauma Treatment" in page
    assert "PSY-10442" in page
    assert len(read_csv(client.get(reverse("credits:transcript_csv")))) == 3  # header + 2
