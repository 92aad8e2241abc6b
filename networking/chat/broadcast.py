"""Publishing what services changed, after commit (DESIGN.md: a client never sees
something that was rolled back; the database is the truth).

With REDIS_URL, one PUBLISH per frame reaches every server process's hub; without
it, the frame goes to this process's hub. A publish that is lost (Redis down for a
moment) loses nothing: hubs notice the gap in the room's sequence, or compare with
the database every CHAT_RESYNC_SECONDS, and fetch what they missed.
"""

import logging

from django.db import transaction

from networking.chat import backend, frames

log = logging.getLogger(__name__)


def publish(room_id: int, payload: str) -> None:
    """Send one envelope (frames.envelope) to every process's hub. Any thread."""
    if backend.uses_redis():
        try:
            backend.sync_redis().publish(backend.room_channel(room_id), payload)
        except Exception:  # stored already; hubs resync from the database
            log.warning("chat publish to room %s failed; hubs will resync", room_id, exc_info=True)
        return
    from networking.chat.hub import local_publish

    local_publish(room_id, payload)


def publish_on_commit(room_id: int, kind: str, number: int, sender_id: int, frame: dict) -> None:
    """Encode now (inside the transaction, so the frame is what was written), send on commit."""
    payload = frames.envelope(kind, number, sender_id, frame)
    transaction.on_commit(lambda: publish(room_id, payload))
