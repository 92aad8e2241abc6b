"""Badge tokens: a badge verifies offline and cannot be forged or altered (DESIGN invariant 4)."""

import base64
import string

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from checkin.tokens import (
    PREFIX,
    TOKEN_LENGTH,
    BadgePayload,
    TokenError,
    generate_key_pair,
    parse,
    sign,
    verify,
    verify_with,
)

QR_ALPHANUMERIC = set(string.digits + string.ascii_uppercase + " $%*+-./:")
BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"

PRIVATE, PUBLIC = generate_key_pair()
OTHER_PRIVATE, OTHER_PUBLIC = generate_key_pair()
PAYLOAD = BadgePayload(badge_id=1234, event_id=42, key_version=1, issued_at=1_767_225_600)

payloads = st.builds(
    BadgePayload,
    badge_id=st.integers(0, 2**32 - 1),
    event_id=st.integers(0, 2**32 - 1),
    key_version=st.integers(0, 2**16 - 1),
    issued_at=st.integers(0, 2**32 - 1),
)
# Any 32 bytes are a valid Ed25519 private key, so hypothesis can draw (and shrink) keys.
private_keys = st.binary(min_size=32, max_size=32)


def public_of(private: bytes) -> bytes:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    return Ed25519PrivateKey.from_private_bytes(private).public_key().public_bytes_raw()


def mutations(token: str):
    """Every single-character substitution, deletion and insertion of a base32 character."""
    alphabet = BASE32 + "01"  # also try the prefix's digit and "0", which base32 lacks
    for i, original in enumerate(token):
        for c in alphabet:
            if c != original:
                yield token[:i] + c + token[i + 1 :]
        yield token[:i] + token[i + 1 :]
    for i in range(len(token) + 1):
        for c in alphabet:
            yield token[:i] + c + token[i:]


def test_round_trip():
    token = sign(PAYLOAD, PRIVATE)
    assert verify(token, PUBLIC) == PAYLOAD
    assert parse(token) == PAYLOAD


def test_token_fits_qr_alphanumeric_mode_and_has_fixed_length():
    token = sign(PAYLOAD, PRIVATE)
    assert token.startswith(PREFIX)
    assert set(token) <= QR_ALPHANUMERIC
    assert len(token) == TOKEN_LENGTH == 128


def test_key_pair_is_raw_32_bytes():
    private, public = generate_key_pair()
    assert len(private) == 32 and len(public) == 32
    assert public_of(private) == public


def test_keys_read_from_the_database_as_memoryview_work():
    token = sign(PAYLOAD, memoryview(PRIVATE))
    assert verify(token, memoryview(PUBLIC)) == PAYLOAD
    assert verify_with(token, {(42, 1): memoryview(PUBLIC)}) == PAYLOAD


def test_scanner_whitespace_and_lowercase_are_accepted():
    token = sign(PAYLOAD, PRIVATE)
    assert verify(f"  {token.lower()}\r\n", PUBLIC) == PAYLOAD
    assert verify(f"\t{token}\n", PUBLIC) == PAYLOAD


@given(payload=payloads, private=private_keys)
def test_any_payload_round_trips(payload, private):
    token = sign(payload, private)
    assert len(token) == TOKEN_LENGTH
    assert set(token) <= QR_ALPHANUMERIC
    assert verify(token, public_of(private)) == payload


@pytest.mark.parametrize(
    "payload",
    [
        PAYLOAD,
        BadgePayload(badge_id=0, event_id=0, key_version=0, issued_at=0),
        BadgePayload(
            badge_id=2**32 - 1, event_id=2**32 - 1, key_version=2**16 - 1, issued_at=2**32 - 1
        ),
    ],
)
def test_every_single_character_change_is_rejected(payload):
    token = sign(payload, PRIVATE)
    count = 0
    for altered in mutations(token):
        with pytest.raises(TokenError):
            verify(altered, PUBLIC)
        count += 1
    assert count > 8000  # the loop really ran over every position


@settings(max_examples=300)
@given(payload=payloads, private=private_keys, data=st.data())
def test_random_single_character_change_is_rejected(payload, private, data):
    token = sign(payload, private)
    i = data.draw(st.integers(0, len(token)), label="position")
    c = data.draw(st.sampled_from(BASE32), label="character")
    kind = data.draw(st.sampled_from(["replace", "delete", "insert"]), label="kind")
    if kind == "insert":
        altered = token[:i] + c + token[i:]
    elif i == len(token):
        return
    elif kind == "delete":
        altered = token[:i] + token[i + 1 :]
    elif c == token[i]:
        return
    else:
        altered = token[:i] + c + token[i + 1 :]
    with pytest.raises(TokenError):
        verify(altered, public_of(private))


def test_non_canonical_last_character_is_rejected():
    # base32 of 78 bytes leaves one unused bit in the last character; b32decode ignores it,
    # so without a canonical check two spellings of the same token would both verify.
    token = sign(PAYLOAD, PRIVATE)
    last = BASE32.index(token[-1])
    twin = token[:-1] + BASE32[last ^ 1]
    assert base64.b32decode(twin[3:] + "===") == base64.b32decode(token[3:] + "===")
    with pytest.raises(TokenError) as exc:
        verify(twin, PUBLIC)
    assert exc.value.code == "malformed"


def test_another_events_key_does_not_verify():
    token = sign(PAYLOAD, OTHER_PRIVATE)
    with pytest.raises(TokenError) as exc:
        verify(token, PUBLIC)
    assert exc.value.code == "invalid_signature"


def test_verify_with_picks_the_key_of_the_event_and_version():
    keys = {(42, 1): PUBLIC, (42, 2): OTHER_PUBLIC, (43, 1): OTHER_PUBLIC}
    assert verify_with(sign(PAYLOAD, PRIVATE), keys) == PAYLOAD
    rotated = BadgePayload(badge_id=1234, event_id=42, key_version=2, issued_at=1_767_225_600)
    assert verify_with(sign(rotated, OTHER_PRIVATE), keys) == rotated
    # Signed with a real key, but not the one registered for (42, 1).
    with pytest.raises(TokenError) as exc:
        verify_with(sign(PAYLOAD, OTHER_PRIVATE), keys)
    assert exc.value.code == "invalid_signature"


@pytest.mark.parametrize("event_id,key_version", [(42, 3), (44, 1)])
def test_verify_with_unknown_event_or_version(event_id, key_version):
    payload = BadgePayload(badge_id=1, event_id=event_id, key_version=key_version, issued_at=0)
    with pytest.raises(TokenError) as exc:
        verify_with(sign(payload, PRIVATE), {(42, 1): PUBLIC})
    assert exc.value.code == "unknown_key"


def test_a_tampered_badge_is_malformed_or_invalid_never_unknown_key_by_accident():
    # A forger who rewrites the event id gets a signature failure, not a pass.
    token = sign(PAYLOAD, PRIVATE)
    raw = bytearray(base64.b32decode(token[3:] + "==="))
    raw[7] ^= 1  # event_id 42 -> 43
    forged = PREFIX + base64.b32encode(bytes(raw)).decode().rstrip("=")
    assert parse(forged).event_id == 43
    with pytest.raises(TokenError) as exc:
        verify_with(forged, {(43, 1): PUBLIC})
    assert exc.value.code == "invalid_signature"


def _malformed_cases():
    token = sign(PAYLOAD, PRIVATE)
    body = token[len(PREFIX) :]
    return {
        "empty": "",
        "whitespace only": "   \n",
        "prefix only": PREFIX,
        "wrong prefix": "CV2" + body,
        "no prefix": body,
        "trailing garbage": token + "A",
        "padding kept": token + "===",
        "inner space": token[:60] + " " + token[60:],
        "truncated": token[:-1],
        "short payload": PREFIX + base64.b32encode(bytes(77)).decode().rstrip("="),
        "long payload": PREFIX + base64.b32encode(bytes(79)).decode().rstrip("="),
        "non-base32 digit": token[:50] + "0" + token[51:],
        "huge": token + "A" * 10_000_000,
        "huge whitespace": " " * 10_000 + token,
    }


@pytest.mark.parametrize("name", list(_malformed_cases()))
def test_parse_rejects_malformed_input(name):
    with pytest.raises(TokenError) as exc:
        parse(_malformed_cases()[name])
    assert exc.value.code == "malformed"


def test_non_ascii_lookalikes_are_rejected():
    # "ſ".upper() == "S" and "ı".upper() == "I": only ASCII may be case-folded.
    payload = BadgePayload(badge_id=18 << 27, event_id=1 << 27, key_version=0, issued_at=0)
    token = sign(payload, PRIVATE)
    assert token.startswith("CV1S") and token[10] == "I"
    assert verify(token.lower(), PUBLIC) == payload
    for lookalike in ("CV1ſ" + token[4:], token[:10] + "ı" + token[11:]):
        with pytest.raises(TokenError) as exc:
            verify(lookalike, PUBLIC)
        assert exc.value.code == "malformed"


@pytest.mark.parametrize("value", [None, b"CV1AAAA", 12, 1.5, ["CV1"], object()])
def test_parse_rejects_non_strings(value):
    with pytest.raises(TokenError) as exc:
        parse(value)
    assert exc.value.code == "malformed"


@given(st.one_of(st.text(), st.text(alphabet=BASE32 + "cv1 =\n"), st.binary(), st.none()))
def test_parse_of_garbage_only_raises_token_error(value):
    with pytest.raises(TokenError):
        parse(value)


@given(st.text(alphabet=BASE32, min_size=125, max_size=125))
def test_random_well_formed_body_never_verifies(body):
    try:
        parse(PREFIX + body)
    except TokenError as exc:
        assert exc.code == "malformed"  # only the non-canonical last character
    with pytest.raises(TokenError):
        verify(PREFIX + body, PUBLIC)


@pytest.mark.parametrize(
    "field,value",
    [
        ("badge_id", -1),
        ("badge_id", 2**32),
        ("event_id", 2**32),
        ("key_version", 2**16),
        ("issued_at", -5),
        ("issued_at", 2**32),
        ("badge_id", True),
        ("event_id", "42"),
    ],
)
def test_out_of_range_payload_is_refused_with_value_error(field, value):
    fields = {"badge_id": 1, "event_id": 2, "key_version": 3, "issued_at": 4, field: value}
    # Checked when the payload is built, so no out-of-range payload ever reaches sign().
    with pytest.raises(ValueError, match=field):
        sign(BadgePayload(**fields), PRIVATE)
