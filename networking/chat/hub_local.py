"""The hub's backend without Redis: one process, publishing is delivering, and
presence is what this process sees."""

from typing import TYPE_CHECKING

from networking.chat.hub_state import RoomState

if TYPE_CHECKING:
    from networking.chat.hub import Hub

PRESENCE_LIST_MAX = 100  # people named in a presence list (online_count counts them all)


class LocalBackend:
    """One process, no Redis: publishing is delivering; presence is this process's."""

    def __init__(self, hub: "Hub") -> None:
        self.hub = hub

    async def subscribe(self, room_id: int) -> None:
        pass

    async def unsubscribe(self, room_id: int) -> None:
        pass

    async def publish(self, room_id: int, payload: str) -> None:
        self.hub.deliver(room_id, payload)

    async def presence_add(self, state: RoomState, user_id: int) -> None:
        pass

    async def presence_remove(self, state: RoomState, user_id: int) -> None:
        pass

    async def really_gone(self, state: RoomState, user_ids: list[int]) -> list[int]:
        # The room's state now: a tab reloaded by its only reader has a new one.
        here = self.hub.rooms.get(state.room_id, state).online
        return [uid for uid in user_ids if uid not in here]

    async def online_count(self, state: RoomState) -> int:
        return len(state.online)

    async def online(self, state: RoomState) -> dict:
        people = [{"id": uid, "name": state.names.get(uid, "")} for uid in state.online]
        return {"online": people[:PRESENCE_LIST_MAX], "online_count": len(people)}

    async def heartbeat(self) -> None:
        pass

    async def close(self) -> None:
        pass
