"""The personal calendar feed link, managed from the profile page."""

import hashlib
import re

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from accounts.models import CalendarToken
from accounts.services import calendar_token_revoke, calendar_token_rotate
from tests.factories import make_user

pytestmark = pytest.mark.django_db

PROFILE = reverse("profile")
FEED_LINK = re.compile(r'value="(https?://testserver/calendar/([A-Za-z0-9_-]+)\.ics)"')


def shown_link(page: str) -> str | None:
    """The https feed link the profile shows, or None."""
    found = FEED_LINK.search(page)
    return found.group(1) if found else None


def create_link(client) -> str:
    response = client.post(reverse("calendar_token_create"))
    assert response.status_code == 302
    assert response["Location"] == PROFILE + "#calendar-feed"
    link = shown_link(client.get(PROFILE).content.decode())
    assert link is not None
    return link


def test_only_a_hash_of_the_token_is_stored(user):
    token = calendar_token_rotate(user=user)
    stored = CalendarToken.objects.get(user=user)
    assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in stored.token_hash
    assert len(token) >= 40


def test_an_inactive_account_gets_no_feed(user):
    user.is_active = False
    with pytest.raises(PermissionDenied):
        calendar_token_rotate(user=user)
    assert not CalendarToken.objects.exists()


def test_revoking_when_there_is_nothing_to_revoke_changes_nothing(user):
    assert calendar_token_revoke(user=user) is False
    calendar_token_rotate(user=user)
    assert calendar_token_revoke(user=user) is True
    assert not CalendarToken.objects.filter(user=user).exists()


def test_the_profile_shows_the_new_link_once_with_a_webcal_version(client, user):
    client.force_login(user)
    page = client.get(PROFILE).content.decode()
    assert "Create my calendar link" in page

    link = create_link(client)

    assert client.get(link.removeprefix("http://testserver")).status_code == 200
    again = client.get(PROFILE).content.decode()
    assert shown_link(again) is None
    assert link.split("/calendar/")[1] not in again
    assert "not shown again" in again
    assert "Get a new link" in again


def test_the_page_that_shows_the_link_names_both_forms_and_warns(client, user):
    client.force_login(user)
    client.post(reverse("calendar_token_create"))
    page = client.get(PROFILE).content.decode()
    token = shown_link(page).split("/calendar/")[1]
    assert f'href="webcal://testserver/calendar/{token}"' in page
    assert "shown only this once" in page


def test_creating_again_does_not_replace_an_existing_link(client, user):
    client.force_login(user)
    link = create_link(client)
    response = client.post(reverse("calendar_token_create"), follow=True)
    assert "already have a calendar link" in response.content.decode()
    assert shown_link(response.content.decode()) is None
    assert client.get(link.removeprefix("http://testserver")).status_code == 200


def test_regenerating_asks_first_then_kills_the_old_link(client, user):
    client.force_login(user)
    old = create_link(client).removeprefix("http://testserver")

    confirm = client.get(reverse("calendar_token_regenerate"))
    assert confirm.status_code == 200
    assert "old link stops working" in confirm.content.decode()
    assert client.get(old).status_code == 200  # the confirmation page changed nothing

    response = client.post(reverse("calendar_token_regenerate"))
    assert response["Location"] == PROFILE + "#calendar-feed"
    new = shown_link(client.get(PROFILE).content.decode()).removeprefix("http://testserver")
    assert new != old
    assert client.get(old).status_code == 404
    assert client.get(new).status_code == 200


def test_revoking_asks_first_then_turns_the_feed_off(client, user):
    client.force_login(user)
    link = create_link(client).removeprefix("http://testserver")

    assert client.get(reverse("calendar_token_revoke")).status_code == 200
    assert client.get(link).status_code == 200

    response = client.post(reverse("calendar_token_revoke"), follow=True)
    assert "feed is turned off" in response.content.decode()
    assert client.get(link).status_code == 404
    assert "Create my calendar link" in client.get(PROFILE).content.decode()


def test_confirmation_pages_without_a_link_send_back_to_the_profile(client, user):
    client.force_login(user)
    for name in ("calendar_token_regenerate", "calendar_token_revoke"):
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert response["Location"] == PROFILE + "#calendar-feed"


def test_one_persons_actions_never_touch_another_persons_link(client, user):
    other = make_user()
    other_token = calendar_token_rotate(user=other)
    client.force_login(user)
    client.post(reverse("calendar_token_regenerate"))
    client.post(reverse("calendar_token_revoke"))
    assert client.get(reverse("events:calendar_feed", args=[other_token])).status_code == 200


def test_creating_a_link_needs_a_post(client, user):
    client.force_login(user)
    assert client.get(reverse("calendar_token_create")).status_code == 405
    assert not CalendarToken.objects.exists()
