"""The chat WebSocket (ws/chat/): one socket per browser tab, joining several rooms.
The protocol (every frame, error code and close code) is docs/chat-protocol.md.

Thin by design: frames are parsed here, every write goes through
networking.chat.services, and fan-out is the per-process hub's. Database work runs
in database_sync_to_async (which closes old connections around each call), and
Channels closes old connections before each frame it dispatches.
"""

import asyncio
import json
import logging

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings

from networking.chat import delivery, frames, services
from networking.chat.hub import Conn, get_hub
from networking.chat.membership import ChatError
from networking.chat.ratelimit import SocketBudget
from networking.services.relations import blocked_ids

log = logging.getLogger(__name__)

# Close codes (docs/chat-protocol.md).
CLOSE_NOT_LOGGED_IN = 4401
CLOSE_TOO_SLOW = 4408
CLOSE_FLOODING = 4429

MAX_FRAME = 32 * 1024  # characters in one inbound frame
TYPING_INTERVAL = 2.0  # seconds between typing frames relayed per socket and room
HISTORY_MAX = 100


class FrameError(Exception):
    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code, self.detail = code, detail


def _int(frame: dict, name: str, *, required: bool = True) -> int | None:
    value = frame.get(name)
    if value is None and not required:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise FrameError("bad_frame", f"`{name}` must be a non-negative integer.")
    return value


class ChatConsumer(AsyncWebsocketConsumer):
    # No channel layer: the hub fans out (a layer would add a channel per socket).
    channel_layer_alias = "chat-uses-no-channel-layer"

    conn: Conn | None = None  # set once a logged-in socket is accepted

    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated or not user.is_active:
            # Accept first: a close before the handshake completes reaches the client
            # as an HTTP 403 (code 1006 in a browser), never as 4401.
            await self.accept()
            await self.close(code=CLOSE_NOT_LOGGED_IN)
            return
        self.user = user
        self.hub = get_hub()
        self.budget = SocketBudget(settings.CHAT_FRAME_LIMIT)
        self.typed_at: dict[int, float] = {}
        self.can_post: dict[int, bool] = {}
        self.read_upto: dict[int, int] = {}  # read marks this socket already stored
        blocked = await database_sync_to_async(blocked_ids)(user.pk)
        self.conn = Conn(
            user_id=user.pk,
            name=frames.display_name(user),
            blocked=blocked,
            on_overflow=self._fell_behind,
        )
        await self.accept()
        self.writer = asyncio.get_running_loop().create_task(self._write())
        self._reply({"type": "hello", "user": frames.person(user)})

    async def disconnect(self, code: int) -> None:
        if self.conn is not None:
            self.hub.drop(self.conn)
            self.writer.cancel()

    async def _write(self) -> None:
        """Drain this socket's outbox; the server's send waits while the client is slow."""
        outbox = self.conn.outbox
        # Frames need no session handling: send past the session middleware.
        send = self.scope.get("convene.send", self.base_send)
        try:
            while True:
                text = await outbox.get()
                await send({"type": "websocket.send", "text": text})
        except asyncio.CancelledError:
            raise
        except Exception:  # the connection went away under us
            log.debug("chat: writer stopped", exc_info=True)
            self.hub.drop(self.conn)

    def _fell_behind(self) -> None:
        """The hub dropped this socket (outbox full): close it; the client catches up."""
        self.writer.cancel()
        self.hub.spawn(self.close(code=CLOSE_TOO_SLOW))  # the hub holds the task

    def _reply(self, frame: dict) -> None:
        if not self.conn.push(frames.encode(frame)):
            self.hub.fell_behind(self.conn)

    def _error(self, code: str, detail: str, **extra) -> None:
        self._reply(frames.error_frame(code, detail, **extra))

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if self.conn is None:
            return  # refused at connect (4401): frames racing the close are ignored
        if not self.budget.take():
            await self.close(code=CLOSE_FLOODING)
            return
        try:
            frame = self._parse(text_data)
            handler = getattr(self, f"on_{frame['type']}", None)
            if handler is None:
                raise FrameError("bad_frame", f"Unknown frame type {frame['type']!r}.")
            await handler(frame)
        except FrameError as error:
            self._error(error.code, error.detail)
        except Exception:
            # Channels never calls disconnect() when the app raises: leave the hub's
            # rooms here, or the dead socket stays a member and "online".
            log.exception("chat: frame handling failed")
            self.hub.drop(self.conn)
            self.writer.cancel()
            await self.close(code=1011)

    @staticmethod
    def _parse(text: str | None) -> dict:
        if text is None:
            raise FrameError("bad_frame", "Frames are JSON text.")
        if len(text) > MAX_FRAME:
            raise FrameError("frame_too_large", f"A frame can have up to {MAX_FRAME} characters.")
        try:
            frame = json.loads(text)
        except (ValueError, RecursionError):  # RecursionError: [[[[... nested too deep
            raise FrameError("bad_frame", "Frames are JSON objects.") from None
        if not isinstance(frame, dict) or not isinstance(frame.get("type"), str):
            raise FrameError("bad_frame", "A frame is a JSON object with a `type`.")
        return frame

    def _joined(self, frame: dict) -> int:
        room_id = _int(frame, "room")
        if room_id not in self.conn.rooms:
            raise FrameError("not_joined", "Join the room first.")
        return room_id

    async def _refused(self, error: ChatError, room_id: int | None, **extra) -> None:
        if error.retry_after is not None:
            extra["retry_after"] = error.retry_after
        self._error(error.code, error.message, room=room_id, **extra)
        if error.code == "not_member" and room_id in self.conn.rooms:
            self.hub.remove(self.conn, room_id, "not_member")

    # ---- frames from the client ----

    async def on_ping(self, frame: dict) -> None:
        self._reply({"type": "pong"})

    async def on_join(self, frame: dict) -> None:
        room_id = _int(frame, "room")
        after = _int(frame, "after", required=False)
        changes_after = _int(frame, "changes_after", required=False)
        try:
            info = await database_sync_to_async(delivery.join_info)(self.user, room_id)
        except ChatError as error:
            # The socket stays open for its other rooms (docs/chat-protocol.md); a room
            # it had joined before is left at once (`removed`), not at the next check.
            await self._refused(error, room_id)
            return
        self.can_post[room_id] = info["can_post"]
        await self.hub.join(self.conn, room_id, after=after, changes_after=changes_after, info=info)

    async def on_leave(self, frame: dict) -> None:
        room_id = _int(frame, "room")
        await self.hub.leave(self.conn, room_id)
        self._reply({"type": "left", "room": room_id})

    async def on_send(self, frame: dict) -> None:
        room_id = self._joined(frame)
        client_id = frame.get("client_id")
        try:
            message, created = await database_sync_to_async(services.message_send)(
                user=self.user, room_id=room_id, body=frame.get("body"), client_id=client_id
            )
        except ChatError as error:
            await self._refused(error, room_id, client_id=client_id)
            return
        self._reply(
            {
                "type": "ack",
                "room": room_id,
                "client_id": message.client_id,
                "seq": message.seq,
                "id": message.pk,
                "duplicate": not created,
            }
        )

    async def on_edit(self, frame: dict) -> None:
        room_id = self._joined(frame)
        seq = _int(frame, "seq")
        try:
            await database_sync_to_async(services.message_edit)(
                user=self.user, room_id=room_id, seq=seq, body=frame.get("body")
            )
        except ChatError as error:
            await self._refused(error, room_id, seq=seq)

    async def on_delete(self, frame: dict) -> None:
        room_id = self._joined(frame)
        seq = _int(frame, "seq")
        try:
            await database_sync_to_async(services.message_delete)(
                user=self.user, room_id=room_id, seq=seq
            )
        except ChatError as error:
            await self._refused(error, room_id, seq=seq)

    async def on_read(self, frame: dict) -> None:
        room_id = self._joined(frame)
        seq = _int(frame, "seq")
        if seq <= self.read_upto.get(room_id, -1):
            return  # the mark only moves forward: no query for a repeat
        try:
            await database_sync_to_async(services.read_mark)(
                user=self.user, room_id=room_id, seq=seq
            )
        except ChatError as error:
            await self._refused(error, room_id)
        else:
            self.read_upto[room_id] = seq

    async def on_typing(self, frame: dict) -> None:
        room_id = self._joined(frame)
        if not self.can_post.get(room_id):
            return
        now = asyncio.get_running_loop().time()
        if now - self.typed_at.get(room_id, float("-inf")) < TYPING_INTERVAL:
            return
        self.typed_at[room_id] = now
        typing = frames.typing_frame(room_id, self.user.pk, self.conn.name)
        await self.hub.publish(room_id, frames.envelope(frames.TYPING, 0, self.user.pk, typing))

    async def on_history(self, frame: dict) -> None:
        room_id = _int(frame, "room")
        before = _int(frame, "before", required=False)
        limit = _int(frame, "limit", required=False)
        limit = 50 if limit is None else min(max(limit, 1), HISTORY_MAX)
        try:
            page = await database_sync_to_async(delivery.history)(self.user, room_id, before, limit)
        except ChatError as error:
            await self._refused(error, room_id)
            return
        self._reply(page)
