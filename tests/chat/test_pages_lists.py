"""The long lists of the chat pages come a page at a time: someone's conversations,
and the people muted in an event."""

import re

import pytest
from django.urls import reverse

from networking.chat.models import Mute, ReadState
from networking.chat.services import direct_room_open, message_send
from networking.models import Connection
from tests.chat.conftest import attend
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def talk_to(user, count: int, first_name: str = "Peer"):
    """`count` connections of `user`, each with a direct conversation; returns the rooms."""
    rooms = []
    for n in range(count):
        other = make_user(first_name=first_name, last_name=f"Number{n:02d}")
        Connection.objects.create(requester=user, addressee=other, status="accepted")
        rooms.append(direct_room_open(user=user, other=other))
    return rooms


def rows(text: str) -> list[str]:
    return re.findall(r'<li class="chat-rooms__item">.*?</li>', text, re.S)


def conversation_rows(text: str) -> list[str]:
    """The rows of the chat page's Conversations section (not the event rooms')."""
    section = re.search(r"<section[^>]*conversations-heading.*?</section>", text, re.S)
    return rows(section.group(0)) if section else []


def test_the_chat_page_shows_a_few_conversations_and_links_to_all(client, dana):
    talk_to(dana, 12)
    client.force_login(dana)
    text = client.get(reverse("chat:index")).content.decode()
    assert len(conversation_rows(text)) == 5
    assert f'href="{reverse("chat:conversations")}"' in text and "All conversations" in text


def test_all_conversations_come_a_page_at_a_time_unread_first_with_their_counts(
    client, settings, dana
):
    settings.CHAT_RATE_LIMIT = "100/10"
    rooms = talk_to(dana, 27)
    waiting = rooms[3]  # an early conversation with news: listed first
    other = waiting.members.exclude(user=dana).get().user
    for n in range(3):
        message_send(user=other, room_id=waiting.pk, body=f"news {n}", client_id=f"n{n}")
    ReadState.objects.create(room=waiting, user=dana, last_read_seq=1)
    client.force_login(dana)
    url = reverse("chat:conversations")

    first = client.get(url).content.decode()
    assert len(rows(first)) == 20 and "Page 1 of 2" in first
    top = rows(first)[0]
    assert other.get_full_name() in top
    assert f'href="{reverse("chat:room", args=[waiting.pk])}"' in top
    assert '2<span class="visually-hidden"> unread messages' in top
    assert "unread message" not in "".join(rows(first)[1:])

    second = client.get(url, {"page": 2}).content.decode()
    assert len(rows(second)) == 7 and "Page 2 of 2" in second
    listed = {m for page in (first, second) for m in re.findall(r"Peer Number\d\d", page)}
    assert len(listed) == 27  # everyone, once


def test_the_chat_pages_cost_the_same_for_3_or_30_conversations(
    client, settings, dana, lobby, django_assert_max_num_queries
):
    settings.CHAT_RATE_LIMIT = "100/10"
    client.force_login(dana)
    for count in (3, 27):
        rooms = talk_to(dana, count, first_name=f"Batch{count}")
        for room in rooms:
            message_send(user=dana, room_id=room.pk, body="hello", client_id=f"h{room.pk}")
        # About 9 of the chat's own (events: count and page, rooms ensured, read
        # counts; conversations and their names) and the base template's (session,
        # user, navigation, notifications).
        with django_assert_max_num_queries(14):
            assert client.get(reverse("chat:index")).status_code == 200
        with django_assert_max_num_queries(8):
            response = client.get(reverse("chat:conversations"))
        assert len(rows(response.content.decode())) == {3: 3, 27: 20}[count]  # of 3, of 30


def test_an_organizer_pages_through_everyone_muted(
    client, event, organizer, django_assert_max_num_queries
):
    people = [attend(event, first_name="Muted", last_name=f"Person{n:02d}") for n in range(30)]
    for person in people:  # Person00 muted first, Person29 last
        Mute.objects.create(event=event, user=person, muted_by=organizer)
    client.force_login(organizer)

    reports = client.get(reverse("chat:reports", args=[event.slug])).content.decode()
    assert reports.count('<th scope="row">Muted Person') == 10 and "Muted Person29" in reports
    mutes_url = reverse("chat:mutes", args=[event.slug])
    assert f'href="{mutes_url}"' in reports

    with django_assert_max_num_queries(8):
        first = client.get(mutes_url).content.decode()
    assert first.count('<th scope="row">Muted Person') == 25 and "Page 1 of 2" in first
    second = client.get(mutes_url, {"page": 2}).content.decode()
    assert second.count('<th scope="row">Muted Person') == 5
    assert "Muted Person00" in second  # the first one muted is on the last page

    # Unmuting from the second page comes back to it.
    unmute = reverse("chat:unmute", args=[event.slug, people[0].pk])
    page_two = f"{mutes_url}?page=2"
    assert f'href="{unmute}?next={page_two.replace("?", "%3F").replace("=", "%3D")}"' in second
    response = client.post(unmute, {"next": page_two})
    assert response["Location"] == page_two
    assert not Mute.objects.filter(user=people[0]).exists()
