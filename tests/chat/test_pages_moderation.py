"""Moderation actions that apply: no Mute for organizers or people already muted, and
a reviewer (site staff) for reports of direct and mentorship rooms."""

import pytest
from django.urls import reverse

from networking.chat.membership import ChatError
from networking.chat.models import Mute, Report
from networking.chat.moderation import report_create
from networking.chat.services import direct_room_open, message_send
from networking.models import Connection
from tests.chat.conftest import attend
from tests.chat.test_pages import make_site_staff
from tests.factories import make_organizer, make_user

pytestmark = pytest.mark.django_db


def say(user, room, body, client_id):
    return message_send(user=user, room_id=room.pk, body=body, client_id=client_id)[0]


@pytest.fixture
def colleague(org):
    return make_organizer(org)


# ---------- Mute only who can be muted ----------


def test_the_room_offers_unmute_for_the_muted_and_no_mute_for_organizers(
    client, event, organizer, colleague, dana, rafael, lobby
):
    say(dana, lobby, "Hello all", "d1")
    say(rafael, lobby, "Buy my course", "r1")
    say(colleague, lobby, "Welcome, everyone", "c1")
    Mute.objects.create(event=event, user=rafael, muted_by=organizer)
    client.force_login(organizer)
    text = client.get(reverse("chat:room", args=[lobby.pk])).content.decode()
    assert "Mute Dana Whitaker" in text
    assert "Mute Rafael Okafor" not in text and "Unmute Rafael Okafor" in text
    assert reverse("chat:unmute", args=[event.slug, rafael.pk]) in text
    assert f"Mute {colleague.get_full_name()}" not in text
    assert reverse("chat:mute", args=[event.slug, colleague.pk]) not in text


def test_the_live_script_knows_who_is_muted_and_who_organizes_even_if_not_on_the_page(
    client, event, organizer, colleague, dana, rafael, lobby
):
    """Live messages get their actions from static/js/chat.js: it needs every muted
    person and organizer of the event, not only the senders already shown."""
    Mute.objects.create(event=event, user=rafael, muted_by=organizer)
    client.force_login(organizer)
    response = client.get(reverse("chat:room", args=[lobby.pk]))
    assert response.context["muted_ids"] == {rafael.pk}
    assert response.context["unmutable_ids"] == {organizer.pk, colleague.pk}
    text = response.content.decode()
    assert f'data-muted="{rafael.pk}"' in text
    assert reverse("chat:unmute", args=[event.slug, 0]) in text
    client.force_login(dana)
    assert "data-muted" not in client.get(reverse("chat:room", args=[lobby.pk])).content.decode()


def test_the_reports_page_offers_the_action_that_applies_to_each_sender(
    client, event, organizer, colleague, dana, rafael, lobby
):
    for sender, body in ((colleague, "an organizer's joke"), (rafael, "spam"), (dana, "rude")):
        report_create(user=attend(event), message=say(sender, lobby, body, body), reason="")
    Mute.objects.create(event=event, user=rafael, muted_by=organizer)  # after the report
    client.force_login(organizer)
    text = client.get(reverse("chat:reports", args=[event.slug])).content.decode()
    assert text.count("Dismiss report") == 3
    assert "Mute Dana Whitaker" in text
    assert "Unmute Rafael Okafor" in text
    assert reverse("chat:mute", args=[event.slug, rafael.pk]) not in text
    assert f"Mute {colleague.get_full_name()}" not in text


def test_acting_on_a_report_returns_to_the_page_the_organizer_was_on(
    client, event, organizer, dana, rafael, lobby
):
    first = report_create(user=dana, message=say(rafael, lobby, "spam", "r1"))[0]
    second = say(rafael, lobby, "more spam", "r2")
    report_create(user=dana, message=second)
    client.force_login(organizer)
    everything = reverse("chat:reports", args=[event.slug]) + "?show=all"
    page = client.get(everything).content.decode()
    assert 'name="next" value="' + everything.replace("&", "&amp;") in page

    dismiss = reverse("chat:report_dismiss", args=[event.slug, first.pk])
    assert client.post(dismiss, {"next": everything})["Location"] == everything
    off_site = client.post(dismiss, {"next": "https://evil.example/"})
    assert off_site["Location"] == reverse("chat:reports", args=[event.slug])

    remove = reverse("chat:message_remove", args=[event.slug, second.pk])
    assert remove + "?next=" in page
    assert client.post(remove, {"next": everything})["Location"] == everything


def test_a_removal_the_service_refuses_is_a_message_not_a_500(client, monkeypatch, dana, dm_report):
    from networking.chat import services

    def refuse(**kwargs):
        raise ChatError("not_member", "You are not a member of this room.")

    monkeypatch.setattr(services, "message_remove", refuse)  # e.g. the room went away
    client.force_login(make_site_staff())
    url = reverse("chat:private_message_remove", args=[dm_report.pk])
    response = client.post(url, follow=True)
    assert response.status_code == 200
    assert "You are not a member of this room." in response.content.decode()
    dm_report.message.refresh_from_db()
    assert not dm_report.message.is_deleted


def test_the_mute_page_explains_instead_of_offering_to_mute_an_organizer(
    client, event, organizer, colleague
):
    client.force_login(organizer)
    response = client.get(reverse("chat:mute", args=[event.slug, colleague.pk]))
    text = response.content.decode()
    assert f"{colleague.get_full_name()} organizes {event.title}" in text
    assert "Organizers of the event cannot be muted." in text
    assert 'name="reason"' not in text and ">Mute</button>" not in text


def test_the_mute_page_of_someone_already_muted_offers_unmute(client, event, organizer, rafael):
    Mute.objects.create(event=event, user=rafael, muted_by=organizer, reason="Spam")
    client.force_login(organizer)
    text = client.get(reverse("chat:mute", args=[event.slug, rafael.pk])).content.decode()
    assert "Rafael Okafor is already muted" in text
    assert ">Mute</button>" not in text
    assert reverse("chat:unmute", args=[event.slug, rafael.pk]) in text
    assert Mute.objects.get().reason == "Spam"  # nothing changed


# ---------- Reports of private conversations: site staff ----------


@pytest.fixture
def dm_report(dana, rafael):
    """Rafael sends Dana something in their direct conversation; she reports it."""
    Connection.objects.create(requester=dana, addressee=rafael, status="accepted")
    room = direct_room_open(user=dana, other=rafael)
    message = say(rafael, room, "A private insult", "r1")
    return report_create(user=dana, message=message, reason="Harassment")[0]


def test_reporting_a_direct_message_says_site_staff_will_review_it(client, dana, rafael):
    Connection.objects.create(requester=dana, addressee=rafael, status="accepted")
    message = say(rafael, direct_room_open(user=dana, other=rafael), "Hey", "r1")
    client.force_login(dana)
    response = client.post(reverse("chat:report", args=[message.pk]), follow=True)
    assert "Site staff will review this message." in response.content.decode()


def test_site_staff_see_and_dismiss_a_report_of_a_direct_message(
    client, event, organizer, dm_report
):
    client.force_login(organizer)  # the event's organizer has no say over a DM
    text = client.get(reverse("chat:reports", args=[event.slug])).content.decode()
    assert "A private insult" not in text

    staff = make_site_staff(first_name="Sam", last_name="Staff")
    client.force_login(staff)
    index = client.get(reverse("chat:index")).content.decode()
    assert reverse("chat:private_reports") in index and "(1 open)" in index
    queue = client.get(reverse("chat:private_reports")).content.decode()
    assert "A private insult" in queue and "Harassment" in queue and "Dana Whitaker" in queue
    assert "<h1>Reports from private conversations</h1>" in queue

    dismiss = reverse("chat:private_report_dismiss", args=[dm_report.pk])
    response = client.post(dismiss, follow=True)
    assert "Report dismissed." in response.content.decode()
    dm_report.refresh_from_db()
    assert dm_report.resolution == Report.Resolution.DISMISSED and dm_report.resolved_by == staff
    assert "No open reports." in client.get(reverse("chat:private_reports")).content.decode()
    every = client.get(reverse("chat:private_reports"), {"show": "all"}).content.decode()
    assert "Dismissed" in every and "Sam Staff" in every


def test_a_superuser_reviews_private_reports_too(client, dm_report):
    admin = make_user(is_staff=True, is_superuser=True)
    client.force_login(admin)
    assert "A private insult" in client.get(reverse("chat:private_reports")).content.decode()


@pytest.mark.parametrize("who", ["attendee", "organizer", "staff_without_permission"])
def test_nobody_else_sees_or_dismisses_private_reports(client, organizer, dana, dm_report, who):
    person = {
        "attendee": dana,  # even the reporter: it is a queue for staff
        "organizer": organizer,  # staff status, for the admin of their own provider
        "staff_without_permission": make_user(is_staff=True),
    }[who]
    client.force_login(person)
    response = client.get(reverse("chat:private_reports"))
    assert response.status_code == 403 and "A private insult" not in response.content.decode()
    assert reverse("chat:private_reports") not in client.get(reverse("chat:index")).content.decode()
    dismiss = reverse("chat:private_report_dismiss", args=[dm_report.pk])
    assert client.post(dismiss).status_code == 403
    missing = reverse("chat:private_report_dismiss", args=[dm_report.pk + 1000])
    assert client.post(missing).status_code == 403  # no probing which reports exist
    dm_report.refresh_from_db()
    assert dm_report.resolved_at is None


def test_an_organizer_cannot_dismiss_a_private_report_through_an_event(
    client, event, organizer, dm_report
):
    client.force_login(organizer)
    url = reverse("chat:report_dismiss", args=[event.slug, dm_report.pk])
    assert client.post(url).status_code == 404
    dm_report.refresh_from_db()
    assert dm_report.resolved_at is None


def test_site_staff_cannot_dismiss_an_event_rooms_report_through_their_page(
    client, dana, rafael, lobby
):
    report = report_create(user=dana, message=say(rafael, lobby, "spam", "r1"))[0]
    client.force_login(make_site_staff())
    url = reverse("chat:private_report_dismiss", args=[report.pk])
    assert client.post(url).status_code == 404
    report.refresh_from_db()
    assert report.resolved_at is None
    assert "spam" not in client.get(reverse("chat:private_reports")).content.decode()


def test_site_staff_remove_a_reported_direct_message_after_confirming(client, dana, dm_report):
    staff = make_site_staff()
    client.force_login(staff)
    queue = reverse("chat:private_reports")
    url = reverse("chat:private_message_remove", args=[dm_report.pk])
    assert url in client.get(queue).content.decode()

    confirm = client.get(url).content.decode()
    assert "Remove this message for everyone?" in confirm
    assert "A private insult" in confirm and "a direct conversation" in confirm
    dm_report.message.refresh_from_db()
    assert not dm_report.message.is_deleted  # asking changes nothing

    response = client.post(url, {"next": queue}, follow=True)
    assert "The message was removed for everyone." in response.content.decode()
    message = dm_report.message
    message.refresh_from_db()
    dm_report.refresh_from_db()
    assert message.is_deleted and message.deleted_by == staff
    assert dm_report.resolution == Report.Resolution.REMOVED and dm_report.resolved_by == staff
    again = client.post(url, {"next": queue}, follow=True)  # a second reviewer, a moment late
    assert "This message was already removed." in again.content.decode()

    client.force_login(dana)  # the conversation shows the removal, not the text
    room = client.get(reverse("chat:room", args=[message.room_id])).content.decode()
    assert "Removed by a moderator." in room and "A private insult" not in room


@pytest.mark.parametrize("who", ["attendee", "organizer", "staff_without_permission"])
def test_nobody_else_removes_a_private_message(client, organizer, dana, dm_report, who):
    person = {
        "attendee": dana,
        "organizer": organizer,
        "staff_without_permission": make_user(is_staff=True),
    }[who]
    client.force_login(person)
    url = reverse("chat:private_message_remove", args=[dm_report.pk])
    assert client.get(url).status_code == 403
    assert client.post(url).status_code == 403
    dm_report.message.refresh_from_db()
    assert not dm_report.message.is_deleted


def test_site_staff_cannot_remove_an_event_rooms_message_or_an_unreported_one(
    client, dana, rafael, lobby, dm_report
):
    from networking.chat.services import message_remove

    event_report = report_create(user=dana, message=say(rafael, lobby, "spam", "r1"))[0]
    staff = make_site_staff()
    client.force_login(staff)
    url = reverse("chat:private_message_remove", args=[event_report.pk])
    assert client.post(url).status_code == 404
    event_report.message.refresh_from_db()
    assert not event_report.message.is_deleted

    # Another message of the same conversation, which nobody reported: not theirs to touch.
    other = say(rafael, dm_report.message.room, "Something else", "r2")
    with pytest.raises(ChatError) as refused:
        message_remove(by=staff, message=other)
    assert refused.value.code == "forbidden"
    other.refresh_from_db()
    assert not other.is_deleted
