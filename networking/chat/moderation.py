"""Organizers keep their event's rooms civil: mutes and reports. Reports of direct
and mentorship rooms, which have no organizer, go to site staff (`may_review_private_reports`).

Organizers delete messages through services.message_delete / message_remove.
"""

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from events.models import Event
from events.permissions import can_manage_event
from networking.chat.membership import EVENT_KINDS, ChatError, is_member
from networking.chat.models import Message, Mute, Report

MAX_REASON = 500


def _check_organizer(user: User, event: Event) -> None:
    if not can_manage_event(user, event):
        raise ChatError("forbidden", "Only the event's organizers can do this.")


def may_review_private_reports(user: User) -> bool:
    """Site staff who review reports of direct and mentorship rooms: active staff users
    holding chat's "Can change report" permission (superusers hold every permission).
    Staff status alone is not enough: organizers are staff so that they can use the
    admin for their own provider, and they must not read other people's conversations."""
    return bool(
        user.is_authenticated
        and user.is_active
        and user.is_staff
        and user.has_perm("chat.change_report")
    )


def _check_reviewer(user: User) -> None:
    if not may_review_private_reports(user):
        raise ChatError("forbidden", "Only site staff can review reports of private conversations.")


@transaction.atomic
def mute_create(*, by: User, event: Event, user: User, reason: str = "") -> Mute:
    """`user` can no longer post in the event's rooms (they still read). Open reports
    of their messages in the event are resolved as "sender muted"."""
    _check_organizer(by, event)
    if user.pk == by.pk or can_manage_event(user, event):
        raise ChatError("cannot_mute", "Organizers of the event cannot be muted.")
    mute, _ = Mute.objects.get_or_create(
        event=event, user=user, defaults={"muted_by": by, "reason": reason.strip()[:MAX_REASON]}
    )
    Report.objects.filter(
        message__room__event=event,
        message__room__kind__in=EVENT_KINDS,
        message__sender=user,
        resolved_at__isnull=True,
    ).update(resolved_at=timezone.now(), resolved_by=by, resolution=Report.Resolution.MUTED)
    return mute


@transaction.atomic
def mute_delete(*, by: User, event: Event, user: User) -> bool:
    """Let a muted person post again. Returns False if they were not muted."""
    _check_organizer(by, event)
    deleted, _ = Mute.objects.filter(event=event, user=user).delete()
    return bool(deleted)


@transaction.atomic
def report_create(*, user: User, message: Message, reason: str = "") -> tuple[Report, bool]:
    """Flag a message for the organizers. Reporting twice keeps the first report."""
    message = Message.objects.select_related("room__event", "room__session").get(pk=message.pk)
    if not is_member(user, message.room):
        raise ChatError("not_member", "You are not a member of this room.")
    if message.sender_id == user.pk:
        raise ChatError("own_message", "You cannot report your own message.")
    if message.is_deleted:
        raise ChatError("not_found", "That message was deleted.")
    reason = reason.strip()
    if len(reason) > MAX_REASON:
        raise ChatError("too_long", f"Keep the reason under {MAX_REASON} characters.")
    return Report.objects.get_or_create(message=message, reporter=user, defaults={"reason": reason})


@transaction.atomic
def report_dismiss(*, by: User, report: Report) -> Report:
    """Close a report with no action: by the event's organizers, or for a private
    room (no event) by site staff. Dismissing a closed report changes nothing."""
    report = Report.objects.select_related("message__room__event").get(pk=report.pk)
    event = report.message.room.event
    if event is None:
        _check_reviewer(by)
    else:
        _check_organizer(by, event)
    if report.resolved_at is None:
        report.resolved_at = timezone.now()
        report.resolved_by = by
        report.resolution = Report.Resolution.DISMISSED
        report.save(update_fields=["resolved_at", "resolved_by", "resolution"])
    return report


def resolve_reports(*, message: Message, by: User, resolution: str) -> int:
    """Close every open report of a message (inside the caller's transaction)."""
    return Report.objects.filter(message=message, resolved_at__isnull=True).update(
        resolved_at=timezone.now(), resolved_by=by, resolution=resolution
    )
