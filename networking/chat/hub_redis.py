"""The hub's Redis side: one pub/sub connection per process (a channel per room with
local sockets), publishing, and presence shared by every process.

Presence: a sorted set per room, `<prefix>:presence:<room>`, holding
"<user id>:<hub id>" scored by when it expires. A process adds its member when a
person's first local socket joins the room and removes it when their last one
leaves; it refreshes its members every CHAT_RESYNC_SECONDS, and anyone's expired
members (a process that died) are swept and announced offline. Arrivals and
departures are announced in batches (hub_presence.PRESENCE_BATCH). Redis may apply one
person's writes out of order (a tab reloading: the leave's ZREM after the rejoin's
ZADD), so every write looks again once it is done (`_presence_write`).
"""

import asyncio
import logging
import time
from typing import TYPE_CHECKING

import redis.asyncio as aioredis
from channels.db import database_sync_to_async
from django.conf import settings

from networking.chat import backend, delivery, frames
from networking.chat.hub_local import PRESENCE_LIST_MAX
from networking.chat.hub_state import RoomState

if TYPE_CHECKING:
    from networking.chat.hub import Hub

log = logging.getLogger(__name__)

SUBSCRIBE_WAIT = 5.0
# Commands share a pool that waits for a free connection when all are busy (the
# default pool raises "Too many connections" past 100, e.g. when a room fills up).
POOL_SIZE = 32
POOL_WAIT = 10.0


class RedisBackend:
    def __init__(self, hub: "Hub") -> None:
        self.hub = hub
        pool = aioredis.BlockingConnectionPool.from_url(
            settings.REDIS_URL, max_connections=POOL_SIZE, timeout=POOL_WAIT
        )
        self.redis = aioredis.Redis(connection_pool=pool)
        self.pubsub = self.redis.pubsub()
        self.confirmed: dict[str, asyncio.Event] = {}
        self.reader: asyncio.Task | None = None
        self.lock = asyncio.Lock()

    # ---- subscriptions ----

    async def subscribe(self, room_id: int) -> None:
        channel = backend.room_channel(room_id)
        confirmed = self.confirmed[channel] = asyncio.Event()
        async with self.lock:
            await self.pubsub.subscribe(channel)
        if self.reader is None or self.reader.done():
            self.reader = asyncio.get_running_loop().create_task(self._read())
        try:
            # Only once Redis confirms is every later publish ours to receive.
            await asyncio.wait_for(confirmed.wait(), SUBSCRIBE_WAIT)
        except TimeoutError:
            log.warning("chat: no subscribe confirmation for %s; resync will cover", channel)

    async def unsubscribe(self, room_id: int) -> None:
        async with self.lock:
            await self.pubsub.unsubscribe(backend.room_channel(room_id))

    async def _read(self) -> None:
        lost = False
        while True:
            try:
                if not self.pubsub.subscribed:
                    await asyncio.sleep(0.2)
                    continue
                message = await self.pubsub.get_message(timeout=1.0)
            except asyncio.CancelledError:
                raise
            except Exception:
                # redis-py reconnects and resubscribes on the next read; whatever was
                # published meanwhile is gone from pub/sub, so resync from the database.
                log.warning("chat: Redis pub/sub connection lost; retrying", exc_info=True)
                lost = True
                await asyncio.sleep(1.0)
                continue
            if lost:
                lost = False
                self._resync_all()
            if message is None:
                continue
            kind = message["type"]
            channel = message["channel"].decode()
            if kind == "message":
                self.hub.deliver(backend.room_id_of(channel), message["data"].decode())
            elif kind == "subscribe":
                confirmed = self.confirmed.pop(channel, None)
                if confirmed is not None:
                    confirmed.set()

    def _resync_all(self) -> None:
        async def run() -> None:
            try:
                await self.hub.resync()
            except Exception:
                log.warning("chat: resync after reconnect failed", exc_info=True)

        self.hub.spawn(run())

    async def publish(self, room_id: int, payload: str) -> None:
        try:
            await self.redis.publish(backend.room_channel(room_id), payload)
        except Exception:
            log.warning("chat: publish to room %s failed", room_id, exc_info=True)

    # ---- presence ----

    def _member(self, user_id: int) -> str:
        return f"{user_id}:{self.hub.id}"

    def _here(self, room_id: int, user_id: int) -> bool:
        state = self.hub.rooms.get(room_id)
        return state is not None and user_id in state.online

    async def presence_add(self, state: RoomState, user_id: int) -> None:
        await self._presence_write(state.room_id, [user_id])

    async def presence_remove(self, state: RoomState, user_id: int) -> None:
        await self._presence_write(state.room_id, [user_id])

    async def _presence_write(self, room_id: int, user_ids: list[int]) -> None:
        """Write whether these people are in the room through this process, as the hub
        sees it now. Writes travel on different pooled connections, so Redis may apply
        a leave's ZREM after the rejoin's ZADD (or the reverse): after each write, look
        again and write whoever changed meanwhile. The last write applied then agrees
        with the hub, whatever order Redis saw them in."""
        key = backend.key("presence", room_id)
        here = {uid: self._here(room_id, uid) for uid in user_ids}
        while here:
            pipe = self.redis.pipeline(transaction=False)
            expires = time.time() + settings.CHAT_PRESENCE_TTL
            if added := {self._member(uid): expires for uid, now in here.items() if now}:
                pipe.zadd(key, added)
                pipe.expire(key, int(settings.CHAT_PRESENCE_TTL * 2) + 1)  # a room nobody is in
            if removed := [self._member(uid) for uid, now in here.items() if not now]:
                pipe.zrem(key, *removed)
            await pipe.execute()
            here = {uid: not was for uid, was in here.items() if self._here(room_id, uid) != was}

    async def really_gone(self, state: RoomState, user_ids: list[int]) -> list[int]:
        """Of people whose last socket here left: those not online through another
        process. One read of the room's live members for the whole batch: a restart
        that drops 1,000 sockets costs one round trip here, not a scan per person."""
        left = [uid for uid in user_ids if not self._here(state.room_id, uid)]
        if not left:
            return []
        key = backend.key("presence", state.room_id)
        elsewhere = set()
        for member in await self.redis.zrangebyscore(key, time.time(), "+inf"):
            user_id, _, hub_id = member.decode().partition(":")
            if hub_id != self.hub.id:  # this process's own say is `_here`
                elsewhere.add(int(user_id))
        return [uid for uid in left if uid not in elsewhere and not self._here(state.room_id, uid)]

    async def online_count(self, state: RoomState) -> int:
        # Members are (person, process): someone on two processes counts twice.
        return await self.redis.zcount(backend.key("presence", state.room_id), time.time(), "+inf")

    async def online(self, state: RoomState) -> dict:
        key = backend.key("presence", state.room_id)
        now = time.time()
        pipe = self.redis.pipeline(transaction=False)
        pipe.zrangebyscore(key, now, "+inf", start=0, num=2 * PRESENCE_LIST_MAX)
        pipe.zcount(key, now, "+inf")
        members, count = await pipe.execute()
        ids: list[int] = []
        for member in members:
            user_id = int(member.split(b":", 1)[0])
            if user_id not in ids:
                ids.append(user_id)
        shown = ids[:PRESENCE_LIST_MAX]
        names = {uid: state.names[uid] for uid in shown if uid in state.names}
        missing = [uid for uid in shown if uid not in names]
        if missing:
            names.update(await database_sync_to_async(delivery.names)(missing))
        people = [{"id": uid, "name": names.get(uid, "")} for uid in shown]
        return {"online": people, "online_count": max(len(ids), count)}

    async def heartbeat(self) -> None:
        """Refresh this process's members; sweep and announce anyone's expired ones."""
        now = time.time()
        expires = now + settings.CHAT_PRESENCE_TTL
        rooms = list(self.hub.rooms.values())
        pipe = self.redis.pipeline(transaction=False)
        # Where each room's "expired" answer lands, fixed while building the pipeline:
        # sockets may leave while it runs, so state.online can change under the await.
        expired_at: list[int] = []
        refreshed: list[list[int]] = []
        for state in rooms:
            key = backend.key("presence", state.room_id)
            refreshed.append(list(state.online))
            if refreshed[-1]:
                pipe.zadd(key, {self._member(uid): expires for uid in refreshed[-1]})
            pipe.expire(key, int(settings.CHAT_PRESENCE_TTL * 2) + 1)
            expired_at.append(len(pipe))
            pipe.zrangebyscore(key, "-inf", now)
            pipe.zremrangebyscore(key, "-inf", now)
        results = await pipe.execute()
        for state, index, uids in zip(rooms, expired_at, refreshed, strict=True):
            # Who left meanwhile: their ZREM may have landed before this refresh re-added them.
            if left := [uid for uid in uids if not self._here(state.room_id, uid)]:
                await self._presence_write(state.room_id, left)
            expired = results[index]
            ids = list({int(m.split(b":", 1)[0]) for m in expired})
            gone = await self.really_gone(state, ids) if ids else []
            if gone:
                count = await self.online_count(state)
                frame = frames.presence_frame(state.room_id, [], gone, count)
                await self.publish(state.room_id, frames.envelope(frames.PRESENCE, 0, 0, frame))

    async def close(self) -> None:
        if self.reader is not None:
            self.reader.cancel()
            await asyncio.gather(self.reader, return_exceptions=True)
        try:
            await self.pubsub.aclose()
            await self.redis.aclose(close_connection_pool=True)
        except Exception:
            log.debug("chat: closing Redis failed", exc_info=True)


__all__ = ["RedisBackend"]
