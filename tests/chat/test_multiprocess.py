"""Two real ASGI server processes (uvicorn) sharing PostgreSQL and Redis, a real
WebSocket client (the `websockets` library) on each: messages, typing and presence
cross between the processes; one process is killed, its client reconnects to the
other with its last seq and gets every missed message exactly once.

Runs where REDIS_URL and a PostgreSQL DATABASE_URL are set (the CI run on
PostgreSQL + Redis); the servers see the test database because this test commits
(transaction=True) to a database they can reach.
"""

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client as HttpClient
from websockets.exceptions import ConnectionClosed

from networking.chat.models import Message, Room

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.asyncio,
    pytest.mark.skipif(
        not settings.REDIS_URL or connection.vendor != "postgresql",
        reason="two server processes need a shared PostgreSQL and Redis "
        "(set DATABASE_URL=postgres://... and REDIS_URL)",
    ),
]

BASE_DIR = Path(settings.BASE_DIR)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def database_url() -> str:
    db = connection.settings_dict
    auth = quote(db["USER"] or "")
    if db["PASSWORD"]:
        auth += ":" + quote(db["PASSWORD"])
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class Server:
    """`uvicorn config.asgi:application` in its own process."""

    def __init__(self) -> None:
        self.port = free_port()
        self.log = tempfile.NamedTemporaryFile("w+", prefix="chat-uvicorn-", suffix=".log")  # noqa: SIM115 - lives as long as the server
        env = {
            **os.environ,
            "DATABASE_URL": database_url(),  # the test database
            "REDIS_URL": settings.REDIS_URL,
            "CHAT_REDIS_PREFIX": settings.CHAT_REDIS_PREFIX,
            "CHAT_RESYNC_SECONDS": "1",
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        }
        self.process = subprocess.Popen(
            [
                sys.executable, "-m", "uvicorn", "config.asgi:application",
                "--host", "127.0.0.1", "--port", str(self.port),
                "--ws", "websockets-sansio", "--lifespan", "on",
                "--no-access-log", "--log-level", "warning",
            ],
            cwd=BASE_DIR, env=env, stdout=self.log, stderr=subprocess.STDOUT,
        )  # fmt: skip

    def wait_ready(self) -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"uvicorn exited:\n{self.output()}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"uvicorn did not start:\n{self.output()}")

    def close(self) -> None:
        self.stop()
        self.log.close()

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/ws/chat/"

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()

    def output(self) -> str:
        self.log.seek(0)
        return self.log.read()


@pytest.fixture
def servers():
    started = [Server(), Server()]  # both boot at once
    for server in started:
        server.wait_ready()
    yield started
    for server in started:
        server.stop()
        print(f"--- uvicorn on port {server.port} ---\n{server.output()}")  # shown on failure
        server.close()


def session_cookie(user) -> str:
    client = HttpClient()
    client.force_login(user)  # stored in the database and Redis, where the servers look
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


class Peer:
    """A browser tab's socket, over a real TCP connection."""

    def __init__(self, cookie: str) -> None:
        self.cookie = cookie
        self.backlog: list[dict] = []
        self.ws = None

    async def open(self, url: str) -> "Peer":
        from websockets.asyncio.client import connect

        self.ws = await connect(
            url, additional_headers={"Cookie": self.cookie}, origin="http://127.0.0.1"
        )
        self.backlog = []
        assert (await self.recv_type("hello"))["type"] == "hello"
        return self

    async def send(self, **frame) -> None:
        await self.ws.send(json.dumps(frame))

    async def recv_type(self, *types: str, timeout: float = 5) -> dict:
        for i, frame in enumerate(self.backlog):
            if frame["type"] in types:
                return self.backlog.pop(i)
        while True:
            frame = json.loads(await asyncio.wait_for(self.ws.recv(), timeout))
            if frame["type"] in types:
                return frame
            self.backlog.append(frame)

    async def join(self, room: Room, **extra) -> tuple[dict, list[dict]]:
        await self.send(type="join", room=room.pk, **extra)
        joined = await self.recv_type("joined")
        caught = []
        while (frame := await self.recv_type("message", "caught_up"))["type"] == "message":
            caught.append(frame)
        return joined, caught

    async def messages_until_quiet(self, quiet: float = 1.5) -> list[dict]:
        received = [f for f in self.backlog if f["type"] == "message"]
        self.backlog = [f for f in self.backlog if f["type"] != "message"]
        while True:
            try:
                received.append(await self.recv_type("message", timeout=quiet))
            except TimeoutError:
                return received


@pytest.fixture
def cookies(dana, rafael):
    return {dana.pk: session_cookie(dana), rafael.pk: session_cookie(rafael)}


async def test_two_server_processes_share_messages_typing_presence_and_catch_up(
    servers, cookies, dana, rafael, lobby
):
    from channels.db import database_sync_to_async

    one, two = servers
    from websockets.asyncio.client import connect

    async with connect(one.url, origin="http://127.0.0.1") as anonymous:
        with pytest.raises(ConnectionClosed) as closed:
            await asyncio.wait_for(anonymous.recv(), 5)
        assert closed.value.rcvd.code == 4401  # not logged in, as a browser sees it

    a = await Peer(cookies[dana.pk]).open(one.url)
    b = await Peer(cookies[rafael.pk]).open(two.url)

    # Presence crosses: B (process 2) sees A (process 1) online, and A hears B arrive.
    await a.join(lobby)
    joined, _ = await b.join(lobby)
    assert {p["id"] for p in joined["online"]} == {dana.pk, rafael.pk}
    arrived = await a.recv_type("presence")
    while rafael.pk not in [p["id"] for p in arrived["online"]]:
        arrived = await a.recv_type("presence")  # Dana's own arrival may come first
    assert arrived["online_count"] == 2

    # Typing crosses.
    await a.send(type="typing", room=lobby.pk)
    assert (await b.recv_type("typing"))["user"]["id"] == dana.pk

    # Messages cross both ways, stored with their seq.
    await a.send(type="send", room=lobby.pk, body="Hello from process one", client_id="a1")
    got = await b.recv_type("message")
    assert (got["seq"], got["body"]) == (1, "Hello from process one")
    await b.send(type="send", room=lobby.pk, body="And from process two", client_id="b1")
    got = [await a.recv_type("message") for _ in range(2)]  # its own, then B's
    assert [(m["seq"], m["body"]) for m in got] == [
        (1, "Hello from process one"),
        (2, "And from process two"),
    ]
    assert [(await b.recv_type("message"))["seq"], (await b.recv_type("ack"))["seq"]] == [2, 2]
    assert (await a.recv_type("ack"))["client_id"] == "a1"
    last_seen_by_b = 2

    # Process two dies; B's socket drops. A keeps talking.
    two.kill()
    with pytest.raises(ConnectionClosed):
        await asyncio.wait_for(b.ws.recv(), 5)
    for n in range(5):
        await a.send(type="send", room=lobby.pk, body=f"missed {n}", client_id=f"a-missed-{n}")
        assert (await a.recv_type("ack"))["seq"] == 3 + n

    # B reconnects to process one with its last seq: every missed message, once, in order.
    b = await Peer(cookies[rafael.pk]).open(one.url)
    _, caught = await b.join(lobby, after=last_seen_by_b)
    assert [(m["seq"], m["body"]) for m in caught] == [(3 + n, f"missed {n}") for n in range(5)]
    await a.send(type="send", room=lobby.pk, body="welcome back", client_id="a-after")
    later = await b.messages_until_quiet()
    assert [(m["seq"], m["body"]) for m in later] == [(8, "welcome back")]
    assert await database_sync_to_async(Message.objects.filter(room=lobby).count)() == 8

    await a.ws.close()
    await b.ws.close()
