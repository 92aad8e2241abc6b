"""Reports about a person's conduct, reviewed by the organizers of the events the
two people share (site staff see every report)."""

from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from events.errors import RegistrationError
from events.models import Event, Membership
from networking.models import Block, Connection, NetworkingReport, Notification
from networking.services.blocks import block_create
from networking.services.notifications import notify

REASON_MAX = 2000


def shared_events(a: User, b: User) -> list[Event]:
    """Events both have registered for (any status: a cancelled seat still met people)."""
    return list(
        Event.objects.filter(registrations__user=a)
        .filter(registrations__user=b)
        .distinct()
        .order_by("-starts_at")
    )


def can_review(user: User, report: NetworkingReport) -> bool:
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return report.events.filter(
        organization__memberships__user=user,
        organization__memberships__role__in=Membership.MANAGER_ROLES,
    ).exists()


@transaction.atomic
def report_create(
    *, reporter: User, reported: User, reason: str, also_block: bool = False
) -> NetworkingReport:
    if not reporter.is_authenticated or reporter.pk == reported.pk:
        raise RegistrationError("self", "You can’t report yourself.")
    reason = reason.strip()
    if not reason:
        raise RegistrationError("reason_required", "Say what happened, so organizers can act.")
    if len(reason) > REASON_MAX:
        raise RegistrationError(
            "reason_too_long", f"Keep the report under {REASON_MAX:,} characters."
        )
    events = shared_events(reporter, reported)
    pair = Q(requester=reporter, addressee=reported) | Q(requester=reported, addressee=reporter)
    knows = (
        events
        or Connection.objects.filter(pair).exists()
        or Block.objects.filter(blocker=reporter, blocked=reported).exists()
    )
    if not knows:
        raise RegistrationError("unknown_person", "You can only report people you met here.")
    if NetworkingReport.objects.filter(
        reporter=reporter, reported=reported, resolved_at__isnull=True
    ).exists():
        raise RegistrationError(
            "already_reported",
            "You have already reported this person; the organizers have not closed it yet.",
        )
    report = NetworkingReport.objects.create(reporter=reporter, reported=reported, reason=reason)
    report.events.set(events)
    reviewers = User.objects.filter(
        memberships__organization__events__in=events,
        memberships__role__in=Membership.MANAGER_ROLES,
        is_active=True,
    ).distinct()
    url = reverse("networking:reports")
    for reviewer in reviewers:
        notify(
            user=reviewer,
            kind=Notification.Kind.REPORT,
            text="An attendee reported someone for their conduct: please review it.",
            url=url,
        )
    if also_block:
        block_create(blocker=reporter, blocked=reported)
    return report


@transaction.atomic
def report_resolve(*, report: NetworkingReport, by: User, resolution: str) -> NetworkingReport:
    report = NetworkingReport.objects.select_for_update().get(pk=report.pk)
    if not can_review(by, report):
        raise RegistrationError(
            "forbidden", "Only organizers of the events these people share can resolve it."
        )
    if report.is_resolved:
        raise RegistrationError("already_resolved", "This report was already resolved.")
    resolution = resolution.strip()
    if not resolution:
        raise RegistrationError("resolution_required", "Say what was done about it.")
    report.resolved_at = timezone.now()
    report.resolved_by = by
    report.resolution = resolution[:500]
    report.save(update_fields=["resolved_at", "resolved_by", "resolution"])
    return report
