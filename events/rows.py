"""Helpers for the hand-written SQL of the hot paths (events and check-in):
turning a row into values and models the rest of the code can use."""

from datetime import UTC, datetime
from typing import TypeVar

from django.db import connection
from django.db.models import Model
from django.utils import timezone


def aware(value: datetime | None) -> datetime | None:
    """SQLite hands back naive UTC datetimes, PostgreSQL aware ones: make them alike."""
    if value is None or timezone.is_aware(value):
        return value
    return value.replace(tzinfo=UTC)


M = TypeVar("M", bound=Model)


def loaded(instance: M) -> M:
    """Mark a model built from a row as one that came from the database."""
    instance._state.adding = False
    instance._state.db = connection.alias
    return instance
