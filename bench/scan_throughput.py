#!/usr/bin/env python
"""Scan throughput: 20 scanner devices check 2,000 attendees in and out.

Runs the app as README.md's production section says (gunicorn sync workers,
DEBUG off, PostgreSQL, Redis) and posts to the scan API exactly as a scanner
does. The mix has 5% resent scans (same nonce) and 2% forged tokens. Each device
owns its own attendees, so the right answer to every scan is known in advance
and any other answer counts as wrong.

  (1) capacity: 20 devices post back-to-back for --seconds (default 30);
  (2) the door: the same devices at a steady 50 scans/s in total, open loop.

Also counts database queries per scan (in-process, same view) and, when
Chromium and Playwright are available, times the scanner page's offline token
check. Ends with `RESULT {json}`.

    .venv/bin/python bench/scan_throughput.py [--seconds 30] [--workers 3]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._server import (
    free_port,
    fresh_database,
    http_request,
    manage,
    percentile,
    production_env,
    start_gunicorn,
)

ATTENDEES = 2000
DEVICES = 20
DUPLICATE_SHARE = 0.05
FORGED_SHARE = 0.02
DOOR_RATE = 50  # scans per second, all devices together
MISMATCHES: list[tuple] = []  # (phase, request, expected code, answer) for the report


def build_world(env: dict[str, str]) -> dict:
    os.environ.update(env)
    import django

    django.setup()
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from accounts.models import Profile, User
    from checkin.models import Badge
    from checkin.services.badges import badge_token
    from checkin.services.devices import device_create, device_pair
    from checkin.services.keys import signing_key
    from events.models import Event, Membership, Organization, Registration, Session, TicketType

    now = timezone.now()
    org = Organization.objects.create(name="Bench Provider", slug="bench-scan")
    event = Event.objects.create(
        organization=org, title="Scan Conference", slug="scan", status="published",
        starts_at=now - timedelta(hours=2), ends_at=now + timedelta(hours=10),
    )  # fmt: skip
    plenary = Session.objects.create(
        event=event, title="Plenary", kind="plenary",
        starts_at=now - timedelta(minutes=20), ends_at=now + timedelta(hours=3),
    )  # fmt: skip
    ticket = TicketType.objects.create(event=event, name="Full", price=0)
    password = make_password("bench")
    users = User.objects.bulk_create(
        User(email=f"scan{i}@example.com", first_name="Attendee", last_name=f"N{i}",
             password=password)
        for i in range(ATTENDEES + DEVICES)  # the last DEVICES only warm the server up
    )  # fmt: skip
    Profile.objects.bulk_create(Profile(user=u, credentials="LPC") for u in users)
    registrations = Registration.objects.bulk_create(
        Registration(event=event, user=u, ticket_type=ticket, status="confirmed",
                     code=f"S{i:07d}", confirmed_at=now)
        for i, u in enumerate(users)
    )  # fmt: skip
    key = signing_key(event.pk)
    issued = now.replace(microsecond=0)
    badges = Badge.objects.bulk_create(
        Badge(registration=r, key_version=key.version, issued_at=issued) for r in registrations
    )
    tokens = [badge_token(b, event_id=event.pk) for b in badges]
    organizer = User.objects.create(email="org@scan.test", first_name="O", last_name="Rg")
    Membership.objects.create(organization=org, user=organizer, role="owner")
    devices = []
    for i in range(DEVICES):
        place = plenary if i % 2 else None  # half at the entrance, half at the plenary
        _, code = device_create(event=event, name=f"Device {i}", session=place, by=organizer)
        devices.append(device_pair(setup_code=code)[1])
    return {"tokens": tokens, "devices": devices}


def forge(token: str, rng: random.Random) -> str:
    position = rng.randrange(3, len(token))
    replacement = rng.choice(
        [c for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567" if c != token[position]]
    )
    return token[:position] + replacement + token[position + 1 :]


class Device:
    """One scanner: its own attendees, each alternating in and out."""

    def __init__(self, index: int, bearer: str, tokens: list[str], seed: int) -> None:
        self.index = index
        self.bearer = bearer
        self.tokens = tokens
        self.rng = random.Random(seed)
        self.inside = [False] * len(tokens)
        self.sent = 0
        self.previous: tuple[dict, str] | None = None

    def next_scan(self) -> tuple[dict, str]:
        """The next request body and the code it must get."""
        from datetime import UTC, datetime

        if self.previous is not None and self.rng.random() < DUPLICATE_SHARE:
            return self.previous  # a resend: same nonce, same answer
        self.sent += 1
        nonce = f"d{self.index}-{self.sent:08d}"
        at = datetime.now(UTC).isoformat()
        who = self.rng.randrange(len(self.tokens))
        if self.rng.random() < FORGED_SHARE:
            body = {"token": forge(self.tokens[who], self.rng), "direction": "in",
                    "scanned_at": at, "nonce": nonce}  # fmt: skip
            self.previous = (body, "invalid_signature")
            return self.previous
        direction = "out" if self.inside[who] else "in"
        self.inside[who] = not self.inside[who]
        body = {"token": self.tokens[who], "direction": direction, "scanned_at": at, "nonce": nonce}
        self.previous = (body, "ok")
        return self.previous


async def post(port: int, device: Device, body: dict) -> tuple[str, float]:
    started = time.perf_counter()
    status, payload = await http_request(
        port,
        "POST",
        "/api/checkin/scans",
        {"Authorization": f"Bearer {device.bearer}", "Content-Type": "application/json"},
        json.dumps(body).encode(),
    )
    code = json.loads(payload).get("code") if status == 200 else f"http_{status}"
    return code, (time.perf_counter() - started) * 1000


async def capacity(port: int, devices: list[Device], seconds: float) -> dict:
    """Closed loop: each device posts its next scan as soon as the last is answered."""
    latencies: list[float] = []
    wrong = 0
    deadline = time.perf_counter() + seconds

    async def run(device: Device) -> None:
        nonlocal wrong
        while time.perf_counter() < deadline:
            body, expected = device.next_scan()
            code, ms = await post(port, device, body)
            latencies.append(ms)
            if code != expected:
                wrong += 1
                MISMATCHES.append(("capacity", body, expected, code))

    began = time.perf_counter()
    await asyncio.gather(*(run(d) for d in devices))
    elapsed = time.perf_counter() - began
    return {"scans": len(latencies), "elapsed": elapsed, "latencies": latencies, "wrong": wrong}


async def door(port: int, devices: list[Device], seconds: float) -> dict:
    """Open loop: request i is due at start + i/rate whatever the server does;
    latency counts from when it was due, so queueing shows."""
    total = int(DOOR_RATE * seconds)
    latencies: list[float] = []
    wrong = 0
    start = time.perf_counter() + 0.5

    async def one(i: int) -> None:
        nonlocal wrong
        device = devices[i % len(devices)]
        due = start + i / DOOR_RATE
        await asyncio.sleep(max(0.0, due - time.perf_counter()))
        body, expected = device.next_scan()
        code, _ = await post(port, device, body)
        latencies.append((time.perf_counter() - due) * 1000)
        if code != expected:
            wrong += 1
            MISMATCHES.append(("door", body, expected, code))

    await asyncio.gather(*(one(i) for i in range(total)))
    return {"scans": total, "latencies": latencies, "wrong": wrong}


def queries_per_scan(world: dict, sample: int = 200) -> float:
    """Run scans through the same API view in-process and count queries."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    device = Device(99, world["devices"][0], world["tokens"][:sample], seed=99)
    client = Client(HTTP_HOST="127.0.0.1")
    counts = []
    for _ in range(sample):
        body, _ = device.next_scan()
        with CaptureQueriesContext(connection) as queries:
            client.post("/api/checkin/scans", body, content_type="application/json",
                        HTTP_AUTHORIZATION=f"Bearer {device.bearer}")  # fmt: skip
        # Statements that read or write rows; BEGIN/COMMIT are not counted.
        counts.append(
            sum(1 for q in queries.captured_queries if q["sql"].split(" ", 1)[0] in SQL_VERBS)
        )
    return sum(counts) / len(counts)


SQL_VERBS = {"SELECT", "INSERT", "UPDATE", "DELETE"}


def offline_verify_ms(port: int, world: dict) -> float | None:
    """Median time of the scanner page's own token check, in Chromium."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return None
    if not Path("/usr/bin/chromium").exists():
        return None
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"],
        )  # fmt: skip
        page = browser.new_page()
        page.goto(f"http://127.0.0.1:{port}/scan/")
        page.evaluate("t => localStorage.setItem('convene.scanner.token', t)", world["devices"][0])
        page.reload()
        page.wait_for_function("window.convene && window.convene.verifyOffline", timeout=10000)
        # performance.now() is coarse in a browser (privacy), so time 100 checks
        # at a time and take the median of 10 such batches: 1,000 in all.
        timings = page.evaluate(
            """async (token) => {
                const batches = [];
                for (let b = 0; b < 10; b++) {
                    const t = performance.now();
                    for (let i = 0; i < 100; i++) {
                        if (!(await window.convene.verifyOffline(token))) return null;
                    }
                    batches.push((performance.now() - t) / 100);
                }
                batches.sort((a, b) => a - b);
                return batches;
            }""",
            world["tokens"][0],
        )
        browser.close()
    if timings is None:
        raise RuntimeError("the scanner page refused a valid badge offline")
    return timings[len(timings) // 2]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--door-seconds", type=float, default=20)
    parser.add_argument("--workers", type=int, default=3)
    args = parser.parse_args()

    env = production_env(fresh_database("convene_bench_scan"), tempfile.mkdtemp())
    manage(env, "migrate", "--noinput")
    manage(env, "collectstatic", "--noinput")
    world = build_world(env)
    per_device = ATTENDEES // DEVICES
    devices = [
        Device(i, world["devices"][i], world["tokens"][i * per_device : (i + 1) * per_device], i)
        for i in range(DEVICES)
    ]
    port = free_port()
    server = start_gunicorn(env, args.workers, port)
    try:
        # Warm-up devices scan spare badges only, so the measured ones start outside.
        spare = world["tokens"][ATTENDEES:]
        warm = [
            Device(100 + i, world["devices"][i], spare[i : i + 1], 100 + i) for i in range(DEVICES)
        ]
        asyncio.run(capacity(port, warm, 2))  # open connections, load code paths
        MISMATCHES.clear()  # warm-up answers are not judged
        cap = asyncio.run(capacity(port, devices, args.seconds))
        gate = asyncio.run(door(port, devices, args.door_seconds))
        offline = offline_verify_ms(port, world)
    finally:
        server.terminate()
        server.wait(timeout=20)
    qps = queries_per_scan(world)

    result = {
        "attendees": ATTENDEES,
        "devices": DEVICES,
        "workers": args.workers,
        "capacity_seconds": args.seconds,
        "scans": cap["scans"],
        "scans_per_s": round(cap["scans"] / cap["elapsed"], 1),
        "p50_ms": round(percentile(cap["latencies"], 50), 1),
        "p99_ms": round(percentile(cap["latencies"], 99), 1),
        "queries_per_scan": round(qps, 2),
        "wrong_answers": cap["wrong"] + gate["wrong"],
        "door_rate": DOOR_RATE,
        "door_scans": gate["scans"],
        "door_p50_ms": round(percentile(gate["latencies"], 50), 1),
        "door_p99_ms": round(percentile(gate["latencies"], 99), 1),
        "offline_verify_ms": None if offline is None else round(offline, 3),
    }
    print(f"scan throughput: {ATTENDEES} attendees, {DEVICES} devices, gunicorn "
          f"{args.workers} sync workers, PostgreSQL")  # fmt: skip
    print(
        f"capacity  {result['scans_per_s']:>7} scans/s  p50 {result['p50_ms']} ms  "
        f"p99 {result['p99_ms']} ms  ({cap['scans']} scans in {args.seconds:.0f} s)"
    )
    print(
        f"door      {DOOR_RATE} scans/s offered  p50 {result['door_p50_ms']} ms  "
        f"p99 {result['door_p99_ms']} ms"
    )
    print(
        f"queries per scan {result['queries_per_scan']}, wrong answers {result['wrong_answers']}, "
        f"offline verify median {result['offline_verify_ms']} ms"
    )
    for phase, body, expected, code in MISMATCHES[:5]:
        print(f"WRONG ({phase}): expected {expected}, got {code}: {body}")
    print("RESULT " + json.dumps(result))


if __name__ == "__main__":
    main()
