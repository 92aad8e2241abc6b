import uuid

import pytest
from django.db import connection

from config import throttle
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
def _own_throttle_counts(monkeypatch):
    """Each test counts its own logins, lookups and resets: the cache outlives a test
    (and with REDIS_URL is shared with other processes)."""
    monkeypatch.setattr(throttle, "PREFIX", f"throttle-test-{uuid.uuid4().hex[:8]}")


@pytest.fixture
def throttle_clock(monkeypatch):
    """Time for the throttle's fixed windows stands still, mid-window (450 s into a
    15-minute and an hourly one): attempts cannot straddle a window's end."""
    monkeypatch.setattr(throttle, "clock", lambda: 1_800_000_450.0)


@pytest.fixture(autouse=True)
def _fresh_key_cache():
    from checkin.live import forget_announcements
    from checkin.services.keys import forget_cached_keys

    forget_cached_keys()
    forget_announcements()


@pytest.fixture(scope="session", autouse=True)
def _end_stray_database_sessions(django_db_setup, django_db_blocker):
    """Worker threads of the test harness (asgiref's executors behind Channels
    consumers, the live server of browser tests) keep their database connection
    until the process exits, which makes PostgreSQL refuse to drop the test database
    ("being accessed by other users"). Application code closes its connections;
    these are the harness's, so end them before the database is dropped."""
    yield
    if connection.vendor != "postgresql":
        return
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
