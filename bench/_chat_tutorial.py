"""The baseline of bench/chat_fanout.py: the Channels tutorial's chat consumer
(channels.readthedocs.io, tutorial part 3, the async version), for benchmarks only.

Every socket joins one channel-layer group; a received message is sent with
`group_send` to the whole group, so each message costs one channel-layer message,
one consumer dispatch and one JSON encoding per member. No persistence, no
authentication, no sequence numbers. The channel layer is the project's production
one (settings.CHANNEL_LAYERS: channels_redis with REDIS_URL).

    uvicorn bench._chat_tutorial:application   (BENCH_TUTORIAL_GROUP names the group)
"""

import json
import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django_asgi_app = get_asgi_application()

from channels.generic.websocket import AsyncWebsocketConsumer  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402
from django.urls import path  # noqa: E402

# A group of its own per benchmark run: members left behind by a killed server
# (group_expiry is a day) must not receive this run's messages.
GROUP = os.environ.get("BENCH_TUTORIAL_GROUP", "chat_lobby")


class TutorialChatConsumer(AsyncWebsocketConsumer):
    async def connect(self) -> None:
        self.room_group_name = GROUP
        await self.channel_layer.group_add(self.room_group_name, self.channel_name)
        await self.accept()

    async def disconnect(self, close_code: int) -> None:
        await self.channel_layer.group_discard(self.room_group_name, self.channel_name)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        message = json.loads(text_data)["message"]
        await self.channel_layer.group_send(
            self.room_group_name, {"type": "chat.message", "message": message}
        )

    async def chat_message(self, event: dict) -> None:
        await self.send(text_data=json.dumps({"message": event["message"]}))


application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": AllowedHostsOriginValidator(
            URLRouter([path("ws/tutorial/", TutorialChatConsumer.as_asgi())])
        ),
    }
)
