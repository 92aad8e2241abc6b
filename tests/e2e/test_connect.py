"""Connect by badge (static/js/connect.js) in a real Chromium, against live_server:
one attendee scans the other's badge through the keyboard-wedge field of the
event's Connect page, and the other accepts the request."""

import re

import pytest
from django.urls import reverse

from accounts.models import User
from networking.models import Connection
from tests.e2e.conftest import chromium_missing_reason

_missing = chromium_missing_reason()
if _missing:
    pytest.skip(f"browser tests need Chromium and playwright: {_missing}", allow_module_level=True)

from playwright.sync_api import expect  # noqa: E402

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "a-long-test-password"  # tests/factories.make_user


def log_in(page, live_server, user):
    page.goto(live_server.url + reverse("login"))
    page.get_by_label("Email address").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))


def open_connect_page(page, live_server, event):
    page.goto(live_server.url + reverse("networking:connect_page", args=[event.slug]))
    expect(page.get_by_role("heading", name="Connect by badge")).to_be_visible()


def test_two_attendees_connect_by_scanning_a_badge(
    new_context, live_server, live_event, workshop, attendee, second_token
):
    rafael = User.objects.get(last_name="Okafor")  # second_token's attendee
    dana_page = new_context().new_page()
    log_in(dana_page, live_server, attendee)
    open_connect_page(dana_page, live_server, live_event)
    # The session under way is where they met, unless Dana says otherwise.
    expect(dana_page.get_by_label("Where are you?")).to_have_value(str(workshop.pk))

    field = dana_page.locator("#connect-input")
    expect(field).to_be_focused()
    dana_page.keyboard.type(second_token)  # a handheld scanner types the QR text...
    dana_page.keyboard.press("Enter")  # ...and presses Enter

    result = dana_page.locator("#connect-result")
    expect(result).to_contain_text("Request sent to Rafael Okafor")
    expect(result.get_by_role("heading", name=re.compile("Rafael Okafor"))).to_be_visible()
    expect(result).not_to_contain_text(rafael.email)  # the public profile only
    expect(field).to_have_value("")
    expect(field).to_be_focused()  # ready for the next badge
    assert dana_page.url.endswith(reverse("networking:connect_page", args=[live_event.slug]))
    request = Connection.objects.get()
    assert (request.requester, request.addressee) == (attendee, rafael)
    assert request.status == Connection.Status.PENDING
    assert request.met_at_event == live_event and request.met_at_place == workshop.title

    # Scanning the same badge again sends nothing more.
    dana_page.keyboard.type(second_token)
    dana_page.keyboard.press("Enter")
    expect(result).to_contain_text("You have already asked Rafael Okafor")

    rafael_page = new_context().new_page()
    log_in(rafael_page, live_server, rafael)
    rafael_page.goto(live_server.url + reverse("networking:requests"))
    card = rafael_page.locator(".request", has_text="Dana Whitaker")
    expect(card).to_contain_text(f"Met at {live_event.title}, {workshop.title}")
    card.get_by_role("button", name="Accept Dana Whitaker").click()
    expect(rafael_page.get_by_role("status").first).to_contain_text(
        "You are now connected with Dana Whitaker"
    )
    request.refresh_from_db()
    assert request.status == Connection.Status.ACCEPTED

    # Connected: each now sees the other's email address.
    rafael_page.goto(live_server.url + reverse("networking:person", args=[attendee.pk]))
    expect(rafael_page.get_by_role("link", name=attendee.email)).to_be_visible()
    dana_page.goto(live_server.url + reverse("networking:my_network"))
    expect(dana_page.get_by_role("link", name=rafael.email).first).to_be_visible()


def test_an_invalid_badge_gets_a_clear_error(new_context, live_server, live_event, attendee, token):
    page = new_context().new_page()
    log_in(page, live_server, attendee)
    open_connect_page(page, live_server, live_event)
    page.keyboard.type(token)  # her own badge
    page.keyboard.press("Enter")
    expect(page.locator("#connect-result")).to_contain_text("That’s your own badge")
    page.keyboard.type("NOT-A-BADGE")
    page.keyboard.press("Enter")
    expect(page.locator("#connect-result")).to_contain_text("not a valid Convene badge")
    assert not Connection.objects.exists()


def test_camera_scan_sends_the_request(
    new_context, tmp_path, live_server, live_event, workshop, attendee, second_token
):
    from tests.e2e.test_scanner import write_y4m

    video = tmp_path / "badge.y4m"
    write_y4m(video, second_token)
    context = new_context(
        "--use-fake-ui-for-media-stream",
        "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-video-capture={video}",
    )
    page = context.new_page()
    log_in(page, live_server, attendee)
    open_connect_page(page, live_server, live_event)
    page.get_by_role("button", name="Scan with the camera").click()
    expect(page.locator("#connect-result")).to_contain_text("Request sent to Rafael Okafor")
    page.wait_for_timeout(1500)  # the badge stays in view: still one request
    assert Connection.objects.count() == 1
    page.get_by_role("button", name="Stop the camera").click()
    expect(page.locator("#camera-view")).to_be_hidden()
