"""Who is online in a room, as each process's hub tracks and announces it.

A person is online in a room while they have a socket in it on any process: each
process counts its own sockets per person (RoomState.online) and keeps the set in
the backend (Redis with REDIS_URL), and announces arrivals and departures in one
frame a second per room (networking/chat/hub.py holds the rest of the hub).
"""

import asyncio

from networking.chat import frames
from networking.chat.hub_local import PRESENCE_LIST_MAX
from networking.chat.hub_state import Conn, RoomState

PRESENCE_BATCH = 1.0  # seconds: arrivals and departures go out together, once per room


class PresenceMixin:
    """The presence half of the Hub; it needs the hub's `backend` and `spawn`."""

    async def _enter(self, state: RoomState, conn: Conn) -> None:
        """A socket joins the room: the person arrives if it is their first here."""
        count = state.online.get(conn.user_id, 0)
        state.online[conn.user_id] = count + 1
        state.names[conn.user_id] = conn.name
        if count == 0:
            state.departed.discard(conn.user_id)
            state.arrived[conn.user_id] = conn.name
            await self.backend.presence_add(state, conn.user_id)
            self._presence_soon(state)

    def _left(self, state: RoomState, user_id: int) -> None:
        """The person's last socket in the room has gone."""
        state.online.pop(user_id, None)
        state.names.pop(user_id, None)  # kept for who is here, not who ever was
        state.arrived.pop(user_id, None)
        state.departed.add(user_id)
        self.spawn(self.backend.presence_remove(state, user_id))
        self._presence_soon(state)

    def _presence_soon(self, state: RoomState) -> None:
        """Announce arrivals and departures together, at most one frame a second per
        room and process: N people arriving cost N deliveries a second, not N x N."""
        if not state.presence_due:
            state.presence_due = True
            self.spawn(self._announce_presence(state))

    async def _announce_presence(self, state: RoomState) -> None:
        await asyncio.sleep(PRESENCE_BATCH)
        try:
            arrived, state.arrived = state.arrived, {}
            departed, state.departed = state.departed, set()
            gone = await self.backend.really_gone(state, list(departed))
            if not arrived and not gone:
                return
            people = [{"id": uid, "name": name} for uid, name in arrived.items()]
            count = await self.backend.online_count(state)
            frame = frames.presence_frame(state.room_id, people[:PRESENCE_LIST_MAX], gone, count)
            payload = frames.envelope(frames.PRESENCE, 0, 0, frame)
            await self.backend.publish(state.room_id, payload)
        finally:
            # One announcement in flight per room: a second one started while this
            # waited on Redis could overtake it (someone shown online after leaving).
            state.presence_due = False
            if state.arrived or state.departed:
                self._presence_soon(state)
