"""Who is in which room (networking/chat/membership.py)."""

import pytest

from events.models import Membership, Registration, Session
from events.services import registration_create, session_signup_create
from networking.chat.membership import (
    event_room,
    is_member,
    may_post,
    members_among,
    session_room,
)
from networking.chat.models import Room
from networking.chat.services import private_room_create
from tests.chat.conftest import attend
from tests.factories import make_session, make_ticket, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def workshop(event):
    return make_session(event, title="DBT skills", capacity=20)


@pytest.fixture
def plenary(event):
    return make_session(event, title="Opening plenary", kind=Session.Kind.PLENARY, capacity=None)


def test_the_lobby_holds_confirmed_attendees_and_organizers(
    event, lobby, dana, organizer, outsider, org
):
    unpaid = make_user()
    registration_create(user=unpaid, ticket_type=make_ticket(event, price=50))
    assert unpaid.registrations.get().status == Registration.Status.AWAITING_PAYMENT
    scanner = make_user()
    Membership.objects.create(organization=org, user=scanner, role=Membership.Role.SCANNER)
    superuser = make_user(is_superuser=True)

    people = [dana, organizer, outsider, unpaid, scanner, superuser]
    assert members_among(lobby, [p.pk for p in people]) == {dana.pk, organizer.pk, superuser.pk}


def test_a_cancelled_registration_leaves_the_rooms_at_once(event, lobby, dana):
    assert is_member(dana, lobby)
    Registration.objects.filter(user=dana).update(status=Registration.Status.CANCELLED)
    assert not is_member(dana, lobby)


def test_a_session_room_holds_its_seated_attendees(event, workshop, dana, rafael, organizer):
    session_signup_create(user=dana, session_id=workshop.pk)
    room = session_room(workshop)
    assert members_among(room, [dana.pk, rafael.pk, organizer.pk]) == {dana.pk, organizer.pk}


def test_a_session_without_sign_ups_is_open_to_every_attendee(event, plenary, dana, outsider):
    room = session_room(plenary)
    assert members_among(room, [dana.pk, outsider.pk]) == {dana.pk}


def test_announcements_are_read_by_all_and_posted_by_organizers(dana, organizer, announcements):
    assert is_member(dana, announcements) and is_member(organizer, announcements)
    assert not may_post(dana, announcements)
    assert may_post(organizer, announcements)


def test_private_rooms_hold_their_members_only(event, dana, rafael, organizer):
    room = private_room_create(
        kind=Room.Kind.MENTORSHIP, key="mentorship:7", title="Mentoring", members=[dana, rafael]
    )
    assert members_among(room, [dana.pk, rafael.pk, organizer.pk]) == {dana.pk, rafael.pk}


def test_rooms_are_made_lazily_once_per_key(event, workshop):
    assert event_room(event, Room.Kind.LOBBY).pk == event_room(event, Room.Kind.LOBBY).pk
    assert session_room(workshop).pk == session_room(workshop).pk
    assert Room.objects.count() == 2


def test_an_inactive_account_is_nobody(lobby):
    person = attend(lobby.event)
    person.is_active = False
    person.save()
    assert not is_member(person, lobby)


def test_asking_about_one_person_agrees_with_asking_about_many(
    event, org, lobby, announcements, workshop, plenary, dana, rafael, organizer, outsider
):
    """Sends check one person (`is_member`), fan-out checks many (`members_among`):
    both must draw the same line for every kind of person and room."""
    session_signup_create(user=dana, session_id=workshop.pk)
    scanner = make_user()
    Membership.objects.create(organization=org, user=scanner, role=Membership.Role.SCANNER)
    superuser = make_user(is_superuser=True)
    cancelled = attend(event)
    Registration.objects.filter(user=cancelled).update(status=Registration.Status.CANCELLED)
    inactive = attend(event)
    inactive.is_active = False
    inactive.save()
    mentoring = private_room_create(
        kind=Room.Kind.MENTORSHIP, key="mentorship:9", title="Mentoring", members=[rafael, inactive]
    )
    rooms = [lobby, announcements, session_room(workshop), session_room(plenary), mentoring]
    people = [dana, rafael, organizer, outsider, scanner, superuser, cancelled, inactive]

    for room in rooms:
        together = members_among(room, [p.pk for p in people])
        assert {p.pk for p in people if is_member(p, room)} == together, room.kind
    assert members_among(session_room(workshop), [p.pk for p in people]) == {
        dana.pk,
        organizer.pk,
        superuser.pk,
    }
    assert members_among(mentoring, [p.pk for p in people]) == {rafael.pk}
