"""People at one conference, and helpers to give them networking profiles."""

import importlib

import pytest

from events.models import Event, Registration
from events.services import registration_create
from networking.models import Connection, Specialty
from networking.services.profiles import directory_listing_set, networking_profile_for
from tests.factories import make_event, make_ticket, make_user


def specialty(name: str) -> Specialty:
    """A term of the seeded vocabulary (seeded again after a transactional test
    flushed the tables, data migrations included)."""
    found = Specialty.objects.filter(name=name).first()
    if found is None:
        from django.apps import apps

        importlib.import_module("networking.migrations.0003_seed_specialties").seed(apps, None)
        found = Specialty.objects.get(name=name)
    return found


def attend(event: Event, **names) -> "Registration":
    """A new person with a confirmed (free) registration for `event`."""
    person = make_user(**names)
    ticket = event.ticket_types.first() or make_ticket(event)
    return registration_create(user=person, ticket_type=ticket)


def set_profile(user, *, specialties=(), profession: str = "", credentials: str = "", **fields):
    """Fill in a networking profile directly (the services are tested on their own)."""
    profile = networking_profile_for(user)
    for name, value in fields.items():
        setattr(profile, name, value)
    profile.save()
    if specialties:
        profile.specialties.set([specialty(name) for name in specialties])
    if profession or credentials:
        user.profile.profession = profession
        user.profile.credentials = credentials
        user.profile.save()
    return profile


def listed(event: Event, **names):
    """A confirmed attendee who opted in to the event's directory."""
    person = attend(event, **names).user
    directory_listing_set(user=person, event=event, listed=True)
    return person


def connect(a, b) -> Connection:
    return Connection.objects.create(requester=a, addressee=b, status=Connection.Status.ACCEPTED)


@pytest.fixture
def other_event(db):
    return make_event()


@pytest.fixture
def ana(event):
    return listed(event, first_name="Ana", last_name="Reyes")


@pytest.fixture
def ben(event):
    return listed(event, first_name="Ben", last_name="Okafor")


@pytest.fixture
def cara(other_event):
    """An attendee of another event only."""
    return listed(other_event, first_name="Cara", last_name="Lindqvist")


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Uploaded photos go to a temporary folder, never the project's media/."""
    settings.MEDIA_ROOT = tmp_path / "media"
