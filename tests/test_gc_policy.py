"""The server processes' garbage-collection policy (config/gc_policy.py): long-lived
objects leave the collector's full collections, and garbage is still freed."""

import asyncio
import gc
import weakref

import pytest

from config.gc_policy import GcPolicy, GcPolicyMiddleware
from tests.test_settings import run_manage


class Node:
    """An object in a reference cycle: only the cyclic collector can free it."""

    def __init__(self) -> None:
        self.me = self


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(autouse=True)
def _unfrozen():
    yield
    gc.unfreeze()


def tracked(obj) -> bool:
    """Seen by the collector's generations (frozen objects are not)."""
    return any(o is obj for o in gc.get_objects())


def test_a_round_freezes_what_is_alive_so_collections_skip_it():
    clock = Clock()
    policy = GcPolicy(60, 900, clock=clock)
    alive = [Node() for _ in range(10)]

    assert policy.tick() == "freeze"

    assert gc.get_freeze_count() > 0
    assert not any(tracked(node) for node in alive)


def test_young_garbage_is_collected_not_frozen():
    policy = GcPolicy(60, 900, clock=Clock())
    node = Node()
    gone = weakref.ref(node)
    del node

    policy.tick()

    assert gone() is None


def test_garbage_among_frozen_objects_waits_for_the_full_collection():
    clock = Clock()
    policy = GcPolicy(60, 900, clock=clock)
    node = Node()
    gone = weakref.ref(node)
    policy.tick()  # frozen while alive (a socket's state, say)
    del node  # the socket closed

    clock.now += 899
    assert policy.tick() == "freeze"
    gc.collect()  # an automatic full collection does not see it either
    assert gone() is not None

    clock.now += 1
    assert policy.tick() == "full"
    assert gone() is None
    assert gc.get_freeze_count() > 0  # and the survivors are frozen again

    # The next full collection is due a whole interval later.
    clock.now += 899
    assert policy.tick() == "freeze"


def test_no_full_collection_when_its_interval_is_zero():
    clock = Clock()
    policy = GcPolicy(60, 0, clock=clock)
    clock.now += 10**6
    assert policy.tick() == "freeze"


@pytest.mark.asyncio
async def test_rounds_run_in_the_event_loop_once_started():
    policy = GcPolicy(0.01, 900)
    policy.ensure_started()
    task = policy._task
    policy.ensure_started()  # idempotent: one ticker per process
    assert policy._task is task
    try:
        for _ in range(100):
            await asyncio.sleep(0.01)
            if gc.get_freeze_count():
                break
        assert gc.get_freeze_count() > 0
    finally:
        policy.stop()
    await asyncio.sleep(0)
    assert task.cancelled()


@pytest.mark.asyncio
async def test_a_zero_interval_turns_it_off():
    policy = GcPolicy(0, 900)
    policy.ensure_started()
    assert policy._task is None


@pytest.mark.asyncio
async def test_the_middleware_answers_the_lifespan_and_starts_and_stops_the_rounds():
    policy = GcPolicy(60, 900)
    calls = []

    async def app(scope, receive, send):
        calls.append(scope["type"])

    middleware = GcPolicyMiddleware(app, policy)
    inbox: asyncio.Queue = asyncio.Queue()
    sent = []

    async def send(message):
        sent.append(message["type"])

    await inbox.put({"type": "lifespan.startup"})
    await inbox.put({"type": "lifespan.shutdown"})
    await middleware({"type": "lifespan"}, inbox.get, send)

    assert sent == ["lifespan.startup.complete", "lifespan.shutdown.complete"]
    assert policy._task is None
    assert calls == []  # the app behind (Channels' router) never sees the lifespan

    # Daphne sends no lifespan: the first connection starts the rounds.
    await middleware({"type": "http"}, inbox.get, send)
    try:
        assert calls == ["http"]
        assert policy._task is not None and not policy._task.done()
    finally:
        policy.stop()


def test_negative_intervals_are_refused_at_startup():
    result = run_manage("check", GC_FREEZE_SECONDS="-1")
    assert result.returncode != 0
    assert "GC_FREEZE_SECONDS and GC_FULL_COLLECT_SECONDS must not be negative" in result.stderr
