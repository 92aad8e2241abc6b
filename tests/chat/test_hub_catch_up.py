"""Edits and deletions missed while away, however many: on rejoin (the socket's
catch-up) and when a process missed their publishes (the hub's gap filling).
hub.CHUNK is made small, so that "more than ten chunks" is a few dozen changes."""

import pytest

from networking.chat import broadcast, hub
from networking.chat.services import message_edit, message_send
from tests.chat.conftest import in_db

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]

MANY = 25  # edits: 13 chunks of 2 (the catch-up used to stop after 10)


def post(user, room, count):
    for n in range(1, count + 1):
        message_send(user=user, room_id=room.pk, body=f"m{n}", client_id=f"c{n}")


def edit_all(user, room, count):
    for n in range(1, count + 1):
        message_edit(user=user, room_id=room.pk, seq=n, body=f"m{n}, edited")


@pytest.fixture
def small_chunks(settings, monkeypatch):
    settings.CHAT_RATE_LIMIT = "1000/10"
    monkeypatch.setattr(hub, "CHUNK", 2)


async def test_a_client_away_for_many_edits_gets_every_one_when_it_rejoins(
    connect, small_chunks, dana, rafael, lobby
):
    await in_db(post, dana, lobby, MANY)
    await in_db(edit_all, dana, lobby, MANY)

    b = await connect(rafael)
    joined, caught = await b.join(lobby, after=MANY, changes_after=0)

    assert joined["last_change"] == MANY
    assert [(f["type"], f["seq"], f["change"]) for f in caught] == [
        ("update", n, n) for n in range(1, MANY + 1)
    ]
    assert caught[-1]["body"] == f"m{MANY}, edited"


async def test_a_process_that_missed_many_edits_delivers_every_one(
    connect, small_chunks, monkeypatch, dana, rafael, lobby
):
    a, b = await connect(dana), await connect(rafael)
    await a.join(lobby)
    await b.join(lobby)
    await in_db(post, dana, lobby, MANY)
    real_publish = broadcast.publish

    def lossy(room_id, payload):
        if payload.startswith("u ") and not payload.startswith(f"u {MANY} "):
            return  # Redis pub/sub is at-most-once: every edit but the last is lost
        real_publish(room_id, payload)

    monkeypatch.setattr(broadcast, "publish", lossy)
    await in_db(edit_all, dana, lobby, MANY)

    updates = [await b.recv_type("update") for _ in range(MANY)]
    assert [u["seq"] for u in updates] == list(range(1, MANY + 1))
    assert await b.nothing(0.5, "update")
