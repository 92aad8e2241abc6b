"""The live check-in dashboard: figures, and updates pushed over a WebSocket."""

from datetime import timedelta

import pytest
from channels.testing import WebsocketCommunicator
from django.urls import reverse
from django.utils import timezone

from checkin.live import checkin_stats
from checkin.services.scans import manual_check, perform_scan
from config.asgi import application

pytestmark = pytest.mark.django_db


def test_figures_count_people_inside_in_total_and_not_arrived(
    live_event, registration, device, token, workshop, django_assert_max_num_queries
):
    now = timezone.now()
    perform_scan(device=device, token=token, session=None, direction="in",
                 scanned_at=now - timedelta(minutes=5), nonce="live-0001")  # fmt: skip
    perform_scan(device=device, token=token, session=workshop, direction="in",
                 scanned_at=now - timedelta(minutes=4), nonce="live-0002")  # fmt: skip
    perform_scan(device=device, token=token, session=workshop, direction="out",
                 scanned_at=now - timedelta(minutes=1), nonce="live-0003")  # fmt: skip
    with django_assert_max_num_queries(4):
        stats = checkin_stats(live_event)
    assert stats["event"] == {"expected": 1, "inside": 1, "total": 1, "no_shows": 0}
    room = next(s for s in stats["sessions"] if s["id"] == workshop.pk)
    assert (room["inside"], room["total"], room["expected"]) == (0, 1, 1)
    assert sum(bucket["count"] for bucket in stats["arrivals"]) == 1


def test_automatic_check_out_empties_a_session_at_its_end(
    live_event, registration, device, token, workshop
):
    from checkin.selectors import presence_by_registration
    from events.models import Session

    now = timezone.now()
    perform_scan(device=device, token=token, session=workshop, direction="in",
                 scanned_at=now - timedelta(minutes=4), nonce="auto-0001")  # fmt: skip
    Session.objects.filter(pk=workshop.pk).update(auto_checkout=True)
    room = next(s for s in checkin_stats(live_event)["sessions"] if s["id"] == workshop.pk)
    assert room["inside"] == 1  # still running: still inside
    assert presence_by_registration(live_event, [registration.pk]) == {
        registration.pk: [workshop.title]
    }

    Session.objects.filter(pk=workshop.pk).update(ends_at=now - timedelta(minutes=1))
    room = next(s for s in checkin_stats(live_event)["sessions"] if s["id"] == workshop.pk)
    assert (room["inside"], room["total"]) == (0, 1)
    assert presence_by_registration(live_event, [registration.pk]) == {}

    # Without automatic check-out, an ended session keeps them in until someone looks.
    Session.objects.filter(pk=workshop.pk).update(auto_checkout=False)
    room = next(s for s in checkin_stats(live_event)["sessions"] if s["id"] == workshop.pk)
    assert room["inside"] == 1


def test_the_page_and_its_json_are_for_organizers_only(client, live_event, organizer, attendee):
    client.force_login(attendee)
    assert client.get(reverse("checkin:live", args=[live_event.slug])).status_code == 403
    assert client.get(reverse("checkin:live_json", args=[live_event.slug])).status_code == 403
    client.force_login(organizer)
    assert client.get(reverse("checkin:live", args=[live_event.slug])).status_code == 200
    assert client.get(reverse("checkin:live_json", args=[live_event.slug])).json()["event"]


async def connect(user, event_id):
    communicator = WebsocketCommunicator(
        application, f"/ws/checkin/events/{event_id}/", headers=[(b"origin", b"http://localhost")]
    )
    if user is not None:
        communicator.scope["user"] = user
    return communicator


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_an_organizer_hears_about_each_accepted_scan(live_event, registration, organizer):
    from channels.db import database_sync_to_async

    communicator = await connect(organizer, live_event.pk)
    connected, _ = await communicator.connect()
    assert connected
    await database_sync_to_async(manual_check)(
        registration=registration, session=None, direction="in", by=organizer,
        reason="Badge left at the hotel",
    )  # fmt: skip
    frame = await communicator.receive_json_from(timeout=3)
    assert frame == {"type": "scan", "session_id": None, "direction": "in"}
    await communicator.disconnect()


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
@pytest.mark.parametrize(("who", "code"), [("anonymous", 4401), ("attendee", 4403)])
async def test_others_are_refused_with_a_documented_close_code(live_event, attendee, who, code):
    from django.contrib.auth.models import AnonymousUser

    user = AnonymousUser() if who == "anonymous" else attendee
    communicator = await connect(user, live_event.pk)
    connected, _ = await communicator.connect()
    assert connected  # accepted first, so that a browser sees the close code
    closing = await communicator.receive_output()
    assert closing == {"type": "websocket.close", "code": code}
