"""Live check-in dashboard over WebSocket.

Close codes: 4401 not logged in, 4403 not an organizer of this event, 4404 no
such event. The handshake is accepted before such a close: a close before accepting
reaches a browser as an HTTP 403 and close code 1006, which hides the reason.
Frames sent: {"type": "scan", "session_id": int|null, "direction": "in"|"out"}
after each accepted scan is committed. Clients refetch the figures from the JSON
endpoint; the channel layer is at-most-once, the database is the truth.
"""

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from checkin.live import group_name
from events.models import Event
from events.permissions import can_manage_event


class LiveCheckinConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self._refuse(4401)
            return
        self.event_id = int(self.scope["url_route"]["kwargs"]["event_id"])
        allowed = await self._may_watch(user, self.event_id)
        if allowed is None:
            await self._refuse(4404)
            return
        if not allowed:
            await self._refuse(4403)
            return
        self.group = group_name(self.event_id)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()

    async def _refuse(self, code: int) -> None:
        await self.accept()
        await self.close(code=code)

    async def disconnect(self, code: int) -> None:
        if hasattr(self, "group"):
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive_json(self, content, **kwargs) -> None:
        await self.send_json({"type": "error", "code": "read_only", "detail": "Nothing to send."})

    async def scan_recorded(self, message: dict) -> None:
        await self.send_json(
            {"type": "scan", "session_id": message["session_id"], "direction": message["direction"]}
        )

    @database_sync_to_async
    def _may_watch(self, user, event_id: int) -> bool | None:
        event = Event.objects.filter(pk=event_id).first()
        if event is None:
            return None
        return can_manage_event(user, event)
