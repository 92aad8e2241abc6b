"""Who may do what. `access_*` helpers load an object and check the caller in one step."""

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from events.models import Event, Membership, Organization


def managed_organizations(user) -> QuerySet[Organization]:
    """Providers where the user is an owner or staff (scanners do not manage)."""
    if not user.is_authenticated:
        return Organization.objects.none()
    if user.is_superuser:
        return Organization.objects.all()
    return Organization.objects.filter(
        memberships__user=user, memberships__role__in=Membership.MANAGER_ROLES
    )


def can_manage_event(user, event: Event) -> bool:
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return Membership.objects.filter(
        user=user, organization_id=event.organization_id, role__in=Membership.MANAGER_ROLES
    ).exists()


def access_public_event(user, slug: str) -> Event:
    """An event the user may see: published or cancelled ones, drafts only for managers."""
    event = Event.objects.select_related("organization").filter(slug=slug).first()
    if event is None or (not event.is_public and not can_manage_event(user, event)):
        raise Http404("No such event.")
    return event


def access_managed_event(user, slug: str) -> Event:
    event = Event.objects.select_related("organization").filter(slug=slug).first()
    if event is None:
        raise Http404("No such event.")
    if not can_manage_event(user, event):
        raise PermissionDenied("You do not organize this event.")
    return event
