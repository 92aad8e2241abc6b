from django.utils.functional import SimpleLazyObject

from events.models import Membership


def organizer_nav(request) -> dict:
    """Show the organizer link only to people who manage a provider."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"is_organizer": False}

    def check() -> bool:
        return (
            user.is_superuser
            or Membership.objects.filter(user=user, role__in=Membership.MANAGER_ROLES).exists()
        )

    # Lazy: the query runs only when a template asks.
    return {"is_organizer": SimpleLazyObject(check)}
