"""Presence in Redis when people leave and come back while writes are on their way,
and what a mass departure costs. Redis presence only (the in-process hub's presence
is its own sockets, with nothing on the way)."""

import asyncio
import time

import pytest
import pytest_asyncio
from django.conf import settings

from networking.chat import backend
from networking.chat.hub import get_hub
from networking.chat.hub_state import RoomState
from tests.chat.conftest import FakeHub, overtake_first_pipeline

pytestmark = [
    pytest.mark.skipif(not settings.REDIS_URL, reason="Redis presence (set REDIS_URL)"),
    pytest.mark.asyncio,
]


@pytest_asyncio.fixture
async def lobby_state():
    """Room 1 as a process sees it, and that process's Redis backend."""
    from networking.chat.hub_redis import RedisBackend

    state = RoomState(1)
    redis_backend = RedisBackend(FakeHub([state]))
    yield state, redis_backend
    await redis_backend.redis.delete(backend.key("presence", 1))
    await redis_backend.redis.aclose(close_connection_pool=True)


def count_round_trips(monkeypatch, redis) -> list[str]:
    """Every command or pipeline the client sends to Redis, by name."""
    sent: list[str] = []
    command, pipeline = redis.execute_command, redis.pipeline

    async def counted_command(*args, **options):
        sent.append(str(args[0]))
        return await command(*args, **options)

    def counted_pipeline(**kwargs):
        pipe = pipeline(**kwargs)
        execute = pipe.execute

        async def counted_execute(*args, **kw):
            sent.append("pipeline")
            return await execute(*args, **kw)

        pipe.execute = counted_execute
        return pipe

    monkeypatch.setattr(redis, "execute_command", counted_command)
    monkeypatch.setattr(redis, "pipeline", counted_pipeline)
    return sent


async def test_a_thousand_people_leaving_at_once_cost_one_redis_read(monkeypatch, lobby_state):
    """A process restarting drops its 1,000 sockets: which of them are still online
    through another process is one read, not a scan of the room per person."""
    state, redis_backend = lobby_state
    key = backend.key("presence", 1)
    later = time.time() + 60
    await redis_backend.redis.zadd(key, {f"{uid}:other-proc": later for uid in range(1, 11)})
    await redis_backend.redis.zadd(key, {"11:other-proc": time.time() - 600})  # expired
    sent = count_round_trips(monkeypatch, redis_backend.redis)

    gone = await redis_backend.really_gone(state, list(range(1, 1001)))

    assert gone == list(range(11, 1001))  # 1-10 are still here through the other process
    assert len(sent) == 1, sent[:5]


async def test_someone_who_leaves_while_their_arrival_is_on_its_way_is_not_left_online(
    monkeypatch, lobby_state
):
    """A socket drops while its join's add waits for a Redis connection; the removal
    lands first. They must not stay "online" until the entry expires (60 s)."""
    state, redis_backend = lobby_state
    state.online = {7: 1}  # their first socket in the room is joining

    async def drop():  # ...and drops: its removal reaches Redis first
        state.online.clear()
        await redis_backend.presence_remove(state, 7)

    overtaken = overtake_first_pipeline(monkeypatch, redis_backend.redis, drop)
    await redis_backend.presence_add(state, 7)

    assert overtaken
    assert await redis_backend.online_count(state) == 0


@pytest.mark.django_db(transaction=True)
async def test_a_reloaded_tab_is_shown_online_even_if_its_old_leave_reaches_redis_last(
    connect, monkeypatch, dana, rafael, lobby
):
    """Reloading the page closes the old socket (a removal) and joins the room again
    (an add). Redis may apply the two in either order; Dana is online either way."""
    tab = await connect(dana)
    await tab.join(lobby)
    redis_backend = get_hub().backend
    real_add, real_remove = redis_backend.presence_add, redis_backend.presence_remove
    rejoined, removed = asyncio.Event(), asyncio.Event()

    async def add(state, user_id):
        await real_add(state, user_id)
        rejoined.set()

    async def late_remove(state, user_id):
        await rejoined.wait()  # the old tab's removal lands after the new tab's add
        await real_remove(state, user_id)
        removed.set()

    monkeypatch.setattr(redis_backend, "presence_add", add)
    monkeypatch.setattr(redis_backend, "presence_remove", late_remove)
    await tab.close()
    reloaded = await connect(dana)
    await reloaded.join(lobby)
    await asyncio.wait_for(removed.wait(), 3)

    b = await connect(rafael)
    joined, _ = await b.join(lobby)
    assert {p["id"] for p in joined["online"]} == {dana.pk, rafael.pk}
    assert joined["online_count"] == 2
