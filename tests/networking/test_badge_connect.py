"""Connect by scanning a badge: the signed token is verified, must be a confirmed
registration of the same event, and the answer is the public profile only."""

import pytest
from django.urls import reverse
from django.utils import timezone

from checkin import tokens
from checkin.models import Badge
from checkin.services.badges import badge_for, badge_reissue, badge_token
from events.services import registration_cancel
from networking.models import Connection
from networking.services.blocks import block_create
from networking.services.connections import connection_request
from tests.factories import make_session
from tests.networking.conftest import attend, connect, set_profile


def token_of(user, event=None) -> str:
    registration = user.registrations.get(event=event) if event else user.registrations.get()
    return badge_token(badge_for(registration), event_id=registration.event_id)


def scan(client, event, token, session=None, as_json=True):
    headers = {"HTTP_ACCEPT": "application/json"} if as_json else {}
    data = {"token": token, "session": session.pk if session else ""}
    return client.post(reverse("networking:connect_scan", args=[event.slug]), data, **headers)


@pytest.fixture
def ben_public(ben):
    set_profile(
        ben,
        headline="Play therapist",
        bio="Bio-only-for-connections",
        bio_visibility="connections",
        employer="Hidden Employer Inc",
        employer_visibility="hidden",
        profession="counselor",
        credentials="LPC",
    )
    return ben


def test_valid_badge_sends_a_request_noting_where_and_when(client, event, ana, ben_public):
    workshop = make_session(event, title="EMDR Deep Dive")
    client.force_login(ana)
    before = timezone.now()
    response = scan(client, event, token_of(ben_public), session=workshop)
    assert response.status_code == 200
    answer = response.json()
    assert answer["status"] == "ok" and answer["code"] == "requested"
    assert answer["profile"]["name"] == "Ben Okafor"
    assert answer["profile"]["headline"] == "Play therapist"
    assert answer["profile"]["credentials"] == "LPC"
    assert answer["profile_url"] == reverse("networking:person", args=[ben_public.pk])
    connection = Connection.objects.get()
    assert (connection.requester, connection.addressee) == (ana, ben_public)
    assert connection.status == Connection.Status.PENDING
    assert connection.met_at_event == event and connection.met_at_place == "EMDR Deep Dive"
    assert connection.created_at >= before


def test_a_scan_never_reveals_more_than_the_public_profile(client, event, ana, ben_public):
    connect(ana, ben_public)  # even a connection gets only the public profile from a scan
    client.force_login(ana)
    answer = scan(client, event, token_of(ben_public)).json()
    assert answer["code"] == "already_connected"
    text = str(answer)
    assert "Bio-only-for-connections" not in text
    assert "Hidden Employer Inc" not in text
    assert ben_public.email not in text
    assert Connection.objects.count() == 1


def test_forged_token_is_refused(client, event, ana, ben):
    genuine = tokens.parse(token_of(ben))
    private, _ = tokens.generate_key_pair()
    forged = tokens.sign(genuine, private)  # same badge and event, someone else's key
    client.force_login(ana)
    response = scan(client, event, forged)
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_badge"
    tampered = token_of(ben)
    tampered = tampered[:-3] + ("A" if tampered[-3] != "A" else "B") + tampered[-2:]
    assert scan(client, event, tampered).json()["code"] == "invalid_badge"
    assert scan(client, event, "hello world").json()["code"] == "invalid_badge"
    assert not Connection.objects.exists()


def test_another_events_badge_is_refused(client, event, other_event, ana):
    stranger = attend(other_event, first_name="Oto", last_name="Elsewhere").user
    client.force_login(ana)
    response = scan(client, event, token_of(stranger))
    assert response.status_code == 400
    assert response.json() == {
        "status": "error",
        "code": "wrong_event",
        "message": "This badge is for another event.",
    }
    assert not Connection.objects.exists()


def test_own_badge_is_refused(client, event, ana):
    client.force_login(ana)
    answer = scan(client, event, token_of(ana)).json()
    assert answer["code"] == "own_badge"
    assert not Connection.objects.exists()


def test_replaced_and_cancelled_badges_are_refused(client, event, organizer, ana, ben):
    client.force_login(ana)
    old = token_of(ben)
    badge_reissue(registration=ben.registrations.get(), by=organizer)
    assert scan(client, event, old).json()["code"] == "revoked"
    fresh = token_of(ben)
    registration_cancel(registration=ben.registrations.get(), by=ben)
    # Cancelling revokes the badge; the registration is checked even if it were not.
    Badge.objects.filter(pk=tokens.parse(fresh).badge_id).update(revoked_at=None)
    assert scan(client, event, fresh).json()["code"] == "not_confirmed"
    assert not Connection.objects.exists()


def test_only_confirmed_attendees_of_the_event_can_scan(client, event, organizer, cara, ben):
    for person in (cara, organizer):
        client.force_login(person)
        response = scan(client, event, token_of(ben))
        assert response.status_code == 403
        assert response.json()["code"] == "not_attendee"
        assert client.get(reverse("networking:connect_page", args=[event.slug])).status_code == 403
    assert not Connection.objects.exists()


def test_blocked_people_cannot_connect_by_badge(client, event, ana, ben):
    block_create(blocker=ben, blocked=ana)
    client.force_login(ana)
    answer = scan(client, event, token_of(ben)).json()
    assert answer["code"] == "unavailable"
    assert "name" not in answer  # the refusal shows no profile
    assert not Connection.objects.exists()


def test_scanning_someone_who_asked_you_connects_you(client, event, ana, ben):
    connection_request(requester=ben, addressee=ana)
    client.force_login(ana)
    answer = scan(client, event, token_of(ben)).json()
    assert answer["code"] == "connected"
    connection = Connection.objects.get()
    assert connection.status == Connection.Status.ACCEPTED and connection.met_at_event == event


def test_scanning_twice_sends_one_request(client, event, ana, ben):
    client.force_login(ana)
    scan(client, event, token_of(ben))
    assert scan(client, event, token_of(ben)).json()["code"] == "already_requested"
    assert Connection.objects.count() == 1


def test_a_session_of_another_event_is_refused(client, event, other_event, ana, ben):
    elsewhere = make_session(other_event)
    client.force_login(ana)
    response = scan(client, event, token_of(ben), session=elsewhere)
    assert response.status_code == 400 and response.json()["code"] == "bad_input"
    assert not Connection.objects.exists()


def test_without_javascript_the_page_shows_the_result(client, event, ana, ben):
    set_profile(ben, headline="Grief counselor")
    client.force_login(ana)
    page = client.get(reverse("networking:connect_page", args=[event.slug]))
    assert page.status_code == 200 and 'id="connect-input"' in page.content.decode()
    response = scan(client, event, token_of(ben), as_json=False)
    assert response.status_code == 200
    text = response.content.decode()
    assert "Request sent to Ben Okafor" in text and "Grief counselor" in text
    bad = scan(client, event, "CV1NOTABADGE", as_json=False)
    assert bad.status_code == 400 and "not a valid Convene badge" in bad.content.decode()


def test_a_scan_past_the_days_request_limit_says_so_with_429(client, settings, event, ana, ben):
    settings.CONNECTION_REQUESTS_PER_DAY = 1
    carl = attend(event, first_name="Carl", last_name="Third").user
    client.force_login(ana)
    assert scan(client, event, token_of(ben)).json()["code"] == "requested"
    response = scan(client, event, token_of(carl))
    assert response.status_code == 429
    assert 23 * 3600 < int(response["Retry-After"]) <= 24 * 3600
    answer = response.json()
    assert answer["code"] == "too_many_requests" and "24 hours" in answer["message"]
    assert not Connection.objects.filter(addressee=carl).exists()
