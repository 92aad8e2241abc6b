"""Signing up, the professional profile, logging in and out, resetting a password."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import License, User
from tests.factories import make_user

pytestmark = pytest.mark.django_db

GOOD = {
    "first_name": "Dana",
    "last_name": "Whitaker",
    "email": "Dana.Whitaker@Example.com",
    "password1": "calm-harbor-velvet-42",
    "password2": "calm-harbor-velvet-42",
}


def test_a_newcomer_signs_up_and_is_logged_in(client):
    response = client.post(reverse("signup"), GOOD)
    assert response.status_code == 302
    user = User.objects.get()
    assert user.email == "dana.whitaker@example.com"
    assert user.profile is not None
    assert client.get(reverse("profile")).status_code == 200


def test_signup_with_an_email_already_in_use_shows_a_field_error(client):
    make_user(email="dana.whitaker@example.com")
    response = client.post(reverse("signup"), GOOD)
    assert response.status_code == 200
    assert "already exists" in str(response.context["form"].errors["email"])
    assert User.objects.count() == 1


def test_mismatched_or_weak_passwords_are_refused_with_field_errors(client):
    response = client.post(reverse("signup"), {**GOOD, "password2": "something-else-entirely"})
    assert "do not match" in str(response.context["form"].errors["password2"])
    response = client.post(reverse("signup"), {**GOOD, "password1": "123", "password2": "123"})
    assert response.context["form"].errors["password1"]
    assert not User.objects.exists()


def test_signup_errors_are_tied_to_their_fields_for_screen_readers(client):
    page = client.post(reverse("signup"), {**GOOD, "email": "not-an-email"}).content.decode()
    assert 'aria-invalid="true"' in page
    assert "aria-describedby" in page


def test_profile_saves_professional_details_and_licenses(client, user):
    client.force_login(user)
    data = {
        "name-first_name": "Dana",
        "name-last_name": "Whitaker",
        "profile-profession": "social_worker",
        "profile-credentials": "LCSW, PhD",
        "profile-organization": "Riverside Community Care",
        "profile-city": "Boston",
        "profile-region": "MA",
        "profile-phone": "",
        "licenses-TOTAL_FORMS": "1",
        "licenses-INITIAL_FORMS": "0",
        "licenses-0-profession": "social_worker",
        "licenses-0-license_type": "LICSW",
        "licenses-0-jurisdiction": "MA",
        "licenses-0-number": "115234",
        "licenses-0-board_code": "SW",
    }
    response = client.post(reverse("profile"), data)
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.profile.credentials == "LCSW, PhD"
    assert License.objects.get(user=user).number == "115234"


def test_a_license_without_a_number_is_refused_and_nothing_is_saved(client, user):
    client.force_login(user)
    data = {
        "name-first_name": "Changed",
        "name-last_name": "Name",
        "profile-profession": "psychologist",
        "licenses-TOTAL_FORMS": "1",
        "licenses-INITIAL_FORMS": "0",
        "licenses-0-profession": "psychologist",
        "licenses-0-jurisdiction": "NY",
        "licenses-0-number": "",
    }
    response = client.post(reverse("profile"), data)
    assert response.status_code == 200
    user.refresh_from_db()
    assert user.first_name != "Changed"
    assert not License.objects.exists()


def test_log_in_with_email_and_log_out(client, user):
    response = client.post(
        reverse("login"), {"username": user.email, "password": "a-long-test-password"}
    )
    assert response.status_code == 302
    assert client.get(reverse("events:my_registrations")).status_code == 200
    client.post(reverse("logout"))
    assert client.get(reverse("events:my_registrations")).status_code == 302


def test_a_wrong_password_shows_an_error(client, user):
    response = client.post(reverse("login"), {"username": user.email, "password": "nope"})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()


def test_password_reset_sends_a_working_link(client, user):
    client.post(reverse("password_reset"), {"email": user.email})
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^\s]+/reset/[^\s]+/", mail.outbox[0].body).group(0)
    path = link.split("testserver", 1)[1]
    form_page = client.get(path, follow=True)
    assert form_page.status_code == 200
    client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "quiet-meadow-lantern-7", "new_password2": "quiet-meadow-lantern-7"},
    )
    user.refresh_from_db()
    assert user.check_password("quiet-meadow-lantern-7")
