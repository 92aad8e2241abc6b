"""Guessing passwords and flooding someone's inbox with reset emails are limited."""

import pytest
from django.urls import reverse

from accounts import auth_views
from config.throttle import Limit
from tests.factories import make_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("throttle_clock")]

PASSWORD = "a-long-test-password"  # tests.factories.make_user's


def log_in(client, email, password, **extra):
    return client.post(reverse("login"), {"username": email, "password": password}, **extra)


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_after_ten_wrong_passwords_even_the_right_one_waits(client):
    make_user(email="dana@example.com")
    for _ in range(10):
        assert log_in(client, "dana@example.com", "guess").status_code == 200
    response = log_in(client, "Dana@Example.com ", PASSWORD)  # however it is typed

    assert response.status_code == 429 and not logged_in(client)
    assert int(response["Retry-After"]) == 15 * 60 - 450 + 1  # the rest of the window
    text = response.content.decode()
    assert "Too many failed attempts" in text and "Try again in" in text
    assert reverse("password_reset") in text
    # Another account from another address is not affected.
    make_user(email="rafael@example.com")
    assert (
        log_in(client, "rafael@example.com", PASSWORD, REMOTE_ADDR="203.0.113.7").status_code == 302
    )


def test_a_successful_login_forgets_earlier_failures(client):
    make_user(email="dana@example.com")
    for _ in range(9):
        log_in(client, "dana@example.com", "guess")
    assert log_in(client, "dana@example.com", PASSWORD).status_code == 302
    client.logout()
    for _ in range(9):
        log_in(client, "dana@example.com", "guess")
    assert log_in(client, "dana@example.com", PASSWORD).status_code == 302


def test_one_address_trying_many_accounts_is_stopped(client, monkeypatch):
    monkeypatch.setattr(auth_views, "LOGIN_BY_IP", Limit("login:ip", limit=3, window=900))
    make_user(email="target@example.com")
    for n in range(3):
        log_in(client, f"nobody{n}@example.com", "guess")
    assert log_in(client, "target@example.com", PASSWORD).status_code == 429
    assert not logged_in(client)
    other = log_in(client, "target@example.com", PASSWORD, REMOTE_ADDR="203.0.113.7")
    assert other.status_code == 302


def test_behind_a_proxy_each_client_counts_by_the_address_the_proxy_saw(
    client, settings, monkeypatch
):
    settings.PROXY_HOPS = 1  # REMOTE_ADDR is the proxy's: the same for everyone
    monkeypatch.setattr(auth_views, "LOGIN_BY_IP", Limit("login:ip", limit=3, window=900))
    make_user(email="target@example.com")
    for n in range(3):
        log_in(client, f"nobody{n}@example.com", "guess", HTTP_X_FORWARDED_FOR="198.51.100.1")
    # The same client, whatever it puts in front of the proxy's entry:
    spoofed = "10.9.8.7, 198.51.100.1"
    assert (
        log_in(client, "target@example.com", PASSWORD, HTTP_X_FORWARDED_FOR=spoofed).status_code
        == 429
    )
    # Another client behind the same proxy is not affected.
    other = log_in(client, "target@example.com", PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.2")
    assert other.status_code == 302


def test_an_empty_form_is_not_counted_as_a_guess(client):
    make_user(email="dana@example.com")
    for _ in range(12):
        assert client.post(reverse("login"), {}).status_code == 200
    assert log_in(client, "dana@example.com", PASSWORD).status_code == 302


def test_reset_emails_are_limited_per_address_without_saying_so(client, mailoutbox):
    make_user(email="dana@example.com")
    for _ in range(5):
        response = client.post(reverse("password_reset"), {"email": "dana@example.com"})
        assert response.status_code == 302
        assert response["Location"] == reverse("password_reset_done")
    assert len(mailoutbox) == 3
    # Someone else's reset still goes out.
    make_user(email="rafael@example.com")
    client.post(reverse("password_reset"), {"email": "rafael@example.com"})
    assert [m.to for m in mailoutbox][-1] == ["rafael@example.com"]
