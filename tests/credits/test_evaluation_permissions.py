"""Permission table for the evaluation pages: every URL x every role."""

import pytest
from django.urls import reverse

from credits.models import Evaluation
from tests.credits.conftest import at, attend, register
from tests.factories import make_event, make_org, make_organizer, make_session
from tests.permissions import LOGIN, ROLES, assert_page_answer

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(credit_event, morning, afternoon, attendee_registration):
    """Maya attended the morning workshop; another attendee of the same event
    attended it too; an organizer of another provider; this event's organizer."""
    attend(attendee_registration, morning, at(8, 55), at(12))
    other = register(credit_event)
    attend(other, morning, at(8, 55), at(12))
    return {
        "event": credit_event,
        "registration": attendee_registration,
        "morning": morning,
        "afternoon": afternoon,
        "users": {
            "anonymous": None,
            "attendee": attendee_registration.user,
            "other_attendee": other.user,
            "other_organizer": make_organizer(make_org()),
            "organizer": make_organizer(credit_event.organization),
        },
    }


def page_urls(w):
    slug, code = w["event"].slug, w["registration"].code
    morning, afternoon = w["morning"].pk, w["afternoon"].pk
    return {
        "my_evaluations": reverse("credits:my_evaluations", args=[code]),
        "evaluate": reverse("credits:evaluate", args=[code, morning]),
        # Maya did not attend the afternoon: she gets a page saying why.
        "evaluate_not_attended": reverse("credits:evaluate", args=[code, afternoon]),
        "evaluation_overview": reverse("credits:evaluation_overview", args=[slug]),
        "evaluation_results": reverse("credits:evaluation_results", args=[slug, morning]),
        "evaluation_session_csv": reverse("credits:evaluation_session_csv", args=[slug, morning]),
        "evaluations_csv": reverse("credits:evaluations_csv", args=[slug]),
    }


PAGES = {
    # An attendee's pages are theirs alone: anyone else's registration is "not found".
    "my_evaluations": (LOGIN, 200, 404, 404, 404),
    "evaluate": (LOGIN, 200, 404, 404, 404),
    "evaluate_not_attended": (LOGIN, 200, 404, 404, 404),
    "evaluation_overview": (LOGIN, 403, 403, 403, 200),
    "evaluation_results": (LOGIN, 403, 403, 403, 200),
    "evaluation_session_csv": (LOGIN, 403, 403, 403, 200),
    "evaluations_csv": (LOGIN, 403, 403, 403, 200),
}


def test_the_page_table_covers_every_page(world):
    assert set(PAGES) == set(page_urls(world))


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(PAGES))
def test_page_permissions(client, world, name, role):
    expected = PAGES[name][ROLES.index(role)]
    assert_page_answer(client, world["users"][role], page_urls(world)[name], expected)


SUBMIT = (LOGIN, 302, 404, 404, 404)


@pytest.mark.parametrize("role", ROLES)
def test_only_the_attendee_can_submit_their_evaluation(client, world, role):
    user = world["users"][role]
    if user is not None:
        client.force_login(user)
    form = dict.fromkeys(Evaluation.STANDARD_ITEMS, "4")
    response = client.post(page_urls(world)["evaluate"], form)
    expected = SUBMIT[ROLES.index(role)]
    if expected == LOGIN:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    else:
        assert response.status_code == expected
    stored = Evaluation.objects.filter(registration=world["registration"])
    assert stored.exists() == (role == "attendee")


def test_an_organizer_cannot_reach_another_events_session_through_their_event(client, world):
    elsewhere = make_session(make_event(world["event"].organization), start=at(9))
    client.force_login(world["users"]["organizer"])
    slug = world["event"].slug
    for name in ("evaluation_results", "evaluation_session_csv"):
        response = client.get(reverse(f"credits:{name}", args=[slug, elsewhere.pk]))
        assert response.status_code == 404


def test_an_attendee_cannot_evaluate_another_events_session(client, world):
    elsewhere = make_session(make_event(make_org()), start=at(9))
    client.force_login(world["users"]["attendee"])
    url = reverse("credits:evaluate", args=[world["registration"].code, elsewhere.pk])
    assert client.get(url).status_code == 404
