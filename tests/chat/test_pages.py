"""Chat pages: room list with unread counts, a room, direct messages, reports and
moderation, and who may open what."""

import re

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from networking.chat.membership import event_room
from networking.chat.models import Message, Mute, ReadState, Report, Room
from networking.chat.moderation import report_create
from networking.chat.services import message_delete, message_send
from networking.models import Block, Connection
from tests.chat.conftest import attend
from tests.factories import make_event, make_org, make_organizer, make_session, make_user
from tests.permissions import LOGIN, assert_page_answer

pytestmark = pytest.mark.django_db


def say(user, room, body, client_id):
    return message_send(user=user, room_id=room.pk, body=body, client_id=client_id)[0]


@pytest.fixture
def reported(dana, rafael, lobby):
    message = say(rafael, lobby, "Buy my course at http://spam.example", "r1")
    report_create(user=dana, message=message, reason="Advertising")
    return message


def make_site_staff(**names):
    """Site staff who review reports of private conversations: staff status and chat's
    "Can change report" permission (organizers are staff too, without it)."""
    person = make_user(is_staff=True, **names)
    person.user_permissions.add(
        Permission.objects.get(content_type__app_label="chat", codename="change_report")
    )
    return person


@pytest.fixture
def roles(dana, organizer):
    other_org = make_org()
    return {
        "anonymous": None,
        "attendee": dana,
        "other_attendee": attend(make_event(other_org)),
        "other_organizer": make_organizer(other_org),
        "organizer": organizer,
        "site_staff": make_site_staff(),
    }


PAGES = {
    # name: {role: expected}
    "index": {"anonymous": LOGIN, "attendee": 200, "other_attendee": 200,
              "other_organizer": 200, "organizer": 200, "site_staff": 200},
    "conversations": {"anonymous": LOGIN, "attendee": 200, "other_attendee": 200,
                      "other_organizer": 200, "organizer": 200, "site_staff": 200},
    "room": {"anonymous": LOGIN, "attendee": 200, "other_attendee": 404,
             "other_organizer": 404, "organizer": 200, "site_staff": 404},
    "report": {"anonymous": LOGIN, "attendee": 200, "other_attendee": 404,
               "other_organizer": 404, "organizer": 200, "site_staff": 404},
    "reports": {"anonymous": LOGIN, "attendee": 403, "other_attendee": 403,
                "other_organizer": 403, "organizer": 200, "site_staff": 403},
    "mutes": {"anonymous": LOGIN, "attendee": 403, "other_attendee": 403,
              "other_organizer": 403, "organizer": 200, "site_staff": 403},
    "message_remove": {"anonymous": LOGIN, "attendee": 403, "other_attendee": 403,
                       "other_organizer": 403, "organizer": 200, "site_staff": 403},
    "mute": {"anonymous": LOGIN, "attendee": 403, "other_attendee": 403,
             "other_organizer": 403, "organizer": 200, "site_staff": 403},
    "unmute": {"anonymous": LOGIN, "attendee": 403, "other_attendee": 403,
               "other_organizer": 403, "organizer": 200, "site_staff": 403},
    # Reports of direct and mentorship rooms: site staff only (organizers are staff
    # too, but hold no permission to read other people's conversations).
    "private_reports": {"anonymous": LOGIN, "attendee": 403, "other_attendee": 403,
                        "other_organizer": 403, "organizer": 403, "site_staff": 200},
}  # fmt: skip


@pytest.mark.parametrize(
    ("page", "role"), [(page, role) for page, table in PAGES.items() for role in table]
)
def test_permission_table(client, roles, event, lobby, reported, rafael, page, role):
    url = {
        "index": reverse("chat:index"),
        "conversations": reverse("chat:conversations"),
        "room": reverse("chat:room", args=[lobby.pk]),
        "report": reverse("chat:report", args=[reported.pk]),
        "reports": reverse("chat:reports", args=[event.slug]),
        "mutes": reverse("chat:mutes", args=[event.slug]),
        "message_remove": reverse("chat:message_remove", args=[event.slug, reported.pk]),
        "mute": reverse("chat:mute", args=[event.slug, rafael.pk]),
        "unmute": reverse("chat:unmute", args=[event.slug, rafael.pk]),
        "private_reports": reverse("chat:private_reports"),
    }[page]
    assert_page_answer(client, roles[role], url, PAGES[page][role])


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("chat:send", "room"),
        ("chat:report_dismiss", "report"),
        ("chat:message_remove", "message"),
        ("chat:mute", "person"),
    ],
)
def test_writes_by_people_without_the_right_change_nothing(
    client, roles, event, lobby, reported, rafael, name, args
):
    report = Report.objects.get()
    url = reverse(
        name,
        args={
            "room": [lobby.pk],
            "report": [event.slug, report.pk],
            "message": [event.slug, reported.pk],
            "person": [event.slug, rafael.pk],
        }[args],
    )
    client.force_login(roles["other_organizer"])
    response = client.post(url, {"body": "hi", "client_id": "x1"})
    assert response.status_code in (403, 404)
    assert Message.objects.count() == 1 and not Message.objects.filter(deleted_at__isnull=False)
    assert not Mute.objects.exists() and Report.objects.get().resolved_at is None


def test_the_room_list_shows_each_room_with_its_unread_count(
    client, event, dana, rafael, lobby, django_assert_max_num_queries
):
    seated = make_session(event, title="Motivational interviewing", capacity=None)
    other_event = make_event(title="Spring Ethics Day")
    for n in range(3):
        say(rafael, lobby, f"m{n}", f"c{n}")
    ReadState.objects.create(room=lobby, user=dana, last_read_seq=1)
    attend(other_event)  # someone else's event: not listed for Dana
    client.force_login(dana)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("chat:index"))
    text = response.content.decode()
    assert event.title in text and "Spring Ethics Day" not in text
    assert seated.title in text and "Announcements" in text
    lobby_link = reverse("chat:room", args=[lobby.pk])
    row = re.search(rf'href="{lobby_link}".*?</a>', text, re.S).group(0)
    assert '2<span class="visually-hidden"> unread messages' in row


def test_a_room_shows_recent_history_escaped_with_links(client, dana, rafael, lobby):
    say(rafael, lobby, '<script>alert("pwned")</script> see https://example.org/a?b=1&c=2.', "c1")
    say(rafael, lobby, "javascript:alert(1) is not a link", "c2")
    client.force_login(dana)
    response = client.get(reverse("chat:room", args=[lobby.pk]))
    text = response.content.decode()
    assert "<script>alert" not in text
    assert "&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt;" in text
    assert (
        '<a href="https://example.org/a?b=1&amp;c=2" rel="noopener nofollow ugc">'
        "https://example.org/a?b=1&amp;c=2</a>." in text
    )
    assert 'href="javascript' not in text
    # The live socket continues after what the page shows.
    assert 'data-after="2"' in text and "data-live" in text
    # Opening the room reads it.
    assert ReadState.objects.get(user=dana, room=lobby).last_read_seq == 2


def test_a_room_page_costs_the_same_whatever_its_history(
    client, settings, dana, rafael, lobby, django_assert_max_num_queries
):
    settings.CHAT_RATE_LIMIT = "100/10"
    for n in range(60):
        say(dana if n % 2 else rafael, lobby, f"m{n}", f"c{n}")
    client.force_login(dana)
    # About 14 of chat's own (access, blocks, messages, read mark, may post) and the
    # base template's (navigation, notifications).
    with django_assert_max_num_queries(20):
        response = client.get(reverse("chat:room", args=[lobby.pk]))
    assert response.content.decode().count('<li class="chat-message') == 50


def test_earlier_messages_page_backward(client, settings, dana, lobby):
    settings.CHAT_RATE_LIMIT = "100/10"
    for n in range(1, 56):
        say(dana, lobby, f"message number {n}", f"c{n}")
    client.force_login(dana)
    latest = client.get(reverse("chat:room", args=[lobby.pk])).content.decode()
    assert "message number 55" in latest and "message number 5<" not in latest
    assert 'href="?before=6"' in latest
    older = client.get(reverse("chat:room", args=[lobby.pk]) + "?before=6").content.decode()
    assert "message number 5<" in older and "message number 6<" not in older
    assert "Back to the latest messages" in older and "data-live" not in older


def test_the_form_without_javascript_sends_once(client, dana, lobby):
    client.force_login(dana)
    url = reverse("chat:send", args=[lobby.pk])
    for _ in range(2):  # a double click
        response = client.post(url, {"body": "Hello from my phone", "client_id": "form-1"})
        assert response.status_code == 302
    assert list(Message.objects.values_list("body", flat=True)) == ["Hello from my phone"]

    response = client.post(url, {"body": "x" * 4001, "client_id": "form-2"}, follow=True)
    assert "up to 4,000 characters" in response.content.decode()
    assert Message.objects.count() == 1


def test_announcements_have_no_form_for_attendees(client, dana, announcements):
    client.force_login(dana)
    text = client.get(reverse("chat:room", args=[announcements.pk])).content.decode()
    assert 'id="composer"' not in text and "Only the organizers post" in text


def test_starting_a_conversation_with_a_connection(client, dana, rafael):
    client.force_login(dana)
    url = reverse("chat:direct", args=[rafael.pk])
    assert client.get(url).status_code == 403  # not connected yet
    Connection.objects.create(requester=dana, addressee=rafael, status="accepted")
    assert "Start a conversation with Rafael Okafor" in client.get(url).content.decode()
    response = client.post(url)
    room = Room.objects.get(kind=Room.Kind.DIRECT)
    assert response["Location"] == reverse("chat:room", args=[room.pk])
    assert client.get(url)["Location"] == reverse("chat:room", args=[room.pk])  # existing one
    page = client.get(reverse("chat:room", args=[room.pk])).content.decode()
    assert '<h1 class="chat__title">Rafael Okafor</h1>' in page  # named after the other person
    listing = client.get(reverse("chat:index")).content.decode()
    assert "Rafael Okafor" in listing

    Block.objects.create(blocker=rafael, blocked=dana)
    response = client.post(url)
    assert (
        response.status_code == 403
        and "You cannot message this person" in response.content.decode()
    )


def test_an_attendee_reports_and_the_organizer_acts(client, dana, rafael, organizer, event, lobby):
    message = say(rafael, lobby, "Buy my course", "r1")
    client.force_login(dana)
    response = client.post(reverse("chat:report", args=[message.pk]), {"reason": "Advertising"})
    assert response.status_code == 302
    assert Report.objects.get().reason == "Advertising"

    client.force_login(organizer)
    reports_url = reverse("chat:reports", args=[event.slug])
    text = client.get(reports_url).content.decode()
    assert "Buy my course" in text and "Advertising" in text and "Dana Whitaker" in text

    remove_url = reverse("chat:message_remove", args=[event.slug, message.pk])
    assert "Remove this message for everyone?" in client.get(remove_url).content.decode()
    assert client.post(remove_url)["Location"] == reports_url
    message.refresh_from_db()
    assert message.removed_by_moderator
    assert Report.objects.get().resolution == Report.Resolution.REMOVED
    assert "No open reports" in client.get(reports_url).content.decode()

    mute_url = reverse("chat:mute", args=[event.slug, rafael.pk])
    client.post(mute_url, {"reason": "Spam"})
    assert Mute.objects.get().reason == "Spam"
    assert "Rafael Okafor" in client.get(reports_url).content.decode()  # listed as muted
    client.post(reverse("chat:unmute", args=[event.slug, rafael.pk]))
    assert not Mute.objects.exists()


def test_an_organizer_cannot_mute_an_organizer(client, organizer, org, event):
    colleague = make_organizer(org)
    client.force_login(organizer)
    response = client.post(reverse("chat:mute", args=[event.slug, colleague.pk]))
    assert response.status_code == 400 and not Mute.objects.exists()


def test_a_message_of_another_event_is_not_found(client, organizer, event, dana, lobby):
    other = make_event(make_org())
    stranger = attend(other)
    foreign = say(stranger, event_room(other, Room.Kind.LOBBY), "elsewhere", "s1")
    client.force_login(organizer)
    url = reverse("chat:message_remove", args=[event.slug, foreign.pk])
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    assert Message.objects.get(pk=foreign.pk).deleted_at is None


def test_blocked_peoples_messages_are_hidden_on_the_page(client, dana, rafael, lobby):
    say(rafael, lobby, "you will not see this", "r1")
    Block.objects.create(blocker=dana, blocked=rafael)
    client.force_login(dana)
    assert (
        "you will not see this"
        not in client.get(reverse("chat:room", args=[lobby.pk])).content.decode()
    )


def test_a_non_ascii_digit_in_before_is_ignored_not_a_500(client, dana, lobby):
    say(dana, lobby, "hello", "d1")
    client.force_login(dana)
    response = client.get(reverse("chat:room", args=[lobby.pk]), {"before": "²"})
    assert response.status_code == 200 and "hello" in response.content.decode()


def test_an_organizer_cannot_name_or_mute_someone_outside_the_event(client, organizer, event):
    stranger = make_user(first_name="Secret", last_name="Stranger")
    client.force_login(organizer)
    for name in ("chat:mute", "chat:unmute"):
        url = reverse(name, args=[event.slug, stranger.pk])
        response = client.get(url)
        assert response.status_code == 404 and "Stranger" not in response.content.decode()
        assert client.post(url, {"reason": "x"}).status_code == 404
    assert not Mute.objects.exists()


def test_unmuting_someone_not_muted_says_so(client, organizer, event, rafael):
    client.force_login(organizer)
    response = client.post(reverse("chat:unmute", args=[event.slug, rafael.pk]), follow=True)
    assert "Rafael Okafor was not muted." in response.content.decode()


def test_removing_an_organizers_own_reported_message_closes_its_reports(
    client, organizer, event, dana, lobby
):
    message = say(organizer, lobby, "a reported announcement", "o1")
    report_create(user=dana, message=message, reason="Off topic")
    client.force_login(organizer)
    client.post(reverse("chat:message_remove", args=[event.slug, message.pk]))
    assert Message.objects.get(pk=message.pk).deleted_at is not None
    report = Report.objects.get()
    assert report.resolved_at is not None and report.resolution == Report.Resolution.REMOVED


def test_removing_a_message_its_sender_already_deleted_says_so_and_closes_reports(
    client, organizer, event, rafael, reported
):
    message_delete(user=rafael, room_id=reported.room_id, seq=reported.seq)
    client.force_login(organizer)
    response = client.post(
        reverse("chat:message_remove", args=[event.slug, reported.pk]), follow=True
    )
    text = response.content.decode()
    assert "Its sender had already deleted this message." in text
    assert "removed for everyone" not in text
    assert Report.objects.get().resolution == Report.Resolution.REMOVED
