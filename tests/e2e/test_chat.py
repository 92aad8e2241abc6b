"""Chat in two real Chromium contexts (two attendees), against the real ASGI app served
by uvicorn (HTTP and WebSocket) in a thread of this process.

live_server speaks only WSGI, so this module starts its own server; it shares the
test database (the in-memory SQLite database is shared-cache; PostgreSQL is a server).
"""

import socket
import threading
import time

import pytest
from django.conf import settings
from django.test import Client as HttpClient
from django.urls import reverse

from events.services import registration_create
from networking.chat.membership import event_room
from networking.chat.models import Message, Room
from tests.e2e.conftest import chromium_missing_reason
from tests.factories import make_ticket, make_user

_missing = chromium_missing_reason()
if _missing:
    pytest.skip(f"browser tests need Chromium and playwright: {_missing}", allow_module_level=True)

from playwright.sync_api import expect  # noqa: E402

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def asgi_server():
    """config.asgi.application under uvicorn, static files included."""
    import uvicorn
    from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler

    from config.asgi import application

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = uvicorn.Config(
        ASGIStaticFilesHandler(application),
        host="127.0.0.1",
        port=port,
        lifespan="on",
        log_level="warning",
        ws="websockets-sansio",
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)


def logged_in(new_context, user, base_url):
    client = HttpClient()
    client.force_login(user)
    context = new_context()
    name = settings.SESSION_COOKIE_NAME
    context.add_cookies([{"name": name, "value": client.cookies[name].value, "url": base_url}])
    return context


def attendee(event, first, last):
    person = make_user(first_name=first, last_name=last)
    registration_create(user=person, ticket_type=make_ticket(event))
    return person


def bodies(page) -> list[str]:
    return page.locator("#messages li[data-seq] .chat-message__body").all_inner_texts()


def send(page, text):
    page.get_by_label("Message", exact=True).fill(text)
    page.keyboard.press("Enter")


def test_two_attendees_chat_and_the_offline_one_catches_up_in_order(
    new_context, asgi_server, event
):
    dana = attendee(event, "Dana", "Whitaker")
    rafael = attendee(event, "Rafael", "Okafor")
    lobby = event_room(event, Room.Kind.LOBBY)
    url = asgi_server + reverse("chat:room", args=[lobby.pk])

    first = logged_in(new_context, dana, asgi_server)
    second = logged_in(new_context, rafael, asgi_server)
    page1, page2 = first.new_page(), second.new_page()
    page1.goto(url)
    page2.goto(url)
    expect(page1.locator("#chat-status")).to_have_text("Live")
    expect(page2.locator("#chat-status")).to_have_text("Live")
    expect(page1.locator("#online-count")).to_have_text("2 online")

    send(page1, "Hello Rafael, see https://example.org/slides <script>alert(1)</script>")
    message = page2.locator("#messages li[data-seq]").last
    expect(message.locator(".chat-message__body")).to_have_text(
        "Hello Rafael, see https://example.org/slides <script>alert(1)</script>"
    )
    expect(message.locator(".chat-message__sender")).to_have_text("Dana Whitaker")
    link = message.locator(".chat-message__body a")
    expect(link).to_have_attribute("href", "https://example.org/slides")
    expect(link).to_have_attribute("rel", "noopener nofollow ugc")
    assert message.locator("script").count() == 0

    second.set_offline(True)
    expect(page2.locator("#chat-status")).to_contain_text("offline")
    for text in ("one", "two", "three"):
        send(page1, text)
        expect(page1.locator("#messages li[data-seq]").last).to_contain_text(text)  # stored
    assert Message.objects.filter(room=lobby).count() == 4
    page2.wait_for_timeout(500)
    assert "one" not in bodies(page2)  # really offline: nothing arrived

    second.set_offline(False)
    expect(page2.locator("#chat-status")).to_have_text("Live")
    expect(page2.locator("#messages li[data-seq]")).to_have_count(4)
    assert bodies(page2)[1:] == ["one", "two", "three"]
    assert page2.locator("#messages li[data-seq]").evaluate_all(
        "items => items.map(item => Number(item.dataset.seq))"
    ) == [1, 2, 3, 4]
