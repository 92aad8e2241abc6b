"""Shared by the permission tables: what a role gets when it opens a page."""

from django.urls import reverse

ROLES = ["anonymous", "attendee", "other_attendee", "other_organizer", "organizer"]
LOGIN = "login"  # expected answer: a redirect to the login page


def assert_page_answer(client, user, url: str, expected) -> None:
    if user is not None:
        client.force_login(user)
    response = client.get(url)
    if expected == LOGIN:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    else:
        assert response.status_code == expected, response.content[:300]
