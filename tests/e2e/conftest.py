"""Browser journeys: Playwright (sync API) driving Debian's Chromium against live_server.

Never `playwright install`: it downloads browsers, which fails here. The module
skips when /usr/bin/chromium or the playwright package is missing.
"""

import os
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from checkin.services.badges import badge_for, badge_token

# The scanner fixtures (an event happening now, a workshop under way, a seated attendee,
# their badge token, an organizer) are shared with the check-in tests.
from tests.checkin import conftest as checkin_fixtures
from tests.factories import make_ticket, make_user

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).parent / "screenshots"

live_event = checkin_fixtures.live_event
workshop = checkin_fixtures.workshop
attendee = checkin_fixtures.attendee
registration = checkin_fixtures.registration
token = checkin_fixtures.token


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


@pytest.fixture(autouse=True)
def _async_unsafe_ok(monkeypatch):
    # Playwright's sync API runs its own asyncio loop on this thread (in a greenlet), so
    # Django sees "a running event loop" and refuses ORM calls from the test body with
    # SynchronousOnlyOperation. The test body is plain sync code: allow it, here only.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def playwright_instance():
    # Per test: Playwright's event loop must stop before the database teardown (flush),
    # and must not outlive the e2e tests into the async tests of the suite.
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture
def launch(playwright_instance) -> Iterator[Callable]:
    """Start a headless Chromium (extra args allowed); closed after the test."""
    browsers = []

    def _launch(*extra_args: str):
        browser = playwright_instance.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=[*CHROMIUM_ARGS, *extra_args]
        )
        browsers.append(browser)
        return browser

    yield _launch
    for browser in browsers:
        browser.close()


@pytest.fixture
def new_context(launch, request) -> Iterator[Callable]:
    """A browser context factory; on a failed test, every open page is screenshotted."""
    contexts = []

    def _new_context(*launch_args: str, **context_options):
        context = launch(*launch_args).new_context(**context_options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context

    yield _new_context
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        SCREENSHOTS.mkdir(exist_ok=True)
        for c, context in enumerate(contexts):
            for p, page in enumerate(context.pages):
                path = SCREENSHOTS / f"{request.node.name}-{c}-{p}.png"
                try:
                    page.screenshot(path=str(path), full_page=True)
                except Exception as error:  # a crashed page must not hide the real failure
                    print(f"screenshot {path} failed: {error}")
                else:
                    print(f"screenshot saved: {path}")
    for context in contexts:
        context.close()


@pytest.fixture
def context(new_context):
    return new_context()


@pytest.fixture
def page(context):
    return context.new_page()


@pytest.fixture
def second_token(live_event, workshop):
    """Another seated attendee's badge token (same event, same workshop)."""
    from events.models import Session
    from events.services import registration_create, session_signup_create

    person = make_user(first_name="Rafael", last_name="Okafor")
    reg = registration_create(user=person, ticket_type=make_ticket(live_event))
    Session.objects.filter(pk=workshop.pk).update(starts_at=timezone.now() + timedelta(hours=1))
    session_signup_create(user=person, session_id=workshop.pk)
    Session.objects.filter(pk=workshop.pk).update(starts_at=workshop.starts_at)
    workshop.refresh_from_db()
    reg.refresh_from_db()
    return badge_token(badge_for(reg), event_id=reg.event_id)


def chromium_missing_reason() -> str | None:
    if not os.path.exists(CHROMIUM):
        return f"{CHROMIUM} not found (apt-get install -y chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright Python package is not installed"
    return None
