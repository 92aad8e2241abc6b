"""The load client of bench/chat_fanout.py: one of several processes, each running
an event loop (uvloop) with its share of the WebSocket clients (the `websockets`
library). No Django in here: the parent builds the data and reads the database.

Each client records, for every message frame it receives, the message's id (its
`seq` for the chat, the sender's number `k` for the tutorial baseline) and the
time it arrived (time.time(): every process is on one machine). Frames are not
decoded as JSON on the hot path: the id is cut out of the text, so the client's
own CPU per delivery stays small. Send times are kept by the sender, by `k`.
While measuring, the garbage collector is off (everything alive is frozen first):
a client's GC pause would otherwise show as delivery latency.

A client that loses its socket reconnects after a short backoff and joins with the
last seq it saw, as the real client does; one connection at a time per client.

The parent drives each worker over a Pipe:

    worker -> ("connected", info)
    parent -> ("start", t0)             send messages k = index, index + W, ... at
                                        t0 + k / rate until t0 + seconds
    worker -> ("sent", info)
    parent -> ("drain", target, timeout)  wait until every client has the last one
    worker -> ("drained", info)
    parent -> ("catchup", timeout)       chat only: join again with the last seq seen
    worker -> ("caught", info)
    parent -> ("report",)
    worker -> ("data", payload)
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import random
import resource
import time
from array import array
from collections import Counter

ORIGIN = "http://127.0.0.1"
CONNECT_CONCURRENCY = 24  # handshakes in flight per worker
# About the length of a chat line; the body also carries the sender's number and
# the send time, which the receivers' numbers are measured against.
FILLER = "Has anyone been to the trauma-informed care workshop? Slides are up."
MESSAGE_PREFIX = b'{"type":"message"'


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def raise_nofile(wanted: int) -> int:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < wanted:
        soft = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
    return soft


class Client:
    __slots__ = (
        "caught", "closes", "cookie", "cut", "gid", "ids", "joined", "load", "max_seen",
        "reader", "reconnecting", "reconnects", "stopping", "times", "url", "waiter", "ws",
    )  # fmt: skip

    def __init__(self, load: Load, gid: int, url: str, cookie: str) -> None:
        self.load = load
        self.gid = gid
        self.url = url
        self.cookie = cookie
        self.ws = None
        self.ids = array("q")
        self.times = array("d")
        self.max_seen = load.base_seq
        self.cut = -1  # len(ids) when the final catch-up began
        self.reconnects = 0
        self.reconnecting = False
        self.joined = False  # joined the room at least once
        self.caught = 0  # messages that came as catch-up (before caught_up) on a rejoin
        self.closes: list[int | None] = []
        self.waiter: asyncio.Future | None = None
        self.reader: asyncio.Task | None = None
        self.stopping = False

    async def connect(self, first: bool = False) -> None:
        """Open a socket and join the room with the last seq seen; on failure back off
        and retry, as the real client does after an unexpected close. One at a time
        per client (`reconnecting`), so a client never holds two sockets."""
        self.reconnecting = True
        delay = 0.5 + random.random() * 0.5
        try:
            attempt = 0
            while not self.stopping:
                try:
                    await self.open(self.max_seen if self.load.mode == "chat" else None)
                    break
                except Exception:
                    attempt += 1
                    if first and attempt >= 3:
                        raise
                await asyncio.sleep(delay)
                delay = min(delay * 2, 8)
        finally:
            self.reconnecting = False
        if not self.stopping and not self.alive():  # closed again before we noticed
            self.reconnect()

    def reconnect(self) -> None:
        self.reconnects += 1
        asyncio.get_running_loop().create_task(self.connect())

    async def open(self, after: int | None) -> None:
        from websockets.asyncio.client import connect

        load = self.load
        headers = {"Cookie": self.cookie} if self.cookie else None
        ws = await connect(
            self.url,
            additional_headers=headers,
            origin=ORIGIN,
            compression=load.compression,
            proxy=None,
            ping_interval=None,  # the server pings (uvicorn: every 20 s)
            max_queue=None,  # read everything the server sends; never push back
            max_size=2**22,
            open_timeout=120,
            close_timeout=2,
        )
        self.ws = ws
        self.reader = asyncio.get_running_loop().create_task(self.read(ws))
        if load.mode == "chat":
            try:
                await self.join(after)
            except BaseException:
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(ws.close(), 3)
                raise

    async def join(self, after: int | None) -> None:
        """join {room, after} and wait for caught_up (docs/chat-protocol.md)."""
        future = self.waiter = asyncio.get_running_loop().create_future()
        frame = {"type": "join", "room": self.load.room}
        if after is not None:
            frame["after"] = after
        await self.ws.send(json.dumps(frame))
        await asyncio.wait_for(future, 120)

    async def read(self, ws) -> None:
        from websockets.exceptions import ConnectionClosed

        ids_append, times_append = self.ids.append, self.times.append
        now = time.time
        chat = self.load.mode == "chat"
        try:
            while True:
                data = await ws.recv(decode=False)
                received = now()
                if chat:
                    if data.startswith(MESSAGE_PREFIX):
                        i = data.find(b'"seq":', 17) + 6
                        seq = int(data[i : data.find(b",", i)])
                        ids_append(seq)
                        times_append(received)
                        if seq > self.max_seen:
                            self.max_seen = seq
                        if self.waiter is not None and not self.waiter.done():
                            self.caught += 1
                        continue
                    self.control(json.loads(data))
                else:  # the tutorial's {"message": "k=<k> t=<time> ..."}
                    i = data.find(b"k=") + 2
                    ids_append(int(data[i : data.find(b" ", i)]))
                    times_append(received)
        except ConnectionClosed as closed:
            self.closes.append(closed.rcvd.code if closed.rcvd else None)
            if self.waiter is not None and not self.waiter.done():
                self.waiter.set_exception(ConnectionError("closed while joining"))
            if not self.stopping and not self.reconnecting and ws is self.ws:
                self.reconnect()

    def control(self, frame: dict) -> None:
        kind = frame.get("type")
        load = self.load
        if kind == "caught_up":
            self.joined = True
            if self.waiter is not None and not self.waiter.done():
                self.waiter.set_result(frame)
        elif kind == "ack":
            load.acks[frame["client_id"]] = (frame["seq"], time.time())
            if frame.get("duplicate"):
                load.errors["ack_duplicate"] += 1
        elif kind == "error":
            load.errors[frame.get("code", "?")] += 1
            if len(load.error_samples) < 5:
                load.error_samples.append(frame)
            if frame.get("client_id") is None and self.waiter and not self.waiter.done():
                self.waiter.set_exception(RuntimeError(f"join refused: {frame}"))
        elif kind == "removed":
            load.errors["removed"] += 1
        else:
            load.frames[kind] += 1

    def alive(self) -> bool:
        return self.ws is not None and not self.reconnecting and self.ws.state.name == "OPEN"


class Load:
    def __init__(self, index: int, spec: dict) -> None:
        self.index = index
        self.workers = spec["workers"]
        self.mode = spec["mode"]  # "chat" or "tutorial"
        self.room = spec.get("room")
        self.base_seq = spec.get("base_seq", 0)
        self.rate = spec["rate"]
        self.seconds = spec["seconds"]
        self.tag = spec["tag"]
        self.compression = spec["compression"]
        self.connect_concurrency = spec.get("connect_concurrency", CONNECT_CONCURRENCY)
        self.clients = [Client(self, gid, url, cookie) for gid, url, cookie in spec["clients"]]
        self.sent: dict[int, float] = {}
        self.send_failed = 0
        self.acks: dict[str, int] = {}
        self.errors: Counter = Counter()
        self.frames: Counter = Counter()
        self.error_samples: list[dict] = []
        self.cpu: dict[str, float] = {"begin": cpu_seconds()}
        self.lags: list[float] = []
        self.connect_failures: list[str] = []

    async def connect_all(self) -> dict:
        gate = asyncio.Semaphore(self.connect_concurrency)
        began = time.time()

        async def one(client: Client) -> None:
            async with gate:
                try:
                    await client.connect(first=True)
                except Exception as error:
                    self.connect_failures.append(f"{type(error).__name__}: {error}")

        await asyncio.gather(*(one(c) for c in self.clients))
        self.cpu["connected"] = cpu_seconds()
        return {
            "connected": sum(c.alive() for c in self.clients),
            "failures": self.connect_failures[:5],
            "failed": len(self.connect_failures),
            "seconds": time.time() - began,
        }

    async def send_all(self, t0: float) -> dict:
        """Open loop: message k is due at t0 + k / rate, from a random live client."""
        loop = asyncio.get_running_loop()
        monitor = loop.create_task(self.watch_lag(t0, t0 + self.seconds))
        end = t0 + self.seconds
        k = self.index
        await asyncio.sleep(max(0.0, t0 - time.time()))
        self.cpu["send_begin"] = cpu_seconds()
        while True:
            due = t0 + k / self.rate
            if due >= end:
                break
            delay = due - time.time()
            if delay > 0:
                await asyncio.sleep(delay)
            live = [c for c in random.sample(self.clients, min(8, len(self.clients))) if c.alive()]
            if not live:
                self.send_failed += 1
                k += self.workers
                continue
            sender = live[0]
            sent_at = time.time()
            body = f"k={k} t={sent_at:.6f} {FILLER}"
            if self.mode == "chat":
                text = json.dumps(
                    {
                        "type": "send",
                        "room": self.room,
                        "client_id": f"{self.tag}-{k}",
                        "body": body,
                    }
                )
            else:
                text = json.dumps({"message": body})
            try:
                await sender.ws.send(text)
                self.sent[k] = sent_at
            except Exception:
                self.send_failed += 1
            k += self.workers
        self.cpu["send_end"] = cpu_seconds()
        if self.mode == "chat":  # wait a little for the acks of the last sends
            deadline = time.time() + 10
            while time.time() < deadline and len(self.acks) + self.errors_sending() < len(
                self.sent
            ):
                await asyncio.sleep(0.05)
        await monitor
        lags = sorted(self.lags)
        return {
            "sent": len(self.sent),
            "send_failed": self.send_failed,
            "acked": len(self.acks),
            "errors": dict(self.errors),
            "lag_max_ms": round(lags[-1] * 1000, 1) if lags else None,
            "lag_p99_ms": round(lags[int(0.99 * (len(lags) - 1))] * 1000, 1) if lags else None,
        }

    def errors_sending(self) -> int:
        return sum(n for code, n in self.errors.items() if code not in ("ack_duplicate",))

    async def watch_lag(self, begin: float, end: float) -> None:
        """How late this loop wakes up during the sending window: a busy load client
        shows here (it would add its own delay to every latency it measures)."""
        await asyncio.sleep(max(0.0, begin - time.time()))
        tick = 0.05
        while time.time() < end:
            expected = time.monotonic() + tick
            await asyncio.sleep(tick)
            self.lags.append(max(0.0, time.monotonic() - expected))

    async def drain(self, target: int, timeout: float) -> dict:
        """Wait until every client has message `target` (chat: its seq; tutorial:
        the number of messages sent), or the timeout."""
        began = time.time()
        deadline = began + timeout

        def behind() -> int:
            if self.mode == "chat":
                return sum(1 for c in self.clients if c.max_seen < target)
            return sum(1 for c in self.clients if len(c.ids) < target)

        while (left := behind()) and time.time() < deadline:
            await asyncio.sleep(0.05)
        self.cpu["drained"] = cpu_seconds()
        return {"behind": left, "waited": time.time() - began}

    async def catch_up(self, timeout: float) -> dict:
        """Each client sends join {room, after: last seq seen} on its socket and waits
        for caught_up: everything after its last seq arrives first."""
        gate = asyncio.Semaphore(CONNECT_CONCURRENCY)
        began = time.time()
        failed: list[str] = []

        async def one(client: Client) -> None:
            async with gate:
                client.cut = len(client.ids)
                deadline = time.time() + timeout
                error: Exception | None = None
                while time.time() < deadline:
                    if client.alive() and not client.reconnecting:
                        try:
                            await client.join(client.max_seen)
                            return
                        except Exception as refused:
                            error = refused
                    await asyncio.sleep(0.1)
                failed.append(f"{type(error).__name__}: {error}")

        await asyncio.gather(*(one(c) for c in self.clients))
        self.cpu["caught"] = cpu_seconds()
        return {"failed": len(failed), "failures": failed[:5], "seconds": time.time() - began}

    async def close_all(self) -> None:
        for client in self.clients:
            client.stopping = True

        async def close(client: Client) -> None:
            if client.ws is not None:
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(client.ws.close(), 5)

        await asyncio.gather(*(close(c) for c in self.clients))

    def payload(self) -> dict:
        self.cpu.setdefault("end", cpu_seconds())
        return {
            "clients": [
                {
                    "gid": c.gid,
                    "ids": c.ids.tobytes(),
                    "times": c.times.tobytes(),
                    "cut": c.cut,
                    "reconnects": c.reconnects,
                    "closes": c.closes,
                    "caught": c.caught,
                    "joined": c.joined or self.mode != "chat",
                }
                for c in self.clients
            ],
            "sent": self.sent,
            "acks": self.acks,
            "errors": dict(self.errors),
            "error_samples": self.error_samples,
            "frames": dict(self.frames),
            "cpu": self.cpu,
        }


async def _serve(index: int, conn, spec: dict) -> None:
    loop = asyncio.get_running_loop()
    load = Load(index, spec)

    async def recv():
        return await loop.run_in_executor(None, conn.recv)

    conn.send(("connected", await load.connect_all()))
    # The client's own garbage-collector pauses would count as delivery latency:
    # keep what exists out of future collections and collect nothing while measuring
    # (what the clients keep is in arrays, which hold no references).
    gc.collect()
    gc.freeze()
    gc.disable()
    while True:
        command = await recv()
        name = command[0]
        if name == "start":
            conn.send(("sent", await load.send_all(command[1])))
        elif name == "drain":
            conn.send(("drained", await load.drain(command[1], command[2])))
        elif name == "catchup":
            conn.send(("caught", await load.catch_up(command[1])))
        elif name == "report":
            gc.enable()
            load.cpu["end"] = cpu_seconds()
            conn.send(("data", load.payload()))
            await load.close_all()
            return


def run(index: int, conn, spec: dict) -> None:
    """multiprocessing target."""
    raise_nofile(len(spec["clients"]) + 1024)
    try:
        import uvloop

        uvloop.run(_serve(index, conn, spec))
    except ImportError:
        asyncio.run(_serve(index, conn, spec))
