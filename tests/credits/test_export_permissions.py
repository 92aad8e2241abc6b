"""Permission table for the organizer exports: rosters hold license numbers, so only
the event's organizers may download them (DESIGN.md invariant 7)."""

import pytest
from django.urls import reverse

from credits.views.exports import urlpatterns
from tests.credits.conftest import at, attend, register
from tests.factories import make_event, make_org, make_organizer, make_session, make_user
from tests.permissions import LOGIN, ROLES, assert_page_answer

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(credit_event, morning, organizer):
    registration = register(credit_event)
    attend(registration, morning, at(9), at(12))
    return {
        "event": credit_event,
        "session": morning,
        "offering": morning.offerings.first(),
        "users": {
            "anonymous": None,
            "attendee": registration.user,
            "other_attendee": make_user(),
            "other_organizer": make_organizer(make_org()),
            "organizer": organizer,
        },
    }


def page_urls(w):
    slug, session, offering = w["event"].slug, w["session"].pk, w["offering"].pk
    return {
        "exports": reverse("credits:exports", args=[slug]),
        "roster_csv": reverse("credits:roster_csv", args=[slug]),
        "session_roster_csv": reverse("credits:session_roster_csv", args=[slug, session]),
        "cebroker_xml": reverse("credits:cebroker_xml", args=[slug, session, offering]),
    }


PAGES = {
    "exports": (LOGIN, 403, 403, 403, 200),
    "roster_csv": (LOGIN, 403, 403, 403, 200),
    "session_roster_csv": (LOGIN, 403, 403, 403, 200),
    "cebroker_xml": (LOGIN, 403, 403, 403, 200),
}


def test_the_table_covers_every_export_url(world):
    assert set(PAGES) == set(page_urls(world)) == {p.name for p in urlpatterns}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(PAGES))
def test_export_permissions(client, world, name, role):
    expected = PAGES[name][ROLES.index(role)]
    assert_page_answer(client, world["users"][role], page_urls(world)[name], expected)


def test_a_session_of_another_event_is_not_found(client, world, org):
    client.force_login(world["users"]["organizer"])
    slug, offering = world["event"].slug, world["offering"].pk
    elsewhere = make_session(make_event(org))
    for url in (
        reverse("credits:session_roster_csv", args=[slug, elsewhere.pk]),
        reverse("credits:cebroker_xml", args=[slug, elsewhere.pk, offering]),
        reverse("credits:cebroker_xml", args=[slug, world["session"].pk, 999999]),
        reverse("credits:roster_csv", args=["no-such-event"]),
    ):
        assert client.get(url).status_code == 404, url


def test_an_offering_of_another_session_is_not_found(client, world, afternoon):
    client.force_login(world["users"]["organizer"])
    offering = afternoon.offerings.get()
    url = reverse(
        "credits:cebroker_xml", args=[world["event"].slug, world["session"].pk, offering.pk]
    )
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("name", sorted(PAGES))
def test_exports_only_answer_reads(client, world, name):
    client.force_login(world["users"]["organizer"])
    assert client.post(page_urls(world)[name]).status_code == 405
