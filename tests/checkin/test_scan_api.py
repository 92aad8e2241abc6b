"""The scan API as a scanner device uses it."""

import pytest
from django.utils import timezone

from checkin.models import Scan
from checkin.services.devices import device_revoke

pytestmark = pytest.mark.django_db


def post(client, token, body, path="/api/checkin/scans"):
    return client.post(
        path, body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}"
    )


def body(badge_token, **extra):
    data = {
        "token": badge_token,
        "direction": "in",
        "scanned_at": timezone.now().isoformat(),
        "nonce": "nonce-api-0001",
    }
    data.update(extra)
    return data


def test_a_device_scans_a_badge_in(client, device_token, token):
    response = post(client, device_token, body(token))
    assert response.status_code == 200
    answer = response.json()
    assert (answer["status"], answer["code"]) == ("accepted", "ok")
    assert answer["attendee"]["name"] == "Dana Whitaker"


def test_without_a_device_token_the_api_answers_401(client, token):
    response = client.post("/api/checkin/scans", body(token), content_type="application/json")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_a_revoked_device_is_refused(client, device, device_token, token, organizer):
    device_revoke(device=device, by=organizer)
    assert post(client, device_token, body(token)).status_code == 401
    assert not Scan.objects.exists()


@pytest.mark.parametrize(
    "change",
    [
        {"direction": "sideways"},
        {"nonce": "short"},
        {"scanned_at": "yesterday"},
        {"token": "X" * 500},
        {"place": "roof"},
        {"place": False},  # not session 0
    ],
)
def test_malformed_input_gets_422_and_stores_nothing(client, device_token, token, change):
    response = post(client, device_token, body(token, **change))
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_input"
    assert not Scan.objects.exists()


def test_a_session_of_another_event_is_a_400_with_a_reason(client, device_token, token, org):
    from tests.factories import make_event, make_session

    elsewhere = make_session(make_event(org))
    response = post(client, device_token, body(token, place=elsewhere.pk))
    assert response.status_code == 400
    assert response.json()["code"] == "unknown_place"


def test_a_device_clock_in_the_future_is_refused(client, device_token, token):
    ahead = (timezone.now() + timezone.timedelta(hours=2)).isoformat()
    response = post(client, device_token, body(token, scanned_at=ahead))
    assert response.status_code == 422
    assert response.json()["code"] == "clock_ahead"


def test_a_device_clock_far_in_the_past_is_refused_item_by_item(client, device_token, token):
    """Year 1 with a positive offset cannot even be stored (it is before the earliest
    UTC time): it must be a per-item refusal, never a 500 that blocks the queue."""
    ancient = "0001-01-01T00:00:00+01:00"
    response = post(client, device_token, body(token, scanned_at=ancient))
    assert response.status_code == 422 and response.json()["code"] == "clock_behind"
    scans = [body(token, scanned_at=ancient), body(token, nonce="queued-0002")]
    batch = post(client, device_token, {"scans": scans}, "/api/checkin/scans/batch")
    assert batch.status_code == 200
    assert [item["code"] for item in batch.json()["results"]] == ["clock_behind", "ok"]
    assert Scan.objects.count() == 1


def test_an_absurd_queue_length_is_refused_before_anything_is_stored(client, device_token, token):
    scans = {"scans": [body(token)], "waiting": 2**63}
    response = post(client, device_token, scans, "/api/checkin/scans/batch")
    assert response.status_code == 422 and response.json()["code"] == "invalid_input"
    assert not Scan.objects.exists()


def test_the_schema_declares_every_error_a_device_can_get(client):
    operations = client.get("/api/openapi.json").json()["paths"]
    for path, method in [
        ("/api/checkin/scans", "post"),
        ("/api/checkin/scans/batch", "post"),
        ("/api/checkin/device", "get"),
    ]:
        assert {"200", "400", "401", "422"} <= set(operations[path][method]["responses"]), path
    assert {"200", "400", "422"} <= set(operations["/api/events"]["get"]["responses"])


def test_a_batch_is_answered_item_by_item_in_order_and_keeps_device_times(
    client, device_token, token, device
):
    now = timezone.now()
    eight_ago = (now - timezone.timedelta(minutes=8)).isoformat()
    four_ago = (now - timezone.timedelta(minutes=4)).isoformat()
    scans = [
        body(token, nonce="queued-0001", scanned_at=eight_ago),
        body(token, nonce="queued-0002", direction="out", scanned_at=four_ago),
        body("garbage", nonce="queued-0003"),
        body(token, nonce="queued-0004", place=999999),
    ]  # fmt: skip
    response = post(
        client, device_token, {"scans": scans, "waiting": 7}, "/api/checkin/scans/batch"
    )
    assert response.status_code == 200
    codes = [item["code"] for item in response.json()["results"]]
    assert codes == ["ok", "ok", "invalid_signature", "unknown_place"]
    first = Scan.objects.get(nonce="queued-0001")
    assert abs((first.scanned_at - (now - timezone.timedelta(minutes=8))).total_seconds()) < 1
    device.refresh_from_db()
    assert device.unsynced_scans == 7

    again = post(client, device_token, {"scans": scans[:2]}, "/api/checkin/scans/batch")
    assert [i["replayed"] for i in again.json()["results"]] == [True, True]
    assert Scan.objects.count() == 3


def test_the_device_endpoint_serves_keys_and_revocations(
    client, device_token, token, registration, organizer
):
    from checkin.services.badges import badge_reissue

    old_badge = registration.badges.get()
    badge_reissue(registration=registration, by=organizer)
    answer = client.get("/api/checkin/device", HTTP_AUTHORIZATION=f"Bearer {device_token}").json()
    assert answer["place"] == "EMDR Workshop"
    assert len(answer["keys"]) == 1
    assert {"badge_id": old_badge.pk, "code": "revoked"} in answer["revoked"]
    assert "private" not in str(answer).lower()
