"""A socket's outgoing frames: bounded, one reader, cheap per frame.

asyncio.Queue does more than a socket needs (task accounting, any number of
readers), and at tens of thousands of frames a second its bookkeeping is a
visible share of a server's CPU (docs/benchmarks.md). Here one writer task
reads; the hub pushes without waiting; only a catch-up waits for room.
"""

import asyncio
from collections import deque


class Outbox:
    __slots__ = ("_frames", "_reader", "_waiting_room", "maxsize")

    def __init__(self, maxsize: int) -> None:
        self.maxsize = maxsize
        self._frames: deque[str] = deque()
        self._reader: asyncio.Future | None = None  # the writer, waiting for a frame
        self._waiting_room: deque[asyncio.Future] = deque()  # catch-ups waiting for room

    def __len__(self) -> int:
        return len(self._frames)

    def push(self, text: str) -> bool:
        """Add a frame without waiting; False if the outbox is full."""
        if len(self._frames) >= self.maxsize:
            return False
        self._frames.append(text)
        reader, self._reader = self._reader, None
        if reader is not None and not reader.done():
            reader.set_result(None)
        return True

    async def put(self, text: str, timeout: float) -> bool:
        """Add a frame, waiting up to `timeout` seconds for room; False if none came."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not self.push(text):
            remaining = deadline - loop.time()
            if remaining <= 0:
                return False
            waiter = loop.create_future()
            self._waiting_room.append(waiter)
            try:
                async with asyncio.timeout(remaining):
                    await waiter
            except (TimeoutError, asyncio.CancelledError) as stopped:
                if waiter in self._waiting_room:
                    self._waiting_room.remove(waiter)
                elif waiter.done() and not waiter.cancelled():
                    self._make_room()  # given room it will not use: pass it on
                if isinstance(stopped, TimeoutError):
                    return False
                raise
        return True

    async def get(self) -> str:
        """The next frame, waiting for one. For the socket's one writer task."""
        while not self._frames:
            self._reader = asyncio.get_running_loop().create_future()
            await self._reader
        text = self._frames.popleft()
        if self._waiting_room:  # rare (a catch-up); this runs once per frame sent
            self._make_room()
        return text

    def clear(self) -> None:
        """Drop every frame (the socket is being closed) and let every waiting
        catch-up go on at once: no writer will take frames any more."""
        self._frames.clear()
        while self._waiting_room:
            self._make_room()

    def _make_room(self) -> None:
        """Wake the first catch-up waiting for room."""
        while self._waiting_room:
            waiter = self._waiting_room.popleft()
            if not waiter.done():
                waiter.set_result(None)
                return
