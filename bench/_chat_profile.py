"""uvicorn with diagnostics, for bench/chat_fanout.py --profile / --probe. Measures
only between SIGUSR1 (start) and SIGUSR2 (stop and write the output), so only the
sending window counts.

    python bench/_chat_profile.py cprofile OUT.prof <uvicorn arguments>
    python bench/_chat_profile.py probe OUT.json <uvicorn arguments>

cprofile: cProfile of the event loop's thread (it slows every call down: read it as
where the time goes, not as how much there is).

probe: cheap timers instead:
- event-loop lag: a thread asks the loop to run a callback every 20 ms and times
  how long it waits (a loop busy fanning out answers late);
- garbage-collector pauses (gc.callbacks);
- every database_sync_to_async call: wall time as the caller sees it (waiting for
  the one database thread included), wall time in the thread, and the thread's
  CPU time in it (wall - CPU in the thread: waiting for PostgreSQL, Redis or the GIL).
"""

import cProfile
import gc
import json
import signal
import sys
import threading
import time

import uvicorn


def percentiles(values: list[float]) -> dict:
    if not values:
        return {"n": 0}
    ordered = sorted(values)

    def at(p: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] * 1000, 2)

    return {
        "n": len(ordered),
        "p50_ms": at(50),
        "p99_ms": at(99),
        "max_ms": round(ordered[-1] * 1000, 2),
        "sum_s": round(sum(ordered), 3),
    }


class Probe:
    def __init__(self, out: str) -> None:
        self.out = out
        self.tracked = 0
        self.on = False
        self.loop = None
        self.lags: list[float] = []
        self.gc: dict[int, list[float]] = {0: [], 1: [], 2: []}
        self.gc_started = 0.0
        self.db: dict[str, dict[str, list[float]]] = {}
        self.lock = threading.Lock()

    def note_db(self, name: str, kind: str, seconds: float) -> None:
        if self.on:
            with self.lock:
                self.db.setdefault(name, {"call": [], "thread": [], "thread_cpu": []})
                self.db[name][kind].append(seconds)

    def install(self) -> None:
        from channels import db as channels_db

        probe = self
        original_call = channels_db.DatabaseSyncToAsync.__call__
        original_handler = channels_db.DatabaseSyncToAsync.thread_handler

        def name_of(wrapper) -> str:
            func = wrapper.func
            return getattr(func, "__qualname__", None) or repr(func)

        async def timed_call(self, *args, **kwargs):
            started = time.perf_counter()
            try:
                return await original_call(self, *args, **kwargs)
            finally:
                probe.note_db(name_of(self), "call", time.perf_counter() - started)

        def timed_handler(self, loop, *args, **kwargs):
            started, cpu = time.perf_counter(), time.thread_time()
            try:
                return original_handler(self, loop, *args, **kwargs)
            finally:
                probe.note_db(name_of(self), "thread", time.perf_counter() - started)
                probe.note_db(name_of(self), "thread_cpu", time.thread_time() - cpu)

        channels_db.DatabaseSyncToAsync.__call__ = timed_call
        channels_db.DatabaseSyncToAsync.thread_handler = timed_handler

        original_serve = uvicorn.Server.serve

        async def serve(server, *args, **kwargs):
            import asyncio

            probe.loop = asyncio.get_running_loop()
            return await original_serve(server, *args, **kwargs)

        uvicorn.Server.serve = serve
        gc.callbacks.append(self.on_gc)
        threading.Thread(target=self.watch, daemon=True).start()

    def on_gc(self, phase: str, info: dict) -> None:
        if phase == "start":
            self.gc_started = time.perf_counter()
        elif self.on:
            self.gc[info["generation"]].append(time.perf_counter() - self.gc_started)

    def watch(self) -> None:
        while True:
            time.sleep(0.02)
            loop = self.loop
            if loop is None or not self.on or loop.is_closed():
                continue
            asked = time.perf_counter()
            answered = threading.Event()

            def answer(asked=asked, answered=answered) -> None:
                if self.on:
                    self.lags.append(time.perf_counter() - asked)
                answered.set()

            try:
                loop.call_soon_threadsafe(answer)
            except RuntimeError:
                continue
            answered.wait(5)

    def start(self, *_) -> None:
        self.tracked = len(gc.get_objects())
        self.on = True

    def stop(self, *_) -> None:
        self.on = False
        with self.lock:
            db = {
                name: {kind: percentiles(values) for kind, values in kinds.items()}
                for name, kinds in self.db.items()
            }
        result = {
            "tracked_objects": self.tracked,
            "frozen": gc.get_freeze_count(),
            "loop_lag": percentiles(self.lags),
            "gc": {str(gen): percentiles(pauses) for gen, pauses in self.gc.items()},
            "db": db,
        }
        with open(self.out, "w") as f:
            json.dump(result, f)


def main() -> None:
    mode, out, arguments = sys.argv[1], sys.argv[2], sys.argv[3:]
    if mode == "cprofile":
        profile = cProfile.Profile()

        def start(*_) -> None:
            profile.enable()

        def stop(*_) -> None:
            profile.disable()
            profile.dump_stats(out)

    else:
        probe = Probe(out)
        probe.install()
        start, stop = probe.start, probe.stop
    signal.signal(signal.SIGUSR1, start)
    signal.signal(signal.SIGUSR2, stop)
    sys.argv = ["uvicorn", *arguments]
    uvicorn.main()


if __name__ == "__main__":
    main()
