"""Writes for accounts. Every entry point (views, admin, commands) calls these."""

from django.db import transaction

from accounts.models import Profile, User


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
