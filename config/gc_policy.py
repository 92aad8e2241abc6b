"""Garbage collection in long-running ASGI server processes.

A server process holding thousands of WebSockets keeps about half a million
long-lived objects (the app, and each socket's consumer and state). CPython's full
collections walk all of them while the event loop waits: bench/chat_fanout.py
measured pauses of 370-430 ms, 4-5 a minute, in each process at 2,500 chat clients,
and they made the p99 delivery latency (docs/benchmarks.md).

So every GC_FREEZE_SECONDS the young generations are collected and whatever is
still alive is moved to the permanent generation (`gc.freeze()`), which collections
skip: automatic full collections then walk only what was created since. Reference
counting still frees everything that is not in a reference cycle; cycles among
frozen objects that have since become garbage (a closed socket's, say) are freed by
one real full collection every GC_FULL_COLLECT_SECONDS: one long pause there
instead of several a minute.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import time
from collections.abc import Callable

logger = logging.getLogger(__name__)


class GcPolicy:
    def __init__(
        self,
        freeze_seconds: float,
        full_collect_seconds: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.freeze_seconds = freeze_seconds
        self.full_collect_seconds = full_collect_seconds
        self.clock = clock
        self.last_full = clock()
        self._task: asyncio.Task | None = None

    @property
    def enabled(self) -> bool:
        return self.freeze_seconds > 0

    def tick(self) -> str:
        """One round: a full collection if one is due, else a freeze. Returns which."""
        now = self.clock()
        if self.full_collect_seconds > 0 and now - self.last_full >= self.full_collect_seconds:
            started = time.perf_counter()
            gc.unfreeze()
            freed = gc.collect()
            gc.freeze()
            self.last_full = now
            logger.info(
                "full garbage collection: %d objects freed in %.0f ms, %d frozen",
                freed,
                (time.perf_counter() - started) * 1000,
                gc.get_freeze_count(),
            )
            return "full"
        # Young garbage goes first, so that only survivors are frozen.
        gc.collect(1)
        gc.freeze()
        return "freeze"

    async def run(self) -> None:
        while True:
            await asyncio.sleep(self.freeze_seconds)
            self.tick()

    def ensure_started(self) -> None:
        """Start the rounds on the running event loop: one ticker per process, started
        again on another loop if its own loop was closed."""
        if not self.enabled:
            return
        task = self._task
        if task is not None and not task.done() and not task.get_loop().is_closed():
            return
        self._task = asyncio.get_running_loop().create_task(self.run(), name="gc-policy")

    def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None and not task.get_loop().is_closed():
            task.cancel()


class GcPolicyMiddleware:
    """Runs a GcPolicy in the server's event loop: from the ASGI lifespan startup
    where the server sends one (uvicorn), else from the first connection (Daphne)."""

    def __init__(self, app, policy: GcPolicy) -> None:
        self.app = app
        self.policy = policy

    async def __call__(self, scope, receive, send):
        if scope["type"] == "lifespan":
            return await self.lifespan(receive, send)
        self.policy.ensure_started()
        return await self.app(scope, receive, send)

    async def lifespan(self, receive, send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                self.policy.ensure_started()
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                self.policy.stop()
                await send({"type": "lifespan.shutdown.complete"})
                return
