import pytest
from django.db import connection

from tests.factories import make_event, make_org, make_organizer, make_ticket, make_user


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def org(db):
    return make_org()


@pytest.fixture
def event(org):
    return make_event(org)


@pytest.fixture
def free_ticket(event):
    return make_ticket(event, name="Free")


@pytest.fixture
def user(db):
    return make_user()


@pytest.fixture
def organizer(org):
    return make_organizer(org)


requires_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="row-lock races only mean something on PostgreSQL (set DATABASE_URL)",
)


@pytest.fixture(autouse=True)
def _fresh_key_cache():
    from checkin.live import forget_announcements
    from checkin.services.keys import forget_cached_keys

    forget_cached_keys()
    forget_announcements()
