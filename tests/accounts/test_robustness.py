"""Robustness review of accounts: sign-up, log-in and profile never answer 500 on bad
input, `next` never leaves the site, and nobody reads or changes another person's
licenses (DESIGN.md invariants 7 and 9).

"""

from urllib.parse import urlencode

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.models import License, User
from tests.factories import make_org, make_organizer, make_user

pytestmark = pytest.mark.django_db

PASSWORD = "calm-harbor-velvet-42"
GOOD = {
    "first_name": "Dana",
    "last_name": "Whitaker",
    "email": "dana@example.com",
    "password1": PASSWORD,
    "password2": PASSWORD,
}


@pytest.fixture
def safe_client(client):
    """A client that gets the 500 page back instead of the exception, as a browser would."""
    client.raise_request_exception = False
    return client


def profile_data(**extra) -> dict:
    data = {
        "name-first_name": "Dana",
        "name-last_name": "Whitaker",
        "profile-profession": "psychologist",
        "licenses-TOTAL_FORMS": "0",
        "licenses-INITIAL_FORMS": "0",
    }
    data.update(extra)
    return data


def one_new_license(number: str = "PSY-1234", jurisdiction: str = "NY") -> dict:
    return {
        "licenses-TOTAL_FORMS": "1",
        "licenses-INITIAL_FORMS": "0",
        "licenses-0-profession": "psychologist",
        "licenses-0-jurisdiction": jurisdiction,
        "licenses-0-number": number,
    }


# --------------------------------------------------------------------------- sign-up


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example.com/",
        "//evil.example.com/",
        "///evil.example.com/",
        "/\\evil.example.com/",
        "\\\\evil.example.com",
        "https:evil.example.com",
        " //evil.example.com",
        "javascript:alert(1)",
        "http://testserver.evil.example.com/",
    ],
)
@pytest.mark.parametrize("where", ["post", "query"])
def test_signup_never_redirects_off_site(client, target, where):
    url = reverse("signup")
    data = dict(GOOD)
    if where == "post":
        data["next"] = target
    else:
        url += "?" + urlencode({"next": target})
    response = client.post(url, data)
    assert response.status_code == 302
    assert response["Location"] == reverse("profile")
    assert User.objects.filter(email="dana@example.com").exists()


def test_signup_follows_a_next_url_on_this_site(client):
    response = client.post(reverse("signup"), {**GOOD, "next": "/events/ce-summit/#tickets"})
    assert response["Location"] == "/events/ce-summit/#tickets"


def test_the_next_url_is_escaped_on_the_signup_page(client):
    response = client.get(reverse("signup"), {"next": '"><script>alert(1)</script>'})
    page = response.content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&quot;&gt;&lt;script&gt;" in page


@pytest.mark.parametrize(
    "changes",
    [
        {"first_name": "", "last_name": "", "email": "", "password1": "", "password2": ""},
        {"email": "not-an-email"},
        {"email": "dana@"},
        {"first_name": "D" * 151},
        {"first_name": "Da\x00na"},
        {"email": "da\x00na@example.com"},
        {"password1": "x" * 5000, "password2": "y" * 5000},
    ],
    ids=["all-empty", "bad-email", "half-email", "long-name", "nul-name", "nul-email",
         "huge-passwords"],
)  # fmt: skip
def test_bad_signup_input_shows_field_errors_and_creates_nobody(safe_client, changes):
    response = safe_client.post(reverse("signup"), {**GOOD, **changes})
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not User.objects.exists()


def test_signup_with_no_post_fields_at_all_shows_the_form_again(client):
    response = client.post(reverse("signup"), {})
    assert response.status_code == 200
    assert not User.objects.exists()


def test_unicode_names_are_kept_as_typed(client):
    client.post(reverse("signup"), {**GOOD, "first_name": "Zoë", "last_name": "Nguyễn-Ødegård"})
    user = User.objects.get()
    assert (user.first_name, user.last_name) == ("Zoë", "Nguyễn-Ødegård")


@pytest.mark.parametrize("email", ["DANA@example.com", "Dana@Example.COM", " dana@example.com "])
def test_the_same_email_in_other_letters_is_already_in_use(client, email):
    make_user(email="dana@example.com")
    response = client.post(reverse("signup"), {**GOOD, "email": email})
    assert response.status_code == 200
    assert "already exists" in str(response.context["form"].errors["email"])
    assert User.objects.count() == 1


def test_an_email_longer_than_the_database_column_gets_a_field_error(safe_client):
    email = "a" * 250 + "@example.com"  # 262 characters: valid per EmailValidator, > 254
    response = safe_client.post(reverse("signup"), {**GOOD, "email": email})
    assert response.status_code == 200
    assert "email" in response.context["form"].errors
    assert not User.objects.exists()


# --------------------------------------------------------------------------- log in / out


@pytest.mark.parametrize(
    "target",
    ["https://evil.example.com/", "//evil.example.com/", "/\\evil.example.com/",
     "javascript:alert(1)"],
)  # fmt: skip
def test_login_never_redirects_off_site(client, user, target):
    response = client.post(
        reverse("login"),
        {"username": user.email, "password": "a-long-test-password", "next": target},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("events:my_registrations")


def test_logging_in_with_a_capitalised_email_works(client):
    client.post(reverse("signup"), {**GOOD, "email": "Dana@Example.com"})
    client.logout()
    response = client.post(reverse("login"), {"username": "Dana@Example.com", "password": PASSWORD})
    assert response.status_code == 302


def test_logging_out_needs_a_post(client, user):
    client.force_login(user)
    assert client.get(reverse("logout")).status_code == 405
    assert client.get(reverse("profile")).status_code == 200  # still logged in


def test_password_reset_does_not_reveal_whether_an_account_exists(client, user):
    known = client.post(reverse("password_reset"), {"email": user.email})
    unknown = client.post(reverse("password_reset"), {"email": "nobody@example.com"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    assert [m.to for m in mail.outbox] == [[user.email]]


@pytest.mark.parametrize(
    "path",
    ["/accounts/reset/abc/def/", "/accounts/reset/MQ/" + "z" * 300 + "/"],
)
def test_a_bad_password_reset_link_says_it_expired(safe_client, user, path):
    response = safe_client.get(path, follow=True)
    assert response.status_code == 200
    assert "This link has expired" in response.content.decode()


# --------------------------------------------------------------------------- profile and licenses


def test_the_profile_page_shows_only_my_own_licenses(client, user):
    someone = make_user()
    License.objects.create(user=someone, profession="counselor", jurisdiction="TX", number="LPC-77")
    License.objects.create(user=user, profession="psychologist", jurisdiction="NY", number="PSY-1")
    client.force_login(user)
    page = client.get(reverse("profile")).content.decode()
    assert "PSY-1" in page
    assert "LPC-77" not in page


@pytest.mark.parametrize("delete", [False, True])
def test_a_profile_post_cannot_change_or_delete_someone_elses_license(client, user, delete):
    someone = make_user()
    theirs = License.objects.create(
        user=someone, profession="counselor", jurisdiction="TX", number="LPC-77"
    )
    client.force_login(user)
    data = profile_data(**{
        "licenses-TOTAL_FORMS": "1",
        "licenses-INITIAL_FORMS": "1",
        "licenses-0-id": str(theirs.pk),
        "licenses-0-user": str(someone.pk),
        "licenses-0-profession": "psychologist",
        "licenses-0-jurisdiction": "CA",
        "licenses-0-number": "HIJACKED",
    })  # fmt: skip
    if delete:
        data["licenses-0-DELETE"] = "on"
    response = client.post(reverse("profile"), data)
    assert response.status_code in (200, 302)
    theirs.refresh_from_db()  # still there
    assert (theirs.user, theirs.jurisdiction, theirs.number) == (someone, "TX", "LPC-77")


@pytest.mark.parametrize(
    "management",
    [
        {},  # no management form at all
        {"licenses-TOTAL_FORMS": "abc", "licenses-INITIAL_FORMS": "0"},
        {"licenses-TOTAL_FORMS": "-1", "licenses-INITIAL_FORMS": "0"},
        {"licenses-TOTAL_FORMS": "99999999999999999999", "licenses-INITIAL_FORMS": "0"},
        {"licenses-TOTAL_FORMS": "1", "licenses-INITIAL_FORMS": "5"},
        {"licenses-TOTAL_FORMS": "1", "licenses-INITIAL_FORMS": "1", "licenses-0-id": "abc",
         "licenses-0-profession": "psychologist", "licenses-0-jurisdiction": "NY",
         "licenses-0-number": "1"},
    ],
    ids=["missing", "not-a-number", "negative", "huge", "more-initial-than-total", "bad-id"],
)  # fmt: skip
def test_a_tampered_license_formset_is_not_a_500(safe_client, user, management):
    safe_client.force_login(user)
    data = {k: v for k, v in profile_data().items() if not k.startswith("licenses-")}
    data.update(management)
    response = safe_client.post(reverse("profile"), data)
    assert response.status_code in (200, 302)


@pytest.mark.parametrize(
    "changes",
    [
        {"profile-profession": "astrologer"},
        {"profile-phone": "1" * 41},
        {"name-first_name": ""},
        {"name-last_name": "L" * 151},
        {**one_new_license(jurisdiction="ZZ")},
        {**one_new_license(number="9" * 41)},
        {**one_new_license(number="PSY\x00")},
    ],
    ids=["bad-profession", "long-phone", "no-first-name", "long-last-name", "bad-state",
         "long-number", "nul-number"],
)  # fmt: skip
def test_bad_profile_input_shows_errors_and_saves_nothing(safe_client, user, changes):
    safe_client.force_login(user)
    response = safe_client.post(reverse("profile"), profile_data(**changes))
    assert response.status_code == 200
    user.refresh_from_db()
    assert user.first_name != "Dana"  # the name form was not saved either
    assert not License.objects.exists()


def test_the_same_license_twice_in_one_form_is_refused(client, user):
    client.force_login(user)
    data = profile_data(**{
        "licenses-TOTAL_FORMS": "2",
        "licenses-INITIAL_FORMS": "0",
        "licenses-0-profession": "psychologist", "licenses-0-jurisdiction": "NY",
        "licenses-0-number": "PSY-1",
        "licenses-1-profession": "counselor", "licenses-1-jurisdiction": "NY",
        "licenses-1-number": "PSY-1",
    })  # fmt: skip
    response = client.post(reverse("profile"), data)
    assert response.status_code == 200
    assert not License.objects.exists()


def test_saving_the_profile_twice_with_a_new_license_is_not_a_500(safe_client, user):
    safe_client.force_login(user)
    data = profile_data(**one_new_license())
    assert safe_client.post(reverse("profile"), data).status_code == 302
    response = safe_client.post(reverse("profile"), data)  # the same form, sent again
    assert response.status_code in (200, 302)
    assert License.objects.filter(user=user).count() == 1


# --------------------------------------------------------------------------- CSRF and the admin


@pytest.mark.parametrize("name", ["signup", "login", "profile", "password_change"])
def test_account_forms_need_a_csrf_token(user, name):
    browser = Client(enforce_csrf_checks=True)
    if name in ("profile", "password_change"):
        browser.force_login(user)
    data = {**GOOD, **profile_data(), "username": user.email, "password": "x"}
    assert browser.post(reverse(name), data).status_code == 403
    user.refresh_from_db()
    assert user.first_name != "Dana"
    assert User.objects.count() == 1


@pytest.mark.parametrize(
    "url",
    [
        lambda target: reverse("admin:accounts_user_changelist"),
        lambda target: reverse("admin:accounts_user_change", args=[target.pk]),
        lambda target: (
            "/admin/autocomplete/?app_label=events&model_name=membership"
            "&field_name=user&term=example"
        ),
    ],
    ids=["user-list", "user-change", "user-autocomplete"],
)
def test_organizers_cannot_read_other_peoples_accounts_or_licenses_in_the_admin(client, url):
    target = make_user(email="private.person@example.com")
    License.objects.create(user=target, profession="mft", jurisdiction="CA", number="LMFT-555")
    client.force_login(make_organizer(make_org()))
    response = client.get(url(target))
    assert response.status_code == 403
    page = response.content.decode()
    assert "private.person@example.com" not in page
    assert "LMFT-555" not in page
