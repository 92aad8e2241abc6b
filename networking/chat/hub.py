"""The per-process hub: fan-out happens inside each server process.

A room with at least one local socket has one subscription in this process (a
Redis pub/sub channel with REDIS_URL; the in-process hub otherwise). Each frame
published to the room arrives here once, as a text envelope encoded once by its
publisher, and the same text is put on every local socket's bounded outbox; a
writer task per socket drains it. No channel-layer message, consumer dispatch or
JSON encoding per member.

Ordering and loss (Redis pub/sub is at-most-once): each room keeps the last seq
(and change number) this process delivered. A frame that skips ahead means a
publish was missed: the hub fetches the missing messages from the database and
delivers them first. Every CHAT_RESYNC_SECONDS it also compares its rooms with
the database, which catches a lost publish that nothing followed. Each socket
also keeps its own last seq per room, so nothing reaches it twice.

A socket that joins with the last seq it saw is registered first (live frames
are buffered), then caught up from the database, then the buffer is flushed
above what the catch-up sent: everything after its seq, in order, exactly once.

Receivers' membership is re-checked at delivery once it is older than
CHAT_MEMBERSHIP_TTL seconds (one query for all local sockets of the room): a
person removed from an event stops receiving within that time. A socket whose
outbox overflows (CHAT_SOCKET_QUEUE frames) is dropped: its consumer closes it
with 4408, and the client catches up when it reconnects.
"""

import asyncio
import logging
import time
import uuid

from channels.db import database_sync_to_async
from django.conf import settings

from networking.chat import delivery, frames
from networking.chat.hub_local import LocalBackend
from networking.chat.hub_presence import PresenceMixin
from networking.chat.hub_state import Conn, Resync, RoomState, Sub, accept

__all__ = ["Conn", "Hub", "close_hub", "get_hub", "local_publish"]

log = logging.getLogger(__name__)

CHUNK = 200  # messages per catch-up query


class Hub(PresenceMixin):
    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.id = uuid.uuid4().hex[:12]
        self.rooms: dict[int, RoomState] = {}
        self.tasks: set[asyncio.Task] = set()
        self.ticker: asyncio.Task | None = None
        if settings.REDIS_URL:
            from networking.chat.hub_redis import RedisBackend

            self.backend = RedisBackend(self)
        else:
            self.backend = LocalBackend(self)

    # ---- joining and leaving (on the loop) ----

    async def join(
        self, conn: Conn, room_id: int, *, after: int | None, changes_after: int | None, info: dict
    ) -> bool:
        """Register, send `joined`, catch up from `after`, then go live. False if the
        socket was dropped meanwhile."""
        if room_id in conn.rooms:
            await self.leave(conn, room_id)
        state = await self._acquire(room_id)
        sub = Sub()
        state.members[conn] = sub
        conn.rooms[room_id] = sub
        try:
            await self._enter(state, conn)
            online = await self.backend.online(state)
            heads = await database_sync_to_async(delivery.room_heads)([room_id])
            last_seq, last_change = heads.get(room_id, (0, 0))
            joined = {**info, "last_seq": last_seq, "last_change": last_change, **online}
            if not await conn.put(frames.encode(joined)):
                return self.fell_behind(conn)
            seq, change = last_seq, last_change
            # "From now" (no `after`) needs no query: whatever commits after the head
            # was read reaches this socket through the room (it is registered already).
            if after is not None:
                read = delivery.messages_after
                seq = await self._catch_up(conn, sub, room_id, min(after, last_seq), read)
                if seq is None:
                    return False
                if changes_after is not None and changes_after < last_change:
                    # Every edit and deletion since, however many (each message has one
                    # at most, its current state): a cap would lose some silently.
                    read = delivery.changes_after
                    kw = {"upto": last_change, "max_seq": after}
                    if await self._catch_up(conn, sub, room_id, changes_after, read, **kw) is None:
                        return False
            if conn.rooms.get(room_id) is not sub:
                return False
            done = {"type": "caught_up", "room": room_id, "seq": seq, "change": change}
            if not await conn.put(frames.encode(done)):
                return self.fell_behind(conn)
            sub.seq, sub.change = seq, change
            pending, sub.pending = sub.pending or [], None
            for kind, number, sender, text in pending:
                if accept(conn, sub, kind, number, sender) and not conn.push(text):
                    return self.fell_behind(conn)
            return True
        except BaseException:
            if conn.rooms.get(room_id) is sub:
                self._detach(state, conn)
            raise

    async def _catch_up(self, conn: Conn, sub: Sub, room_id: int, mark: int, read, **kw):
        """Put the rows `read` finds after `mark` on the socket, a chunk at a time, until
        a chunk comes back short. The last row's number; None if the socket fell behind."""
        while conn.rooms.get(room_id) is sub:
            rows = await database_sync_to_async(read)(room_id, mark, CHUNK, **kw)
            for number, sender, text in rows:
                mark = number
                if sender not in conn.blocked and not await conn.put(text):
                    self.fell_behind(conn)
                    return None
            if len(rows) < CHUNK:
                break
        return mark

    async def leave(self, conn: Conn, room_id: int) -> None:
        state = self.rooms.get(room_id)
        if state is not None and conn in state.members:
            self._detach(state, conn)

    def drop(self, conn: Conn) -> None:
        """The socket is gone: leave every room."""
        conn.closed = True
        for room_id in list(conn.rooms):
            state = self.rooms.get(room_id)
            if state is not None and conn in state.members:
                self._detach(state, conn)
        conn.rooms.clear()

    def remove(self, conn: Conn, room_id: int, reason: str) -> None:
        """Take a socket out of a room it may no longer read, and tell it so."""
        state = self.rooms.get(room_id)
        if state is None or conn not in state.members:
            return
        self._detach(state, conn)
        conn.push(frames.encode({"type": "removed", "room": room_id, "reason": reason}))

    def _detach(self, state: RoomState, conn: Conn) -> None:
        del state.members[conn]
        conn.rooms.pop(state.room_id, None)
        count = state.online.get(conn.user_id, 0) - 1
        if count > 0:
            state.online[conn.user_id] = count
        else:
            self._left(state, conn.user_id)
        self._release(state)

    def fell_behind(self, conn: Conn) -> bool:
        if conn.closed:
            return False
        log.info("chat: dropping a socket of user %s that fell behind", conn.user_id)
        self.drop(conn)
        conn.outbox.clear()
        conn.on_overflow()
        return False

    # ---- room subscriptions ----

    async def _acquire(self, room_id: int) -> RoomState:
        state = self.rooms.get(room_id)
        if state is None:
            state = self.rooms[room_id] = RoomState(room_id)
            state.ready = self.loop.create_task(self._open(state))
        state.holders += 1
        try:
            await asyncio.shield(state.ready)
        except BaseException:
            self._release(state)
            raise
        return state

    async def _open(self, state: RoomState) -> None:
        # Subscribe first, then read the room's head: whatever commits after the
        # read is published to a subscription that already exists.
        await self.backend.subscribe(state.room_id)
        heads = await database_sync_to_async(delivery.room_heads)([state.room_id])
        state.seq, state.change = heads.get(state.room_id, (0, 0))
        state.verified_at = time.monotonic()
        state.worker = self.loop.create_task(self._work(state))
        if self.ticker is None or self.ticker.done():
            self.ticker = self.loop.create_task(self._tick())

    def _release(self, state: RoomState) -> None:
        state.holders -= 1
        if state.holders > 0 or self.rooms.get(state.room_id) is not state:
            return
        del self.rooms[state.room_id]
        if state.worker is not None:
            state.worker.cancel()
        self.spawn(self._unsubscribe(state.room_id))

    async def _unsubscribe(self, room_id: int) -> None:
        if room_id not in self.rooms:  # nobody came back meanwhile
            await self.backend.unsubscribe(room_id)

    # ---- delivery ----

    def deliver(self, room_id: int, payload: str | Resync) -> None:
        """An envelope arrived for a room (from Redis or this process)."""
        state = self.rooms.get(room_id)
        if state is not None:
            state.inbox.put_nowait(payload)

    async def publish(self, room_id: int, payload: str) -> None:
        await self.backend.publish(room_id, payload)

    async def _work(self, state: RoomState) -> None:
        """One task per room: frames in order, gaps filled from the database."""
        while True:
            item = await state.inbox.get()
            try:
                if time.monotonic() - state.verified_at > settings.CHAT_MEMBERSHIP_TTL:
                    await self._verify(state)
                if isinstance(item, Resync):
                    if item.seq > state.seq:
                        await self._fill(state, item.seq)
                    if item.change > state.change:
                        await self._fill_changes(state, item.change)
                    continue
                kind, number, sender, text = frames.open_envelope(item)
                if kind == frames.MESSAGE:
                    if number <= state.seq:
                        continue
                    if number > state.seq + 1:
                        await self._fill(state, number - 1)
                    state.seq = number
                elif kind == frames.UPDATE:
                    if number <= state.change:
                        continue
                    if number > state.change + 1:
                        await self._fill_changes(state, number - 1)
                    state.change = number
                self._fanout(state, kind, number, sender, text)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("chat: delivery in room %s failed", state.room_id)

    async def _fill(self, state: RoomState, upto: int) -> None:
        """Deliver the messages this process missed, up to seq `upto`, in order."""
        while state.seq < upto:
            rows = await database_sync_to_async(delivery.messages_after)(
                state.room_id, state.seq, CHUNK, upto=upto
            )
            for number, sender, text in rows:
                if number > state.seq:
                    state.seq = number
                    self._fanout(state, frames.MESSAGE, number, sender, text)
            if len(rows) < CHUNK:
                break
        state.seq = max(state.seq, upto)

    async def _fill_changes(self, state: RoomState, upto: int) -> None:
        """The same for edits and deletions, all of them, a chunk at a time."""
        while state.change < upto:
            rows = await database_sync_to_async(delivery.changes_after)(
                state.room_id, state.change, CHUNK, upto=upto
            )
            for number, sender, text in rows:
                state.change = number
                self._fanout(state, frames.UPDATE, number, sender, text)
            if len(rows) < CHUNK:
                break
        state.change = max(state.change, upto)

    def _fanout(self, state: RoomState, kind: str, number: int, sender: int, text: str) -> None:
        behind = None
        for conn, sub in state.members.items():
            if sub.pending is not None:
                sub.pending.append((kind, number, sender, text))
                if len(sub.pending) > conn.outbox.maxsize:
                    behind = [*(behind or []), conn]
                continue
            if accept(conn, sub, kind, number, sender) and not conn.push(text):
                behind = [*(behind or []), conn]
        for conn in behind or ():
            self.fell_behind(conn)

    async def _verify(self, state: RoomState) -> None:
        """Drop receivers who are no longer members (registration cancelled, ...)."""
        state.verified_at = time.monotonic()
        user_ids = {conn.user_id for conn in state.members}
        if not user_ids:
            return
        members = await database_sync_to_async(delivery.members_of)(state.room_id, user_ids)
        for conn in [c for c in state.members if c.user_id in user_ids - members]:
            self.remove(conn, state.room_id, "not_member")

    async def _tick(self) -> None:
        """Now and then: compare rooms with the database; keep presence fresh."""
        while self.rooms:
            await asyncio.sleep(settings.CHAT_RESYNC_SECONDS)
            try:
                await self.resync()
                await self.backend.heartbeat()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.warning("chat: resync failed", exc_info=True)

    async def resync(self) -> None:
        if not self.rooms:
            return
        heads = await database_sync_to_async(delivery.room_heads)(list(self.rooms))
        for room_id, (seq, change) in heads.items():
            state = self.rooms.get(room_id)
            if state is not None and (seq > state.seq or change > state.change):
                state.inbox.put_nowait(Resync(seq, change))

    # ---- housekeeping ----

    def spawn(self, coroutine) -> None:
        """Run in the background, holding a reference: the loop keeps only weak ones,
        so an unreferenced task can be collected mid-flight (asyncio docs)."""
        task = self.loop.create_task(coroutine)
        self.tasks.add(task)
        task.add_done_callback(self._done)

    def _done(self, task: asyncio.Task) -> None:
        self.tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.warning("chat: background task failed", exc_info=task.exception())

    async def close(self) -> None:
        """Stop every task (tests; a server shutting down just exits)."""
        tasks = [t for t in (self.ticker, *self.tasks) if t is not None]
        for state in self.rooms.values():
            tasks += [t for t in (state.worker, state.ready) if t is not None]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self.rooms.clear()
        await self.backend.close()


_hubs: dict[asyncio.AbstractEventLoop, Hub] = {}


def get_hub() -> Hub:
    """This process's hub (one per event loop: a server has one loop)."""
    loop = asyncio.get_running_loop()
    hub = _hubs.get(loop)
    if hub is None:
        for stale in [other for other in _hubs if other.is_closed()]:
            del _hubs[stale]
        hub = _hubs[loop] = Hub(loop)
    return hub


async def close_hub() -> None:
    """For tests: close this loop's hub."""
    hub = _hubs.pop(asyncio.get_running_loop(), None)
    if hub is not None:
        await hub.close()


def local_publish(room_id: int, payload: str) -> None:
    """Without Redis: hand an envelope to the hub(s) of this process, from any thread."""
    try:
        running = asyncio.get_running_loop()
    except RuntimeError:
        running = None
    for loop, hub in list(_hubs.items()):
        if loop.is_closed():
            continue
        if loop is running:
            hub.deliver(room_id, payload)
        else:
            loop.call_soon_threadsafe(hub.deliver, room_id, payload)
