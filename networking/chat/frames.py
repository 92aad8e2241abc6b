"""The JSON frames chat sends (docs/chat-protocol.md), and the envelope a frame
travels in between processes.

A frame is encoded once, by whoever publishes it; each process receives the
envelope once and hands the same text to all its sockets. The envelope's header
carries what the hub needs without decoding the JSON:

    "<kind> <number> <sender id>\\n<frame JSON>"

kind: "m" a new message (number: its seq), "u" an edit or deletion (number: the
room's change counter), "t" typing, "p" presence (number and sender 0).
"""

import json
from datetime import datetime

MESSAGE, UPDATE, TYPING, PRESENCE = "m", "u", "t", "p"


def encode(frame: dict) -> str:
    return json.dumps(frame, separators=(",", ":"), ensure_ascii=False)


def envelope(kind: str, number: int, sender_id: int, frame: dict) -> str:
    return f"{kind} {number} {sender_id}\n{encode(frame)}"


def open_envelope(payload: str) -> tuple[str, int, int, str]:
    head, _, text = payload.partition("\n")
    kind, number, sender = head.split(" ")
    return kind, int(number), int(sender), text


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def display_name(user) -> str:
    """What others see: the name, never the email address."""
    return user.get_full_name() or "Member"


def person(user) -> dict:
    return {"id": user.pk, "name": display_name(user)}


def message_frame(message) -> dict:
    """A message as clients see it: a deleted one keeps its place (seq) but not its text."""
    deleted = message.deleted_at is not None
    return {
        "type": "message",
        "room": message.room_id,
        "seq": message.seq,
        "id": message.pk,
        "client_id": message.client_id,
        "sender": person(message.sender),
        "body": None if deleted else message.body,
        "created_at": _iso(message.created_at),
        "edited_at": _iso(message.edited_at),
        "deleted": deleted,
        "deleted_by": _deleted_by(message),
    }


def update_frame(message) -> dict:
    """An edit or deletion of an earlier message (replaces the client's copy)."""
    frame = message_frame(message)
    frame["type"] = "update"
    frame["change"] = message.change_seq
    return frame


def _deleted_by(message) -> str | None:
    if message.deleted_at is None:
        return None
    return "sender" if message.deleted_by_id in (None, message.sender_id) else "moderator"


def presence_frame(room_id: int, online: list[dict], offline: list[int], count: int) -> dict:
    """Who arrived (named, up to 100) and who left since the last presence frame."""
    return {
        "type": "presence",
        "room": room_id,
        "online": online,
        "offline": offline,
        "online_count": count,
    }


def typing_frame(room_id: int, user_id: int, name: str) -> dict:
    return {"type": "typing", "room": room_id, "user": {"id": user_id, "name": name}}


def error_frame(code: str, detail: str, **extra) -> dict:
    return {"type": "error", "code": code, "detail": detail, **extra}
