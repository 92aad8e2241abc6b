"""Who may reach whom: the questions chat and mentorship ask networking.

Reads only (the writes are in services/connections.py and services/blocks.py).
"""

from django.db.models import Q

from networking.models import Block, Connection


def are_connected(a_id: int, b_id: int) -> bool:
    return Connection.objects.filter(
        Q(requester_id=a_id, addressee_id=b_id) | Q(requester_id=b_id, addressee_id=a_id),
        status=Connection.Status.ACCEPTED,
    ).exists()


def blocked_between(a_id: int, b_id: int) -> bool:
    """Either one blocks the other."""
    return Block.objects.filter(
        Q(blocker_id=a_id, blocked_id=b_id) | Q(blocker_id=b_id, blocked_id=a_id)
    ).exists()


def blocked_ids(user_id: int) -> set[int]:
    """People this user blocked (their messages are hidden for the user)."""
    return set(Block.objects.filter(blocker_id=user_id).values_list("blocked_id", flat=True))
