"""The chat socket (ws/chat/) through WebsocketCommunicator: the real ASGI stack
(origin check, session auth, max age), consumer, hub and services, on whichever
database and channel backend the run uses (in-process hub, or Redis pub/sub)."""

import asyncio
from datetime import timedelta

import pytest
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from config.asgi import application
from events.models import Registration
from events.services import registration_cancel
from networking.chat import broadcast
from networking.chat.consumers import ChatConsumer
from networking.chat.models import Message, ReadState
from networking.chat.moderation import mute_create
from networking.chat.services import message_send
from networking.models import Block
from tests.chat.conftest import Client, in_db

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]


async def messages_in(client, count: int) -> list[dict]:
    return [await client.recv_type("message") for _ in range(count)]


async def presence_where(client, condition) -> dict:
    """The next presence frame that meets the condition."""
    while not condition(frame := await client.recv_type("presence")):
        pass
    return frame


async def test_a_visitor_who_is_not_logged_in_is_closed_with_4401():
    client = Client(AnonymousUser())
    connected, _ = await client.ws.connect()
    assert connected  # accepted, so that the close code reaches a browser
    close = await client.ws.receive_output(timeout=3)
    assert (close["type"], close["code"]) == ("websocket.close", 4401)


async def test_a_socket_from_another_site_is_refused():
    ws = WebsocketCommunicator(application, "/ws/chat/", headers=[(b"origin", b"http://evil.test")])
    connected, _ = await ws.connect()
    assert not connected


async def test_attendees_see_each_others_messages_in_order(connect, dana, rafael, lobby):
    a, b = await connect(dana), await connect(rafael)
    joined, _ = await a.join(lobby)
    assert joined["title"] == "Lobby" and joined["can_post"] and not joined["moderator"]
    await b.join(lobby)

    for n in range(3):
        ack = await a.say(lobby, f"Question {n}")
        assert (ack["type"], ack["seq"], ack["duplicate"]) == ("ack", n + 1, False)

    received = await messages_in(b, 3)
    assert [(m["seq"], m["body"]) for m in received] == [
        (1, "Question 0"),
        (2, "Question 1"),
        (3, "Question 2"),
    ]
    assert received[0]["sender"] == {"id": dana.pk, "name": "Dana Whitaker"}
    # The sender gets its own messages too (the client matches them by client_id).
    assert [m["seq"] for m in await messages_in(a, 3)] == [1, 2, 3]


async def test_rejoining_with_the_last_seq_delivers_everything_after_it_once(
    connect, dana, rafael, lobby
):
    a = await connect(dana)
    await a.join(lobby)
    for n in range(5):
        await a.say(lobby, f"m{n}")

    b = await connect(rafael)
    joined, caught = await b.join(lobby, after=2)
    assert joined["last_seq"] == 5
    assert [m["seq"] for m in caught] == [3, 4, 5]

    await a.say(lobby, "live")
    live = await b.recv_type("message")
    assert (live["seq"], live["body"]) == (6, "live")
    assert await b.nothing()  # nothing twice


async def test_a_message_committed_during_catch_up_arrives_once(
    connect, monkeypatch, dana, rafael, lobby
):
    """The catch-up query and the live stream overlap; the socket gets each seq once."""
    from networking.chat import delivery

    for n in range(1, 3):
        await in_db(message_send, user=dana, room_id=lobby.pk, body=f"m{n}", client_id=f"c{n}")
    real = delivery.messages_after
    calls = []

    def racing(room_id, after, limit, upto=None):
        if not calls:  # someone posts while this socket reads its catch-up
            message_send(user=dana, room_id=room_id, body="m3", client_id="c3")
        calls.append(after)
        return real(room_id, after, limit, upto)

    monkeypatch.setattr(delivery, "messages_after", racing)
    b = await connect(rafael)
    _, caught = await b.join(lobby, after=0)
    assert [m["seq"] for m in caught] == [1, 2, 3]
    assert await b.nothing(0.5, "message")


async def test_joining_without_a_seq_starts_from_now(connect, dana, rafael, lobby):
    await in_db(message_send, user=dana, room_id=lobby.pk, body="old", client_id="c1")
    b = await connect(rafael)
    _, caught = await b.join(lobby)
    assert caught == []


async def test_history_pages_backward_from_any_seq(connect, dana, lobby):
    for n in range(1, 8):
        await in_db(message_send, user=dana, room_id=lobby.pk, body=f"m{n}", client_id=f"c{n}")
    a = await connect(dana)
    await a.join(lobby)
    await a.send(type="history", room=lobby.pk, before=6, limit=3)
    page = await a.recv_type("history")
    assert [m["seq"] for m in page["messages"]] == [3, 4, 5]
    assert (page["before"], page["has_more"]) == (3, True)
    await a.send(type="history", room=lobby.pk, before=3, limit=3)
    page = await a.recv_type("history")
    assert [m["seq"] for m in page["messages"]] == [1, 2]
    assert page["has_more"] is False


async def test_history_of_a_room_is_refused_to_non_members(connect, outsider, dana, lobby):
    await in_db(message_send, user=dana, room_id=lobby.pk, body="private", client_id="c1")
    o = await connect(outsider)
    await o.send(type="history", room=lobby.pk)
    error = await o.recv_type("error", "history")
    assert (error["type"], error["code"]) == ("error", "not_member")


async def test_typing_reaches_the_others_but_not_the_typist(connect, dana, rafael, lobby):
    a, b = await connect(dana), await connect(rafael)
    await a.join(lobby)
    await b.join(lobby)
    await a.send(type="typing", room=lobby.pk)
    typing = await b.recv_type("typing")
    assert typing["user"] == {"id": dana.pk, "name": "Dana Whitaker"}
    await a.send(type="ping")
    assert (await a.recv_type("pong", "typing"))["type"] == "pong"


async def test_presence_lists_who_is_online_and_follows_arrivals_and_departures(
    connect, dana, rafael, lobby
):
    a = await connect(dana)
    joined, _ = await a.join(lobby)
    assert [p["id"] for p in joined["online"]] == [dana.pk]

    b = await connect(rafael)
    joined, _ = await b.join(lobby)
    assert {p["id"] for p in joined["online"]} == {dana.pk, rafael.pk}
    assert joined["online_count"] == 2
    # Arrivals and departures are announced in batches (at most one frame a second).
    arrived = await presence_where(a, lambda f: rafael.pk in [p["id"] for p in f["online"]])
    assert {"id": rafael.pk, "name": "Rafael Okafor"} in arrived["online"]
    assert arrived["online_count"] == 2

    await b.close()
    left = await presence_where(a, lambda f: f["offline"])
    assert (left["offline"], left["online_count"]) == ([rafael.pk], 1)


async def test_an_edit_within_ten_minutes_shows_as_edited(connect, dana, rafael, lobby):
    a, b = await connect(dana), await connect(rafael)
    await a.join(lobby)
    await b.join(lobby)
    await a.say(lobby, "Room 301 at 3")
    await b.recv_type("message")

    await a.send(type="edit", room=lobby.pk, seq=1, body="Room 310 at 3")
    update = await b.recv_type("update")
    assert (update["seq"], update["body"], update["change"]) == (1, "Room 310 at 3", 1)
    assert update["edited_at"] is not None

    await b.send(type="edit", room=lobby.pk, seq=1, body="hijacked")
    assert (await b.recv_type("error"))["code"] == "forbidden"

    await in_db(
        Message.objects.filter(seq=1).update, created_at=timezone.now() - timedelta(minutes=11)
    )
    await a.send(type="edit", room=lobby.pk, seq=1, body="too late")
    assert (await a.recv_type("error"))["code"] == "edit_window"
    assert (await in_db(Message.objects.get, seq=1)).body == "Room 310 at 3"


async def test_delete_own_and_organizer_deletes_any(connect, dana, rafael, organizer, lobby):
    a, b, org = await connect(dana), await connect(rafael), await connect(organizer)
    for client in (a, b, org):
        await client.join(lobby)
    await a.say(lobby, "mine")
    await b.say(lobby, "rude remark")

    await a.send(type="delete", room=lobby.pk, seq=2)
    assert (await a.recv_type("error"))["code"] == "forbidden"

    await a.send(type="delete", room=lobby.pk, seq=1)
    update = await b.recv_type("update")
    assert (update["seq"], update["deleted"], update["body"], update["deleted_by"]) == (
        1,
        True,
        None,
        "sender",
    )

    await org.send(type="delete", room=lobby.pk, seq=2)
    assert (await a.recv_type("update"))["seq"] == 1  # its own deletion came first
    update = await a.recv_type("update")
    assert (update["seq"], update["deleted_by"], update["body"]) == (2, "moderator", None)


async def test_edits_and_deletions_missed_while_away_arrive_on_rejoin(connect, dana, rafael, lobby):
    a = await connect(dana)
    await a.join(lobby)
    await a.say(lobby, "first")
    await a.say(lobby, "second")
    await a.send(type="edit", room=lobby.pk, seq=1, body="first, edited")
    await a.send(type="delete", room=lobby.pk, seq=2)
    await a.say(lobby, "third")

    b = await connect(rafael)
    _, caught = await b.join(lobby, after=2, changes_after=0)
    assert [(f["type"], f["seq"]) for f in caught] == [
        ("message", 3),
        ("update", 1),
        ("update", 2),
    ]
    assert caught[1]["body"] == "first, edited" and caught[2]["deleted"] is True


async def test_joining_a_room_one_is_not_in_is_refused_and_the_socket_stays_open(
    connect, outsider, lobby
):
    o = await connect(outsider)
    error, _ = await o.join(lobby)
    assert (error["type"], error["code"], error["room"]) == ("error", "not_member", lobby.pk)
    await o.send(type="ping")
    assert (await o.recv())["type"] == "pong"
    await o.send(type="send", room=lobby.pk, body="hi", client_id="x")
    assert (await o.recv())["code"] == "not_joined"


async def test_a_person_removed_from_the_event_stops_receiving(
    connect, settings, dana, rafael, lobby
):
    settings.CHAT_MEMBERSHIP_TTL = 0.2
    a, b = await connect(dana), await connect(rafael)
    await a.join(lobby)
    await b.join(lobby)
    await a.say(lobby, "before")
    assert (await b.recv_type("message"))["body"] == "before"

    registration = await in_db(Registration.objects.get, user=rafael)
    await in_db(registration_cancel, registration=registration, by=rafael)
    await asyncio.sleep(0.3)  # longer than the membership TTL
    await a.say(lobby, "after")

    removed = await b.recv_type("removed", "message")
    assert (removed["type"], removed["room"], removed["reason"]) == (
        "removed",
        lobby.pk,
        "not_member",
    )
    assert await b.nothing()
    # Sending is checked against the database every time.
    await b.send(type="send", room=lobby.pk, body="still here?", client_id="late")
    assert (await b.recv_type("error"))["code"] in ("not_joined", "not_member")


async def test_a_removed_sender_is_refused_at_once(connect, dana, lobby):
    a = await connect(dana)
    await a.join(lobby)
    registration = await in_db(Registration.objects.get, user=dana)
    await in_db(registration_cancel, registration=registration, by=dana)
    error = await a.say(lobby, "hello?")
    assert (error["type"], error["code"]) == ("error", "not_member")
    assert (await a.recv_type("removed"))["room"] == lobby.pk
    assert not await in_db(Message.objects.exists)


async def test_sending_too_fast_is_refused_with_retry_after(connect, settings, dana, lobby):
    settings.CHAT_RATE_LIMIT = "3/60"
    a = await connect(dana)
    await a.join(lobby)
    for n in range(3):
        assert (await a.say(lobby, f"m{n}"))["type"] == "ack"
    error = await a.say(lobby, "one too many", client_id="c4")
    assert (error["code"], error["client_id"]) == ("rate_limited", "c4")
    assert 0 < error["retry_after"] <= 60
    assert await in_db(Message.objects.count) == 3


async def test_a_message_over_4000_characters_is_refused(connect, dana, lobby):
    a = await connect(dana)
    await a.join(lobby)
    error = await a.say(lobby, "x" * 4001)
    assert (error["type"], error["code"]) == ("error", "too_long")
    assert (await a.say(lobby, "x" * 4000))["type"] == "ack"
    assert await in_db(Message.objects.count) == 1


async def test_markup_is_delivered_as_text_not_interpreted(connect, dana, rafael, lobby):
    a, b = await connect(dana), await connect(rafael)
    await a.join(lobby)
    await b.join(lobby)
    await a.say(lobby, '<script>alert("x")</script> & <b>bold</b>')
    frame = await b.recv_type("message")
    # Stored and sent raw; the page escapes it (tests/chat/test_pages.py, chat.js).
    assert frame["body"] == '<script>alert("x")</script> & <b>bold</b>'


async def test_a_resent_client_id_is_stored_once(connect, dana, rafael, lobby):
    a, b = await connect(dana), await connect(rafael)
    await a.join(lobby)
    await b.join(lobby)
    first = await a.say(lobby, "Hello", client_id="tab1-0001")
    again = await a.say(lobby, "Hello", client_id="tab1-0001")
    assert (first["seq"], first["duplicate"]) == (1, False)
    assert (again["seq"], again["id"], again["duplicate"]) == (1, first["id"], True)
    assert (await b.recv_type("message"))["seq"] == 1
    assert await b.nothing()
    assert await in_db(Message.objects.count) == 1


async def test_a_reader_that_falls_behind_is_dropped_and_catches_up(
    connect, settings, stalled_readers, dana, rafael, lobby
):
    """A client that stops reading must not stall the room or grow memory: its queue
    is bounded, it is closed with 4408, and it gets everything when it rejoins."""
    settings.CHAT_SOCKET_QUEUE = 5
    stalled = stalled_readers
    a, slow = await connect(dana), await connect(rafael)
    await a.join(lobby)
    await slow.join(lobby)
    stalled.add(rafael.pk)

    for n in range(10):
        assert (await a.say(lobby, f"m{n}"))["type"] == "ack"
    assert [m["seq"] for m in await messages_in(a, 10)] == list(range(1, 11))

    close = await slow.ws.receive_output(timeout=3)
    while close["type"] != "websocket.close":
        close = await slow.ws.receive_output(timeout=3)
    assert close["code"] == 4408

    stalled.clear()
    again = await connect(rafael)
    _, caught = await again.join(lobby, after=0)
    assert [m["seq"] for m in caught] == list(range(1, 11))


async def test_a_lost_publish_is_filled_from_the_database(
    connect, settings, monkeypatch, dana, rafael, lobby
):
    settings.CHAT_RESYNC_SECONDS = 0.3
    real_publish = broadcast.publish

    def lossy(room_id, payload):
        if payload.startswith(("m 2 ", "m 4 ")):
            return  # Redis pub/sub is at-most-once
        real_publish(room_id, payload)

    monkeypatch.setattr(broadcast, "publish", lossy)
    a, b = await connect(dana), await connect(rafael)
    await a.join(lobby)
    await b.join(lobby)
    for n in range(1, 5):
        await a.say(lobby, f"m{n}")
    # 2 is noticed when 3 arrives; 4 (nothing after it) when the hub resyncs.
    received = await messages_in(b, 4)
    assert [m["seq"] for m in received] == [1, 2, 3, 4]
    # No message twice (the joins' presence batch may land in this window on a slow run).
    assert await b.nothing(0.5, "message")


async def test_blocked_people_are_hidden_from_the_blocker(connect, dana, rafael, lobby):
    await in_db(Block.objects.create, blocker=dana, blocked=rafael)
    await in_db(message_send, user=rafael, room_id=lobby.pk, body="before", client_id="r1")
    a, b = await connect(dana), await connect(rafael)
    _, caught = await a.join(lobby, after=0)
    assert caught == []
    await b.join(lobby)
    await b.say(lobby, "hello Dana")
    await b.send(type="typing", room=lobby.pk)
    assert await a.nothing(0.5)


async def test_only_organizers_post_announcements(connect, dana, organizer, announcements):
    a, org = await connect(dana), await connect(organizer)
    joined, _ = await a.join(announcements)
    assert joined["can_post"] is False
    assert (await a.say(announcements, "me too"))["code"] == "read_only"
    await org.join(announcements)
    assert (await org.say(announcements, "Doors open at 8"))["type"] == "ack"
    assert (await a.recv_type("message"))["body"] == "Doors open at 8"


async def test_a_muted_attendee_reads_but_cannot_post(connect, dana, organizer, event, lobby):
    await in_db(mute_create, by=organizer, event=event, user=dana)
    a = await connect(dana)
    joined, _ = await a.join(lobby)
    assert joined["can_post"] is False
    assert (await a.say(lobby, "hello"))["code"] == "muted"


async def test_reading_a_room_moves_the_read_mark(connect, dana, rafael, lobby):
    for n in range(1, 4):
        await in_db(message_send, user=dana, room_id=lobby.pk, body=f"m{n}", client_id=f"c{n}")
    b = await connect(rafael)
    joined, _ = await b.join(lobby)
    assert joined["read_seq"] == 0
    await b.send(type="read", room=lobby.pk, seq=3)
    await b.send(type="ping")
    await b.recv_type("pong")
    state = await in_db(ReadState.objects.get, user=rafael, room=lobby)
    assert state.last_read_seq == 3


async def test_bad_frames_get_an_error_and_change_nothing(connect, dana, lobby):
    a = await connect(dana)
    await a.ws.send_to(text_data="not json")
    assert (await a.recv())["code"] == "bad_frame"
    await a.send(type="dance")
    assert (await a.recv())["code"] == "bad_frame"
    await a.send(type="join", room="lobby")
    assert (await a.recv())["code"] == "bad_frame"
    await a.join(lobby)
    await a.send(type="send", room=lobby.pk, body="x\x00y", client_id="c1")
    assert (await a.recv_type("error"))["code"] == "invalid"
    await a.send(type="send", room=lobby.pk, body="   ", client_id="c2")
    assert (await a.recv_type("error"))["code"] == "empty"
    assert not await in_db(Message.objects.exists)


async def test_a_deeply_nested_frame_is_a_bad_frame_and_the_socket_goes_on(
    connect, dana, rafael, lobby
):
    a, b = await connect(dana), await connect(rafael)
    await a.join(lobby)
    await b.join(lobby)
    await a.ws.send_to(text_data="[" * 20_000)  # under the size limit, too deep for json
    assert (await a.recv())["code"] == "bad_frame"
    await b.say(lobby, "still here?")
    assert (await a.recv_type("message"))["body"] == "still here?"


async def test_a_frame_racing_the_4401_close_is_ignored():
    client = Client(AnonymousUser())
    await client.ws.connect()
    await client.send(type="ping")
    close = await client.ws.receive_output(timeout=3)
    assert (close["type"], close["code"]) == ("websocket.close", 4401)
    assert await client.ws.receive_nothing(timeout=0.2)


async def test_a_failing_frame_closes_the_socket_with_1011_and_leaves_its_rooms(
    connect, monkeypatch, dana, rafael, lobby
):
    a, b = await connect(dana), await connect(rafael)
    await a.join(lobby)
    await b.join(lobby)

    async def broken(self, frame):
        raise RuntimeError("a bug")

    monkeypatch.setattr(ChatConsumer, "on_ping", broken)
    await a.send(type="ping")
    while (output := await a.ws.receive_output(timeout=3))["type"] != "websocket.close":
        pass
    assert output["code"] == 1011
    # Dana's socket left the room: she is announced as gone, not kept "online".
    await presence_where(b, lambda frame: dana.pk in frame["offline"])


async def test_a_flooding_socket_is_closed_with_4429(connect, settings, dana):
    settings.CHAT_FRAME_LIMIT = "5/60"
    a = await connect(dana)
    for _ in range(5):
        await a.send(type="ping")
        assert (await a.recv())["type"] == "pong"
    await a.send(type="ping")
    close = await a.ws.receive_output(timeout=3)
    assert (close["type"], close["code"]) == ("websocket.close", 4429)


async def test_sockets_are_closed_before_their_channel_groups_expire(connect, settings, dana):
    """WEBSOCKET_MAX_AGE (below CHANNEL_GROUP_EXPIRY) closes any socket with 1001."""
    settings.WEBSOCKET_MAX_AGE = 0.3
    a = await connect(dana)
    close = await a.ws.receive_output(timeout=3)
    assert (close["type"], close["code"]) == ("websocket.close", 1001)
