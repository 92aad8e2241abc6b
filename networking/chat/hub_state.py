"""What the hub keeps per socket and per room (networking/chat/hub.py)."""

import asyncio
from collections.abc import Callable

from django.conf import settings

from networking.chat import frames
from networking.chat.outbox import Outbox

PUT_TIMEOUT = 10.0  # seconds a catch-up waits for room in a socket's outbox


class Conn:
    """A socket as the hub sees it: who, what they block, and its outgoing frames."""

    __slots__ = ("blocked", "closed", "name", "on_overflow", "outbox", "rooms", "user_id")

    def __init__(
        self,
        *,
        user_id: int,
        name: str,
        blocked: set[int],
        on_overflow: Callable[[], None],
        maxsize: int | None = None,
    ) -> None:
        self.user_id = user_id
        self.name = name
        self.blocked = frozenset(blocked)
        self.on_overflow = on_overflow
        self.outbox = Outbox(maxsize or settings.CHAT_SOCKET_QUEUE)
        self.rooms: dict[int, Sub] = {}
        self.closed = False

    def push(self, text: str) -> bool:
        """Send a frame without waiting; False if the outbox is full."""
        return self.closed or self.outbox.push(text)

    async def put(self, text: str) -> bool:
        """Send a frame, waiting a little for room (catch-up); False if it stays full."""
        return self.closed or await self.outbox.put(text, PUT_TIMEOUT)


class Sub:
    """One socket in one room: the last seq and change it was given; while it
    catches up, live frames wait in `pending`."""

    __slots__ = ("change", "pending", "seq")

    def __init__(self) -> None:
        self.seq = 0
        self.change = 0
        self.pending: list[tuple[str, int, int, str]] | None = []


class Resync:
    __slots__ = ("change", "seq")

    def __init__(self, seq: int, change: int) -> None:
        self.seq, self.change = seq, change


class RoomState:
    def __init__(self, room_id: int) -> None:
        self.room_id = room_id
        self.members: dict[Conn, Sub] = {}
        self.online: dict[int, int] = {}  # user id -> local sockets
        self.names: dict[int, str] = {}  # of the people in `online` only
        self.arrived: dict[int, str] = {}  # presence changes not announced yet
        self.departed: set[int] = set()
        self.presence_due = False
        self.inbox: asyncio.Queue = asyncio.Queue()
        self.seq = 0
        self.change = 0
        self.verified_at = 0.0
        self.holders = 0
        self.ready: asyncio.Task | None = None
        self.worker: asyncio.Task | None = None


def accept(conn: Conn, sub: Sub, kind: str, number: int, sender: int) -> bool:
    """Should this frame go to this socket (and note what it was given)?"""
    if kind == frames.MESSAGE:
        if number <= sub.seq:
            return False
        sub.seq = number
    elif kind == frames.UPDATE:
        if number <= sub.change:
            return False
        sub.change = number
    elif sender == conn.user_id:  # one's own typing is not news
        return False
    return sender not in conn.blocked
