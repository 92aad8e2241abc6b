"""Permission table for check-in pages and the scanner API."""

import pytest
from django.urls import reverse
from django.utils import timezone

from checkin.services.devices import device_create, device_pair, device_revoke
from tests.factories import make_event, make_organizer, make_user
from tests.permissions import LOGIN, ROLES, assert_page_answer

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(live_event, registration, organizer, device, org):
    from tests.factories import make_org

    other_org = make_org()
    return {
        "event": live_event,
        "registration": registration,
        "device": device,
        "users": {
            "anonymous": None,
            "attendee": registration.user,
            "other_attendee": make_user(),
            "other_organizer": make_organizer(other_org),
            "organizer": organizer,
        },
    }


def page_urls(w):
    slug, code = w["event"].slug, w["registration"].code
    return {
        "badge": reverse("checkin:badge", args=[code]),
        "attendees": reverse("checkin:attendees", args=[slug]),
        "badges_pdf": reverse("checkin:badges_pdf", args=[slug]),
        "badge_pdf": reverse("checkin:badge_pdf", args=[slug, code]),
        "reissue": reverse("checkin:reissue", args=[slug, code]),
        "devices": reverse("checkin:devices", args=[slug]),
        "device_revoke": reverse("checkin:device_revoke", args=[slug, w["device"].pk]),
        "scanner": reverse("checkin:scanner"),
        "scanner_service_worker": reverse("checkin:service_worker"),
        "live": reverse("checkin:live", args=[slug]),
        "live_json": reverse("checkin:live_json", args=[slug]),
        "manual_check_get": reverse("checkin:manual_check", args=[slug, code]),
        "device_setup_get": reverse("checkin:device_setup", args=[slug, w["device"].pk]),
        "pair_unknown_code": reverse("checkin:pair", args=["not-a-real-code"]),
    }


PAGES = {
    "badge": (LOGIN, 200, 404, 404, 404),
    "attendees": (LOGIN, 403, 403, 403, 200),
    "badges_pdf": (LOGIN, 403, 403, 403, 200),
    "badge_pdf": (LOGIN, 403, 403, 403, 200),
    "reissue": (LOGIN, 403, 403, 403, 200),
    "devices": (LOGIN, 403, 403, 403, 200),
    "device_revoke": (LOGIN, 403, 403, 403, 200),
    "scanner": (200, 200, 200, 200, 200),
    # The scanner's service worker is public like the page (a paired device has no login).
    "scanner_service_worker": (200, 200, 200, 200, 200),
    "live": (LOGIN, 403, 403, 403, 200),
    "live_json": (LOGIN, 403, 403, 403, 200),
    # POST-only actions answer a GET with 405 before anything else.
    "manual_check_get": (405, 405, 405, 405, 405),
    "device_setup_get": (405, 405, 405, 405, 405),
    # The pairing page itself is public (the device is not logged in); pairing is a POST.
    "pair_unknown_code": (200, 200, 200, 200, 200),
}


def test_the_page_table_covers_every_page(world):
    assert set(PAGES) == set(page_urls(world))


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(PAGES))
def test_page_permissions(client, world, name, role):
    expected = PAGES[name][ROLES.index(role)]
    assert_page_answer(client, world["users"][role], page_urls(world)[name], expected)


@pytest.fixture
def api_callers(world, org, organizer):
    """Bearer tokens per API role; None means no Authorization header."""
    other_event = make_event(org)
    _, other_code = device_create(event=other_event, name="Other", session=None, by=organizer)
    _, other_token = device_pair(setup_code=other_code)
    revoked, revoked_code = device_create(
        event=world["event"], name="Old", session=None, by=organizer
    )
    _, revoked_token = device_pair(setup_code=revoked_code)
    device_revoke(device=revoked, by=organizer)
    return {"other_event_device": other_token, "revoked_device": revoked_token}


API_ROLES = ["anonymous", "attendee_session", "other_event_device", "revoked_device", "device"]
API = {
    # Another event's device is authenticated, but the badge is then `wrong_event`.
    "POST /api/checkin/scans": (401, 401, 200, 401, 200),
    "POST /api/checkin/scans/batch": (401, 401, 200, 401, 200),
    "GET /api/checkin/device": (401, 401, 200, 401, 200),
}


@pytest.mark.parametrize("role", API_ROLES)
@pytest.mark.parametrize("endpoint", sorted(API))
def test_api_permissions(client, world, api_callers, device_token, token, endpoint, role):
    method, path = endpoint.split(" ")
    headers = {}
    if role == "attendee_session":
        client.force_login(world["registration"].user)
    elif role == "device":
        headers["HTTP_AUTHORIZATION"] = f"Bearer {device_token}"
    elif role in api_callers:
        headers["HTTP_AUTHORIZATION"] = f"Bearer {api_callers[role]}"
    scan = {"token": token, "direction": "in", "scanned_at": timezone.now().isoformat(),
            "nonce": f"perm-{role}"}  # fmt: skip
    data = {"scans": [scan]} if path.endswith("batch") else scan
    if method == "GET":
        response = client.get(path, **headers)
    else:
        response = client.post(path, data, content_type="application/json", **headers)
    assert response.status_code == API[endpoint][API_ROLES.index(role)]


def test_another_events_device_gets_wrong_event_for_our_badge(client, api_callers, token):
    response = client.post(
        "/api/checkin/scans",
        {"token": token, "direction": "in", "scanned_at": timezone.now().isoformat(),
         "nonce": "cross-event-1"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {api_callers['other_event_device']}",
    )  # fmt: skip
    assert response.json()["code"] == "wrong_event"
