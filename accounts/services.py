"""Writes for accounts. Every entry point (views, admin, commands) calls these."""

import secrets

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from accounts.models import CalendarToken, Profile, User


@transaction.atomic
def user_signup(*, email: str, password: str, first_name: str, last_name: str) -> User:
    """Create an attendee account with an empty professional profile."""
    user = User.objects.create_user(
        email=email, password=password, first_name=first_name.strip(), last_name=last_name.strip()
    )
    Profile.objects.create(user=user)
    return user


def profile_for(user: User) -> Profile:
    """The user's profile, created on first use (accounts made by createsuperuser have none)."""
    profile, _ = Profile.objects.get_or_create(user=user)
    return profile


@transaction.atomic
def calendar_token_rotate(*, user: User) -> str:
    """Make a new personal calendar feed token for `user`; the old link stops working.
    Returns the raw token: it is stored only as a hash, so this is the one chance to show it."""
    if not user.is_authenticated or not user.is_active:
        raise PermissionDenied("Only an active account can have a calendar feed.")
    token = secrets.token_urlsafe(32)
    CalendarToken.objects.update_or_create(
        user=user,
        defaults={"token_hash": CalendarToken.hash(token), "created_at": timezone.now()},
    )
    return token


@transaction.atomic
def calendar_token_revoke(*, user: User) -> bool:
    """Delete the user's calendar feed token. True if there was one."""
    deleted, _ = CalendarToken.objects.filter(user=user).delete()
    return bool(deleted)
