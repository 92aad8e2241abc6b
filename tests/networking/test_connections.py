"""Connection requests: the lifecycle, every refusal, notifications and emails."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from events.errors import RegistrationError
from networking.models import Connection, Notification
from networking.services.blocks import block_create, block_remove
from networking.services.connections import (
    connection_accept,
    connection_decline,
    connection_remove,
    connection_request,
    connection_withdraw,
)
from networking.services.relations import are_connected, blocked_between, blocked_ids
from tests.networking.conftest import connect, listed, set_profile

S = Connection.Status


def refused(code: str, **kwargs):
    with pytest.raises(RegistrationError) as caught:
        connection_request(**kwargs)
    assert caught.value.code == code
    return caught.value


def test_request_accept_then_remove(event, ana, ben):
    request = connection_request(requester=ana, addressee=ben, note="Loved your EMDR question")
    assert request.status == S.PENDING and not are_connected(ana.pk, ben.pk)
    connection_accept(connection=request, by=ben)
    assert are_connected(ana.pk, ben.pk) and are_connected(ben.pk, ana.pk)
    connection_remove(connection=request, by=ana)
    request.refresh_from_db()
    assert request.status == S.REMOVED and not are_connected(ana.pk, ben.pk)
    # After a removal they may ask again.
    assert connection_request(requester=ben, addressee=ana).status == S.PENDING


def test_decline_and_withdraw(event, ana, ben):
    request = connection_request(requester=ana, addressee=ben)
    connection_decline(connection=request, by=ben)
    assert Connection.objects.get(pk=request.pk).status == S.DECLINED
    carl = listed(event, first_name="Carl", last_name="Third")
    second = connection_request(requester=carl, addressee=ben)
    connection_withdraw(connection=second, by=carl)
    assert Connection.objects.get(pk=second.pk).status == S.WITHDRAWN
    # The withdrawn request's notification is gone from Ben's list.
    assert not Notification.objects.filter(user=ben, connection=second).exists()


def test_refusals_change_nothing(event, ana, ben, cara):
    refused("self", requester=ana, addressee=ana)
    refused("not_visible", requester=ana, addressee=cara)  # another event's attendee
    request = connection_request(requester=ana, addressee=ben)
    refused("already_requested", requester=ana, addressee=ben)
    connection_accept(connection=request, by=ben)
    refused("already_connected", requester=ana, addressee=ben)
    refused("already_connected", requester=ben, addressee=ana)
    carl = listed(event, first_name="Carl", last_name="Blocked")
    block_create(blocker=carl, blocked=ana)
    error = refused("not_visible", requester=ana, addressee=carl)
    assert "carl" not in error.message.lower()
    assert Connection.objects.count() == 1


def test_blocked_either_way_even_when_visible(event, ana, ben):
    block_create(blocker=ana, blocked=ben)
    from networking.services.connections import request_unchecked

    for requester, addressee in ((ana, ben), (ben, ana)):
        with pytest.raises(RegistrationError) as caught:
            request_unchecked(requester=requester, addressee=addressee)
        assert caught.value.code == "blocked"
    assert blocked_between(ana.pk, ben.pk) and blocked_ids(ana.pk) == {ben.pk}
    assert blocked_ids(ben.pk) == set()


def test_a_request_crossing_theirs_connects_you(event, ana, ben):
    theirs = connection_request(requester=ben, addressee=ana)
    mine = connection_request(requester=ana, addressee=ben)
    assert mine.pk == theirs.pk and mine.status == S.ACCEPTED
    assert Connection.objects.count() == 1
    assert Notification.objects.filter(user=ben, kind="connection_accepted").exists()


def test_after_a_decline_you_wait_30_days(event, ana, ben):
    connection_decline(connection=connection_request(requester=ana, addressee=ben), by=ben)
    refused("asked_recently", requester=ana, addressee=ben)
    Connection.objects.update(responded_at=timezone.now() - timedelta(days=31))
    assert connection_request(requester=ana, addressee=ben).status == S.PENDING


@pytest.mark.parametrize("action", ["accept", "decline"])
def test_only_the_addressee_answers(event, ana, ben, action):
    request = connection_request(requester=ana, addressee=ben)
    service = connection_accept if action == "accept" else connection_decline
    with pytest.raises(RegistrationError) as caught:
        service(connection=request, by=ana)
    assert caught.value.code == "forbidden"
    service(connection=request, by=ben)
    with pytest.raises(RegistrationError) as caught:
        service(connection=request, by=ben)
    assert caught.value.code == "not_pending"


def test_only_the_requester_withdraws_and_only_members_remove(event, ana, ben):
    carl = listed(event, first_name="Carl", last_name="Outsider")
    request = connection_request(requester=ana, addressee=ben)
    with pytest.raises(RegistrationError):
        connection_withdraw(connection=request, by=ben)
    with pytest.raises(RegistrationError):
        connection_remove(connection=request, by=ana)  # not connected yet
    connection_accept(connection=request, by=ben)
    with pytest.raises(RegistrationError):
        connection_remove(connection=request, by=carl)
    with pytest.raises(RegistrationError):
        connection_withdraw(connection=request, by=ana)  # no longer pending


def test_block_closes_requests_and_connections_unblock_restores_nothing(event, ana, ben):
    carl = listed(event, first_name="Carl", last_name="Pending")
    connect(ana, ben)
    pending = connection_request(requester=carl, addressee=ana)
    block_create(blocker=ana, blocked=ben)
    block_create(blocker=ana, blocked=carl)
    assert not are_connected(ana.pk, ben.pk)
    assert Connection.objects.get(pk=pending.pk).status == S.DECLINED
    assert not Notification.objects.filter(user=ana).exists()
    block_remove(blocker=ana, blocked=ben)
    assert not are_connected(ana.pk, ben.pk)


def test_a_day_holds_only_so_many_new_requests(
    settings, event, ana, ben, mailoutbox, django_capture_on_commit_callbacks
):
    """Each request emails its addressee: the directory must not become a way to
    write to everyone at an event. Answering someone else's request is not limited."""
    settings.CONNECTION_REQUESTS_PER_DAY = 2
    carl = listed(event, first_name="Carl", last_name="Third")
    dora = listed(event, first_name="Dora", last_name="Fourth")
    first = connection_request(requester=ana, addressee=ben)
    connection_withdraw(connection=first, by=ana)  # withdrawing does not give it back
    connection_request(requester=ana, addressee=carl)

    with django_capture_on_commit_callbacks(execute=True):
        error = refused("too_many_requests", requester=ana, addressee=dora)
    assert "sent 2 connection requests in the last 24 hours" in error.message
    assert "You can send more in about 24 hours." in error.message
    assert not Connection.objects.filter(requester=ana, addressee=dora).exists()
    assert not Notification.objects.filter(user=dora).exists() and mailoutbox == []

    theirs = connection_request(requester=dora, addressee=ana)
    assert connection_request(requester=ana, addressee=dora).pk == theirs.pk  # accepted
    assert are_connected(ana.pk, dora.pk)

    Connection.objects.filter(requester=ana).update(
        created_at=timezone.now() - timedelta(hours=24, minutes=1)
    )
    elena = listed(event, first_name="Elena", last_name="Fifth")
    assert connection_request(requester=ana, addressee=elena).status == S.PENDING


# ---------- Notifications and emails ----------


def test_request_and_acceptance_notify_in_app_and_by_email(
    event, ana, ben, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        request = connection_request(requester=ana, addressee=ben, note="Coffee at the break?")
    note = Notification.objects.get(user=ben)
    assert note.kind == "connection_request" and "Ana Reyes" in note.text
    assert note.url == reverse("networking:requests")
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == [ben.email]
    assert "Ana Reyes would like to connect" in mailoutbox[0].subject
    assert "Coffee at the break?" in mailoutbox[0].body
    html, mimetype = mailoutbox[0].alternatives[0]
    assert mimetype == "text/html" and "Coffee at the break?" in html
    assert reverse("networking:requests") in mailoutbox[0].body
    with django_capture_on_commit_callbacks(execute=True):
        connection_accept(connection=request, by=ben)
    assert Notification.objects.get(pk=note.pk).is_read  # answered: no longer news
    accepted = Notification.objects.get(user=ana)
    assert accepted.kind == "connection_accepted"
    assert accepted.url == reverse("networking:person", args=[ben.pk])
    assert len(mailoutbox) == 2 and mailoutbox[1].to == [ana.email]
    assert "Ben Okafor accepted" in mailoutbox[1].subject


def test_no_email_when_the_person_turned_it_off(
    event, ana, ben, mailoutbox, django_capture_on_commit_callbacks
):
    set_profile(ben, email_on_request=False)
    set_profile(ana, email_on_accept=False)
    with django_capture_on_commit_callbacks(execute=True):
        connection_accept(connection=connection_request(requester=ana, addressee=ben), by=ben)
    assert mailoutbox == []
    assert Notification.objects.filter(user=ben).count() == 1
    assert Notification.objects.filter(user=ana).count() == 1


def test_decline_tells_the_requester_nothing(
    event, ana, ben, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        connection_decline(connection=connection_request(requester=ana, addressee=ben), by=ben)
    assert not Notification.objects.filter(user=ana).exists()
    assert [m.to for m in mailoutbox] == [[ben.email]]


# ---------- Pages ----------


def test_requests_page_shows_the_public_profile_and_note(client, event, ana, ben):
    set_profile(
        ana, headline="School psychologist", bio="Bio-for-connections", bio_visibility="connections"
    )
    connection_request(requester=ana, addressee=ben, note="We sat together at the plenary")
    client.force_login(ben)
    text = client.get(reverse("networking:requests")).content.decode()
    assert "School psychologist" in text and "We sat together at the plenary" in text
    assert "Bio-for-connections" not in text and ana.email not in text
    client.force_login(ana)
    sent = client.get(reverse("networking:requests"), {"tab": "sent"}).content.decode()
    assert "Ben Okafor" in sent and "Withdraw" in sent


def test_connected_people_see_each_others_email(client, event, ana, ben):
    client.force_login(ana)
    assert ben.email not in client.get(reverse("networking:person", args=[ben.pk])).content.decode()
    response = client.post(
        reverse("networking:connect", args=[ben.pk]), {"note": "Hello from the lobby"}
    )
    assert response.status_code == 302
    request = Connection.objects.get()
    assert request.note == "Hello from the lobby"
    client.force_login(ben)
    response = client.post(reverse("networking:accept", args=[request.pk]))
    assert response.status_code == 302
    assert ana.email in client.get(reverse("networking:person", args=[ana.pk])).content.decode()
    client.force_login(ana)
    assert ben.email in client.get(reverse("networking:person", args=[ben.pk])).content.decode()
    assert ben.email in client.get(reverse("networking:my_network")).content.decode()


def test_someone_elses_request_cannot_be_answered(client, event, ana, ben):
    carl = listed(event, first_name="Carl", last_name="Else")
    request = connection_request(requester=ana, addressee=ben)
    client.force_login(carl)
    for name in ("accept", "decline", "withdraw"):
        assert client.post(reverse(f"networking:{name}", args=[request.pk])).status_code == 404
    client.force_login(ana)  # the requester cannot accept their own request
    response = client.post(reverse("networking:accept", args=[request.pk]), follow=True)
    assert "Only the person asked can accept" in response.content.decode()
    assert Connection.objects.get().status == S.PENDING


def test_remove_asks_for_confirmation_first(client, event, ana, ben):
    connection = connect(ana, ben)
    client.force_login(ana)
    url = reverse("networking:remove", args=[connection.pk])
    page = client.get(url)
    assert (
        page.status_code == 200
        and "Remove Ben Okafor from your connections?" in page.content.decode()
    )
    assert Connection.objects.get().status == S.ACCEPTED
    client.post(url)
    assert Connection.objects.get().status == S.REMOVED


def test_notifications_page_and_unread_count(client, event, ana, ben, rf):
    from networking.context_processors import notifications

    connection_request(requester=ana, addressee=ben)
    request = rf.get("/")
    request.user = ben
    assert notifications(request)["unread_notifications"] == 1
    client.force_login(ben)
    page = client.get(reverse("networking:notifications"))
    assert "Ana Reyes would like to connect with you." in page.content.decode()
    item = Notification.objects.get()
    response = client.get(reverse("networking:notification_open", args=[item.pk]))
    assert response["Location"] == reverse("networking:requests")
    assert notifications(request)["unread_notifications"] == 0
    client.post(reverse("networking:notifications_read"))
    request.user = type("Anon", (), {"is_authenticated": False})()
    assert notifications(request) == {"unread_notifications": 0}
