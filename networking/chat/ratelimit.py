"""Per-user limits counted in fixed windows: in Redis when REDIS_URL is set (INCR +
EXPIRE, so every server process shares the count), in this process otherwise.

A window of W seconds admits N hits; a burst across a window edge can reach 2N
in W seconds, which is what a fixed window trades for one Redis round trip.
"""

import logging
import threading
import time

from django.conf import settings

from networking.chat import backend

log = logging.getLogger(__name__)

_memory: dict[str, tuple[int, int]] = {}
_memory_lock = threading.Lock()


def parse_rate(spec: str) -> tuple[int, float]:
    """ "10/10" -> (10 hits, 10 seconds)."""
    count, _, seconds = spec.partition("/")
    limit, window = int(count), float(seconds or 1)
    if limit < 1 or window <= 0:
        raise ValueError(f"bad rate {spec!r}")
    return limit, window


def hit(name: str, spec: str, now: float | None = None) -> float | None:
    """Count one hit; return None if allowed, else the seconds until the window ends."""
    limit, window = parse_rate(spec)
    now = time.time() if now is None else now
    slot = int(now // window)
    retry_after = round((slot + 1) * window - now, 2)
    if backend.uses_redis():
        count = _redis_hit(backend.key("rate", name, slot), window)
        if count is None:  # Redis unreachable: fall back to this process's count
            count = _memory_hit(name, slot)
    else:
        count = _memory_hit(name, slot)
    return retry_after if count > limit else None


def _redis_hit(key: str, window: float) -> int | None:
    try:
        pipe = backend.sync_redis().pipeline(transaction=False)
        pipe.incr(key)
        pipe.expire(key, int(window) + 1)
        count, _ = pipe.execute()
        return int(count)
    except Exception:  # a limiter must not take the chat down
        log.warning("chat rate limit: Redis unavailable, counting in memory", exc_info=True)
        return None


def _memory_hit(name: str, slot: int) -> int:
    with _memory_lock:
        seen_slot, count = _memory.get(name, (slot, 0))
        count = count + 1 if seen_slot == slot else 1
        _memory[name] = (slot, count)
        if len(_memory) > 50_000:  # forget finished windows now and then
            for stale in [k for k, (s, _) in _memory.items() if s < slot - 1]:
                del _memory[stale]
        return count


def send_allowed(user_id: int) -> float | None:
    """The chat send limit (CHAT_RATE_LIMIT, e.g. "10/10"), per user across processes."""
    return hit(f"send:{user_id}", settings.CHAT_RATE_LIMIT)


def forget() -> None:
    """For tests: clear the in-memory counts."""
    with _memory_lock:
        _memory.clear()


class SocketBudget:
    """Inbound frames one socket may send (CHAT_FRAME_LIMIT): a flooding client is
    closed (4429). In memory: it is about this socket only."""

    def __init__(self, spec: str) -> None:
        self.limit, self.window = parse_rate(spec)
        self.slot = -1
        self.count = 0

    def take(self, now: float | None = None) -> bool:
        slot = int((time.monotonic() if now is None else now) // self.window)
        if slot != self.slot:
            self.slot, self.count = slot, 0
        self.count += 1
        return self.count <= self.limit
