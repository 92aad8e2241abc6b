"""A room's life in the hub: what it remembers about people who left, a refused
rejoin, a slow socket's close surviving garbage collection, and what a join costs."""

import asyncio
import gc
import json
import weakref

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from events.models import Registration
from events.services import registration_cancel
from networking.chat import frames, hub_presence
from networking.chat import hub as hub_module
from networking.chat.consumers import CLOSE_TOO_SLOW, ChatConsumer
from networking.chat.delivery import join_info
from networking.chat.hub import get_hub
from networking.chat.hub_state import RoomState
from networking.chat.membership import ChatError
from networking.chat.services import message_send
from tests.chat.conftest import attend, in_db


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_a_busy_room_forgets_the_names_of_people_who_left(connect, event, dana, lobby):
    """A lobby that is never empty for three days must not keep everyone who ever came."""
    a = await connect(dana)
    await a.join(lobby)
    for n in range(5):
        visitor = await connect(await in_db(attend, event, first_name=f"Visitor{n}"))
        await visitor.join(lobby)
        await visitor.close()

    state = get_hub().rooms[lobby.pk]
    assert state.names == {dana.pk: "Dana Whitaker"}


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_reloading_the_only_tab_in_a_room_never_shows_one_offline(connect, dana, lobby):
    """The old tab's departure is announced a second later, when the reloaded tab is
    back (in a new room state: the room had no other reader in this process)."""
    tab = await connect(dana)
    await tab.join(lobby)
    await tab.close()
    reloaded = await connect(dana)
    await reloaded.join(lobby)

    presence = await reloaded.recv_type("presence")
    assert (presence["online"], presence["offline"]) == ([frames.person(dana)], [])
    assert presence["online_count"] == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_a_refused_rejoin_leaves_the_room_at_once(connect, dana, rafael, lobby):
    """Dana's registration is cancelled; her page rejoins the lobby and is refused. From
    then on nothing of the lobby reaches her, and her process drops the room's
    subscription (she was its only reader there), without waiting for the next check."""
    a = await connect(dana)
    await a.join(lobby)
    registration = await in_db(Registration.objects.get, user=dana)
    await in_db(registration_cancel, registration=registration, by=dana)

    error, _ = await a.join(lobby)
    assert (error["type"], error["code"], error["room"]) == ("error", "not_member", lobby.pk)
    assert (await a.recv_type("removed"))["room"] == lobby.pk
    assert lobby.pk not in get_hub().rooms
    await in_db(message_send, user=rafael, room_id=lobby.pk, body="after", client_id="r1")
    assert await a.nothing(0.5, "message")


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_a_socket_that_fell_behind_is_closed_even_if_garbage_is_collected_meanwhile(
    connect, settings, monkeypatch, stalled_readers, dana, rafael, lobby
):
    """The close of a socket that fell behind runs as a background task. The event
    loop holds tasks only weakly: unless someone keeps a reference, a collection while
    the close waits on the peer destroys it, and the socket is never closed."""
    settings.CHAT_SOCKET_QUEUE = 5
    stalled = stalled_readers
    closing = asyncio.Event()
    waits: list[weakref.ref] = []
    real_close = ChatConsumer.close

    async def close_after_a_slow_send(self, code=None, reason=None):
        if code == CLOSE_TOO_SLOW:
            # The server's send waits for the peer; nothing but this task refers to it.
            peer = asyncio.get_running_loop().create_future()
            waits.append(weakref.ref(peer))
            closing.set()
            await peer
        await real_close(self, code=code, reason=reason)

    monkeypatch.setattr(ChatConsumer, "close", close_after_a_slow_send)
    a, slow = await connect(dana), await connect(rafael)
    await a.join(lobby)
    await slow.join(lobby)
    stalled.add(rafael.pk)
    for n in range(10):
        assert (await a.say(lobby, f"m{n}"))["type"] == "ack"
    await asyncio.wait_for(closing.wait(), 3)

    gc.unfreeze()  # config/gc_policy.py may have frozen it out of collections
    gc.collect()
    peer = waits[0]()
    assert peer is not None, "the pending close was garbage-collected"
    peer.set_result(None)
    while (output := await slow.ws.receive_output(timeout=3))["type"] != "websocket.close":
        pass
    assert output["code"] == CLOSE_TOO_SLOW


@pytest.mark.django_db
def test_a_join_asks_about_membership_once(dana, lobby):
    with CaptureQueriesContext(connection) as queries:
        info = join_info(dana, lobby.pk)
    assert info["can_post"] is True
    registrations = [q for q in queries.captured_queries if '"events_registration"' in q["sql"]]
    assert len(registrations) == 1, [q["sql"] for q in registrations]


@pytest.mark.django_db
def test_a_join_where_one_could_not_post_anyway_still_checks_membership(dana, lobby, announcements):
    """Reading only (announcements) or not a member at all: the refusal is not_member."""
    assert join_info(dana, announcements.pk)["can_post"] is False
    registration = Registration.objects.get(user=dana)
    registration_cancel(registration=registration, by=dana)
    for room in (lobby, announcements):
        with pytest.raises(ChatError) as refused:
            join_info(dana, room.pk)
        assert refused.value.code == "not_member"


@pytest.mark.asyncio
async def test_a_rooms_presence_announcements_go_out_one_at_a_time(settings, monkeypatch):
    """Dana leaves while the announcement of Rafael's arrival waits on Redis; the
    announcement of her departure must follow it, never overtake it (clients would
    then show her online after she left)."""
    settings.REDIS_URL = ""
    monkeypatch.setattr(hub_presence, "PRESENCE_BATCH", 0)
    hub = hub_module.Hub(asyncio.get_running_loop())
    published: list[dict] = []
    calls = []
    redis_answers = asyncio.Event()

    class SlowRedis:
        async def really_gone(self, state, user_ids):
            return user_ids

        async def online_count(self, state):
            return 1

        async def publish(self, room_id, payload):
            calls.append(payload)
            if len(calls) == 1:  # only the first is slow
                await redis_answers.wait()
            published.append(json.loads(frames.open_envelope(payload)[3]))

    async def settle():
        for _ in range(20):
            await asyncio.sleep(0)

    hub.backend = SlowRedis()
    state = RoomState(1)
    state.arrived[2] = "Rafael Okafor"
    hub._presence_soon(state)
    await settle()  # the first announcement is waiting on Redis
    state.departed.add(1)
    hub._presence_soon(state)
    await settle()
    assert published == [] and len(calls) == 1  # the second waits its turn

    redis_answers.set()
    await settle()
    assert [(p["online"], p["offline"]) for p in published] == [
        ([{"id": 2, "name": "Rafael Okafor"}], []),
        ([], [1]),
    ]
