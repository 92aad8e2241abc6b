"""Blocks: the blocker and the blocked person disappear from each other here
(profiles, directories, requests, badge connect; chat asks relations.py)."""

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import User
from events.errors import RegistrationError
from networking.models import Block, Connection, Notification

S = Connection.Status


@transaction.atomic
def block_create(*, blocker: User, blocked: User) -> Block:
    """Block someone (again: no change). Open requests between them close and a
    connection ends; neither side is told."""
    if not blocker.is_authenticated or blocker.pk == blocked.pk:
        raise RegistrationError("self", "You can’t block yourself.")
    block, _ = Block.objects.get_or_create(blocker=blocker, blocked=blocked)
    pair = Q(requester=blocker, addressee=blocked) | Q(requester=blocked, addressee=blocker)
    now = timezone.now()
    Connection.objects.filter(pair, status=S.ACCEPTED).update(status=S.REMOVED)
    Connection.objects.filter(requester=blocker, addressee=blocked, status=S.PENDING).update(
        status=S.WITHDRAWN, responded_at=now
    )
    Connection.objects.filter(requester=blocked, addressee=blocker, status=S.PENDING).update(
        status=S.DECLINED, responded_at=now
    )
    # Nothing about the other person stays in either notification list.
    Notification.objects.filter(
        Q(user=blocker, connection__in=Connection.objects.filter(pair))
        | Q(user=blocked, connection__in=Connection.objects.filter(pair))
    ).delete()
    return block


@transaction.atomic
def block_remove(*, blocker: User, blocked: User) -> bool:
    """Unblock. Earlier connections are not restored. True if there was a block."""
    deleted, _ = Block.objects.filter(blocker=blocker, blocked=blocked).delete()
    return bool(deleted)
