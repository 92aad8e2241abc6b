"""Ed25519-signed badge tokens (pure logic, no Django).

A token is ``"CV1" + base32(payload || signature)`` without padding, uppercase:
the QR alphanumeric mode covers exactly these characters, so the code stays small.
"""

from __future__ import annotations

import base64
import binascii
import re
import struct
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

PREFIX = "CV1"  # lets scanners recognise a Convene badge; bump the digit to change the format
_DOMAIN = b"convene-badge-v1"  # a signature over a badge can never be replayed as anything else
_PAYLOAD = struct.Struct(">IIHI")  # badge_id, event_id, key_version, issued_at: 14 bytes
_SIG_LEN = 64
_RAW_LEN = _PAYLOAD.size + _SIG_LEN
_BODY_LEN = -(-_RAW_LEN * 8 // 5)  # 125 base32 characters
_SPARE_BITS = _BODY_LEN * 5 - _RAW_LEN * 8  # 1: the low bit of the last character carries nothing
_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
TOKEN_LENGTH = len(PREFIX) + _BODY_LEN  # 128
_MAX_INPUT = 512  # refuse huge input before any work; leaves room for scanner whitespace
_BODY_RE = re.compile(rf"[A-Z2-7]{{{_BODY_LEN}}}")

ErrorCode = Literal["malformed", "invalid_signature", "unknown_key"]


class TokenError(Exception):
    def __init__(self, code: ErrorCode, message: str = "") -> None:
        super().__init__(message or code)
        self.code: ErrorCode = code


@dataclass(frozen=True)
class BadgePayload:
    badge_id: int
    event_id: int
    key_version: int
    issued_at: int

    def __post_init__(self) -> None:
        # Checked here, so an unpackable payload cannot exist, let alone reach sign().
        for name, bits in (
            ("badge_id", 32),
            ("event_id", 32),
            ("key_version", 16),
            ("issued_at", 32),
        ):
            value = getattr(self, name)
            if type(value) is not int or not 0 <= value < 2**bits:
                raise ValueError(f"{name} must be an int in [0, 2**{bits}), got {value!r}")

    def pack(self) -> bytes:
        return _PAYLOAD.pack(self.badge_id, self.event_id, self.key_version, self.issued_at)


def generate_key_pair() -> tuple[bytes, bytes]:
    """Return (private_raw, public_raw), 32 bytes each."""
    private = Ed25519PrivateKey.generate()
    return private.private_bytes_raw(), private.public_key().public_bytes_raw()


def sign(payload: BadgePayload, private_key: bytes) -> str:
    packed = payload.pack()
    signature = Ed25519PrivateKey.from_private_bytes(private_key).sign(_DOMAIN + packed)
    return PREFIX + base64.b32encode(packed + signature).decode("ascii").rstrip("=")


def _decode(token: object) -> tuple[bytes, bytes, BadgePayload]:
    """Split a token into (packed payload, signature, payload); TokenError if malformed."""
    if not isinstance(token, str) or len(token) > _MAX_INPUT:
        raise TokenError("malformed", "not a badge token")
    text = token.strip()
    if not text.isascii():  # else str.upper() would map e.g. "ı" to "I"
        raise TokenError("malformed", "not a badge token")
    text = text.upper()  # scanners and people may send lowercase
    if not text.startswith(PREFIX):
        raise TokenError("malformed", "not a Convene badge")
    body = text[len(PREFIX) :]
    if not _BODY_RE.fullmatch(body):
        raise TokenError("malformed", "bad length or characters")
    try:
        raw = base64.b32decode(body + "=" * (-len(body) % 8))
    except binascii.Error as exc:
        raise TokenError("malformed", "bad base32") from exc
    # b32decode ignores the spare bits; require them to be zero so a token has one spelling only.
    if _ALPHABET.index(body[-1]) & ((1 << _SPARE_BITS) - 1):
        raise TokenError("malformed", "non-canonical base32")
    packed, signature = raw[: _PAYLOAD.size], raw[_PAYLOAD.size :]
    return packed, signature, BadgePayload(*_PAYLOAD.unpack(packed))


def parse(token: str) -> BadgePayload:
    """Decode WITHOUT verifying, so the caller can look up the key; never trust the result."""
    return _decode(token)[2]


def _check(packed: bytes, signature: bytes, public_key: bytes) -> None:
    # bytes(): PostgreSQL's BinaryField gives a memoryview. ValueError on a bad key: a server bug.
    key = Ed25519PublicKey.from_public_bytes(bytes(public_key))
    try:
        key.verify(signature, _DOMAIN + packed)
    except InvalidSignature as exc:
        raise TokenError("invalid_signature", "signature does not match") from exc


def verify(token: str, public_key: bytes) -> BadgePayload:
    packed, signature, payload = _decode(token)
    _check(packed, signature, public_key)
    return payload


def verify_with(token: str, keys: Mapping[tuple[int, int], bytes]) -> BadgePayload:
    """Verify with the key of the token's (event_id, key_version)."""
    packed, signature, payload = _decode(token)
    public_key = keys.get((payload.event_id, payload.key_version))
    if public_key is None:
        raise TokenError("unknown_key", "no key for this event and key version")
    _check(packed, signature, public_key)
    return payload
