"""The send form without JavaScript, when the browser shows a page from its history."""

import re

import pytest
from django.urls import reverse

from networking.chat.models import Message

pytestmark = pytest.mark.django_db


def form_client_id(page: str) -> str:
    return re.search(r'name="client_id" value="([0-9a-f]+)"', page).group(1)


def test_the_room_page_is_not_kept_for_the_back_button(client, dana, lobby):
    client.force_login(dana)
    response = client.get(reverse("chat:room", args=[lobby.pk]))
    assert "no-store" in response["Cache-Control"]


def test_a_different_message_from_a_page_restored_by_back_is_sent(client, dana, lobby):
    client.force_login(dana)
    page = client.get(reverse("chat:room", args=[lobby.pk])).content.decode()
    client_id = form_client_id(page)
    url = reverse("chat:send", args=[lobby.pk])
    client.post(url, {"body": "First question", "client_id": client_id})
    # Back to the page as it was (same client_id), a new message typed and sent:
    response = client.post(url, {"body": "Second question", "client_id": client_id}, follow=True)
    assert list(Message.objects.order_by("seq").values_list("body", flat=True)) == [
        "First question",
        "Second question",
    ]
    assert "already sent" not in response.content.decode()


def test_sending_the_same_text_from_the_same_page_again_says_it_was_sent_once(client, dana, lobby):
    client.force_login(dana)
    page = client.get(reverse("chat:room", args=[lobby.pk])).content.decode()
    data = {"body": "Is the session recorded?", "client_id": form_client_id(page)}
    url = reverse("chat:send", args=[lobby.pk])
    client.post(url, data)
    response = client.post(url, data, follow=True)  # a double click, or Back and resubmit
    assert Message.objects.count() == 1
    assert "You had already sent this message; it was not sent twice." in (
        response.content.decode()
    )
