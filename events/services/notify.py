"""Emails people expect, sent after the transaction commits (never for a rollback).

Each email is two templates: `emails/<name>.txt` (the first line is the subject,
the rest the plain-text body) and `emails/<name>.html` (extends `emails/base.html`).
Both are rendered at once, inside the transaction, so they describe what is about
to be committed; the job gets only JSON-serialisable arguments, because
production's django_tasks_db.DatabaseBackend stores them as JSON.
docs/emails.md lists every email.
"""

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from events.calendars import registration_calendar
from events.models import Event, Registration, SessionSignup
from events.tasks import send_email

# (filename, content, mimetype); text content only (bytes are decoded as UTF-8).
Attachment = tuple[str, str | bytes, str]

REMINDER_WINDOW = timedelta(hours=24)


def email_after_commit(
    *, to: str, template: str, context: dict, attachments: Iterable[Attachment] = ()
) -> None:
    """Render `emails/<template>.txt` and `.html` now and queue the email on commit."""
    context = {**context, "site_url": settings.SITE_URL}
    subject, _, body = render_to_string(f"emails/{template}.txt", context).strip().partition("\n")
    subject = " ".join(subject.split())  # one line: a header never holds a newline
    html = render_to_string(f"emails/{template}.html", {**context, "subject": subject})
    arguments = {
        "to": [to],
        "subject": subject,
        "body": body.strip() + "\n",
        "html": html,
        "attachments": [
            [name, content.decode() if isinstance(content, bytes) else content, mimetype]
            for name, content, mimetype in attachments
        ],
    }
    transaction.on_commit(lambda: send_email.enqueue(**arguments))


def registration_ics(registration: Registration) -> Attachment:
    """The registration's calendar (event and booked sessions) as an attachment."""
    return (f"{registration.event.slug}.ics", registration_calendar(registration), "text/calendar")


def event_reminders_send(*, now: datetime | None = None, batch: int = 100) -> int:
    """Remind each confirmed registration of an event starting within the next 24
    hours, once (`manage.py send_event_reminders`, run hourly). Rows are claimed with
    SELECT ... FOR UPDATE SKIP LOCKED and marked in the same transaction that queues
    their email, so two runs at once never send one reminder twice. Returns how many."""
    now = now or timezone.now()
    sent = 0
    while True:
        with transaction.atomic():
            due = list(
                Registration.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(
                    status=Registration.Status.CONFIRMED,
                    reminder_sent_at__isnull=True,
                    event__status=Event.Status.PUBLISHED,
                    event__starts_at__gt=now,
                    event__starts_at__lte=now + REMINDER_WINDOW,
                )
                .select_related("event__organization", "user", "ticket_type")
                .order_by("pk")[:batch]
            )
            if not due:
                return sent
            for registration in due:
                _remind(registration)
            Registration.objects.filter(pk__in=[r.pk for r in due]).update(reminder_sent_at=now)
        sent += len(due)


def _remind(registration: Registration) -> None:
    signups = (
        registration.signups.filter(status__in=SessionSignup.ACTIVE)
        .select_related("session__room")
        .order_by("session__starts_at", "session__title")
    )
    email_after_commit(
        to=registration.user.email,
        template="event_reminder",
        context={
            "registration": registration,
            "event": registration.event,
            "user": registration.user,
            "signups": list(signups),
        },
        attachments=[registration_ics(registration)],
    )
