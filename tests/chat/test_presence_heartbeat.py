"""The Redis presence heartbeat, when people leave while it talks to Redis."""

import time

import pytest
from django.conf import settings

from networking.chat import backend
from networking.chat.hub_state import RoomState

pytestmark = pytest.mark.skipif(
    not settings.REDIS_URL, reason="the presence heartbeat is Redis's (set REDIS_URL)"
)


class FakeHub:
    id = "proc-test"

    def __init__(self, rooms):
        self.rooms = {state.room_id: state for state in rooms}


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
