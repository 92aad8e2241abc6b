"""Names and clients shared by the publisher (sync code) and the hub (async).

Without REDIS_URL everything stays in one process: publishes go straight to the
process's hub (networking/chat/hub.py), rate limits are counted in memory.
"""

import functools

from django.conf import settings


def uses_redis() -> bool:
    return bool(settings.REDIS_URL)


def key(*parts: object) -> str:
    """A Redis key or channel under CHAT_REDIS_PREFIX."""
    return ":".join([settings.CHAT_REDIS_PREFIX, *map(str, parts)])


def room_channel(room_id: int) -> str:
    return key("room", room_id)


def room_id_of(channel: str) -> int:
    return int(channel.rsplit(":", 1)[1])


@functools.cache
def _sync_client(url: str):
    import redis

    # Thread-safe (a connection pool): services run in many threads.
    return redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)


def sync_redis():
    return _sync_client(settings.REDIS_URL)
