"""In-app notifications, and the emails that go with them when the person allows."""

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from events.services.notify import email_after_commit
from networking.models import Connection, NetworkingProfile, Notification


def notify(
    *,
    user: User,
    kind: str,
    text: str,
    url: str = "",
    connection: Connection | None = None,
) -> Notification:
    return Notification.objects.create(
        user=user, kind=kind, text=text[:300], url=url[:300], connection=connection
    )


def wants_email(user: User, preference: str) -> bool:
    """The person's choice (`email_on_request` or `email_on_accept`); yes by default."""
    if not user.is_active or not user.email:
        return False
    chosen = NetworkingProfile.objects.filter(user=user).values_list(preference, flat=True).first()
    return True if chosen is None else chosen


def email_if_allowed(*, user: User, preference: str, template: str, context: dict) -> bool:
    if not wants_email(user, preference):
        return False
    email_after_commit(to=user.email, template=template, context={**context, "user": user})
    return True


@transaction.atomic
def notifications_mark_read(*, user: User, ids: list[int] | None = None) -> int:
    """Mark the user's unread notifications read (only `ids`, if given)."""
    unread = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=ids)
    return unread.update(read_at=timezone.now())


def forget_connection_notifications(*, connection: Connection, user: User) -> None:
    """A request that was withdrawn, or closed by a block, is no longer news."""
    Notification.objects.filter(connection=connection, user=user).delete()
