"""Chat services: sequence numbers, idempotent sends, edits, deletions, moderation,
read marks, direct rooms, rate limits."""

import itertools
import threading
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone

from networking.chat import broadcast, ratelimit
from networking.chat.membership import ChatError, event_room
from networking.chat.models import Message, Mute, ReadState, Report, Room, RoomMember
from networking.chat.moderation import (
    mute_create,
    mute_delete,
    report_create,
    report_dismiss,
)
from networking.chat.services import (
    direct_room_open,
    message_delete,
    message_edit,
    message_remove,
    message_send,
    private_room_create,
    read_mark,
)
from networking.models import Block, Connection
from tests.chat.conftest import attend
from tests.conftest import requires_postgres
from tests.factories import make_event, make_org, make_organizer

pytestmark = pytest.mark.django_db


_ids = itertools.count(1)


def send(user, room, body="hi", client_id=None):
    client_id = client_id or f"c{next(_ids)}"
    return message_send(user=user, room_id=room.pk, body=body, client_id=client_id)


def connect_people(a, b):
    Connection.objects.create(requester=a, addressee=b, status=Connection.Status.ACCEPTED)


def test_each_message_gets_the_rooms_next_seq(dana, rafael, event, lobby):
    other = event_room(event, Room.Kind.ANNOUNCEMENTS)
    assert [send(dana, lobby)[0].seq for _ in range(3)] == [1, 2, 3]
    assert send(rafael, lobby)[0].seq == 4
    lobby.refresh_from_db()
    assert lobby.last_seq == 4
    assert other.last_seq == 0  # rooms count apart


def test_a_resent_client_id_returns_the_stored_message(dana, lobby):
    first, created = send(dana, lobby, "Hello", client_id="abc")
    again, created_again = send(dana, lobby, "Hello (resent)", client_id="abc")
    assert (created, created_again) == (True, False)
    assert again.pk == first.pk and again.body == "Hello"
    assert Message.objects.count() == 1


def test_too_long_or_empty_is_refused_and_nothing_is_stored(dana, lobby):
    for body, code in [("x" * 4001, "too_long"), ("  \n ", "empty"), ("a\x00b", "invalid")]:
        with pytest.raises(ChatError) as refusal:
            send(dana, lobby, body)
        assert refusal.value.code == code
    assert not Message.objects.exists()
    lobby.refresh_from_db()
    assert lobby.last_seq == 0


def test_a_message_is_broadcast_only_after_commit(
    monkeypatch, django_capture_on_commit_callbacks, dana, lobby
):
    published = []
    monkeypatch.setattr(broadcast, "publish", lambda room_id, payload: published.append(payload))
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        send(dana, lobby, "rolled back")
        raise RuntimeError
    assert published == [] and not Message.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        send(dana, lobby, "kept")
        assert published == []
    assert len(published) == 1 and published[0].startswith(f"m 1 {dana.pk}\n")


def test_the_rate_limit_counts_per_user(settings, dana, rafael, lobby):
    settings.CHAT_RATE_LIMIT = "2/10"
    send(dana, lobby)
    send(dana, lobby)
    with pytest.raises(ChatError) as refusal:
        send(dana, lobby)
    assert refusal.value.code == "rate_limited" and 0 < refusal.value.retry_after <= 10
    send(rafael, lobby)  # someone else is not slowed down


def test_a_resend_is_answered_even_when_the_sender_is_rate_limited(settings, dana, lobby):
    """A client reconnecting resends what it never saw acknowledged: that must not
    use up, or be refused by, the rate limit."""
    settings.CHAT_RATE_LIMIT = "2/10"
    first, _ = send(dana, lobby, "One", client_id="one")
    send(dana, lobby, "Two", client_id="two")
    again, created = send(dana, lobby, "One", client_id="one")
    assert (again.pk, created) == (first.pk, False)
    with pytest.raises(ChatError) as refusal:
        send(dana, lobby, "Three", client_id="three")
    assert refusal.value.code == "rate_limited"
    lobby.refresh_from_db()
    assert lobby.last_seq == 2 and Message.objects.count() == 2  # the refusal took no seq


def test_a_send_costs_a_fixed_handful_of_queries(dana, lobby, django_assert_max_num_queries):
    """Every message of every room pays this: membership, mute, the seq lock, the
    resend check, the seq, the insert (plus savepoint statements in the test)."""
    send(dana, lobby)
    with django_assert_max_num_queries(9):
        send(dana, lobby)


def test_rate_windows_reset():
    assert ratelimit.parse_rate("10/10") == (10, 10.0)
    assert [ratelimit.hit("t", "2/10", now=100.0) for _ in range(3)] == [None, None, 10.0]
    assert ratelimit.hit("t", "2/10", now=110.5) is None
    with pytest.raises(ValueError):
        ratelimit.parse_rate("0/10")


def test_edit_own_message_within_the_window(dana, rafael, lobby):
    message, _ = send(dana, lobby, "Room 301")
    edited = message_edit(user=dana, room_id=lobby.pk, seq=1, body="Room 310")
    assert (edited.body, edited.change_seq) == ("Room 310", 1)
    assert edited.edited_at is not None
    with pytest.raises(ChatError, match="own"):
        message_edit(user=rafael, room_id=lobby.pk, seq=1, body="nope")
    Message.objects.filter(pk=message.pk).update(created_at=timezone.now() - timedelta(minutes=11))
    with pytest.raises(ChatError) as refusal:
        message_edit(user=dana, room_id=lobby.pk, seq=1, body="late")
    assert refusal.value.code == "edit_window"
    lobby.refresh_from_db()
    assert lobby.last_change == 1


def test_delete_own_any_time_organizers_delete_any(dana, rafael, organizer, lobby):
    send(dana, lobby, "mine")
    send(rafael, lobby, "theirs")
    with pytest.raises(ChatError):
        message_delete(user=dana, room_id=lobby.pk, seq=2)
    own = message_delete(user=dana, room_id=lobby.pk, seq=1)
    assert own.is_deleted and not own.removed_by_moderator
    removed = message_delete(user=organizer, room_id=lobby.pk, seq=2)
    assert removed.removed_by_moderator and removed.change_seq == 2


def test_an_organizer_of_another_event_cannot_delete(dana, lobby):
    stranger = make_organizer(make_org())
    send(dana, lobby, "hello")
    with pytest.raises(ChatError):
        message_delete(user=stranger, room_id=lobby.pk, seq=1)


def test_reports_are_kept_once_and_closed_by_removal(dana, rafael, organizer, lobby):
    message, _ = send(rafael, lobby, "spam spam")
    report, created = report_create(user=dana, message=message, reason="Spam")
    _, again = report_create(user=dana, message=message, reason="Spam!")
    assert (created, again) == (True, False)
    with pytest.raises(ChatError, match="own"):
        report_create(user=rafael, message=message)
    message_remove(by=organizer, message=message)
    report.refresh_from_db()
    assert report.resolution == Report.Resolution.REMOVED and report.resolved_by == organizer


def test_outsiders_cannot_report(outsider, dana, lobby):
    message, _ = send(dana, lobby)
    with pytest.raises(ChatError) as refusal:
        report_create(user=outsider, message=message)
    assert refusal.value.code == "not_member"


def test_dismissing_a_report_needs_an_organizer(dana, rafael, organizer, lobby):
    message, _ = send(rafael, lobby)
    report, _ = report_create(user=dana, message=message)
    with pytest.raises(ChatError):
        report_dismiss(by=dana, report=report)
    assert report_dismiss(by=organizer, report=report).resolution == "dismissed"


def test_mutes_are_for_organizers_and_not_of_organizers(dana, rafael, organizer, event, lobby):
    message, _ = send(rafael, lobby)
    report_create(user=dana, message=message)
    with pytest.raises(ChatError):
        mute_create(by=dana, event=event, user=rafael)
    with pytest.raises(ChatError) as refusal:
        mute_create(by=organizer, event=event, user=organizer)
    assert refusal.value.code == "cannot_mute"

    mute_create(by=organizer, event=event, user=rafael, reason="Spam")
    assert Report.objects.get().resolution == Report.Resolution.MUTED
    with pytest.raises(ChatError) as refusal:
        send(rafael, lobby)
    assert refusal.value.code == "muted"
    assert mute_delete(by=organizer, event=event, user=rafael) is True
    assert not Mute.objects.exists()
    send(rafael, lobby)


def test_the_read_mark_never_moves_back(dana, rafael, lobby):
    for _ in range(3):
        send(dana, lobby)
    assert read_mark(user=rafael, room_id=lobby.pk, seq=2) == 2
    assert read_mark(user=rafael, room_id=lobby.pk, seq=1) == 2
    assert read_mark(user=rafael, room_id=lobby.pk, seq=99) == 3  # no further than the room
    assert ReadState.objects.get(user=rafael).last_read_seq == 3


def test_private_room_create_is_idempotent_by_key(dana, rafael):
    room = private_room_create(
        kind="mentorship", key="mentorship:1", title="Mentoring", members=[dana]
    )
    same = private_room_create(
        kind="mentorship", key="mentorship:1", title="Mentoring", members=[dana, rafael]
    )
    assert same.pk == room.pk
    assert set(RoomMember.objects.filter(room=room).values_list("user_id", flat=True)) == {
        dana.pk,
        rafael.pk,
    }
    with pytest.raises(ValueError):
        private_room_create(kind="lobby", key="x", title="x", members=[])


def test_direct_messages_need_a_connection_and_no_block(dana, rafael):
    with pytest.raises(ChatError) as refusal:
        direct_room_open(user=dana, other=rafael)
    assert refusal.value.code == "not_connected"

    connect_people(dana, rafael)
    room = direct_room_open(user=dana, other=rafael)
    assert direct_room_open(user=rafael, other=dana).pk == room.pk  # one room per pair
    message_send(user=rafael, room_id=room.pk, body="Hi Dana", client_id="r1")

    Block.objects.create(blocker=dana, blocked=rafael)
    for sender in (dana, rafael):
        with pytest.raises(ChatError) as refusal:
            message_send(user=sender, room_id=room.pk, body="hello?", client_id=f"b{sender.pk}")
        assert refusal.value.code == "blocked"


def test_rooms_of_an_event_are_made_once(event):
    from networking.chat.membership import event_rooms_ensure
    from tests.factories import make_session

    make_session(event, title="Trauma-informed care")
    make_session(event, title="Lunch", kind="meal", ce_hours=0)
    event_rooms_ensure([event])
    event_rooms_ensure([event])
    kinds = sorted(Room.objects.filter(event=event).values_list("kind", "title"))
    assert kinds == [
        ("announcements", "Announcements"),
        ("lobby", "Lobby"),
        ("session", "Trauma-informed care"),
    ]


@requires_postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_sends_get_distinct_consecutive_seqs():
    """Many writers at once: the room row lock hands out each seq exactly once."""
    event = make_event()
    room = event_room(event, Room.Kind.LOBBY)
    people = [attend(event) for _ in range(8)]
    barrier = threading.Barrier(len(people))
    errors = []

    def write(person):
        try:
            barrier.wait()
            for n in range(5):
                message_send(
                    user=person, room_id=room.pk, body=f"m{n}", client_id=f"{person.pk}-{n}"
                )
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=write, args=(p,)) for p in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    seqs = sorted(Message.objects.filter(room=room).values_list("seq", flat=True))
    assert seqs == list(range(1, 41))
    room.refresh_from_db()
    assert room.last_seq == 40


def test_a_user_outside_the_event_is_not_a_member(outsider, lobby):
    with pytest.raises(ChatError) as refusal:
        send(outsider, lobby)
    assert refusal.value.code == "not_member"
