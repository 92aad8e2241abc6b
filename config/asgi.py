"""ASGI entry point: HTTP and WebSockets (runserver uses it through Daphne).

Production WebSockets: N uvicorn processes (`--ws websockets-sansio`) behind the
proxy, sharing PostgreSQL and Redis (docs/chat-protocol.md, "Running it").
"""

import asyncio
import os
import random

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

# Build the Django app first: it sets up the app registry the routing imports need.
django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from config.gc_policy import GcPolicy, GcPolicyMiddleware  # noqa: E402
from config.routing import websocket_urlpatterns  # noqa: E402


class WebSocketMaxAge:
    """Close each WebSocket after settings.WEBSOCKET_MAX_AGE seconds (less up to 10%,
    so sockets opened together do not all reconnect together), under any server.

    A channel-layer group membership expires CHANNEL_GROUP_EXPIRY seconds after it
    was added, without telling the socket; a socket closed before that reconnects
    and joins its groups afresh. Clients see close code 1001 and reconnect.

    It also puts its `send` in the scope as "convene.send": the chat consumer sends
    its frames through it, past the session middleware's per-message wrapper (which
    only matters for the handshake).
    """

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "websocket":
            return await self.app(scope, receive, send)
        from django.conf import settings

        loop = asyncio.get_running_loop()
        deadline = loop.time() + settings.WEBSOCKET_MAX_AGE * random.uniform(0.9, 1.0)
        state = {"open": False, "closed": False}
        pending: asyncio.Future | None = None

        async def guarded_send(message: dict) -> None:
            if state["closed"]:
                return  # closed by age: the app's last words go nowhere
            if message["type"] == "websocket.accept":
                state["open"] = True
            elif message["type"] == "websocket.close":
                state["closed"] = True
            await send(message)

        async def aged_receive() -> dict:
            nonlocal pending
            if pending is None:
                pending = asyncio.ensure_future(receive())
            if state["open"] and not state["closed"]:
                done, _ = await asyncio.wait({pending}, timeout=max(deadline - loop.time(), 0))
                if not done:
                    await send({"type": "websocket.close", "code": 1001})
                    state["closed"] = True
                    return {"type": "websocket.disconnect", "code": 1001}
            else:
                await asyncio.wait({pending})
            message, pending = pending.result(), None
            return message

        try:
            scope = {**scope, "convene.send": guarded_send}
            return await self.app(scope, aged_receive, guarded_send)
        finally:
            if pending is not None:
                pending.cancel()


def _gc_policy() -> GcPolicy:
    from django.conf import settings

    return GcPolicy(settings.GC_FREEZE_SECONDS, settings.GC_FULL_COLLECT_SECONDS)


application = GcPolicyMiddleware(
    ProtocolTypeRouter(
        {
            "http": django_asgi_app,
            "websocket": AllowedHostsOriginValidator(
                WebSocketMaxAge(AuthMiddlewareStack(URLRouter(websocket_urlpatterns)))
            ),
        }
    ),
    _gc_policy(),
)
