import asyncio
import uuid

import pytest
import pytest_asyncio
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator

from config.asgi import application
from events.services import registration_create
from networking.chat import ratelimit
from networking.chat.consumers import ChatConsumer
from networking.chat.hub import close_hub
from networking.chat.membership import event_room
from networking.chat.models import Room
from tests.factories import make_ticket, make_user


@pytest.fixture(autouse=True)
def _chat_isolated(settings):
    """Each test counts its own rate limits and speaks on its own Redis channels."""
    settings.CHAT_REDIS_PREFIX = f"chat-test-{uuid.uuid4().hex[:8]}"
    ratelimit.forget()


def attend(event, **names):
    """A confirmed attendee of the event (a free ticket)."""
    person = make_user(**names)
    registration_create(user=person, ticket_type=make_ticket(event))
    return person


@pytest.fixture
def dana(event):
    return attend(event, first_name="Dana", last_name="Whitaker")


@pytest.fixture
def rafael(event):
    return attend(event, first_name="Rafael", last_name="Okafor")


@pytest.fixture
def outsider(db):
    return make_user(first_name="Olive", last_name="Outside")


@pytest.fixture
def lobby(event) -> Room:
    return event_room(event, Room.Kind.LOBBY)


@pytest.fixture
def announcements(event) -> Room:
    return event_room(event, Room.Kind.ANNOUNCEMENTS)


class Client:
    """A chat socket as a test drives it."""

    def __init__(self, user):
        self.user = user
        self.backlog: list[dict] = []
        self.ws = WebsocketCommunicator(
            application, "/ws/chat/", headers=[(b"origin", b"http://localhost")]
        )
        if user is not None:
            self.ws.scope["user"] = user

    async def connect(self):
        connected, code = await self.ws.connect()
        if connected:
            hello = await self.ws.receive_json_from(timeout=3)
            assert hello["type"] == "hello"
        return connected, code

    async def send(self, **frame):
        await self.ws.send_json_to(frame)

    async def recv(self, timeout: float = 3) -> dict:
        if self.backlog:
            return self.backlog.pop(0)
        return await self.ws.receive_json_from(timeout=timeout)

    async def recv_type(self, *types: str, timeout: float = 3) -> dict:
        """The next frame of one of these types; frames of other types are kept, in
        order, for later calls (a message may arrive before the ack of its send)."""
        for i, frame in enumerate(self.backlog):
            if frame["type"] in types:
                return self.backlog.pop(i)
        while True:
            frame = await self.ws.receive_json_from(timeout=timeout)
            if frame["type"] in types:
                return frame
            self.backlog.append(frame)

    async def join(self, room, **extra) -> tuple[dict, list[dict]]:
        """Join; returns the joined frame and the catch-up messages before caught_up."""
        await self.send(type="join", room=room.pk, **extra)
        joined = await self.recv_type("joined", "error")
        if joined["type"] == "error":
            return joined, []
        messages = []
        while True:
            frame = await self.recv_type("caught_up", "message", "update")
            if frame["type"] == "caught_up":
                return joined, messages
            messages.append(frame)

    async def say(self, room, body, client_id=None):
        client_id = client_id or uuid.uuid4().hex
        await self.send(type="send", room=room.pk, body=body, client_id=client_id)
        return await self.recv_type("ack", "error")

    async def nothing(self, timeout: float = 0.3, *types: str) -> bool:
        """No frame (of these types, if given) arrives, nor waits in the backlog."""
        types = types or ("message", "update", "typing", "presence", "removed", "history")
        if any(frame["type"] in types for frame in self.backlog):
            return False
        while not await self.ws.receive_nothing(timeout=timeout):
            frame = await self.ws.receive_json_from()
            if frame["type"] in types:
                self.backlog.append(frame)
                return False
            self.backlog.append(frame)
        return True

    async def close(self):
        await self.ws.disconnect()


@pytest_asyncio.fixture
async def connect():
    """Open a chat socket for a user; every socket and the hub are closed afterwards."""
    clients = []

    async def _connect(user):
        client = Client(user)
        connected, code = await client.connect()
        assert connected, code
        clients.append(client)
        return client

    yield _connect
    for client in clients:
        await client.close()
    await close_hub()


async def in_db(fn, *args, **kwargs):
    return await database_sync_to_async(fn)(*args, **kwargs)


class FakeHub:
    """What the Redis backend needs of a hub, for tests that drive the backend alone."""

    id = "proc-test"

    def __init__(self, rooms):
        self.rooms = {state.room_id: state for state in rooms}


@pytest.fixture
def stalled_readers(monkeypatch) -> set[int]:
    """Users whose clients stop reading: add a user id and their sockets' writers
    hang on the next frame, as a server's send does when the peer reads nothing."""
    stalled: set[int] = set()

    async def stalling_write(self):
        while True:
            text = await self.conn.outbox.get()
            if self.user.pk in stalled:
                await asyncio.Event().wait()  # the peer stopped reading
            await self.base_send({"type": "websocket.send", "text": text})

    monkeypatch.setattr(ChatConsumer, "_write", stalling_write)
    return stalled


def overtake_first_pipeline(monkeypatch, redis, overtake) -> list[bool]:
    """Before the first pipeline the Redis client executes, run `overtake()`: a write
    that reaches Redis ahead of one already on its way. The list holds True once it ran."""
    real_pipeline = redis.pipeline
    overtaken: list[bool] = []

    def pipeline(**kwargs):
        pipe = real_pipeline(**kwargs)
        execute = pipe.execute

        async def execute_after_the_overtaking_write():
            if not overtaken:
                overtaken.append(True)
                await overtake()
            return await execute()

        pipe.execute = execute_after_the_overtaking_write
        return pipe

    monkeypatch.setattr(redis, "pipeline", pipeline)
    return overtaken
