"""The public read-only API."""

from datetime import timedelta

import pytest

from events.services import registration_create, session_signup_create
from tests.factories import make_event, make_session, make_user

pytestmark = pytest.mark.django_db


def test_lists_published_and_cancelled_events_but_never_drafts(client, org):
    make_event(org, slug="published-one")
    make_event(org, slug="secret-draft", status="draft")
    body = client.get("/api/events").json()
    assert [item["slug"] for item in body["items"]] == ["published-one"]
    assert body["count"] == 1


def test_event_sessions_report_seats_left(client, event, free_ticket):
    session = make_session(event, capacity=3, title="DBT Skills Groups")
    make_session(event, capacity=None, title="Keynote", start=event.starts_at + timedelta(hours=9))
    for _ in range(2):
        person = make_user()
        registration_create(user=person, ticket_type=free_ticket)
        session_signup_create(user=person, session_id=session.pk)

    response = client.get(f"/api/events/{event.slug}/sessions")
    assert response.status_code == 200
    by_title = {item["title"]: item for item in response.json()}
    assert by_title["DBT Skills Groups"]["seats_left"] == 1
    assert by_title["DBT Skills Groups"]["seats_taken"] == 2
    assert by_title["Keynote"]["seats_left"] is None


def test_an_unknown_or_draft_event_answers_404_with_a_code(client, org):
    make_event(org, slug="draft-x", status="draft")
    for slug in ["draft-x", "no-such-event"]:
        response = client.get(f"/api/events/{slug}/sessions")
        assert response.status_code == 404
        assert response.json()["code"] == "event_not_found"


def test_bad_pagination_input_is_a_422_with_a_code(client):
    response = client.get("/api/events?limit=abc")
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_input"


def test_openapi_schema_lists_the_endpoints(client):
    paths = client.get("/api/openapi.json").json()["paths"]
    assert "/api/events/{slug}/sessions" in paths
