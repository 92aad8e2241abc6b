"""The Redis presence heartbeat, when people leave while it talks to Redis."""

import time

import pytest
from django.conf import settings

from networking.chat import backend
from networking.chat.hub_state import RoomState
from tests.chat.conftest import FakeHub, overtake_first_pipeline

pytestmark = pytest.mark.skipif(
    not settings.REDIS_URL, reason="the presence heartbeat is Redis's (set REDIS_URL)"
)


@pytest.mark.asyncio
async def test_someone_leaving_during_the_heartbeat_does_not_break_it(monkeypatch):
    from networking.chat.hub_redis import RedisBackend

    lobby, workshop = RoomState(1), RoomState(2)
    lobby.online = {7: 1}
    workshop.online = {8: 1}
    hub = FakeHub([lobby, workshop])
    redis_backend = RedisBackend(hub)
    published = []

    async def publish(room_id, payload):
        published.append((room_id, payload))

    monkeypatch.setattr(redis_backend, "publish", publish)
    # Someone in the workshop, on another process, stopped refreshing long ago.
    await redis_backend.redis.zadd(backend.key("presence", 2), {"9:other-proc": time.time() - 600})
    real_pipeline = redis_backend.redis.pipeline

    def pipeline(**kwargs):
        pipe = real_pipeline(**kwargs)
        execute = pipe.execute

        async def execute_while_the_lobby_empties():
            results = await execute()
            lobby.online.clear()  # the lobby's last socket closed meanwhile
            return results

        pipe.execute = execute_while_the_lobby_empties
        return pipe

    monkeypatch.setattr(redis_backend.redis, "pipeline", pipeline)
    try:
        await redis_backend.heartbeat()
    finally:
        await redis_backend.redis.delete(backend.key("presence", 1), backend.key("presence", 2))
        await redis_backend.redis.aclose(close_connection_pool=True)
    # The expired member of the workshop was swept and announced as gone.
    assert [room for room, _ in published] == [2]
    assert '"offline":[9]' in published[0][1].replace(" ", "")


@pytest.mark.asyncio
async def test_someone_who_leaves_while_the_heartbeat_refreshes_them_is_not_left_online(
    monkeypatch,
):
    """Their removal can reach Redis before the refresh that was already on its way:
    they must not stay "online" until their entry expires (CHAT_PRESENCE_TTL)."""
    from networking.chat.hub_redis import RedisBackend

    lobby = RoomState(1)
    lobby.online = {7: 1}
    redis_backend = RedisBackend(FakeHub([lobby]))
    await redis_backend.presence_add(lobby, 7)

    async def leave():  # overtakes the heartbeat's refresh
        lobby.online.clear()
        await redis_backend.presence_remove(lobby, 7)

    overtaken = overtake_first_pipeline(monkeypatch, redis_backend.redis, leave)
    try:
        await redis_backend.heartbeat()
        assert overtaken
        assert await redis_backend.online_count(lobby) == 0
    finally:
        await redis_backend.redis.delete(backend.key("presence", 1))
        await redis_backend.redis.aclose(close_connection_pool=True)
