#!/usr/bin/env python
"""Stripe webhooks at the rate of a big registration opening.

2,000 signed `checkout.session.completed` events, 10% of them replays of an event
already sent (Stripe retries and duplicates deliveries), posted by 20 concurrent
clients to the app run as in production (gunicorn sync workers, PostgreSQL,
Redis, emails queued for the database task worker) exactly as Stripe posts them:
JSON body, `Stripe-Signature: t=...,v1=HMAC-SHA256`. Each distinct event pays one
awaiting-payment registration.

Prints events per second, p50/p99 latency, registrations confirmed (must equal the
distinct events) and double-applied (effects applied more than once; must be 0),
then `RESULT {json}`.

    .venv/bin/python bench/webhooks.py [--events 2000] [--clients 20] [--workers 3]
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import hmac
import json
import os
import random
import sys
import tempfile
import time
from datetime import timedelta
from decimal import Decimal
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

SECRET = "whsec_bench_convene"
REPLAY_SHARE = 0.10


def build_world(env: dict[str, str], distinct: int) -> list[dict]:
    """`distinct` registrations awaiting payment, each with an open checkout."""
    os.environ.update(env)
    import django

    django.setup()
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from accounts.models import Profile, User
    from events.models import Event, Organization, Payment, Registration, TicketType

    now = timezone.now()
    org = Organization.objects.create(name="Bench Provider", slug="bench-webhooks")
    event = Event.objects.create(
        organization=org, title="Webhook Conference", slug="webhooks", status="published",
        starts_at=now + timedelta(days=30), ends_at=now + timedelta(days=32),
    )  # fmt: skip
    ticket = TicketType.objects.create(event=event, name="Full", price=Decimal("395"))
    password = make_password("bench")
    users = User.objects.bulk_create(
        User(email=f"pay{i}@example.com", first_name="Payer", last_name=f"N{i}", password=password)
        for i in range(distinct)
    )
    Profile.objects.bulk_create(Profile(user=u) for u in users)
    registrations = Registration.objects.bulk_create(
        Registration(event=event, user=u, ticket_type=ticket, status="awaiting_payment",
                     code=f"W{i:07d}", amount_due=ticket.price,
                     hold_expires_at=now + timedelta(hours=2))
        for i, u in enumerate(users)
    )  # fmt: skip
    Payment.objects.bulk_create(
        Payment(registration=r, amount=r.amount_due, stripe_checkout_session_id=f"cs_bench_{i}",
                checkout_url=f"https://checkout.stripe.test/{i}",
                expires_at=now + timedelta(hours=2))
        for i, r in enumerate(registrations)
    )  # fmt: skip
    created = int(time.time())
    return [
        {
            "id": f"evt_bench_{i}",
            "object": "event",
            "api_version": "2026-10-28",
            "created": created,
            "livemode": False,
            "type": "checkout.session.completed",
            "data": {
                "object": {
                    "id": f"cs_bench_{i}",
                    "object": "checkout.session",
                    "payment_status": "paid",
                    "payment_intent": f"pi_bench_{i}",
                    "amount_total": 39500,
                    "client_reference_id": r.code,
                }
            },
        }
        for i, r in enumerate(registrations)
    ]


def signed(body: bytes) -> str:
    timestamp = int(time.time())
    digest = hmac.new(SECRET.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={digest.hexdigest()}"


async def deliver(port: int, bodies: list[bytes], clients: int) -> dict:
    queue: asyncio.Queue[bytes] = asyncio.Queue()
    for body in bodies:
        queue.put_nowait(body)
    latencies: list[float] = []
    outcomes: dict[str, int] = {}
    statuses: dict[int, int] = {}

    async def client() -> None:
        while not queue.empty():
            body = queue.get_nowait()
            started = time.perf_counter()
            status, payload = await http_request(
                port, "POST", "/stripe/webhook/",
                {"Content-Type": "application/json", "Stripe-Signature": signed(body)}, body,
            )  # fmt: skip
            latencies.append((time.perf_counter() - started) * 1000)
            statuses[status] = statuses.get(status, 0) + 1
            if status == 200:
                outcome = json.loads(payload)["outcome"].split(":")[0]
                outcomes[outcome] = outcomes.get(outcome, 0) + 1

    began = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(clients)))
    return {
        "elapsed": time.perf_counter() - began,
        "latencies": latencies,
        "outcomes": outcomes,
        "statuses": statuses,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--workers", type=int, default=3)
    args = parser.parse_args()

    env = production_env(fresh_database("convene_bench_webhooks"), tempfile.mkdtemp())
    env.update(
        STRIPE_SECRET_KEY="sk_test_bench",  # never called: completed events need no API call
        STRIPE_WEBHOOK_SECRET=SECRET,
        TASKS_BACKEND="django_tasks_db.DatabaseBackend",
    )
    manage(env, "migrate", "--noinput")
    replays = int(args.events * REPLAY_SHARE)
    distinct = args.events - replays
    events = build_world(env, distinct)
    rng = random.Random(7)
    bodies = [json.dumps(e).encode() for e in events]
    # Replays go in soon after their original, some while it is still being handled.
    for _ in range(replays):
        original = rng.randrange(distinct)
        bodies.insert(min(len(bodies), original + rng.randrange(0, 40)), bodies[original])

    port = free_port()
    server = start_gunicorn(env, args.workers, port)
    try:
        warm = [json.dumps({"id": f"evt_warm_{i}", "object": "event", "type": "ping",
                            "created": int(time.time()), "data": {"object": {}}}).encode()
                for i in range(40)]  # fmt: skip
        asyncio.run(deliver(port, warm, args.clients))
        run = asyncio.run(deliver(port, bodies, args.clients))
    finally:
        server.terminate()
        server.wait(timeout=20)

    from events.models import Payment, Registration, StripeEvent

    confirmed = Registration.objects.filter(event__slug="webhooks", status="confirmed").count()
    paid = Payment.objects.filter(status="paid", stripe_checkout_session_id__startswith="cs_bench")
    processed = StripeEvent.objects.filter(event_id__startswith="evt_bench_").count()
    applied = run["outcomes"].get("confirmed", 0)
    from django_tasks_db.models import DBTaskResult

    emails = DBTaskResult.objects.filter(task_path="events.tasks.send_email").count()
    result = {
        "events": len(bodies),
        "distinct_events": distinct,
        "replays": replays,
        "clients": args.clients,
        "workers": args.workers,
        "events_per_s": round(len(bodies) / run["elapsed"], 1),
        "p50_ms": round(percentile(run["latencies"], 50), 1),
        "p99_ms": round(percentile(run["latencies"], 99), 1),
        "confirmed": confirmed,
        "payments_paid": paid.count(),
        "stripe_events_stored": processed,
        "duplicates_answered": run["outcomes"].get("duplicate", 0),
        "double_applied": max(applied - distinct, 0) + max(emails - distinct, 0),
        "emails_queued": emails,
        "http_statuses": run["statuses"],
    }
    print(f"webhooks: {len(bodies)} events ({replays} replays), {args.clients} clients, "
          f"gunicorn {args.workers} sync workers, PostgreSQL")  # fmt: skip
    print(
        f"{result['events_per_s']} events/s  p50 {result['p50_ms']} ms  p99 {result['p99_ms']} ms; "
        f"confirmed {confirmed} of {distinct}, duplicates answered "
        f"{result['duplicates_answered']}, double-applied {result['double_applied']}"
    )
    print("RESULT " + json.dumps(result))


if __name__ == "__main__":
    main()
