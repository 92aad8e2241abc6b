"""A fake Stripe at the SDK's HTTP-client boundary, and webhook payloads signed
exactly as Stripe signs them (HMAC-SHA256 of "timestamp.payload", header
`t=...,v1=...`). The real `stripe` SDK builds the requests and parses the answers."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import time
from urllib.parse import parse_qs

import stripe

WEBHOOK_SECRET = "whsec_test_convene"
_ids = itertools.count(1)


class FakeStripe(stripe.HTTPClient):
    """Answers Checkout Session and Refund calls like Stripe's API, and remembers them.
    Like Stripe, a repeated Idempotency-Key returns the first answer."""

    name = "fake"

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[tuple[str, str, dict]] = []
        self.refunds: list[dict] = []
        self.failures_left = 0  # answer this many calls with HTTP 500 (Stripe down)
        self._idempotent: dict[str, tuple[str, int, dict]] = {}

    def request(self, method, url, headers, post_data=None, *, _usage=None):
        params = {k: v[0] for k, v in parse_qs(post_data or "").items()}
        self.calls.append((method, url, params))
        if self.failures_left:
            self.failures_left -= 1
            body = {"error": {"type": "api_error", "message": "Stripe is having a bad day"}}
            return json.dumps(body), 500, {}
        key = (headers or {}).get("Idempotency-Key")
        if key and key in self._idempotent:
            return self._idempotent[key]
        answer = self._answer(method, url, params)
        if key:
            self._idempotent[key] = answer
        return answer

    def _answer(self, method, url, params):
        n = next(_ids)
        if method == "post" and url.endswith("/v1/checkout/sessions"):
            session_id = f"cs_test_{n}"
            body = {
                "id": session_id,
                "object": "checkout.session",
                "url": f"https://checkout.stripe.test/c/pay/{session_id}",
                "expires_at": int(params["expires_at"]),
                "amount_total": int(params["line_items[0][price_data][unit_amount]"]),
                "client_reference_id": params.get("client_reference_id"),
                "payment_status": "unpaid",
                "status": "open",
            }
            return json.dumps(body), 200, {}
        if method == "post" and url.endswith("/v1/refunds"):
            body = {
                "id": f"re_test_{n}",
                "object": "refund",
                "amount": int(params["amount"]),
                "payment_intent": params["payment_intent"],
                "status": "succeeded",
            }
            self.refunds.append(body)
            return json.dumps(body), 200, {}
        error = {"error": {"type": "invalid_request_error", "message": f"No fake for {url}"}}
        return json.dumps(error), 404, {}

    def _sleep_time_seconds(self, num_retries, response=None) -> float:
        return 0  # the SDK's retry backoff, without the wait

    def checkout_sessions(self) -> list[dict]:
        return [c[2] for c in self.calls if c[1].endswith("/v1/checkout/sessions")]

    def close(self) -> None:
        pass


def sign(body: str, secret: str = WEBHOOK_SECRET, timestamp: int | None = None) -> str:
    timestamp = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"{timestamp}.{body}".encode(), hashlib.sha256)
    return f"t={timestamp},v1={digest.hexdigest()}"


def stripe_event(event_type: str, obj: dict, event_id: str | None = None) -> str:
    """The JSON body of a Stripe event, as the webhook receives it."""
    return json.dumps(
        {
            "id": event_id or f"evt_test_{next(_ids)}",
            "object": "event",
            "api_version": stripe.api_version,
            "created": int(time.time()),
            "livemode": False,
            "pending_webhooks": 1,
            "type": event_type,
            "data": {"object": obj},
        }
    )


def completed(checkout_id: str, *, payment_intent: str, amount: int, code: str) -> dict:
    return {
        "id": checkout_id,
        "object": "checkout.session",
        "payment_status": "paid",
        "status": "complete",
        "payment_intent": payment_intent,
        "amount_total": amount,
        "client_reference_id": code,
        "metadata": {"registration": code},
    }


def expired(checkout_id: str, code: str) -> dict:
    return {
        "id": checkout_id,
        "object": "checkout.session",
        "payment_status": "unpaid",
        "status": "expired",
        "payment_intent": None,
        "client_reference_id": code,
        "metadata": {"registration": code},
    }
