"""Permission table: every URL of the project against every role.

Roles: anonymous, attendee (holds the registration and seat in the URLs),
other attendee, organizer of another provider, organizer of this event's provider.
"""

from decimal import Decimal

import pytest
from django.urls import reverse

from events.models import Membership
from events.services import registration_create, session_signup_create
from tests.factories import (
    make_event,
    make_org,
    make_organizer,
    make_session,
    make_ticket,
    make_user,
)
from tests.permissions import LOGIN, ROLES, assert_page_answer

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    org = make_org()
    event = make_event(org, slug="annual-conference")
    draft = make_event(org, slug="draft-event", status="draft")
    ticket = make_ticket(event, price=Decimal("0"))
    session = make_session(event, capacity=10)
    attendee = make_user()
    registration = registration_create(user=attendee, ticket_type=ticket)
    signup = session_signup_create(user=attendee, session_id=session.pk)
    other_org = make_org()
    return {
        "event": event,
        "draft": draft,
        "session": session,
        "registration": registration,
        "signup": signup,
        "users": {
            "anonymous": None,
            "attendee": attendee,
            "other_attendee": make_user(),
            "other_organizer": make_organizer(other_org),
            "organizer": make_organizer(org, role=Membership.Role.STAFF),
        },
    }


def urls(w):
    e, s = w["event"].slug, w["session"].pk
    return {
        "event_list": reverse("events:event_list"),
        "event_detail": reverse("events:event_detail", args=[e]),
        "draft_detail": reverse("events:event_detail", args=[w["draft"].slug]),
        "session_detail": reverse("events:session_detail", args=[e, s]),
        "register_get": reverse("events:register", args=[e]),
        "signup_get": reverse("events:session_signup", args=[e, s]),
        "my_registrations": reverse("events:my_registrations"),
        "registration_cancel": reverse("events:registration_cancel", args=[w["registration"].code]),
        "signup_cancel": reverse("events:signup_cancel", args=[w["signup"].pk]),
        "organizer_home": reverse("events:organizer_home"),
        "dashboard": reverse("events:dashboard", args=[e]),
        "draft_dashboard": reverse("events:dashboard", args=[w["draft"].slug]),
        "signup_page": reverse("signup"),
        "login_page": reverse("login"),
        "profile": reverse("profile"),
        "password_change": reverse("password_change"),
        "password_reset": reverse("password_reset"),
        "api_events": "/api/events",
        "api_event": f"/api/events/{e}",
        "api_sessions": f"/api/events/{e}/sessions",
        "api_draft": f"/api/events/{w['draft'].slug}",
        "api_docs": "/api/docs",
        "api_schema": "/api/openapi.json",
        "admin_index": reverse("admin:index"),
        "admin_event": reverse("admin:events_event_change", args=[w["event"].pk]),
    }


# Expected GET status per role, in ROLES order. LOGIN = redirect to the login page.
TABLE = {
    "event_list": (200, 200, 200, 200, 200),
    "event_detail": (200, 200, 200, 200, 200),
    "draft_detail": (404, 404, 404, 404, 200),
    "session_detail": (200, 200, 200, 200, 200),
    "register_get": (405, 405, 405, 405, 405),
    "signup_get": (405, 405, 405, 405, 405),
    "my_registrations": (LOGIN, 200, 200, 200, 200),
    "registration_cancel": (LOGIN, 200, 404, 404, 404),
    "signup_cancel": (LOGIN, 200, 404, 404, 404),
    "organizer_home": (LOGIN, 200, 200, 200, 200),
    "dashboard": (LOGIN, 403, 403, 403, 200),
    "draft_dashboard": (LOGIN, 403, 403, 403, 200),
    "signup_page": (200, 302, 302, 302, 302),
    "login_page": (200, 302, 302, 302, 302),
    "profile": (LOGIN, 200, 200, 200, 200),
    "password_change": (LOGIN, 200, 200, 200, 200),
    "password_reset": (200, 200, 200, 200, 200),
    "api_events": (200, 200, 200, 200, 200),
    "api_event": (200, 200, 200, 200, 200),
    "api_sessions": (200, 200, 200, 200, 200),
    "api_draft": (404, 404, 404, 404, 404),
    "api_docs": (200, 200, 200, 200, 200),
    "api_schema": (200, 200, 200, 200, 200),
    "admin_index": (302, 302, 302, 200, 200),
    "admin_event": (302, 302, 302, 302, 200),
}


def test_the_table_covers_every_url(world):
    assert set(TABLE) == set(urls(world))


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(TABLE))
def test_permission_table(client, world, name, role):
    expected = TABLE[name][ROLES.index(role)]
    assert_page_answer(client, world["users"][role], urls(world)[name], expected)


def test_the_admin_hides_another_providers_event(client, world):
    client.force_login(world["users"]["other_organizer"])
    response = client.get(reverse("admin:events_event_changelist"))
    assert response.status_code == 200
    assert world["event"].title not in response.content.decode()


# --- Calendars (.ics) and the personal feed link -----------------------------------------
# The feed is opened by calendar apps without a session: its token is the credential, so
# every role gets the attendee's feed from the attendee's link, and nobody gets one from a
# revoked link.


def calendar_urls(w, feed_token: str, revoked_token: str) -> dict:
    return {
        "registration_calendar": reverse(
            "events:registration_calendar", args=[w["registration"].code]
        ),
        "event_calendar": reverse("events:event_calendar", args=[w["event"].slug]),
        "draft_calendar": reverse("events:event_calendar", args=[w["draft"].slug]),
        "calendar_feed": reverse("events:calendar_feed", args=[feed_token]),
        "calendar_feed_revoked": reverse("events:calendar_feed", args=[revoked_token]),
        "calendar_token_create": reverse("calendar_token_create"),
        "calendar_token_regenerate": reverse("calendar_token_regenerate"),
        "calendar_token_revoke": reverse("calendar_token_revoke"),
    }


# Regenerate and revoke show a confirmation to the attendee, who has a link; the
# others have none and are sent back to their profile.
CALENDAR_TABLE = {
    "registration_calendar": (LOGIN, 200, 404, 404, 404),
    "event_calendar": (200, 200, 200, 200, 200),
    "draft_calendar": (404, 404, 404, 404, 200),
    "calendar_feed": (200, 200, 200, 200, 200),
    "calendar_feed_revoked": (404, 404, 404, 404, 404),
    "calendar_token_create": (405, 405, 405, 405, 405),
    "calendar_token_regenerate": (LOGIN, 200, 302, 302, 302),
    "calendar_token_revoke": (LOGIN, 200, 302, 302, 302),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(CALENDAR_TABLE))
def test_calendar_permission_table(client, world, name, role):
    from accounts.services import calendar_token_rotate

    attendee = world["users"]["attendee"]
    revoked = calendar_token_rotate(user=attendee)
    token = calendar_token_rotate(user=attendee)
    assert set(CALENDAR_TABLE) == set(calendar_urls(world, token, revoked))
    expected = CALENDAR_TABLE[name][ROLES.index(role)]
    url = calendar_urls(world, token, revoked)[name]
    assert_page_answer(client, world["users"][role], url, expected)
