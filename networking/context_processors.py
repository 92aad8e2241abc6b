from django.utils.functional import SimpleLazyObject

from networking.selectors import unread_count


def notifications(request) -> dict:
    """`unread_notifications`: the signed-in person's unread count (lazy: the query
    runs only when a template shows it)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"unread_notifications": 0}
    return {"unread_notifications": SimpleLazyObject(lambda: unread_count(user))}
