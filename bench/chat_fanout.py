#!/usr/bin/env python
"""Chat fan-out: N WebSocket clients in one room, two server processes, Redis.

Builds its own data on a scratch PostgreSQL database: one event, N confirmed
attendees (members of the event lobby), each with a logged-in session (the
configured session engine, cached_db on Redis). Starts two ASGI server processes
on two ports as docs/chat-protocol.md ("Running it") says: uvicorn with
`--ws websockets-sansio`, DEBUG off, DB_POOL=1, a Redis of the benchmark's own
(chat keys and channels under a prefix of this run). The load client is several
processes (bench/_chat_load.py), each an asyncio loop holding its share of the
clients; clients alternate between the two servers.

Each phase: every client connects with its session cookie and joins the lobby;
then 10 messages a second in total (--rate) for --seconds from random connected
clients, each a real `send` (authenticated socket, membership, stored with its
seq, broadcast on commit). Every client records each message's arrival; latency is
arrival - send time (time.time() on one machine). When sending stops, every client
waits for the last seq, then joins again with the last seq it saw (the protocol's
catch-up) and the counts are taken: delivered, lost after catch-up (must be 0),
duplicated (must be 0).

Phases: our chat at --clients (1,000), our chat at --high (2,500), then the
baseline: the Channels-tutorial consumer (bench/_chat_tutorial.py: group_send to
everyone, no persistence, no auth) under the same two servers and the production
channel layer at --baseline-clients (1,000). It has no catch-up: what it has not
delivered --baseline-drain seconds after the last send counts as undelivered.
Optionally (--daphne) our chat at --clients under Daphne as well.

Also printed per phase, to say where the time goes: per message, the sender's ack
(the send path), the first arrival anywhere and the spread of arrivals within one
server process; CPU seconds in the sending window of each server, Redis,
PostgreSQL, the load client and the whole machine (what is "not ours" is other
people's work on a shared machine: a run with much of it is not comparable); the
load client's own event-loop lag (it keeps its garbage collector off while
measuring, so its pauses do not count as latency).

Ends with `RESULT {json}`.

    .venv/bin/python bench/chat_fanout.py [--clients 1000] [--high 2500] [--seconds 60]

Diagnostics (docs/benchmarks.md shows what they found):
    --ws-deflate on       uvicorn's default permessage-deflate, which the clients offer as
                          browsers do (off, as docs/chat-protocol.md deploys it, by default)
    --probe DIR           servers' event-loop lag, GC pauses, database calls
                          (bench/_chat_profile.py)
    --gc-policy off       servers without the app's GC policy (GC_FREEZE_SECONDS=0,
                          config/gc_policy.py): full collections walk every socket's objects
    --profile DIR         cProfile of the servers' event loops
    --daphne, --only P    Daphne at --clients; run only some phases
    CHAT_SOCKET_QUEUE=1   (environment) forces slow-reader drops (close 4408), so the
                          reconnect-and-catch-up path is exercised: still 0 lost, 0 duplicated
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import _chat_load
from bench._server import ROOT, free_port, fresh_database, manage, production_env

REDIS_URL = os.environ.get("BENCH_CHAT_REDIS_URL", "redis://127.0.0.1:6379/13")
TICKS = os.sysconf("SC_CLK_TCK")
BIN = Path(sys.executable).parent


# ---- data ----


def build_world(env: dict[str, str], count: int) -> dict:
    """One event, `count` confirmed attendees with logged-in sessions, its lobby."""
    os.environ.update(env)
    import django

    django.setup()
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from accounts.models import User
    from events.models import Event, Organization, Registration, TicketType
    from networking.chat.membership import event_room
    from networking.chat.models import Room

    session_store = import_module(settings.SESSION_ENGINE).SessionStore
    now = timezone.now()
    org = Organization.objects.create(name="Bench Provider", slug="bench-chat")
    event = Event.objects.create(
        organization=org, title="Fan-out Conference", slug="fanout", status="published",
        starts_at=now - timedelta(hours=1), ends_at=now + timedelta(hours=8),
    )  # fmt: skip
    ticket = TicketType.objects.create(event=event, name="Full", price=0)
    password = make_password("bench-password")
    users = User.objects.bulk_create(
        User(email=f"chat{i}@example.com", first_name="Attendee", last_name=f"N{i}",
             password=password)
        for i in range(count)
    )  # fmt: skip
    Registration.objects.bulk_create(
        Registration(event=event, user=u, ticket_type=ticket, status="confirmed",
                     code=f"C{i:07d}", confirmed_at=now)
        for i, u in enumerate(users)
    )  # fmt: skip
    cookies = []
    for user in users:
        # A login through the configured session engine (cached_db: database + Redis).
        store = session_store()
        store.update(
            {
                "_auth_user_id": str(user.pk),
                "_auth_user_backend": "django.contrib.auth.backends.ModelBackend",
                "_auth_user_hash": user.get_session_auth_hash(),
            }
        )
        store.create()
        cookies.append(f"{settings.SESSION_COOKIE_NAME}={store.session_key}")
    lobby = event_room(event, Room.Kind.LOBBY)
    return {"event": event.pk, "room": lobby.pk, "cookies": cookies}


def room_head(room_id: int) -> int:
    from networking.chat.models import Room

    return Room.objects.values_list("last_seq", flat=True).get(pk=room_id)


def stored_messages(room_id: int, after: int) -> list[tuple[int, str]]:
    from networking.chat.models import Message

    return list(
        Message.objects.filter(room_id=room_id, seq__gt=after)
        .order_by("seq")
        .values_list("seq", "client_id")
    )


# ---- processes and their CPU ----


def code_version() -> str:
    """The commit, and a digest of the chat code as it is on disk (it may be uncommitted)."""
    import hashlib

    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    digest = hashlib.sha256()
    for path in sorted([*ROOT.glob("networking/chat/*.py"), ROOT / "config" / "asgi.py"]):
        digest.update(path.read_bytes())
    return f"{commit or '?'}+chat:{digest.hexdigest()[:10]}"


def ws_implementation() -> str:
    """websockets-sansio where this uvicorn has it."""
    help_text = subprocess.run(
        [str(BIN / "uvicorn"), "--help"], capture_output=True, text=True, check=True
    ).stdout
    return "websockets-sansio" if "websockets-sansio" in help_text else "websockets"


class Server:
    def __init__(
        self,
        kind: str,
        app: str,
        env: dict[str, str],
        ws: str,
        diagnose: tuple[str, str] | None = None,
        deflate: bool = True,
    ) -> None:
        self.kind = kind
        self.port = free_port()
        self.diagnose = diagnose
        self.log = tempfile.NamedTemporaryFile("w+", prefix=f"bench-chat-{kind}-", suffix=".log")  # noqa: SIM115
        if kind == "uvicorn":
            arguments = [
                app, "--host", "127.0.0.1", "--port", str(self.port), "--ws", ws,
                "--no-access-log", "--log-level", "warning",
                # Our app answers the lifespan (its GC policy starts there); the
                # tutorial baseline has none.
                "--lifespan", "on" if app.startswith("config.") else "off",
            ]  # fmt: skip
            if not deflate:
                arguments += ["--ws-per-message-deflate", "false"]
            if diagnose:
                command = [sys.executable, str(ROOT / "bench" / "_chat_profile.py"), *diagnose]
            else:
                command = [sys.executable, "-m", "uvicorn"]
            command += arguments
        else:
            command = [str(BIN / "daphne"), "-b", "127.0.0.1", "-p", str(self.port), "-v", "0", app]
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT
        )

    def wait_ready(self) -> None:
        import socket

        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.kind} exited:\n{self.output()}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"{self.kind} did not start:\n{self.output()}")

    def cpu(self) -> float:
        return proc_cpu(self.process.pid)

    def signal(self, number: int) -> None:
        if self.diagnose:
            self.process.send_signal(number)

    def rss_mb(self) -> float:
        try:
            for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
        except OSError:
            pass
        return float("nan")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)

    def output(self) -> str:
        self.log.seek(0)
        return self.log.read()


def proc_cpu(pid: int, children: bool = False) -> float:
    """User + system CPU seconds of a process (and of its children it has waited for)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    used = int(fields[11]) + int(fields[12])
    if children:
        used += int(fields[13]) + int(fields[14])
    return used / TICKS


def postgres_cpu() -> float:
    """Every PostgreSQL process on the machine (others' test databases included),
    with the backends that exited (counted in the postmaster's children's time)."""
    total = 0.0
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                if (proc / "comm").read_text().strip() == "postgres":
                    total += proc_cpu(int(proc.name), children=True)
            except OSError:
                continue
    return total


STAT_FIELDS = ("user", "nice", "system", "idle", "iowait", "irq", "softirq", "steal")


def machine_cpu() -> dict[str, float]:
    """CPU seconds of the whole machine so far, by kind (/proc/stat). `nice` is mostly
    other people's niced test runs; `softirq` the kernel's loopback TCP work; `steal`
    the hypervisor's other tenants."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:9]]
    return {name: value / TICKS for name, value in zip(STAT_FIELDS, values, strict=True)}


class Meter:
    """CPU seconds of the servers, Redis, PostgreSQL and the machine between marks."""

    def __init__(self, servers: list[Server], redis) -> None:
        self.servers = servers
        self.redis = redis

    def read(self) -> dict:
        info = self.redis.info("cpu")
        return {
            "servers": [s.cpu() for s in self.servers],
            "redis": info["used_cpu_user"] + info["used_cpu_sys"],
            "postgres": postgres_cpu(),
            "machine": machine_cpu(),
            "at": time.time(),
        }

    @staticmethod
    def delta(a: dict, b: dict) -> dict:
        return {
            "servers": [round(y - x, 2) for x, y in zip(a["servers"], b["servers"], strict=True)],
            "redis": round(b["redis"] - a["redis"], 2),
            "postgres": round(b["postgres"] - a["postgres"], 2),
            "machine": {k: round(b["machine"][k] - a["machine"][k], 2) for k in STAT_FIELDS},
            "seconds": round(b["at"] - a["at"], 2),
        }


# ---- one phase ----


def expect(pipes: list, name: str, timeout: float) -> list:
    answers = []
    deadline = time.time() + timeout
    for pipe in pipes:
        if not pipe.poll(max(0.0, deadline - time.time())):
            raise RuntimeError(f"a load worker did not answer {name!r} within {timeout:.0f} s")
        message = pipe.recv()
        if message[0] != name:
            raise RuntimeError(f"load worker said {message[0]!r}, expected {name!r}")
        answers.append(message[1])
    return answers


def run_phase(
    label: str, *, mode: str, server: str, clients: int, world: dict, env: dict[str, str],
    args: argparse.Namespace, redis, ws: str,
) -> dict:  # fmt: skip
    """Servers up, clients connected, send, drain, catch up, count; servers down."""
    tag = f"{label}-{uuid.uuid4().hex[:6]}"
    app = "config.asgi:application" if mode == "chat" else "bench._chat_tutorial:application"
    path = "/ws/chat/" if mode == "chat" else "/ws/tutorial/"
    seconds = args.seconds if mode == "chat" else (args.baseline_seconds or args.seconds)
    drain_timeout = args.drain if mode == "chat" else args.baseline_drain
    server_env = {**env, "BENCH_TUTORIAL_GROUP": f"bench_{tag}".replace("-", "_")}
    if args.gc_policy == "off":
        server_env["GC_FREEZE_SECONDS"] = "0"
    print(f"\n== {label}: {mode} on {server} ({ws if server == 'uvicorn' else 'twisted'}), "
          f"{clients} clients, {args.rate}/s for {seconds:.0f} s", flush=True)  # fmt: skip
    diagnoses: list[tuple[str, str] | None] = [None, None]
    for directory in (args.profile, args.probe, args.dump):
        if directory:
            os.makedirs(directory, exist_ok=True)
    if args.profile:
        diagnoses = [("cprofile", f"{args.profile}/{label}-server{i}.prof") for i in range(2)]
    elif args.probe:
        diagnoses = [("probe", f"{args.probe}/{label}-server{i}.json") for i in range(2)]
    deflate = args.ws_deflate == "on"
    servers = [Server(server, app, server_env, ws, diagnoses[i], deflate) for i in range(2)]
    workers: list = []
    try:
        for s in servers:
            s.wait_ready()
        urls = [f"ws://127.0.0.1:{s.port}{path}" for s in servers]
        base_seq = room_head(world["room"]) if mode == "chat" else 0
        context = multiprocessing.get_context("spawn")
        pipes = []
        for index in range(args.workers):
            mine = [
                (gid, urls[gid % 2], world["cookies"][gid] if mode == "chat" else "")
                for gid in range(index, clients, args.workers)
            ]
            spec = {
                "workers": args.workers, "mode": mode, "room": world["room"],
                "base_seq": base_seq, "rate": args.rate, "seconds": seconds, "tag": tag,
                "compression": "deflate",  # offered, as browsers do; the server decides
                "connect_concurrency": args.connect_concurrency,
                "clients": mine,
            }  # fmt: skip
            parent, child = context.Pipe()
            process = context.Process(target=_chat_load.run, args=(index, child, spec))
            process.start()
            workers.append(process)
            pipes.append(parent)
        began = time.time()
        connected = expect(pipes, "connected", 600)
        connect_s = time.time() - began
        up = sum(c["connected"] for c in connected)
        failed = sum(c["failed"] for c in connected)
        print(f"connected {up}/{clients} in {connect_s:.1f} s (failed {failed})"
              + (f": {connected[0]['failures'] or connected[-1]['failures']}" if failed else ""),
              flush=True)  # fmt: skip
        time.sleep(args.settle)  # presence of the arrivals goes out, once a second

        meter = Meter(servers, redis)
        t0 = time.time() + 1.0
        for pipe in pipes:
            pipe.send(("start", t0))
        time.sleep(max(0.0, t0 - time.time()))
        before = meter.read()
        for s in servers:
            s.signal(signal.SIGUSR1)
        time.sleep(max(0.0, t0 + seconds - time.time()))
        window = Meter.delta(before, meter.read())
        for s in servers:
            s.signal(signal.SIGUSR2)
        sent_info = expect(pipes, "sent", 120)
        rss = [round(s.rss_mb()) for s in servers]

        if mode == "chat":
            end_seq = room_head(world["room"])
            stored = stored_messages(world["room"], base_seq)
            target = end_seq
        else:
            end_seq = None
            stored = []
            target = sum(info["sent"] for info in sent_info)
        drain_began = meter.read()
        for pipe in pipes:
            pipe.send(("drain", target, drain_timeout))
        drained = expect(pipes, "drained", drain_timeout + 60)
        stopped_at = time.time()
        drain_cpu = Meter.delta(drain_began, meter.read())
        behind = sum(d["behind"] for d in drained)
        waited = max(d["waited"] for d in drained)
        state = f"{behind} clients still behind" if behind else "every client has the last one"
        print(f"after the last send: {state} after waiting {waited:.1f} s", flush=True)
        caught = None
        if mode == "chat":
            for pipe in pipes:
                pipe.send(("catchup", 120))
            caught = expect(pipes, "caught", 600)
        for pipe in pipes:
            pipe.send(("report",))
        data = expect(pipes, "data", 300)
        for process in workers:
            process.join(30)
    finally:
        for process in workers:
            if process.is_alive():
                process.terminate()
        for s in servers:
            s.stop()
    logs = [s.output() for s in servers]
    log_dir = Path(tempfile.gettempdir()) / f"bench-chat-{tag}"
    log_dir.mkdir(exist_ok=True)
    for i, text in enumerate(logs):
        (log_dir / f"server{i}.log").write_text(text)
    problems = [
        line for log in logs for line in log.splitlines() if "Traceback" in line or "ERROR" in line
    ]
    if args.dump:
        import pickle

        dump = Path(args.dump) / f"{tag}.pickle"
        dump.write_bytes(pickle.dumps({"data": data, "stored": stored, "base_seq": base_seq}))
        print(f"  raw client data: {dump}")
    result = measure(
        label=label, mode=mode, clients=clients, data=data, stored=stored, tag=tag,
        base_seq=base_seq, end_seq=end_seq, stopped_at=stopped_at,
    )  # fmt: skip
    client_cpu = sum(d["cpu"]["end"] - d["cpu"]["begin"] for d in data)
    client_window = sum(d["cpu"]["send_end"] - d["cpu"]["send_begin"] for d in data)
    server_window = sum(window["servers"])
    m = window["machine"]
    busy = m["user"] + m["nice"] + m["system"] + m["irq"] + m["softirq"]
    other = busy - server_window - client_window - window["redis"] - window["postgres"]
    deliveries_window = result["delivered_in_window"]
    result.update(
        server=server, ws=ws if server == "uvicorn" else "twisted", seconds=seconds,
        connect_s=round(connect_s, 1), connect_failed=failed,
        sent=sum(i["sent"] for i in sent_info),
        send_failed=sum(i["send_failed"] for i in sent_info),
        stored=len(stored) if mode == "chat" else None,
        send_errors=_merge(i["errors"] for i in sent_info),
        client_cpu_s=round(client_cpu, 1), client_cpu_window_s=round(client_window, 1),
        client_lag_p99_ms=max((i["lag_p99_ms"] or 0) for i in sent_info),
        client_lag_max_ms=max((i["lag_max_ms"] or 0) for i in sent_info),
        window_cpu=window, drain_cpu=drain_cpu, server_rss_mb=rss, other_cpu_s=round(other, 1),
        server_us_per_delivery=round(server_window / max(deliveries_window, 1) * 1e6, 1),
        behind_after_drain=behind, drain_waited_s=round(waited, 1),
        catchup=None if caught is None else {
            "failed": sum(c["failed"] for c in caught),
            "seconds": round(max(c["seconds"] for c in caught), 1),
        },
        server_log_problems=len(problems),
        server_logs=str(log_dir),
    )  # fmt: skip
    report(result, problems)
    if args.profile:
        show_profile([d[1] for d in diagnoses if d])
    elif args.probe:
        result["probe"] = show_probe([d[1] for d in diagnoses if d])
    return result


def show_probe(paths: list[str]) -> list[dict]:
    """Server event-loop lag, GC pauses and database calls in the sending window."""
    time.sleep(1)
    found = []
    for i, path in enumerate(paths):
        if not Path(path).exists():
            print(f"  (no probe output from server {i})")
            continue
        probe = json.loads(Path(path).read_text())
        found.append(probe)
        lag, gcs = probe["loop_lag"], probe["gc"]
        pauses = ", ".join(f"gen{g} n={v['n']} max {v.get('max_ms')} ms" for g, v in gcs.items())
        print(f"  server {i}: loop lag p50/p99/max {lag.get('p50_ms')}/{lag.get('p99_ms')}/"
              f"{lag.get('max_ms')} ms; GC pauses {pauses}; {probe['tracked_objects']:,} "
              f"objects tracked by the collector, {probe['frozen']:,} frozen")  # fmt: skip
        for name, kinds in sorted(probe["db"].items(), key=lambda kv: -kv[1]["call"]["n"]):
            call, thread, cpu = kinds["call"], kinds["thread"], kinds["thread_cpu"]
            print(f"    db {name}: n={call['n']} caller p50/p99 {call.get('p50_ms')}/"
                  f"{call.get('p99_ms')} ms; in thread p50/p99 {thread.get('p50_ms')}/"
                  f"{thread.get('p99_ms')} ms; thread CPU p50/p99 {cpu.get('p50_ms')}/"
                  f"{cpu.get('p99_ms')} ms")  # fmt: skip
    return found


def show_profile(paths: list[str | None]) -> None:
    """The busiest functions of the servers' event loops in the sending window."""
    import pstats

    time.sleep(1)
    found = [p for p in paths if p and Path(p).exists()]
    if not found:
        print("  (no profile written)")
        return
    stats = pstats.Stats(*found)
    print(f"  profile of the servers' event loops during the window ({', '.join(found)}):")
    stats.sort_stats("tottime").print_stats(25)


def _merge(dicts) -> dict:
    total: dict = {}
    for d in dicts:
        for key, value in d.items():
            total[key] = total.get(key, 0) + value
    return total


def measure(
    *, label: str, mode: str, clients: int, data: list[dict], stored: list, tag: str,
    base_seq: int, end_seq: int | None, stopped_at: float,
) -> dict:  # fmt: skip
    """Latency of each (client, message) first arrival; lost, duplicated, recovered;
    and per message where the time went: the send path (until the sender's ack), the
    first arrival anywhere, and the spread of arrivals within each server process."""
    import numpy as np

    sent: dict[int, float] = {}
    acks: dict[str, tuple[int, float]] = {}
    for d in data:
        sent.update(d["sent"])
        acks.update(d["acks"])
    if mode == "chat":
        # A message's id is its seq; its send time is the sender's, found by client_id.
        id_sent = {}
        for seq, client_id in stored:
            k = int(client_id.rsplit("-", 1)[1]) if client_id.startswith(tag) else None
            if k is not None and k in sent:
                id_sent[seq] = sent[k]
        expected = np.arange(base_seq + 1, end_seq + 1, dtype=np.int64)
        ack_ms = [
            (at - sent[int(cid.rsplit("-", 1)[1])]) * 1000
            for cid, (_seq, at) in acks.items()
            if cid.startswith(tag) and int(cid.rsplit("-", 1)[1]) in sent
        ]
    else:
        id_sent = sent
        expected = np.array(sorted(sent), dtype=np.int64)
        ack_ms = []
    top = int(expected.max()) + 1 if len(expected) else 1
    send_at = np.full(top, np.nan)
    for i, t in id_sent.items():
        if i < top:
            send_at[i] = t
    expected_mask = np.zeros(top, dtype=bool)
    expected_mask[expected] = True

    firsts_id, firsts_at, firsts_server, lower_bounds = [], [], [], []
    duplicated = recovered = unexpected = reconnects = caught = never_joined = 0
    closes: dict = {}
    for d in data:
        for c in d["clients"]:
            if not c["joined"]:
                never_joined += 1  # never in the room: nothing was owed to it
                continue
            gid, cut = c["gid"], c["cut"]
            reconnects += c["reconnects"]
            caught += c["caught"]
            for code in c["closes"]:
                closes[code] = closes.get(code, 0) + 1
            ids = np.frombuffer(c["ids"], dtype=np.int64)
            times = np.frombuffer(c["times"], dtype=np.float64)
            unique, first = np.unique(ids, return_index=True)
            duplicated += len(ids) - len(unique)
            valid = (unique < top) & (unique >= 0)
            valid[valid] = expected_mask[unique[valid]]
            unexpected += int((~valid).sum())
            got, got_first = unique[valid], first[valid]
            if cut >= 0:
                recovered += int((got_first >= cut).sum())
            firsts_id.append(got)
            firsts_at.append(times[got_first])
            firsts_server.append(np.full(len(got), gid % 2, dtype=np.int8))
            missing = np.setdiff1d(expected, got, assume_unique=True)
            if len(missing):
                bound = stopped_at - send_at[missing]
                lower_bounds.append(bound[~np.isnan(bound)] * 1000)
    got = np.concatenate(firsts_id) if firsts_id else np.array([], dtype=np.int64)
    arrival = np.concatenate(firsts_at) if firsts_at else np.array([])
    server = np.concatenate(firsts_server) if firsts_server else np.array([], dtype=np.int8)
    delivered = len(got)
    lat_all = (arrival - send_at[got]) * 1000
    known = ~np.isnan(lat_all)
    got, arrival, server, lat = got[known], arrival[known], server[known], lat_all[known]
    expected_total = (clients - never_joined) * len(expected)
    lost = expected_total - delivered
    with_missing = np.concatenate([lat, *lower_bounds]) if lower_bounds else lat
    last_send = max(sent.values()) if sent else stopped_at

    def pct(values, p):
        return round(float(np.percentile(values, p)), 1) if len(values) else None

    # Per message and server process: first and last arrival (ms after sending).
    first_at = np.full((2, top), np.inf)
    last_at = np.full((2, top), -np.inf)
    np.minimum.at(first_at, (server, got), lat)
    np.maximum.at(last_at, (server, got), lat)
    seen = np.isfinite(first_at) & np.isfinite(last_at)
    first_anywhere = np.min(first_at, axis=0)
    first_anywhere = first_anywhere[np.isfinite(first_anywhere)]
    spread = (last_at - first_at)[seen]

    # Median latency by tenth of the sending window: a backlog shows as growth.
    trend = []
    if id_sent and len(lat):
        first_t = min(id_sent.values())
        span = max(max(id_sent.values()) - first_t, 1e-9)
        slot = np.minimum(((send_at[got] - first_t) / span * 10).astype(int), 9)
        trend = [pct(lat[slot == b], 50) for b in range(10)]
    return {
        "label": label,
        "mode": mode,
        "clients": clients,
        "messages": len(expected),
        "expected_deliveries": expected_total,
        "delivered": delivered,
        "lost": lost,
        "duplicated": duplicated,
        "recovered_by_catchup": recovered,
        "caught_up_on_rejoin": caught,
        "never_joined": never_joined,
        "unexpected": unexpected,
        "unknown_send_time": int((~known).sum()),
        "delivered_in_window": int((arrival <= last_send).sum()),
        "reconnects": reconnects,
        "close_codes": {str(k): v for k, v in closes.items()},
        "p50_ms": pct(lat, 50),
        "p95_ms": pct(lat, 95),
        "p99_ms": pct(lat, 99),
        "max_ms": pct(lat, 100),
        "p99_with_undelivered_ms": pct(with_missing, 99),
        "p50_by_tenth_ms": trend,
        "ack_p50_ms": pct(ack_ms, 50),
        "ack_p99_ms": pct(ack_ms, 99),
        "first_p50_ms": pct(first_anywhere, 50),
        "first_p99_ms": pct(first_anywhere, 99),
        "spread_p50_ms": pct(spread, 50),
        "spread_p99_ms": pct(spread, 99),
    }


def report(r: dict, problems: list[str]) -> None:
    print(
        f"{r['label']}: {r['messages']} messages x {r['clients']} clients = "
        f"{r['expected_deliveries']:,} deliveries expected; delivered {r['delivered']:,}, "
        f"lost {r['lost']:,}, duplicated {r['duplicated']:,}, recovered by catch-up "
        f"{r['recovered_by_catchup']:,}; reconnects {r['reconnects']} {r['close_codes'] or ''} "
        f"(messages caught up on rejoining {r['caught_up_on_rejoin']:,}; clients that never "
        f"joined {r['never_joined']})"
    )
    print(
        f"  latency p50 {r['p50_ms']} ms  p95 {r['p95_ms']} ms  p99 {r['p99_ms']} ms  "
        f"max {r['max_ms']} ms  (p99 counting undelivered as arriving at the stop: "
        f"{r['p99_with_undelivered_ms']} ms)"
    )
    print(f"  median latency by tenth of the sending window (ms): {r['p50_by_tenth_ms']}")
    print(
        f"  per message: sender's ack p50/p99 {r['ack_p50_ms']}/{r['ack_p99_ms']} ms; first "
        f"arrival anywhere {r['first_p50_ms']}/{r['first_p99_ms']} ms; first-to-last arrival "
        f"within a server process {r['spread_p50_ms']}/{r['spread_p99_ms']} ms"
    )
    w = r["window_cpu"]
    print(
        f"  CPU during the {w['seconds']} s sending window: servers {w['servers']} s, "
        f"Redis {w['redis']} s, PostgreSQL {w['postgres']} s, load client "
        f"{r['client_cpu_window_s']} s"
    )
    m = w["machine"]
    print(
        "  machine in the window (s): "
        + ", ".join(f"{k} {m[k]}" for k in STAT_FIELDS if k != "iowait")
        + f"; not ours (busy - servers - client - Redis - PostgreSQL) {r['other_cpu_s']} s"
    )
    print(
        f"  server CPU per delivery {r['server_us_per_delivery']} us; "
        f"server RSS {r['server_rss_mb']} MB; "
        f"load client CPU {r['client_cpu_s']} s in all, loop lag p99 {r['client_lag_p99_ms']} ms "
        f"max {r['client_lag_max_ms']} ms; connect {r['connect_s']} s"
    )
    print(f"  sent {r['sent']} (failed {r['send_failed']}), stored {r['stored']}, "
          f"errors {r['send_errors'] or 'none'}, catch-up {r['catchup']}")  # fmt: skip
    if problems:
        print(f"  server logs ({r['server_logs']}): {len(problems)} error lines")


# ---- main ----


def cleanup_redis(redis, patterns: list[str]) -> None:
    for pattern in patterns:
        keys = list(redis.scan_iter(match=pattern, count=1000))
        for i in range(0, len(keys), 500):
            redis.delete(*keys[i : i + 500])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--high", type=int, default=2500, help="0 skips the high phase")
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--rate", type=float, default=10, help="messages per second in total")
    parser.add_argument("--workers", type=int, default=4, help="load client processes")
    parser.add_argument(
        "--drain", type=float, default=30, help="seconds to wait for the last message"
    )
    parser.add_argument("--settle", type=float, default=3)
    parser.add_argument("--baseline-clients", type=int, default=1000, help="0 skips the baseline")
    parser.add_argument("--baseline-seconds", type=float, default=None,
                        help="sending time of the baseline (default: --seconds)")  # fmt: skip
    parser.add_argument("--baseline-drain", type=float, default=15,
                        help="seconds the baseline gets after its last send")  # fmt: skip
    parser.add_argument(
        "--daphne", action="store_true", help="also our chat at --clients on Daphne"
    )
    parser.add_argument("--ws-deflate", choices=["on", "off"], default="off",
                        help="uvicorn's --ws-per-message-deflate (clients offer it, as browsers "
                             "do; on is uvicorn's default, off is how docs/chat-protocol.md "
                             "deploys it)")  # fmt: skip
    parser.add_argument("--connect-concurrency", type=int, default=_chat_load.CONNECT_CONCURRENCY,
                        help="handshakes in flight per load worker")  # fmt: skip
    parser.add_argument("--probe", metavar="DIR",
                        help="time loop lag, GC and database calls in the servers")  # fmt: skip
    parser.add_argument("--gc-policy", choices=["on", "off"], default="on",
                        help="the app's GC policy in the servers (off: GC_FREEZE_SECONDS=0)",
                        )  # fmt: skip
    parser.add_argument("--profile", metavar="DIR",
                        help="profile the uvicorn servers in the sending window")  # fmt: skip
    parser.add_argument("--dump", metavar="DIR", help="keep each phase's raw client data here")
    parser.add_argument("--only", choices=["chat", "high", "baseline", "daphne"], action="append",
                        help="run only these phases (repeatable)")  # fmt: skip
    args = parser.parse_args()
    code = code_version()  # now, as the servers will load it: edits during a run don't count

    soft = _chat_load.raise_nofile(4 * max(args.clients, args.high, args.baseline_clients) + 1024)
    run_id = uuid.uuid4().hex[:8]
    env = production_env(fresh_database("convene_bench_chat"), tempfile.mkdtemp())
    env.update(
        REDIS_URL=REDIS_URL,
        CHAT_REDIS_PREFIX=f"bench-chat-{run_id}",
        CACHE_KEY_PREFIX=f"bench-chat-{run_id}",
        DB_POOL="1",  # docs/chat-protocol.md: under ASGI
    )
    manage(env, "migrate", "--noinput")
    count = max(args.clients, args.high, args.baseline_clients)
    began = time.time()
    world = build_world(env, count)
    print(f"built {count} attendees with sessions in {time.time() - began:.1f} s; "
          f"nofile soft limit {soft}", flush=True)  # fmt: skip

    import redis as redis_lib

    redis = redis_lib.Redis.from_url(REDIS_URL)
    ws = ws_implementation()
    wanted = set(args.only or ["chat", "high", "baseline"] + (["daphne"] if args.daphne else []))
    results: dict[str, dict] = {}
    try:
        common = {"world": world, "env": env, "args": args, "redis": redis, "ws": ws}
        if "chat" in wanted:
            results["chat"] = run_phase("chat", mode="chat", server="uvicorn",
                                        clients=args.clients, **common)  # fmt: skip
        if "high" in wanted and args.high:
            results["high"] = run_phase("high", mode="chat", server="uvicorn",
                                        clients=args.high, **common)  # fmt: skip
        if "baseline" in wanted and args.baseline_clients:
            results["baseline"] = run_phase("baseline", mode="tutorial", server="uvicorn",
                                            clients=args.baseline_clients, **common)  # fmt: skip
        if "daphne" in wanted:
            results["daphne"] = run_phase("daphne", mode="chat", server="daphne",
                                          clients=args.clients, **common)  # fmt: skip
    finally:
        cleanup_redis(redis, [f"bench-chat-{run_id}*", "asgi:group:bench_*"])

    main_r, high, base = (
        results.get("chat", {}),
        results.get("high", {}),
        results.get("baseline", {}),
    )
    # The baseline's p99 counts what it never delivered as arriving at the stop: a
    # lower bound, and the honest figure for a run that could not keep up.
    base_p99 = base.get("p99_with_undelivered_ms")
    result = {
        "code": code,
        "server": f"uvicorn --ws {ws}",
        "ws_deflate": args.ws_deflate,
        "rate": args.rate,
        "seconds": args.seconds,
        "workers": args.workers,
        "clients": main_r.get("clients"),
        "p50_ms": main_r.get("p50_ms"),
        "p95_ms": main_r.get("p95_ms"),
        "p99_ms": main_r.get("p99_ms"),
        "delivered": main_r.get("delivered"),
        "lost": main_r.get("lost"),
        "duplicated": main_r.get("duplicated"),
        "recovered_by_catchup": main_r.get("recovered_by_catchup"),
        "client_cpu_s": main_r.get("client_cpu_s"),
        "client_cpu_window_s": main_r.get("client_cpu_window_s"),
        "server_us_per_delivery": main_r.get("server_us_per_delivery"),
        "other_cpu_s": main_r.get("other_cpu_s"),
        "clients_high": high.get("clients"),
        "p50_ms_high": high.get("p50_ms"),
        "p95_ms_high": high.get("p95_ms"),
        "p99_ms_high": high.get("p99_ms"),
        "delivered_high": high.get("delivered"),
        "lost_high": high.get("lost"),
        "duplicated_high": high.get("duplicated"),
        "client_cpu_s_high": high.get("client_cpu_s"),
        "client_cpu_window_s_high": high.get("client_cpu_window_s"),
        "server_us_per_delivery_high": high.get("server_us_per_delivery"),
        "other_cpu_s_high": high.get("other_cpu_s"),
        "baseline_clients": base.get("clients"),
        "baseline_seconds": base.get("seconds"),
        "baseline_p99_ms": base_p99,
        "baseline_p99_delivered_ms": base.get("p99_ms"),
        "baseline_p50_ms": base.get("p50_ms"),
        "baseline_delivered": base.get("delivered"),
        "baseline_undelivered": base.get("lost"),
        "baseline_server_us_per_delivery": base.get("server_us_per_delivery"),
        "ratio_p99": (
            round(main_r["p99_ms"] / base_p99, 4)
            if main_r.get("p99_ms") is not None and base_p99
            else None
        ),
    }
    if "daphne" in results:
        d = results["daphne"]
        result.update(daphne_p99_ms=d.get("p99_ms"), daphne_lost=d.get("lost"),
                      daphne_server_us_per_delivery=d.get("server_us_per_delivery"))  # fmt: skip
    print("RESULT " + json.dumps(result))


if __name__ == "__main__":
    main()
