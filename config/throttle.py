"""Fixed-window counters in the cache: how often something happened to one key
(a client IP, an account) in the current window. With REDIS_URL the cache is
Redis, so a limit holds across processes; without it, per process.
"""

import hashlib
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

PREFIX = "throttle"  # tests give each test its own
clock = time.time  # tests stop it


def client_ip(request: HttpRequest) -> str:
    """The client's address. Behind PROXY_HOPS reverse proxies that each append to
    X-Forwarded-For, it is the entry the outermost one added (entries before it are
    whatever the client sent, so they are not trusted). Without proxies (or when the
    header is shorter than expected) it is REMOTE_ADDR."""
    hops = settings.PROXY_HOPS
    if hops:
        forwarded = [
            part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        ]
        forwarded = [part for part in forwarded if part]
        if len(forwarded) >= hops:
            return forwarded[-hops]
    return request.META.get("REMOTE_ADDR") or "unknown"


def private(value: str) -> str:
    """A key part that does not put an email address in the cache."""
    return hashlib.sha256(value.strip().lower().encode()).hexdigest()[:32]


@dataclass(frozen=True)
class Limit:
    name: str
    limit: int  # events allowed ...
    window: int  # ... per this many seconds

    def key(self, ident: str, number: int) -> str:
        return f"{PREFIX}:{self.name}:{ident}:{number}"

    def _window(self) -> tuple[float, int]:
        now = clock()
        return now, int(now // self.window)

    def _left(self, now: float, number: int) -> int:
        return int((number + 1) * self.window - now) + 1

    def wait(self, ident: str) -> int:
        """Seconds until the window ends if the limit is already used up, else 0.
        Counts nothing."""
        now, number = self._window()
        used = cache.get(self.key(ident, number), 0)
        return self._left(now, number) if used >= self.limit else 0

    def hit(self, ident: str) -> int:
        """Count one; the seconds to wait if that went over the limit, else 0."""
        now, number = self._window()
        key = self.key(ident, number)
        cache.add(key, 0, self.window + 5)
        try:
            used = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, self.window + 5)
            used = 1
        return self._left(now, number) if used > self.limit else 0

    def reset(self, ident: str) -> None:
        cache.delete(self.key(ident, self._window()[1]))
