#!/usr/bin/env python
"""Registration rush: 2,000 attendees, 50 at a time, race for a 500-seat workshop.

Starts the app as README.md's production section says (gunicorn sync workers,
DEBUG off, persistent connections) against a scratch PostgreSQL database, then
posts to the same URL the session sign-up form posts to, with each attendee's own
logged-in session and CSRF token. Prints confirmed, waitlisted, oversold,
throughput and latency per run and the median over runs, then `RESULT {json}`.

    .venv/bin/python bench/registration_rush.py [--runs 3] [--workers 4]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import secrets
import string
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
    median,
    percentile,
    production_env,
    start_gunicorn,
)

SEATS = 500
ATTEMPTS = 2000
CONCURRENCY = 50


def build_world(env: dict[str, str], runs: int) -> dict:
    """Users, their logged-in sessions and registrations, and one workshop per run."""
    os.environ.update(env)
    import django

    django.setup()
    from importlib import import_module

    from django.conf import settings

    SessionStore = import_module(settings.SESSION_ENGINE).SessionStore
    from django.conf import settings
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from accounts.models import User
    from events.models import Event, Organization, Registration, Session, TicketType

    now = timezone.now()
    org = Organization.objects.create(name="Bench Provider", slug="bench")
    event = Event.objects.create(
        organization=org,
        title="Rush Conference",
        slug="rush",
        status="published",
        starts_at=now + timedelta(days=10),
        ends_at=now + timedelta(days=12),
    )
    ticket = TicketType.objects.create(event=event, name="Free", price=0)
    workshops = [
        Session.objects.create(
            event=event,
            title=f"Workshop {i}",
            kind="workshop",
            capacity=SEATS,
            starts_at=event.starts_at + timedelta(hours=2 * i),
            ends_at=event.starts_at + timedelta(hours=2 * i + 1),
        )
        for i in range(runs)
    ]
    password = make_password("bench-password")
    users = User.objects.bulk_create(
        User(email=f"rush{i}@example.com", first_name="Rush", last_name=str(i), password=password)
        for i in range(ATTEMPTS)
    )
    Registration.objects.bulk_create(
        Registration(
            event=event,
            user=u,
            ticket_type=ticket,
            status="confirmed",
            code=f"R{i:07d}",
            confirmed_at=now,
        )
        for i, u in enumerate(users)
    )
    alphabet = string.ascii_letters + string.digits
    cookies = []
    for user in users:
        # A real login through the configured session engine (cached_db: database + Redis).
        store = SessionStore()
        store.update(
            {
                "_auth_user_id": str(user.pk),
                "_auth_user_backend": "django.contrib.auth.backends.ModelBackend",
                "_auth_user_hash": user.get_session_auth_hash(),
            }
        )
        store.create()
        csrf = "".join(secrets.choice(alphabet) for _ in range(32))
        cookies.append((store.session_key, csrf))
    return {"event": event.slug, "workshops": [w.pk for w in workshops], "cookies": cookies}


def cpu_seconds(pid: int) -> float:
    """User + system CPU of the gunicorn master and all its workers."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            fields = (proc / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid or int(proc.name) == pid:  # fields[1] is the parent pid
            total += (int(fields[11]) + int(fields[12])) / ticks
    return total


def count_seats(session_id: int) -> tuple[int, int]:
    from events.models import SessionSignup

    signups = SessionSignup.objects.filter(session_id=session_id)
    return (signups.filter(status="confirmed").count(), signups.filter(status="waitlisted").count())


async def rush(port: int, url: str, cookies: list[tuple[str, str]], method: str = "POST") -> dict:
    """Every attempt once, `CONCURRENCY` at a time; latency per attempt."""
    queue: asyncio.Queue = asyncio.Queue()
    for item in cookies:
        queue.put_nowait(item)
    latencies: list[float] = []
    statuses: dict[int, int] = {}

    async def worker() -> None:
        while not queue.empty():
            session_key, csrf = queue.get_nowait()
            headers = {
                "Cookie": f"sessionid={session_key}; csrftoken={csrf}",
                "X-CSRFToken": csrf,
            }
            started = time.perf_counter()
            status, _ = await http_request(port, method, url, headers)
            latencies.append((time.perf_counter() - started) * 1000)
            statuses[status] = statuses.get(status, 0) + 1

    began = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
    elapsed = time.perf_counter() - began
    return {"latencies": latencies, "statuses": statuses, "elapsed": elapsed}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--workers", type=int, default=3, help="gunicorn sync workers (README: 3 on 2 cores)"
    )
    args = parser.parse_args()

    database_url = fresh_database("convene_bench_rush")
    static_root = tempfile.mkdtemp(prefix="convene-static-")
    env = production_env(database_url, static_root)
    manage(env, "migrate", "--noinput")
    manage(env, "collectstatic", "--noinput")
    world = build_world(env, args.runs)
    port = free_port()
    server = start_gunicorn(env, args.workers, port)
    results = []
    try:
        # Long-running workers are warm in production: open every worker's database
        # connection and load its code paths before timing anything.
        warm = [world["cookies"][i] for i in range(CONCURRENCY * 4)]
        asyncio.run(rush(port, f"/events/{world['event']}/", warm, method="GET"))
        for run, session_id in enumerate(world["workshops"], start=1):
            url = f"/events/{world['event']}/sessions/{session_id}/signup/"
            server_cpu, client_cpu = (
                cpu_seconds(server.pid),
                resource.getrusage(resource.RUSAGE_SELF),
            )
            outcome = asyncio.run(rush(port, url, world["cookies"]))
            server_cpu = cpu_seconds(server.pid) - server_cpu
            after = resource.getrusage(resource.RUSAGE_SELF)
            client_cpu = after.ru_utime + after.ru_stime - client_cpu.ru_utime - client_cpu.ru_stime
            confirmed, waitlisted = count_seats(session_id)
            lat = outcome["latencies"]
            results.append(
                {
                    "run": run,
                    "confirmed": confirmed,
                    "waitlisted": waitlisted,
                    "oversold": max(confirmed - SEATS, 0),
                    "answered": len(lat),
                    "statuses": outcome["statuses"],
                    "throughput_rps": len(lat) / outcome["elapsed"],
                    "p50_ms": percentile(lat, 50),
                    "p95_ms": percentile(lat, 95),
                    "p99_ms": percentile(lat, 99),
                    "server_cpu_ms_per_request": server_cpu * 1000 / len(lat),
                    "client_cpu_ms_per_request": client_cpu * 1000 / len(lat),
                }
            )
    finally:
        server.terminate()
        server.wait(timeout=20)

    print(
        f"registration rush: {ATTEMPTS} attempts, {CONCURRENCY} concurrent clients, "
        f"{SEATS} seats, gunicorn {args.workers} sync workers, PostgreSQL"
    )
    print(
        f"{'run':>3} {'confirmed':>9} {'waitlist':>8} {'oversold':>8} {'req/s':>7} "
        f"{'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'srv cpu':>7} {'cli cpu':>7}  statuses"
    )
    for r in results:
        print(
            f"{r['run']:>3} {r['confirmed']:>9} {r['waitlisted']:>8} {r['oversold']:>8} "
            f"{r['throughput_rps']:>7.1f} {r['p50_ms']:>7.1f} {r['p95_ms']:>7.1f} "
            f"{r['p99_ms']:>7.1f} {r['server_cpu_ms_per_request']:>7.2f} "
            f"{r['client_cpu_ms_per_request']:>7.2f}  {r['statuses']}"
        )
    summary = {
        "runs": len(results),
        "attempts_per_run": ATTEMPTS,
        "concurrency": CONCURRENCY,
        "seats": SEATS,
        "workers": args.workers,
        "confirmed": results[-1]["confirmed"],
        "waitlisted": results[-1]["waitlisted"],
        "oversold": max(r["oversold"] for r in results),
        "non_redirect_answers": sum(
            n for r in results for code, n in r["statuses"].items() if code != 302
        ),
        "throughput_rps": round(median([r["throughput_rps"] for r in results]), 1),
        "p50_ms": round(median([r["p50_ms"] for r in results]), 1),
        "p95_ms": round(median([r["p95_ms"] for r in results]), 1),
        "p99_ms": round(median([r["p99_ms"] for r in results]), 1),
        "server_cpu_ms_per_request": round(
            median([r["server_cpu_ms_per_request"] for r in results]), 2
        ),
    }
    print("median over runs: " + ", ".join(f"{k}={v}" for k, v in summary.items()))
    print("RESULT " + json.dumps(summary))


if __name__ == "__main__":
    main()
